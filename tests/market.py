"""A small labour market in the database, for tests of matching, placements and their pages.

Rows are made directly (not through the registration steps): these tests are about what
happens once workers are active and vacancies open.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from portal.models import (
    ConsentRecord,
    LanguageLevel,
    ProfileStatus,
    Region,
    Sex,
    SkillSource,
    User,
    Vacancy,
    VacancySkill,
    VacancyState,
    Worker,
    WorkerExperience,
    WorkerLanguage,
    WorkerRelocationRegion,
    WorkerSkill,
)
from portal.models.base import utcnow
from portal.taxonomy.model import RelationType

BASE = "https://skills-portal.example/test"
FORKLIFT = f"{BASE}/skill/forklift"
SAFETY = f"{BASE}/skill/safety"
PALLETS = f"{BASE}/skill/pallets"
ORDERS = f"{BASE}/skill/orders"
SCANNER = f"{BASE}/skill/scanner"
LOADS = f"{BASE}/skill/loads"
ELDERLY = f"{BASE}/skill/elderly"
FORKLIFT_DRIVER = f"{BASE}/occupation/forklift-driver"
WAREHOUSE_OPERATIVE = f"{BASE}/occupation/warehouse-operative"


def label(uri: str) -> str:
    return uri.rsplit("/", 1)[1]


def region(session: Session, name: str) -> Region:
    found = Region(name=name)
    session.add(found)
    session.flush()
    return found


def open_vacancy(
    session: Session,
    employer: User,
    where: Region,
    *,
    essential: tuple[str, ...] = (FORKLIFT, SAFETY),
    optional: tuple[str, ...] = (),
    positions: int = 1,
    title: str = "Forklift driver",
    occupation: str | None = FORKLIFT_DRIVER,
    isco_code: str | None = "8344",
    start: date | None = None,
    external_id: str | None = None,
) -> Vacancy:
    start = start or date.today() + timedelta(days=7)
    vacancy = Vacancy(
        organisation_id=employer.organisation_id,
        external_id=external_id,
        state=VacancyState.OPEN,
        title=title,
        occupation_uri=occupation,
        occupation_label=label(occupation) if occupation else None,
        isco_code=isco_code,
        positions=positions,
        region_id=where.id,
        start_date=start,
        end_date=start + timedelta(days=90),
        no_fee_pledge=True,
        pledged_at=utcnow(),
        published_at=utcnow(),
        skills=[
            VacancySkill(
                relation=relation,
                words=label(uri),
                concept_uri=uri,
                concept_label=label(uri),
                source=SkillSource.CHECKLIST,
            )
            for relation, uris in (
                (RelationType.ESSENTIAL, essential),
                (RelationType.OPTIONAL, optional),
            )
            for uri in uris
        ],
    )
    session.add(vacancy)
    session.commit()
    return vacancy


def active_worker(
    session: Session,
    where: Region,
    *,
    skills: tuple[str, ...] = (FORKLIFT, SAFETY),
    name: str = "Ana",
    sex: Sex | None = Sex.FEMALE,
    birth_year: int | None = 1990,
    origin: str | None = "UA",
    experience: tuple[str, float] | None = None,
    relocate_to: tuple[Region, ...] = (),
    relocate_anywhere: bool = False,
    available_from: date | None = None,
    user: User | None = None,
    provider_id: int | None = None,
    external_id: str | None = None,
) -> Worker:
    worker = Worker(
        user_id=user.id if user is not None else None,
        provider_id=provider_id,
        external_id=external_id,
        status=ProfileStatus.ACTIVE,
        given_name=name,
        family_name="Tester",
        email=user.email if user is not None else None,
        phone=None if user is not None else "+000 555 0100",
        sex=sex,
        birth_year=birth_year,
        country_of_origin=origin,
        region_id=where.id,
        relocate_anywhere=relocate_anywhere,
        relocation_regions=[WorkerRelocationRegion(region_id=r.id) for r in relocate_to],
        available_from=available_from or date.today(),
        languages=[WorkerLanguage(code="en", level=LanguageLevel.B2)],
        skills=[
            WorkerSkill(
                words=label(uri),
                concept_uri=uri,
                concept_label=label(uri),
                source=SkillSource.TYPED,
            )
            for uri in skills
        ],
        experiences=(
            [
                WorkerExperience(
                    words=label(experience[0]),
                    occupation_uri=experience[0],
                    occupation_label=label(experience[0]),
                    years=experience[1],
                )
            ]
            if experience
            else []
        ),
        consents=[ConsentRecord(purpose="matching", text_version="test")],
    )
    session.add(worker)
    session.commit()
    return worker
