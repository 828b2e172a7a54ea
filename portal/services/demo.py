"""Demo data for `make run`: a demo country's regions and one account per role, created once."""

from __future__ import annotations

import random
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    Concept,
    ConceptKind,
    ConsentRecord,
    LanguageLevel,
    OrganisationKind,
    ProfileStatus,
    Region,
    Role,
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
from portal.services import accounts, organisations, regions, taxonomy
from portal.services._tx import transaction
from portal.services.taxonomy import OccupationSkillItem
from portal.services.workers import CONSENT_TEXT_VERSION
from portal.taxonomy.model import RelationType


@dataclass(frozen=True, slots=True)
class DemoAccount:
    role: Role
    email: str
    password: str


DEMO_DOMAIN = "demo.skills-portal.example"
PASSWORD_ALPHABET = string.ascii_letters + string.digits  # easy to copy from a terminal
DEMO_REGIONS = ("Capital", "North", "South", "East", "West")


def seed_demo_regions(session: Session) -> list[Region]:
    """The regions of the demo country that are not known yet; returns those added."""
    return regions.add_regions(session, DEMO_REGIONS)


def seed_demo_accounts(session: Session) -> list[DemoAccount]:
    """Create the demo accounts (and regions) that do not exist yet; returns the accounts
    created, with their passwords."""
    seed_demo_regions(session)
    created = []
    for role, name, organisation in (
        (Role.WORKER, "Olena Demo", None),
        (Role.PROVIDER, "Pat Provider", "Demo Labour Provider Ltd"),
        (Role.EMPLOYER, "Erin Employer", "Demo Fresh Produce Farm"),
        (Role.ADMIN, "Ada Admin", None),
    ):
        email = f"{role.value}@{DEMO_DOMAIN}"
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        org = None
        if organisation is not None:
            org = organisations.create_organisation(
                session, kind=OrganisationKind(role.value), name=organisation, verified=True
            )
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(14))
        accounts.create_user(
            session, email=email, full_name=name, password=password, role=role, organisation=org
        )
        created.append(DemoAccount(role=role, email=email, password=password))
    return created


# --- a small market, so that matching has something to show -------------------------------------

DEMO_VACANCIES = 6
DEMO_WORKERS = 36
_GIVEN = (
    "Olha", "Ahmed", "Maria", "Ion", "Fatima", "Oleksandr", "Amina", "Pavel", "Leila", "Mihai",
    "Hanna", "Yusuf", "Elena", "Dmytro", "Nadia", "Karim", "Iryna", "Samir",
)  # fmt: skip
_FAMILY = ("Kovalenko", "Haddad", "Popescu", "Nazari", "Shevchenko", "Rahimi", "Ionescu")
_ORIGINS = ("UA", "SY", "RO", "AF", "MD", "SD")
_SEXES = (Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.MALE, Sex.OTHER, Sex.NOT_STATED)


@dataclass(frozen=True, slots=True)
class DemoMarket:
    vacancies: int
    workers: int


def _demo_occupations(
    session: Session,
) -> list[tuple[Concept, str, list[OccupationSkillItem]]]:
    """Occupations of the active taxonomy with at least three essential skills, in a fixed order."""
    version = taxonomy.active_version(session)
    if version is None:
        return []
    occupations = session.scalars(
        select(Concept)
        .where(Concept.version_id == version.id, Concept.kind == ConceptKind.OCCUPATION)
        .order_by(Concept.uri)
    ).all()
    labels = taxonomy.preferred_labels(session, [o.id for o in occupations], "en")
    chosen = []
    for occupation in occupations:
        skills = taxonomy.occupation_skills(session, occupation.id, "en")
        if sum(item.relation is RelationType.ESSENTIAL for item in skills) >= 3:
            chosen.append((occupation, labels.get(occupation.id, occupation.uri), skills))
    return chosen


