"""A double click on a portal with several workers (gunicorn --workers 4): the two requests run
at the same moment, each in its own transaction, and still store one row. Each pair of threads
has its own connections and starts together at a Barrier, on a database of its own (the test
fixtures' rolled-back connection cannot be shared between threads)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from portal import schema
from portal.db import make_engine
from portal.errors import DomainError
from portal.models import (
    ConsentRecord,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    User,
    Vacancy,
    Worker,
    WorkerSkill,
)
from portal.models.base import utcnow
from portal.services import accounts, provider_workers, vacancies, workers
from tests.conftest import PASSWORD, fresh_database_url

TRIALS = 3


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database of the kind the suite runs on (SQLite, or PostgreSQL)."""
    engine = make_engine(fresh_database_url("portal_races", tmp_path_factory.mktemp("db")))
    schema.upgrade(engine)
    yield engine
    engine.dispose()


def _at_once(engine: Engine, action: Callable[[Session], Any]) -> list[object]:
    """Run `action` in two threads at once, each on its own session; what each returned or
    raised."""
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def act(index: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait()
            try:
                outcomes[index] = action(session)
            except Exception as error:  # what each request would answer with
                outcomes[index] = error

    threads = [threading.Thread(target=act, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def people(engine: Engine) -> Iterator[Callable[[str], dict[str, int]]]:
    """Rows for one trial: a verified provider and employer with a user each, a worker with a
    login and a complete profile, a region; their ids by name."""
    count = [0]

    def make(name: str) -> dict[str, int]:
        count[0] += 1
        key = f"{name}-{count[0]}"
        with Session(engine) as session:
            provider = Organisation(
                kind=OrganisationKind.PROVIDER, name=f"P {key}", verified_at=utcnow()
            )
            employer = Organisation(
                kind=OrganisationKind.EMPLOYER, name=f"E {key}", verified_at=utcnow()
            )
            region = Region(name=f"Region {key}")
            session.add_all([provider, employer, region])
            session.flush()
            users = {
                role: User(
                    email=f"{role.value}-{key}@example.org",
                    full_name=f"{role.value} {key}",
                    password_hash="not used: nobody logs in here",
                    role=role,
                    organisation_id=organisation,
                )
                for role, organisation in (
                    (Role.PROVIDER, provider.id),
                    (Role.EMPLOYER, employer.id),
                    (Role.WORKER, None),
                )
            }
            session.add_all(users.values())
            session.flush()
            worker = Worker(
                user_id=users[Role.WORKER].id,
                given_name="Ana",
                email=users[Role.WORKER].email,
                region_id=region.id,
                available_from=date.today(),
                skills=[WorkerSkill(words="cleaning", source="typed")],
            )
            session.add(worker)
            session.commit()
            return {
                "provider": users[Role.PROVIDER].id,
                "employer": users[Role.EMPLOYER].id,
                "worker_user": users[Role.WORKER].id,
                "worker": worker.id,
                "region": region.id,
                "organisation": provider.id,
            }

    yield make


def _count(engine: Engine, statement: Any) -> int:
    with Session(engine) as session:
        return session.scalar(statement) or 0


def adding_a_skill(ids: dict[str, int]) -> tuple[Callable[[Session], Any], Any]:
    def action(session: Session) -> Any:
        user = session.get_one(User, ids["worker_user"])
        worker = session.get_one(Worker, ids["worker"])
        return workers.add_skill(session, user, worker, "fork lift", concept_id=None)

    rows = select(func.count()).where(
        WorkerSkill.worker_id == ids["worker"], WorkerSkill.words == "fork lift"
    )
    return action, rows


def adding_work_experience(ids: dict[str, int]) -> tuple[Callable[[Session], Any], Any]:
    from portal.models import WorkerExperience

    def action(session: Session) -> Any:
        user = session.get_one(User, ids["worker_user"])
        worker = session.get_one(Worker, ids["worker"])
        return workers.add_experience(
            session, user, worker, "cleaning", occupation_id=None, years=2
        )

    return action, select(func.count()).where(WorkerExperience.worker_id == ids["worker"])


def giving_consent(ids: dict[str, int]) -> tuple[Callable[[Session], Any], Any]:
    def action(session: Session) -> Any:
        user = session.get_one(User, ids["worker_user"])
        worker = session.get_one(Worker, ids["worker"])
        return workers.give_consent(session, user, worker, ("matching",))

    return action, select(func.count()).where(ConsentRecord.worker_id == ids["worker"])


def registering_a_worker_for_a_provider(
    ids: dict[str, int],
) -> tuple[Callable[[Session], Any], Any]:
    about = workers.AboutYou(given_name="Ion", family_name="Rusu", phone="+40 721 234 567")

    def action(session: Session) -> Any:
        return provider_workers.register_worker_for_provider(
            session, session.get_one(User, ids["provider"]), about
        )

    return action, select(func.count()).where(Worker.provider_id == ids["organisation"])


def posting_a_vacancy(ids: dict[str, int]) -> tuple[Callable[[Session], Any], Any]:
    data = vacancies.VacancyInput(
        title="Pickers",
        positions=3,
        region_id=ids["region"],
        start_date=date.today() + timedelta(days=20),
        no_fee_pledge=True,
    )

    def action(session: Session) -> Any:
        return vacancies.create_draft(session, session.get_one(User, ids["employer"]), data)

    return action, select(func.count()).where(Vacancy.region_id == ids["region"])


def registering_an_account(ids: dict[str, int]) -> tuple[Callable[[Session], Any], Any]:
    email = f"new-{ids['worker']}@example.org"
    form = accounts.Registration(
        email=email, full_name="Nadia Haddad", password=PASSWORD, role=Role.WORKER
    )

    def action(session: Session) -> Any:
        return accounts.register(session, form)

    return action, select(func.count()).where(User.email == email)


RACES = {
    function.__name__: function
    for function in (
        adding_a_skill,
        adding_work_experience,
        giving_consent,
        registering_a_worker_for_a_provider,
        posting_a_vacancy,
        registering_an_account,
    )
}


@pytest.mark.parametrize("name", list(RACES))
def test_the_same_form_sent_twice_at_once_stores_one_row(
    engine: Engine, people: Callable[[str], dict[str, int]], name: str
) -> None:
    for trial in range(TRIALS):
        action, rows = RACES[name](people(f"{name}-{trial}"))
        outcomes = _at_once(engine, action)
        unexpected = [o for o in outcomes if isinstance(o, Exception)]
        assert all(isinstance(o, DomainError) for o in unexpected), unexpected
        assert len(unexpected) < 2, unexpected
        assert _count(engine, rows) == 1, (trial, outcomes)
