"""Many people accepting at once: a vacancy never gives out more positions than it has, an offer
is accepted once, a worker takes one job, and the settings row is made once.

Each thread has its own connection and Session, and all start together at a Barrier. The offers
are made as rows, not through the service: the service caps offers at the positions left, and
what is tested here is that the database holds even when more offers than positions exist.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from portal import schema
from portal.db import SQLITE_BUSY_TIMEOUT_MS, _make_sqlite_behave
from portal.errors import Conflict, DomainError
from portal.models import (
    MatchingSettings,
    Organisation,
    OrganisationKind,
    Placement,
    PlacementEvent,
    PlacementState,
    ProfileStatus,
    Region,
    Role,
    User,
    Vacancy,
    VacancyState,
    Worker,
)
from portal.models.base import utcnow
from portal.services import matching_settings, placements
from tests.conftest import TEST_DATABASE_URL, fresh_database_url

TRIALS = 10
needs_postgres = pytest.mark.skipif(
    not TEST_DATABASE_URL,
    reason="needs PostgreSQL (PORTAL_TEST_DATABASE_URL) for concurrent transactions",
)


def _engine(url: str) -> Engine:
    """The portal's engine settings, with a connection for every thread (the default pool
    holds 15, and a thread waiting for a connection would not be acting at once)."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, poolclass=NullPool, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        _make_sqlite_behave(engine)
        return engine
    return create_engine(url, poolclass=NullPool)


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One migrated PostgreSQL schema for the trials (each trial has its own vacancy)."""
    if not TEST_DATABASE_URL:
        pytest.skip("needs PostgreSQL (PORTAL_TEST_DATABASE_URL) for concurrent transactions")
    engine = _engine(fresh_database_url("portal_placement_race", tmp_path_factory.mktemp("db")))
    schema.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated SQLite file with the portal's settings (WAL, busy timeout), on any suite run."""
    path: Path = tmp_path_factory.mktemp("db") / "placement_race.sqlite3"
    engine = _engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    yield engine
    engine.dispose()


# --- arranging ----------------------------------------------------------------------------------


def _user(session: Session, email: str, role: Role, organisation_id: int | None = None) -> User:
    user = User(
        email=email,
        full_name=email,
        password_hash="not used: no one logs in here",
        role=role,
        organisation_id=organisation_id,
    )
    session.add(user)
    return user


def _market(engine: Engine, name: str, *, positions: int, offers: int) -> tuple[int, list[int]]:
    """A vacancy with `positions` and `offers` workers, each holding an offer on it.

    Returns the vacancy's id and the offered placements' ids.
    """
    with Session(engine) as session:
        employer = Organisation(
            kind=OrganisationKind.EMPLOYER, name=f"Employer {name}", verified_at=utcnow()
        )
        region = Region(name=f"Region {name}")
        session.add_all([employer, region])
        session.flush()
        _user(session, f"employer-{name}@example.org", Role.EMPLOYER, employer.id)
        vacancy = Vacancy(
            organisation_id=employer.id,
            state=VacancyState.OPEN,
            title=f"Vacancy {name}",
            positions=positions,
            region_id=region.id,
            start_date=utcnow().date() + timedelta(days=30),
            no_fee_pledge=True,
        )
        session.add(vacancy)
        session.flush()
        offered = []
        for number in range(offers):
            user = _user(session, f"worker-{name}-{number}@example.org", Role.WORKER)
            session.flush()
            worker = Worker(user_id=user.id, given_name=f"W{number}", status=ProfileStatus.ACTIVE)
            session.add(worker)
            session.flush()
            placement = Placement(
                worker_id=worker.id,
                vacancy_id=vacancy.id,
                state=PlacementState.OFFERED,
                offer_expires_at=utcnow() + timedelta(hours=1),
            )
            session.add(placement)
            session.flush()
            offered.append(placement.id)
        session.commit()
        return vacancy.id, offered


def _user_of(session: Session, placement_id: int) -> User:
    placement = session.get_one(Placement, placement_id)
    worker = session.get_one(Worker, placement.worker_id)
    return session.get_one(User, worker.user_id)


def _at_once(engine: Engine, calls: list[Callable[[Session], object]]) -> Counter[str]:
    """Run each call in its own thread and Session, all released together; count outcomes.

    A refusal by Conflict counts as "conflict", another DomainError by its class name, and
    anything else (a lock error, a deadlock) as "error: ..." so that a test names it.
    """
    barrier = threading.Barrier(len(calls), timeout=60)
    outcomes: list[str] = []

    def run(call: Callable[[Session], object]) -> None:
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait()
            try:
                call(session)
            except Conflict:
                outcomes.append("conflict")
            except DomainError as refusal:
                outcomes.append(type(refusal).__name__)
            except Exception as error:  # reported by name, not hidden
                outcomes.append(f"error: {type(error).__name__}: {error}")
            else:
                outcomes.append("done")

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return Counter(outcomes)


