"""The matching round on a real database: scores stored with explanations, proposals within
positions, a reason for every worker left out, incremental re-scoring."""

from __future__ import annotations

import csv
import io
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import schema
from portal.db import Database
from portal.errors import Conflict
from portal.matching.serialise import explanation_from_json
from portal.matching.types import NoProposalReason
from portal.models import (
    Concept,
    Match,
    MatchRun,
    MatchRunState,
    Placement,
    PlacementState,
    Role,
    Sex,
    User,
    WorkerMatchNote,
)
from portal.services import matching, workers
from portal.services.placement_export import EXPORT_HEADER, placement_rows
from portal.services.taxonomy import store_taxonomy
from tests.conftest import Factory, fresh_database_url, small_taxonomy
from tests.market import (
    FORKLIFT,
    FORKLIFT_DRIVER,
    LOADS,
    ORDERS,
    SAFETY,
    SCANNER,
    active_worker,
    open_vacancy,
    region,
)

pytestmark = pytest.mark.usefixtures("stored_taxonomy")


@pytest.fixture
def employer(make: Factory) -> User:
    return make.user(Role.EMPLOYER)


def _scores(session: Session) -> set[tuple[int, int, float]]:
    return {(m.worker_id, m.vacancy_id, m.score) for m in session.scalars(select(Match)).all()}


def _proposals(session: Session) -> list[Placement]:
    return list(
        session.scalars(select(Placement).where(Placement.state == PlacementState.PROPOSED))
    )


def test_a_run_stores_explained_matches_and_proposes_within_positions(
    session: Session, employer: User
) -> None:
    north = region(session, "North")
    vacancy = open_vacancy(session, employer, north, positions=2)
    full = [active_worker(session, north, name=f"Full {n}") for n in range(3)]
    half = active_worker(session, north, name="Half", skills=(FORKLIFT,))

    report = matching.run_matching(session, None)

    assert report.workers == 4 and report.vacancies == 1
    stored = {m.worker_id: m for m in session.scalars(select(Match))}
    assert set(stored) == {w.id for w in [*full, half]}
    explanation = explanation_from_json(stored[half.id].explanation)
    assert [s.uri for s in explanation.essential_missing] == [SAFETY]
    assert stored[half.id].score < stored[full[0].id].score
    proposals = _proposals(session)
    assert len(proposals) == 2 == report.proposals
    assert {p.vacancy_id for p in proposals} == {vacancy.id}
    assert {p.worker_id for p in proposals} <= {w.id for w in full}
    run = session.get(MatchRun, report.run_id)
    assert run is not None and run.state is MatchRunState.FINISHED and run.proposals == 2


def test_each_worker_left_out_is_told_why(session: Session, employer: User) -> None:
    north, south = (region(session, name) for name in ("North", "South"))
    open_vacancy(session, employer, north, positions=1)
    winner = active_worker(session, north, name="Winner")
    runner_up = active_worker(session, north, name="Runner-up", skills=(FORKLIFT, SAFETY))
    weak = active_worker(session, north, name="Weak", skills=(ORDERS,))
    elsewhere = active_worker(session, south, name="Elsewhere")
    late = active_worker(
        session, north, name="Late", available_from=date.today() + timedelta(days=400)
    )
    matching.run_matching(session, None)

    proposed = {p.worker_id for p in _proposals(session)}
    assert len(proposed) == 1 and proposed <= {winner.id, runner_up.id}
    loser = runner_up if winner.id in proposed else winner
    reasons = {
        note.worker_id: note.no_proposal
        for note in session.scalars(select(WorkerMatchNote))
        if note.no_proposal
    }
    assert reasons[loser.id]["reason"] == NoProposalReason.POSITIONS_TAKEN.value
    assert reasons[weak.id]["reason"] == NoProposalReason.BELOW_QUALITY.value
    assert reasons[elsewhere.id]["reason"] == NoProposalReason.NO_VACANCY_IN_REGIONS.value
    assert reasons[late.id]["reason"] == NoProposalReason.NO_VACANCY_ON_DATES.value


