"""A use case that fails half way leaves nothing behind: for each multi-step service, each of
its steps is made to fail in turn (the first call of it, the last, and calls between), and the
whole database must be as it was before, row for row; where a file is written, no file is left.

A step is a function the service calls (the audit record, a notification, the outbox, a bulk
insert ...) or a statement of the session (`execute`, `flush`). Each target is first counted in a
run that succeeds (and is undone), so that a target the service never reaches fails the test
instead of passing it silently.
"""

from __future__ import annotations

import functools
import importlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from portal import backups
from portal.models import (
    ConceptKind,
    MatchRun,
    MatchRunState,
    Region,
    Role,
    TaxonomyVersion,
    User,
    Worker,
)
from portal.services import (
    data_rights,
    matching,
    placements,
    provider_workers,
    regions,
    taxonomy,
    vacancies,
    vacancy_import,
    worker_import,
    workers,
)
from portal.services.taxonomy import forget_indexes, store_taxonomy
from portal.taxonomy.model import RelationType
from tests.conftest import Factory, small_taxonomy
from tests.market import FORKLIFT, ORDERS, PALLETS, SAFETY, active_worker, open_vacancy
from tests.reliability.conftest import fresh_session, undone

pytestmark = pytest.mark.usefixtures("stored_taxonomy")

EXECUTE = "sqlalchemy.orm:Session.execute"
FLUSH = "sqlalchemy.orm:Session.flush"
AUDIT = "portal.services.audit:record"
NOTIFY = "portal.services.notifications:notify"
OUTBOX = "portal.services.outbox:queue"
MOST_POINTS = 10  # calls made to fail per target, spread from the first to the last


class InjectedFailure(Exception):
    """The failure a test put in a step's place."""


def _owner(target: str) -> tuple[Any, str]:
    """ "package.module:Class.attribute" → (the module or class, the attribute's name)."""
    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    return owner, name


@contextmanager
def step(target: str, *, fail_at: int | None = None) -> Iterator[list[int]]:
    """Count the calls of `target` (in the list it gives) and make call number `fail_at` raise."""
    owner, name = _owner(target)
    original = getattr(owner, name)
    calls = [0]

    @functools.wraps(original)
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == fail_at:
            raise InjectedFailure(f"{target}, call {calls[0]}")
        return original(*args, **kwargs)

    setattr(owner, name, counted)
    try:
        yield calls
    finally:
        setattr(owner, name, original)


def _points(count: int) -> list[int]:
    """Which calls to make fail: all of them, or the first, the last and some between."""
    if count <= MOST_POINTS:
        return list(range(1, count + 1))
    return sorted({1 + round(i * (count - 1) / (MOST_POINTS - 1)) for i in range(MOST_POINTS)})


def _forget_caches() -> None:
    """The per-process indexes may hold what a rolled-back run built."""
    forget_indexes()
    matching.forget_graphs()


@dataclass
class Service:
    """A use case to break: `run` calls it on a fresh session; `recorded` are the tables a
    failed run is meant to write (a failed matching run is kept, marked as failed)."""

    run: Callable[[Session], Any]
    recorded: frozenset[str] = frozenset()


Arrange = Callable[["Tools"], Service]
SERVICES: dict[str, tuple[Arrange, tuple[str, ...]]] = {}


def steps(*targets: str) -> Callable[[Arrange], Arrange]:
    """Register an arrangement of a service with the steps to break in it."""

    def register(arrange: Arrange) -> Arrange:
        SERVICES[arrange.__name__] = (arrange, targets)
        return arrange

    return register


@dataclass
class Tools:
    app: Flask
    session: Session
    make: Factory


def _user(session: Session, user_id: int) -> User:
    return session.get_one(User, user_id)


def _north(session: Session) -> Region:
    return session.scalars(select(Region).where(Region.name == "North")).one()


# --- the services -------------------------------------------------------------------------------