def _acceptance(placement_id: int, user_id: int) -> Callable[[Session], object]:
    def accept(session: Session) -> object:
        user = session.get_one(User, user_id)
        return placements.accept(session, user, placement_id, fee_asked=False)

    return accept


def _state_counts(engine: Engine, vacancy_id: int) -> tuple[Vacancy, Counter[PlacementState]]:
    with Session(engine) as session:
        vacancy = session.get_one(Vacancy, vacancy_id)
        session.expunge(vacancy)
        states = Counter(
            session.scalars(select(Placement.state).where(Placement.vacancy_id == vacancy_id))
        )
        return vacancy, states


def _five_positions_for_twenty_five(engine: Engine, name: str) -> None:
    vacancy_id, offered = _market(engine, name, positions=5, offers=25)
    with Session(engine) as session:
        users = {placement_id: _user_of(session, placement_id).id for placement_id in offered}

    outcomes = _at_once(engine, [_acceptance(pid, users[pid]) for pid in offered])

    assert outcomes == Counter({"done": 5, "conflict": 20})
    vacancy, states = _state_counts(engine, vacancy_id)
    assert (vacancy.positions_taken, vacancy.state) == (5, VacancyState.FILLED)
    assert states == Counter({PlacementState.ACCEPTED: 5, PlacementState.OFFERED: 20})


# --- the trials ---------------------------------------------------------------------------------


@needs_postgres
@pytest.mark.parametrize("trial", range(TRIALS))
def test_25_accepts_at_once_take_exactly_the_5_positions_on_postgresql(
    postgres: Engine, trial: int
) -> None:
    _five_positions_for_twenty_five(postgres, f"pg{trial}")


@pytest.mark.parametrize("trial", range(TRIALS))
def test_25_accepts_at_once_take_exactly_the_5_positions_on_sqlite(
    sqlite: Engine, trial: int
) -> None:
    _five_positions_for_twenty_five(sqlite, f"lite{trial}")


@needs_postgres
def test_20_accepts_of_the_same_offer_at_once_accept_it_once(postgres: Engine) -> None:
    vacancy_id, (placement_id,) = _market(postgres, "same", positions=5, offers=1)
    with Session(postgres) as session:
        user_id = _user_of(session, placement_id).id

    outcomes = _at_once(postgres, [_acceptance(placement_id, user_id) for _ in range(20)])

    assert outcomes["done"] == 1
    assert sum(outcomes.values()) == 20
    assert set(outcomes) <= {"done", "conflict", "InvalidTransition"}, outcomes
    vacancy, states = _state_counts(postgres, vacancy_id)
    assert (vacancy.positions_taken, states) == (1, Counter({PlacementState.ACCEPTED: 1}))
    with Session(postgres) as session:
        accepted_events = session.scalar(
            select(func.count(PlacementEvent.id)).where(
                PlacementEvent.placement_id == placement_id,
                PlacementEvent.to_state == PlacementState.ACCEPTED,
            )
        )
    assert accepted_events == 1


@needs_postgres
@pytest.mark.parametrize("trial", range(5))
def test_a_worker_accepting_two_offers_at_once_gets_one_job(postgres: Engine, trial: int) -> None:
    first_vacancy, (first,) = _market(postgres, f"two-a{trial}", positions=1, offers=1)
    second_vacancy, (second,) = _market(postgres, f"two-b{trial}", positions=1, offers=1)
    with Session(postgres) as session:  # the second offer goes to the first one's worker
        moved = session.get_one(Placement, second)
        moved.worker_id = session.get_one(Placement, first).worker_id
        session.commit()
        user_id = _user_of(session, first).id

    outcomes = _at_once(postgres, [_acceptance(first, user_id), _acceptance(second, user_id)])

    assert outcomes["done"] == 1 and sum(outcomes.values()) == 2
    assert set(outcomes) <= {"done", "conflict", "InvalidTransition"}, outcomes
    taken = [_state_counts(postgres, v)[0].positions_taken for v in (first_vacancy, second_vacancy)]
    assert sorted(taken) == [0, 1]


@needs_postgres
def test_the_settings_row_is_made_once_when_first_read_at_once(postgres: Engine) -> None:
    with Session(postgres) as session:
        session.execute(delete(MatchingSettings))
        session.commit()

    def read(session: Session) -> object:
        settings = matching_settings.current_settings(session)
        session.commit()
        return settings

    outcomes = _at_once(postgres, [read] * 10)

    assert outcomes == Counter({"done": 10})
    with Session(postgres) as session:
        assert session.scalar(select(func.count(MatchingSettings.id))) == 1