def test_sex_age_and_origin_change_no_score(session: Session, employer: User) -> None:
    north = region(session, "North")
    open_vacancy(session, employer, north, positions=3)
    open_vacancy(
        session,
        employer,
        north,
        essential=(ORDERS, SCANNER, LOADS),
        title="Warehouse",
        isco_code="9333",
        occupation=None,
    )
    people = [
        active_worker(session, north, name="A", skills=(FORKLIFT, ORDERS)),
        active_worker(session, north, name="B", skills=(SAFETY, SCANNER, LOADS)),
        active_worker(session, north, name="C", experience=(FORKLIFT_DRIVER, 3)),
    ]
    matching.run_matching(session, None)
    before = _scores(session)
    for person, (sex, year, origin) in zip(
        people, [(Sex.MALE, 1960, "SY"), (Sex.OTHER, 2004, "RO"), (None, None, None)], strict=True
    ):
        person.sex, person.birth_year, person.country_of_origin = sex, year, origin
    session.commit()
    for placement in _proposals(session):  # a fresh round, as if nothing was proposed yet
        session.delete(placement)
    session.commit()
    matching.run_matching(session, None)
    assert _scores(session) == before


def test_a_worker_with_an_accepted_placement_leaves_the_market(
    session: Session, employer: User
) -> None:
    north = region(session, "North")
    first = open_vacancy(session, employer, north, positions=2)
    open_vacancy(session, employer, north, positions=2, title="Another")
    placed = active_worker(session, north, name="Placed")
    session.add(Placement(worker_id=placed.id, vacancy_id=first.id, state=PlacementState.ACCEPTED))
    first.positions_taken = 1
    session.commit()
    report = matching.run_matching(session, None)
    assert report.workers == 0
    assert session.scalar(select(func.count(Match.id))) == 0


def test_positions_promised_to_proposals_are_not_proposed_again(
    session: Session, employer: User
) -> None:
    north = region(session, "North")
    open_vacancy(session, employer, north, positions=2)
    for n in range(5):
        active_worker(session, north, name=f"W{n}")
    matching.run_matching(session, None)
    matching.run_matching(session, None)
    assert len(_proposals(session)) == 2


def test_a_second_run_is_refused_while_one_is_going(session: Session) -> None:
    matching.start_run(session, None)
    with pytest.raises(Conflict):
        matching.start_run(session, None)


def test_a_changed_profile_is_scored_again_when_its_matches_are_read(
    session: Session, employer: User, make: Factory
) -> None:
    north = region(session, "North")
    vacancy = open_vacancy(
        session,
        employer,
        north,
        essential=(ORDERS, SCANNER),
        title="Picker",
        isco_code="9333",
        occupation=None,
    )
    user = make.user(Role.WORKER)
    worker = active_worker(session, north, user=user, skills=(FORKLIFT,))
    matching.run_matching(session, None)
    first = matching.worker_matches(session, worker)
    assert [view.vacancy.id for view in first.matches] in ([], [vacancy.id])
    before = {view.vacancy.id: view.match.score for view in first.matches}

    for words, uri in (("picking orders", ORDERS), ("scanning", SCANNER)):
        concept = session.scalar(select(Concept.id).where(Concept.uri == uri))
        workers.add_skill(session, user, worker, words, concept_id=concept)

    after = matching.worker_matches(session, worker)
    assert after.matches and after.matches[0].vacancy.id == vacancy.id
    assert after.matches[0].match.score > before.get(vacancy.id, 0.0)


def test_a_vacancy_opened_after_the_last_run_gets_its_candidates(
    session: Session, employer: User
) -> None:
    north = region(session, "North")
    worker = active_worker(session, north)
    matching.run_matching(session, None)
    vacancy = open_vacancy(session, employer, north)
    _, page = matching.vacancy_candidates(session, employer, vacancy.id, page=1, size=20)
    assert [candidate.worker_id for candidate in page.items] == [worker.id]
    assert page.items[0].reference == f"portal-w{worker.id}"