WORKER_FILE = (
    b"external_id,given_name,family_name,email,phone,sex,birth_year,country_of_origin,region,"
    b"willing_to_relocate,languages,occupation,experience_years,skills,available_from\r\n"
    b"W-1,Ana,Popescu,ana@example.org,,female,1990,RO,North,yes,ro:native,forklift driver,3,"
    b"forklift driving;stack pallets,2026-03-01\r\n"
    b"W-2,Ion,Rusu,ion@example.org,,male,1985,MD,North,no,ro:native,,,order picking,\r\n"
    b"W-3,Olha,Koval,,+380 44 123 4567,female,1999,UA,,,uk:native,,,first aid,\r\n"
)


@steps(
    "portal.services.worker_import:_insert_workers",
    "portal.services.worker_import:_Writes.execute",
    "portal.services.worker_import:_collect",
    "portal.services.worker_import:_audit_event",
    "portal.services.worker_import:no_progress",
    EXECUTE,
)
def importing_workers(tools: Tools) -> Service:
    """Two new workers and one stored already (changed), with consent."""
    provider = tools.make.user(Role.PROVIDER)
    first = worker_import.read_worker_file(WORKER_FILE)
    worker_import.import_workers(
        tools.session, provider, provider.organisation, first.rows[:1], dry_run=False
    )
    changed = WORKER_FILE.replace(b"forklift driver,3", b"forklift driver,4")

    def run(session: Session) -> Any:
        user = _user(session, provider.id)
        table = worker_import.read_worker_file(changed)
        return worker_import.import_workers(
            session, user, user.organisation, table.rows, dry_run=False, consent_confirmed=True
        )

    return Service(run)


def _vacancy_file(*rows: tuple[str, str]) -> bytes:
    start = date.today() + timedelta(days=30)
    lines = [",".join(vacancy_import.COLUMNS)]
    for external_id, title in rows:
        row = dict(
            vacancy_import.EXAMPLE_ROW,
            external_id=external_id,
            title=title,
            region="North",
            start_date=start.isoformat(),
            end_date=(start + timedelta(days=60)).isoformat(),
        )
        lines.append(",".join(f'"{row[column]}"' for column in vacancy_import.COLUMNS))
    return ("\r\n".join(lines) + "\r\n").encode()


@steps(
    "portal.services.vacancies:save_imported",
    "portal.services.vacancies:_apply",
    AUDIT,
    "portal.services._imports:no_progress",
    FLUSH,
)
def importing_vacancies(tools: Tools) -> Service:
    """Two new vacancies and one stored already (changed)."""
    employer = tools.make.user(Role.EMPLOYER)
    stored = vacancy_import.read_vacancy_file(_vacancy_file(("V-1", "Pickers")))
    vacancy_import.import_vacancies(
        tools.session, employer, employer.organisation, stored.rows, dry_run=False
    )
    data = _vacancy_file(("V-1", "Pickers at night"), ("V-2", "Drivers"), ("V-3", "Loaders"))

    def run(session: Session) -> Any:
        user = _user(session, employer.id)
        table = vacancy_import.read_vacancy_file(data)
        return vacancy_import.import_vacancies(
            session, user, user.organisation, table.rows, dry_run=False
        )

    return Service(run)


@steps(AUDIT, "portal.services.workers:set_about_you", "portal.services.workers:_changed")
def registering_a_worker_for_a_provider(tools: Tools) -> Service:
    provider = tools.make.user(Role.PROVIDER)
    about = workers.AboutYou(given_name="Ion", family_name="Rusu", email="ion@example.org")

    def run(session: Session) -> Any:
        return provider_workers.register_worker_for_provider(
            session, _user(session, provider.id), about
        )

    return Service(run)


@steps("portal.services.taxonomy:record_learned_words", AUDIT, FLUSH)
def adding_a_skill_that_teaches_the_resolver(tools: Tools) -> Service:
    user = tools.make.user(Role.WORKER)
    worker = workers.start_own_profile(tools.session, user)
    concept_id = taxonomy.suggest(tools.session, ConceptKind.SKILL, "fork lift")[0].id

    def run(session: Session) -> Any:
        return workers.add_skill(
            session,
            _user(session, user.id),
            session.get_one(Worker, worker.id),
            "fork lift",
            concept_id=concept_id,
        )

    return Service(run)