def seed_demo_market(session: Session, today: date | None = None) -> DemoMarket | None:
    """Open vacancies of the demo employer and active workers of the demo provider, once.

    Returns None when they exist already, or when the demo accounts or a taxonomy are missing.
    """
    today = today or date.today()
    employer = session.scalar(select(User).where(User.email == f"employer@{DEMO_DOMAIN}"))
    provider = session.scalar(select(User).where(User.email == f"provider@{DEMO_DOMAIN}"))
    if employer is None or provider is None or employer.organisation_id is None:
        return None
    if session.scalar(select(Worker.id).where(Worker.provider_id == provider.organisation_id)):
        return None
    occupations = _demo_occupations(session)
    regions = session.scalars(select(Region).order_by(Region.id)).all()
    if not occupations or not regions:
        return None
    rng = random.Random(7)  # noqa: S311 - demo data, the same every time  # nosec B311
    picked = rng.sample(occupations, min(DEMO_VACANCIES, len(occupations)))
    with transaction(session):
        for number, (occupation, label, skills) in enumerate(picked, start=1):
            session.add(
                _demo_vacancy(number, occupation, label, skills, employer, regions, rng, today)
            )
        for number in range(1, DEMO_WORKERS + 1):
            occupation, label, skills = picked[number % len(picked)]
            session.add(
                _demo_worker(number, occupation, label, skills, provider, regions, rng, today)
            )
    return DemoMarket(vacancies=len(picked), workers=DEMO_WORKERS)


def _demo_vacancy(
    number: int,
    occupation: Concept,
    title: str,
    skills: list[OccupationSkillItem],
    employer: User,
    regions: Sequence[Region],
    rng: random.Random,
    today: date,
) -> Vacancy:
    essential = [item for item in skills if item.relation is RelationType.ESSENTIAL]
    optional = [item for item in skills if item.relation is RelationType.OPTIONAL][:3]
    now = utcnow()
    return Vacancy(
        organisation_id=employer.organisation_id,
        external_id=f"demo-v{number:02d}",
        state=VacancyState.OPEN,
        title=title,
        occupation_words=title,
        occupation_uri=occupation.uri,
        occupation_label=title,
        isco_code=occupation.isco_code,
        description="Demo vacancy: seasonal work, training on the first day.",
        positions=rng.randint(2, 5),
        region_id=rng.choice(regions).id,
        start_date=today + timedelta(days=rng.randint(7, 21)),
        end_date=today + timedelta(days=rng.randint(60, 120)),
        hours_per_week=40.0,
        accommodation=rng.random() < 0.5,
        no_fee_pledge=True,
        pledged_at=now,
        pledged_by_id=employer.id,
        created_by_id=employer.id,
        published_at=now,
        skills=[
            VacancySkill(
                relation=item.relation,
                words=item.label,
                concept_uri=item.uri,
                concept_label=item.label,
                source=SkillSource.CHECKLIST,
            )
            for item in essential + optional
        ],
    )


def _demo_worker(
    number: int,
    occupation: Concept,
    label: str,
    skills: list[OccupationSkillItem],
    provider: User,
    regions: Sequence[Region],
    rng: random.Random,
    today: date,
) -> Worker:
    essential = [item for item in skills if item.relation is RelationType.ESSENTIAL]
    kept = [item for item in essential if rng.random() < 0.7] or essential[:1]
    home = rng.choice(regions)
    return Worker(
        provider_id=provider.organisation_id,
        external_id=f"demo-w{number:02d}",
        status=ProfileStatus.ACTIVE,
        given_name=_GIVEN[number % len(_GIVEN)],
        family_name=_FAMILY[number % len(_FAMILY)],
        phone=f"+000 555 {number:04d}",
        sex=_SEXES[number % len(_SEXES)],
        birth_year=today.year - rng.randint(19, 60),
        country_of_origin=_ORIGINS[number % len(_ORIGINS)],
        region_id=home.id,
        relocate_anywhere=rng.random() < 0.3,
        relocation_regions=[
            WorkerRelocationRegion(region_id=region.id)
            for region in rng.sample(list(regions), 2)
            if region.id != home.id
        ],
        available_from=today,
        languages=[WorkerLanguage(code="en", level=LanguageLevel.B1)],
        skills=[
            WorkerSkill(
                words=item.label,
                concept_uri=item.uri,
                concept_label=item.label,
                source=SkillSource.UPLOAD,
            )
            for item in kept
        ],
        experiences=(
            [
                WorkerExperience(
                    words=label,
                    occupation_uri=occupation.uri,
                    occupation_label=label,
                    years=float(rng.randint(1, 6)),
                )
            ]
            if rng.random() < 0.5
            else []
        ),
        consents=[
            ConsentRecord(
                purpose="matching", text_version=CONSENT_TEXT_VERSION, given_by_id=provider.id
            )
        ],
    )