def test_the_export_uses_external_ids_or_stable_generated_ones(
    session: Session, employer: User
) -> None:
    north = region(session, "North")
    first = open_vacancy(session, employer, north, external_id="JOB-1")
    second = open_vacancy(session, employer, north, title="Second")
    uploaded = active_worker(session, north, name="Up", external_id="=cmd|' /C calc'!A0")
    typed = active_worker(session, north, name="Typed")
    session.add_all(
        [
            Placement(
                worker_id=uploaded.id, vacancy_id=first.id, state=PlacementState.OFFERED, score=90.0
            ),
            Placement(
                worker_id=typed.id, vacancy_id=second.id, state=PlacementState.PROPOSED, score=75.5
            ),
        ]
    )
    session.commit()
    rows = list(placement_rows(session))
    assert rows == [
        ("JOB-1", "=cmd|' /C calc'!A0", 90.0, "offered"),
        (f"portal-v{second.id}", f"portal-w{typed.id}", 75.5, "proposed"),
    ]
    assert EXPORT_HEADER == ("vacancy_external_id", "worker_external_id", "score", "state")


def test_match_run_and_export_commands(session: Session, employer: User, runner, tmp_path) -> None:
    north = region(session, "North")
    open_vacancy(session, employer, north, external_id="JOB-1")
    active_worker(session, north, external_id="=HYPERLINK(1)")
    result = runner.invoke(args=["match", "run"])
    assert result.exit_code == 0, result.output
    assert "1 workers × 1 open vacancies" in result.output
    assert "1 proposals made" in result.output
    out = tmp_path / "placements.csv"
    result = runner.invoke(args=["placements", "export", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0] == list(EXPORT_HEADER)
    assert rows[1][0] == "JOB-1" and rows[1][1] == "'=HYPERLINK(1)" and rows[1][3] == "proposed"


def test_a_run_in_the_background_returns_at_once_and_finishes_on_its_own(tmp_path) -> None:
    """What the admin's button does: the page returns while a thread runs the round."""
    url = fresh_database_url("portal_background_run", tmp_path)
    database = Database(url)
    schema.upgrade(database.engine)
    try:
        with database.session_scope() as session:
            store_taxonomy(session, small_taxonomy(), content_hash="small-1")
            employer = Factory(session).user(Role.EMPLOYER)
            north = region(session, "North")
            open_vacancy(session, employer, north)
            active_worker(session, north)
        run = matching.run_in_background(database.session_scope, None)
        deadline = time.monotonic() + 60
        while True:
            with database.session_scope() as session:
                stored = session.get_one(MatchRun, run.id)
                state, error = stored.state, stored.error
                counts = (stored.workers, stored.vacancies, stored.matches, stored.proposals)
            if state is not MatchRunState.RUNNING or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert state is MatchRunState.FINISHED, error
        assert counts == (1, 1, 1, 1)
    finally:
        database.dispose()


def test_a_worker_hired_elsewhere_leaves_the_candidates_before_the_next_round(
    session: Session, employer: User
) -> None:
    north = region(session, "North")
    first = open_vacancy(session, employer, north)
    second = open_vacancy(session, employer, north, title="Second")
    hired = active_worker(session, north, name="Hired")
    other = active_worker(session, north, name="Other")
    matching.run_matching(session, None)
    session.add(Placement(worker_id=hired.id, vacancy_id=second.id, state=PlacementState.ACCEPTED))
    session.commit()
    _, page = matching.vacancy_candidates(session, employer, first.id, page=1, size=20)
    assert [candidate.worker_id for candidate in page.items] == [other.id]
    _, page = matching.vacancy_candidates(session, employer, second.id, page=1, size=20)
    assert hired.id in {candidate.worker_id for candidate in page.items}