@steps(OUTBOX, AUDIT, EXECUTE)
def inviting_a_worker(tools: Tools) -> Service:
    provider = tools.make.user(Role.PROVIDER)
    worker = provider_workers.register_worker_for_provider(
        tools.session, provider, workers.AboutYou(given_name="Ion", email="ion@example.org")
    )

    def run(session: Session) -> Any:
        return provider_workers.invite_worker(
            session, _user(session, provider.id), worker.id, link_for=lambda token: f"/i/{token}"
        )

    return Service(run)


@steps(AUDIT, "portal.services.taxonomy:record_learned_words", FLUSH)
def posting_a_vacancy(tools: Tools) -> Service:
    employer = tools.make.user(Role.EMPLOYER)
    concept_id = taxonomy.suggest(tools.session, ConceptKind.SKILL, "fork lift")[0].id
    data = vacancies.VacancyInput(
        title="Forklift drivers",
        positions=2,
        region_id=_north(tools.session).id,
        start_date=date.today() + timedelta(days=20),
        skills=(vacancies.SkillWords("fork lift", concept_id, RelationType.ESSENTIAL),),
        no_fee_pledge=True,
    )

    def run(session: Session) -> Any:
        return vacancies.create_draft(session, _user(session, employer.id), data)

    return Service(run)


@dataclass
class Market:
    employer_id: int
    worker_user_id: int
    admin_id: int
    vacancy_id: int
    worker_id: int


def _market(tools: Tools) -> Market:
    """Two open vacancies of one employer, a worker with a login matched to both, another
    worker, an admin (told of fees), and a matching round already run."""
    north = _north(tools.session)
    employer = tools.make.user(Role.EMPLOYER)
    worker_user = tools.make.user(Role.WORKER)
    admin = tools.make.user(Role.ADMIN)
    vacancy = open_vacancy(tools.session, employer, north, positions=2)
    open_vacancy(tools.session, employer, north, title="Order picker", essential=(ORDERS,))
    worker = active_worker(
        tools.session, north, user=worker_user, skills=(FORKLIFT, SAFETY, ORDERS)
    )
    active_worker(tools.session, north, name="Bo")
    matching.run_matching(tools.session, None)
    return Market(employer.id, worker_user.id, admin.id, vacancy.id, worker.id)


@steps(
    "portal.services.matching:_insert_matches",
    "portal.services.matching:_propose",
    "portal.services.placements:create_proposals",
    "portal.services.matching:_store_notes",
    NOTIFY,
    EXECUTE,
)
def running_matching(tools: Tools) -> Service:
    """A second round, after a new worker registered: new matches and a new proposal."""
    _market(tools)
    active_worker(tools.session, _north(tools.session), name="New")

    def run(session: Session) -> Any:
        return matching.run_matching(session, None)

    return Service(run, recorded=frozenset({"match_runs"}))  # the failed run is kept


@steps(
    "portal.services.placements:_create",
    "portal.services.placements:_check_offer_cap",
    NOTIFY,
    OUTBOX,
    FLUSH,
)
def offering_a_job(tools: Tools) -> Service:
    market = _market(tools)

    def run(session: Session) -> Any:
        return placements.offer(
            session, _user(session, market.employer_id), market.vacancy_id, market.worker_id
        )

    return Service(run)


def _offered(tools: Tools) -> tuple[Market, int]:
    market = _market(tools)
    employer = tools.session.get_one(User, market.employer_id)
    offer = placements.offer(tools.session, employer, market.vacancy_id, market.worker_id)
    return market, offer.id


@steps(
    "portal.services.placements:_take_position",
    "portal.services.placements:_withdraw_others",
    "portal.services.placements:_report_fee",
    NOTIFY,
    "portal.services.notifications:notify_admins",
    OUTBOX,
    AUDIT,
    EXECUTE,
)
def accepting_a_job_and_reporting_a_fee(tools: Tools) -> Service:
    market, offer_id = _offered(tools)

    def run(session: Session) -> Any:
        return placements.accept(
            session,
            _user(session, market.worker_user_id),
            offer_id,
            fee_asked=True,
            fee_details="The driver asked for 200 EUR.",
        )

    return Service(run)


