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

from portal import create_app, schema
from portal.db import make_engine
from portal.models import Organisation, OrganisationKind, Role, User
from portal.services import accounts, organisations

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

CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def fresh_database_url(name: str, folder: Path) -> str:
    """An empty database: a new SQLite file, or a new schema in the PostgreSQL test database."""
    if not TEST_DATABASE_URL:
        return f"sqlite:///{folder / f'{name}.sqlite3'}"
    engine = make_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    engine.dispose()
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={name}"})
    return url.render_as_string(hide_password=False)


def test_config(database_url: str, **overrides: Any) -> dict[str, Any]:
    return {
        "ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database_url,
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
