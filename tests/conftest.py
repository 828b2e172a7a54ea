"""Fixtures: a migrated database (SQLite, or PostgreSQL when PORTAL_TEST_DATABASE_URL is set),
each test inside a transaction that is rolled back, and the app, client and CLI runner on it."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from portal import catalogues, create_app, schema
from portal.db import make_engine
from portal.models import Organisation, OrganisationKind, Role, User
from portal.services import accounts, organisations
from portal.taxonomy.model import (
    IscoGroup,
    Label,
    LabelKind,
    Occupation,
    OccupationSkill,
    RelationType,
    ReuseLevel,
    Skill,
    SkillGroup,
    SkillRelation,
    SkillType,
    Taxonomy,
)

TEST_DATABASE_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")

# The portal's own settings from the caller's shell (e.g. PORTAL_ENV=development exported by
# `make`) must not leak into the tests; the tests' own switches stay.
TEST_SWITCHES = {
    "PORTAL_TEST_DATABASE_URL",
    "PORTAL_REQUIRE_BROWSER",
    "PORTAL_REQUIRE_ESCO",
    "PORTAL_CHROMIUM",
}
for _name in [name for name in os.environ if name.startswith("PORTAL_")]:
    if _name not in TEST_SWITCHES:
        del os.environ[_name]
SECRET = "test-secret-key-that-is-long-enough-for-the-check"
PASSWORD = "correct horse battery staple"

# <repo>/../shared/esco: the README there describes the two zips (not part of the repository).
ESCO_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "esco"
ESCO_CLASSIFICATION_ZIP = "esco-v1.1.1-classification-en-csv.zip"
ESCO_RELATIONS_ZIP = "esco-v1.1.1-relations-csv.zip"


@pytest.fixture(scope="session")
def esco_zips() -> tuple[Path, Path]:
    """The ESCO v1.1.1 classification and relations zips.

    Skips the test when they are absent, or fails it when PORTAL_REQUIRE_ESCO=1 (as in CI).
    """
    paths = (ESCO_DIR / ESCO_CLASSIFICATION_ZIP, ESCO_DIR / ESCO_RELATIONS_ZIP)
    missing = [path.name for path in paths if not path.is_file()]
    if missing:
        message = f"ESCO zips not found at {ESCO_DIR}: {', '.join(missing)}"
        if os.environ.get("PORTAL_REQUIRE_ESCO") == "1":
            pytest.fail(f"{message} (and PORTAL_REQUIRE_ESCO=1)")
        pytest.skip(message)
    return paths


CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


_schemas_made: list[str] = []


def fresh_database_url(name: str, folder: Path) -> str:
    """An empty database: a new SQLite file, or a new schema in the PostgreSQL test database.

    PostgreSQL schema names carry the process id, so two test runs on one database (two
    developers, or a developer and CI) never drop each other's tables.
    """
    if not TEST_DATABASE_URL:
        return f"sqlite:///{folder / f'{name}.sqlite3'}"
    schema_name = f"{name}_{os.getpid()}"
    engine = make_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema_name}"'))
    engine.dispose()
    _schemas_made.append(schema_name)
    options = {"options": f"-csearch_path={schema_name}"}
    return (
        make_url(TEST_DATABASE_URL).update_query_dict(options).render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues() -> None:
    """The pages in French, Russian, Ukrainian and Arabic need the .mo files `make` writes."""
    catalogues.compile_catalogues([])


@pytest.fixture(scope="session", autouse=True)
def _drop_test_schemas() -> Iterator[None]:
    """Remove the PostgreSQL schemas this run made."""
    yield
    if not TEST_DATABASE_URL:
        return
    engine = make_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        for schema_name in _schemas_made:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE'))
    engine.dispose()


def test_config(database_url: str, **overrides: Any) -> dict[str, Any]:
    return {
        "ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database_url,
        # still argon2id, at a cost that keeps the suite fast; production keeps the defaults
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_KIB": 1024,
        "PASSWORD_HASH_PARALLELISM": 1,
        "MATCHING_IN_BACKGROUND": False,
        **overrides,
    }


test_config.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = fresh_database_url("portal_test", tmp_path_factory.mktemp("db"))
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """The test's connection: everything done through it is rolled back at the end."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def app(database_url: str, connection: Connection, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(test_config(database_url), instance_path=str(tmp_path / "instance"))
    database = app.extensions["portal.db"]
    database.bind_to(connection)
    yield app
    database.dispose()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session on the test's transaction, for arranging data and checking results.

    No app context is pushed for it: requests made by the test client must each get their own
    (with its own `g`), as they do in production.
    """
    with app.extensions["portal.db"].session_scope() as session:
        yield session


class WebClient:
    """The test client plus what a person does: read the form's CSRF token, then post."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, **kwargs)

    def csrf_token(self, page: str) -> str:
        match = CSRF_TOKEN.search(self.client.get(page).get_data(as_text=True))
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def hidden(self, page: str, name: str) -> str:
        """The value of the form's hidden field `name` on `page`, as a browser would send it."""
        text = self.client.get(page).get_data(as_text=True)
        match = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*\bvalue="([^"]*)"', text)
        if match is None:
            match = re.search(rf'<input[^>]*\bvalue="([^"]*)"[^>]*\bname="{re.escape(name)}"', text)
        assert match, f"no hidden field {name} on {page}"
        return match.group(1)

    def post(
        self,
        url: str,
        data: dict[str, Any] | None = None,
        *,
        page: str | None = None,
        **kwargs: Any,
    ) -> TestResponse:
        """Post `data` as the form on `page` (default: `url`) would, with its CSRF token."""
        token = self.csrf_token(page or url)
        return self.client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)

    def login(self, email: str, password: str = PASSWORD) -> TestResponse:
        response = self.post("/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def logout(self) -> TestResponse:
        return self.post("/logout", page="/")


@pytest.fixture
def client(app: Flask) -> WebClient:
    return WebClient(app.test_client())


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


class Factory:
    """Makes accounts and organisations through the services, as the portal would."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.count = 0

    def organisation(self, kind: OrganisationKind, *, verified: bool = True) -> Organisation:
        self.count += 1
        return organisations.create_organisation(
            self.session, kind=kind, name=f"{kind.value.title()} {self.count}", verified=verified
        )

    def user(
        self,
        role: Role,
        *,
        email: str | None = None,
        password: str = PASSWORD,
        organisation: Organisation | None = None,
    ) -> User:
        self.count += 1
        if organisation is None and role in (Role.EMPLOYER, Role.PROVIDER):
            organisation = self.organisation(OrganisationKind(role.value))
        return accounts.create_user(
            self.session,
            email=email or f"{role.value}{self.count}@example.org",
            full_name=f"{role.value.title()} Person {self.count}",
            password=password,
            role=role,
            organisation=organisation,
        )


@pytest.fixture
def make(session: Session) -> Factory:
    return Factory(session)


@pytest.fixture(autouse=True)
def _fresh_taxonomy_indexes() -> Iterator[None]:
    """Each test's data is rolled back, so no index built in one test may serve the next."""
    from portal.services.taxonomy import forget_indexes

    forget_indexes()
    yield
    forget_indexes()


def small_taxonomy(name: str = "Small test taxonomy") -> Taxonomy:
    """A hand-made taxonomy: two occupations, seven skills, labels in five languages."""
    base = "https://skills-portal.example/test"

    def labels(en: str, fr: str, ru: str, uk: str, ar: str, *alternatives: str) -> tuple:
        preferred = [
            Label(en, "en"),
            Label(fr, "fr"),
            Label(ru, "ru"),
            Label(uk, "uk"),
            Label(ar, "ar"),
        ]
        return (*preferred, *(Label(a, "en", LabelKind.ALTERNATIVE) for a in alternatives))

    isco = [
        IscoGroup(
            f"{base}/isco/C8",
            "8",
            labels(
                "Plant and machine operators, and assemblers",
                "Conducteurs d'installations et de machines",
                "Операторы установок и машин",
                "Оператори установок і машин",
                "مشغلو المصانع والآلات",
            ),
        ),
        IscoGroup(
            f"{base}/isco/C83",
            "83",
            labels(
                "Drivers and mobile plant operators",
                "Conducteurs de véhicules",
                "Водители и операторы подвижного оборудования",
                "Водії та оператори рухомого обладнання",
                "السائقون ومشغلو المعدات المتنقلة",
            ),
        ),
        IscoGroup(
            f"{base}/isco/C834",
            "834",
            labels(
                "Mobile plant operators",
                "Conducteurs de matériels mobiles",
                "Операторы подвижного оборудования",
                "Оператори рухомого обладнання",
                "مشغلو المعدات المتنقلة",
            ),
        ),
        IscoGroup(
            f"{base}/isco/C8344",
            "8344",
            labels(
                "Lifting truck operators",
                "Conducteurs de chariots élévateurs",
                "Водители погрузчиков",
                "Водії навантажувачів",
                "مشغلو الرافعات الشوكية",
            ),
        ),
        IscoGroup(
            f"{base}/isco/C9",
            "9",
            labels(
                "Elementary occupations",
                "Professions élémentaires",
                "Неквалифицированные работники",
                "Найпростіші професії",
                "المهن الأولية",
            ),
        ),
        IscoGroup(
            f"{base}/isco/C93",
            "93",
            labels("Labourers", "Manœuvres", "Разнорабочие", "Різноробочі", "العمال"),
        ),
        IscoGroup(
            f"{base}/isco/C933",
            "933",
            labels(
                "Transport and storage labourers",
                "Manœuvres des transports et de l'entreposage",
                "Разнорабочие на транспорте и складах",
                "Різноробочі на транспорті та складах",
                "عمال النقل والتخزين",
            ),
        ),
        IscoGroup(
            f"{base}/isco/C9333",
            "9333",
            labels(
                "Freight handlers", "Manutentionnaires", "Грузчики", "Вантажники", "مناولو البضائع"
            ),
        ),
    ]
    group = SkillGroup(
        f"{base}/group/logistics",
        "LOG",
        labels(
            "warehousing and logistics",
            "entreposage et logistique",
            "складская логистика",
            "складська логістика",
            "التخزين والخدمات اللوجستية",
        ),
    )
    skill_rows = {
        "forklift": labels(
            "operate a forklift",
            "conduire un chariot élévateur",
            "управлять погрузчиком",
            "керувати навантажувачем",
            "تشغيل رافعة شوكية",
            "forklift driving",
            "fork-lift truck",
        ),
        "pallets": labels(
            "stack pallets",
            "empiler des palettes",
            "штабелировать поддоны",
            "штабелювати піддони",
            "تكديس المنصات",
        ),
        "scanner": labels(
            "use a handheld scanner",
            "utiliser un scanner portable",
            "пользоваться ручным сканером",
            "користуватися ручним сканером",
            "استخدام ماسح ضوئي محمول",
            "barcode scanning",
        ),
        "loads": labels(
            "load and unload goods",
            "charger et décharger des marchandises",
            "погрузка и разгрузка товаров",
            "завантаження та розвантаження товарів",
            "تحميل وتفريغ البضائع",
        ),
        "safety": labels(
            "follow health and safety rules",
            "respecter les règles de sécurité",
            "соблюдать правила охраны труда",
            "дотримуватися правил охорони праці",
            "اتباع قواعد الصحة والسلامة",
        ),
        "orders": labels(
            "pick orders",
            "préparer des commandes",
            "комплектовать заказы",
            "комплектувати замовлення",
            "تجهيز الطلبات",
            "order picking",
        ),
        "elderly": labels(
            "care for elderly people",
            "s'occuper de personnes âgées",
            "уход за пожилыми людьми",
            "догляд за літніми людьми",
            "رعاية كبار السن",
        ),
    }
    skills = [
        Skill(
            f"{base}/skill/{key}",
            value,
            SkillType.SKILL,
            ReuseLevel.SECTOR_SPECIFIC,
            broader=(group.uri,),
        )
        for key, value in skill_rows.items()
    ]
    occupations = [
        Occupation(
            f"{base}/occupation/forklift-driver",
            "8344",
            labels(
                "forklift driver",
                "cariste",
                "водитель погрузчика",
                "водій навантажувача",
                "سائق رافعة شوكية",
            ),
        ),
        Occupation(
            f"{base}/occupation/warehouse-operative",
            "9333",
            labels(
                "warehouse operative",
                "agent d'entrepôt",
                "складской работник",
                "складський працівник",
                "عامل مستودع",
            ),
        ),
    ]
    essential, optional = RelationType.ESSENTIAL, RelationType.OPTIONAL
    links = [
        OccupationSkill(occupations[0].uri, f"{base}/skill/forklift", essential),
        OccupationSkill(occupations[0].uri, f"{base}/skill/safety", essential),
        OccupationSkill(occupations[0].uri, f"{base}/skill/pallets", optional),
        OccupationSkill(occupations[1].uri, f"{base}/skill/orders", essential),
        OccupationSkill(occupations[1].uri, f"{base}/skill/scanner", essential),
        OccupationSkill(occupations[1].uri, f"{base}/skill/loads", essential),
        OccupationSkill(occupations[1].uri, f"{base}/skill/forklift", optional),
    ]
    return Taxonomy(
        name=name,
        source="tests/conftest.py",
        languages=("en", "fr", "ru", "uk", "ar"),
        isco_groups=tuple(isco),
        skill_groups=(group,),
        skills=tuple(skills),
        occupations=tuple(occupations),
        occupation_skills=tuple(links),
        skill_relations=(
            SkillRelation(f"{base}/skill/forklift", f"{base}/skill/pallets", optional),
        ),
    )


@pytest.fixture
def stored_taxonomy(session: Session) -> Taxonomy:
    """The small taxonomy, stored and active."""
    from portal.services.taxonomy import store_taxonomy

    taxonomy = small_taxonomy()
    store_taxonomy(session, taxonomy, content_hash="small-1")
    return taxonomy