@steps("portal.services.placements:_release_position", NOTIFY, OUTBOX, EXECUTE)
def withdrawing_from_an_accepted_job(tools: Tools) -> Service:
    market, offer_id = _offered(tools)
    worker_user = tools.session.get_one(User, market.worker_user_id)
    placements.accept(tools.session, worker_user, offer_id, fee_asked=False)

    def run(session: Session) -> Any:
        return placements.withdraw(
            session, _user(session, market.worker_user_id), offer_id, "Family reasons"
        )

    return Service(run)


@steps("portal.services.placements:withdraw_unanswered", AUDIT, EXECUTE)
def closing_a_vacancy(tools: Tools) -> Service:
    market = _market(tools)

    def run(session: Session) -> Any:
        return vacancies.close(session, _user(session, market.employer_id), market.vacancy_id)

    return Service(run)


@steps("portal.services.placements:withdraw_unanswered", AUDIT, EXECUTE)
def withdrawing_consent(tools: Tools) -> Service:
    market = _market(tools)

    def run(session: Session) -> Any:
        return workers.withdraw_consent(
            session,
            _user(session, market.worker_user_id),
            session.get_one(Worker, market.worker_id),
        )

    return Service(run)


@steps(
    AUDIT,
    "portal.services.data_rights:_anonymise_events",
    "portal.services.data_rights:_end_placements",
    "portal.services.placements:withdraw_unanswered",
    "portal.services.data_rights:_delete_account",
    "portal.services.data_rights:_count_erased",
    FLUSH,
    EXECUTE,
)
def erasing_a_worker(tools: Tools) -> Service:
    """A worker with a login, a job accepted, news and mail about it: erased by an admin."""
    market, offer_id = _offered(tools)
    worker_user = tools.session.get_one(User, market.worker_user_id)
    placements.accept(tools.session, worker_user, offer_id, fee_asked=True, fee_details="200")

    def run(session: Session) -> Any:
        return data_rights.erase_worker(
            session, _user(session, market.admin_id), session.get_one(Worker, market.worker_id)
        )

    return Service(run)


@steps(
    "portal.services.taxonomy:_insert_content", "portal.services.taxonomy:_batched_insert", EXECUTE
)
def storing_a_new_taxonomy_version(tools: Tools) -> Service:
    def run(session: Session) -> Any:
        return store_taxonomy(session, small_taxonomy("Another taxonomy"), content_hash="other")

    return Service(run)


@steps(
    "portal.services.taxonomy:_delete_content", "portal.services.taxonomy:_batched_insert", EXECUTE
)
def replacing_a_taxonomy_version_in_place(tools: Tools) -> Service:
    """The active version imported again from changed files: deleted and stored again."""
    changed = small_taxonomy()
    changed = replace(changed, skills=changed.skills[:-1])

    def run(session: Session) -> Any:
        return store_taxonomy(session, changed, content_hash="small-2")

    return Service(run)


@steps(
    "portal.services.taxonomy:_re_resolve_references",
    "portal.services.taxonomy:preferred_labels",
    EXECUTE,
)
def activating_another_taxonomy_version(tools: Tools) -> Service:
    """A version without the pallets skill: a worker's pallets skill is mapped again."""
    user = tools.make.user(Role.WORKER)
    worker = workers.start_own_profile(tools.session, user)
    pallets = taxonomy.suggest(tools.session, ConceptKind.SKILL, "stack pallets")[0]
    assert pallets.uri == PALLETS
    workers.add_skill(tools.session, user, worker, "stack pallets", concept_id=pallets.id)
    other = small_taxonomy("Without pallets")
    other = replace(other, skills=tuple(s for s in other.skills if s.uri != PALLETS))
    version_id = store_taxonomy(tools.session, other, content_hash="other").version_id

    def run(session: Session) -> Any:
        return taxonomy.activate(session, session.get_one(TaxonomyVersion, version_id))

    return Service(run)


@pytest.fixture
def tools(app: Flask, session: Session, make: Factory) -> Tools:
    regions.add_regions(session, ["North", "South"])
    return Tools(app, session, make)


@pytest.mark.parametrize(
    ("name", "target"),
    [
        pytest.param(name, target, id=f"{name}-{target.rpartition(':')[2]}")
        for name, (_arrange, targets) in SERVICES.items()
        for target in targets
    ],
)
def test_a_service_failing_at_any_step_leaves_the_database_as_it_was(
    tools: Tools, connection: Connection, state_of: Callable[[], Any], name: str, target: str
) -> None:
    arrange, _targets = SERVICES[name]
    service = arrange(tools)
    # the run that succeeds (and is undone): how often does it reach the step?
    with undone(connection), step(target) as calls, fresh_session(tools.app) as session:
        service.run(session)
    _forget_caches()
    assert calls[0] > 0, f"{target} is not a step of {name}"
    before = state_of()
    for point in _points(calls[0]):
        with (
            step(target, fail_at=point),
            fresh_session(tools.app) as session,
            pytest.raises(InjectedFailure),
        ):
            service.run(session)
        _forget_caches()
        after = state_of()
        changed = sorted(
            table
            for table in before
            if after[table] != before[table] and table not in service.recorded
        )
        assert not changed, f"failing {target} at call {point} of {calls[0]} left {changed}"
    if "match_runs" in service.recorded:
        with fresh_session(tools.app) as session:
            last = session.scalars(select(MatchRun).order_by(MatchRun.id.desc())).first()
            assert last is not None and last.state is MatchRunState.FAILED
            assert "InjectedFailure" in (last.error or "")


# --- files --------------------------------------------------------------------------------------


def _portal_file(path: Path) -> Path:
    """A small SQLite database that passes as a portal's (it has a schema revision)."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES ('abc123')")
        connection.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, text TEXT)")
        connection.executemany("INSERT INTO rows (text) VALUES (?)", [("x" * 500,)] * 200)
        connection.commit()
    return path


@pytest.mark.parametrize("target", ["portal.backups:_copy", "portal.backups:_check", "os:replace"])
def test_a_backup_that_fails_at_any_step_leaves_no_file(tmp_path: Path, target: str) -> None:
    database = _portal_file(tmp_path / "portal.sqlite3")
    folder = tmp_path / "backups"
    folder.mkdir()
    with step(target) as calls:
        backups.backup(database, folder / "counted.sqlite3")
    (folder / "counted.sqlite3").unlink()
    assert calls[0] > 0
    for point in _points(calls[0]):
        with step(target, fail_at=point), pytest.raises(InjectedFailure):
            backups.backup(database, folder / "backup.sqlite3")
        assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    "target",
    [
        "portal.cli.stats:write_export",
        "portal.services.statistics_export:compute_statistics",
        "portal.services.statistics_export:write_csv",
        "portal.services.statistics_export:write_xlsx",
        "os:replace",
    ],
)
def test_a_statistics_export_that_fails_leaves_the_file_there_was(
    tools: Tools, tmp_path: Path, state_of: Callable[[], Any], target: str
) -> None:
    active_worker(tools.session, _north(tools.session))
    runner = tools.app.test_cli_runner()
    file_format = "xlsx" if target.endswith("write_xlsx") else "csv"
    out = tmp_path / f"statistics.{file_format}"
    with step(target) as calls:
        result = runner.invoke(args=["stats", "export", "--format", file_format, "--out", out])
    assert result.exit_code == 0, result.output
    assert calls[0] > 0
    out.write_bytes(b"the export of last month")
    before = state_of()
    for point in _points(calls[0]):
        with step(target, fail_at=point):
            result = runner.invoke(args=["stats", "export", "--format", file_format, "--out", out])
        assert isinstance(result.exception, InjectedFailure), result.output
        assert [path.name for path in tmp_path.iterdir()] == [out.name]
        assert out.read_bytes() == b"the export of last month"
    assert state_of() == before
