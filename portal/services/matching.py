"""Matching use cases: score the market, store the explained matches, and make a round of
proposals that respects every vacancy's positions.

The scoring and the assignment are the pure core (`portal.matching`); this module loads the
market from the database as plain values, stores what the core returns, and owns the
transactions.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from portal.errors import Conflict
from portal.matching import assign, engine, reasons
from portal.matching.graph import skill_graph_from_rows
from portal.matching.serialise import (
    explanation_from_json,
    explanation_to_json,
    gaps_from_json,
    gaps_to_json,
    no_proposal_from_json,
    no_proposal_to_json,
)
from portal.matching.types import (
    ExperienceRef,
    Explanation,
    MatchScore,
    NoProposal,
    Quality,
    SkillGap,
    SkillGraph,
    SkillRef,
    VacancyProfile,
    WorkerProfile,
)
from portal.models import (
    EMPLOYED_STATES,
    LIVE_STATES,
    AuditAction,
    AuditEvent,
    Concept,
    ConceptBroader,
    ConceptKind,
    Match,
    MatchingSettings,
    MatchRun,
    MatchRunState,
    Placement,
    PlacementState,
    ProfileStatus,
    SkillRelationLink,
    TaxonomyVersion,
    User,
    Vacancy,
    VacancyLanguage,
    VacancySkill,
    VacancyState,
    Worker,
    WorkerExperience,
    WorkerLanguage,
    WorkerMatchNote,
    WorkerRelocationRegion,
    WorkerSkill,
)
from portal.models.base import utcnow
from portal.services import placements
from portal.services import vacancies as vacancy_service
from portal.services._tx import transaction
from portal.services.matching_settings import current_settings
from portal.services.pages import Page, paginate
from portal.services.placement_export import worker_public_id
from portal.services.taxonomy import active_version
from portal.taxonomy.model import RelationType

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
STALE_RUN = timedelta(hours=2)  # a run still "running" after this is taken to have died
_INSERT_BATCH = 2_000


# --- the taxonomy graph, built once per process and version -------------------------------------

_graphs: dict[tuple[str, int, str], SkillGraph] = {}
_graph_lock = threading.Lock()


def matching_graph(session: Session) -> SkillGraph:
    """The skill relations of the active taxonomy (empty when none is active)."""
    version = active_version(session)
    if version is None:
        return skill_graph_from_rows((), (), (), ())
    key = (
        session.get_bind().engine.url.render_as_string(hide_password=True),
        version.id,
        version.content_hash,
    )
    with _graph_lock:
        graph = _graphs.get(key)
        if graph is None:
            graph = _load_graph(session, version)
            _graphs.clear()  # one version is active at a time
            _graphs[key] = graph
        return graph


def forget_graphs() -> None:
    with _graph_lock:
        _graphs.clear()


def _load_graph(session: Session, version: TaxonomyVersion) -> SkillGraph:
    narrower = Concept.__table__.alias("narrower")
    broader = Concept.__table__.alias("broader")
    broader_rows = session.execute(
        select(narrower.c.uri, broader.c.uri, broader.c.kind)
        .select_from(ConceptBroader)
        .join(narrower, narrower.c.id == ConceptBroader.concept_id)
        .join(broader, broader.c.id == ConceptBroader.broader_id)
        .where(narrower.c.version_id == version.id, narrower.c.kind == ConceptKind.SKILL.value)
    ).all()
    skill_broader = [(child, parent) for child, parent, kind in broader_rows if kind == "skill"]
    skill_group = [(child, parent) for child, parent, kind in broader_rows if kind == "skill-group"]
    skill = Concept.__table__.alias("skill")
    related = Concept.__table__.alias("related")
    relation_rows = session.execute(
        select(skill.c.uri, related.c.uri)
        .select_from(SkillRelationLink)
        .join(skill, skill.c.id == SkillRelationLink.skill_id)
        .join(related, related.c.id == SkillRelationLink.related_id)
        .where(skill.c.version_id == version.id)
    ).all()
    occupation_rows = session.execute(
        select(Concept.uri, Concept.isco_code).where(
            Concept.version_id == version.id,
            Concept.kind == ConceptKind.OCCUPATION,
            Concept.isco_code.is_not(None),
        )
    ).all()
    return skill_graph_from_rows(
        skill_broader,
        skill_group,
        [(a, b) for a, b in relation_rows],
        [(uri, code) for uri, code in occupation_rows],
    )


# --- the market as plain values -----------------------------------------------------------------


def _placed_worker_ids() -> Select[Any]:
    """Workers whose accepted or started placement takes them out of the market."""
    return select(Placement.worker_id).where(
        Placement.state.in_(EMPLOYED_STATES), Placement.worker_id.is_not(None)
    )


def _market_workers(today: date) -> Select[Any]:
    return select(Worker.id).where(
        Worker.status == ProfileStatus.ACTIVE,
        or_(Worker.available_until.is_(None), Worker.available_until >= today),
        Worker.id.not_in(_placed_worker_ids()),
    )


def load_workers(session: Session, worker_ids: Select[Any]) -> list[WorkerProfile]:
    """Profiles of the workers selected by `worker_ids` (a select of ids), loaded in a few
    queries whatever their number."""
    ids = worker_ids.scalar_subquery()
    skills: dict[int, list[SkillRef]] = defaultdict(list)
    for worker_id, uri, label, words in session.execute(
        select(
            WorkerSkill.worker_id,
            WorkerSkill.concept_uri,
            WorkerSkill.concept_label,
            WorkerSkill.words,
        )
        .where(WorkerSkill.worker_id.in_(ids), WorkerSkill.concept_uri.is_not(None))
        .order_by(WorkerSkill.worker_id, WorkerSkill.id)
    ):
        skills[worker_id].append(SkillRef(uri, label or words))
    experiences: dict[int, list[ExperienceRef]] = defaultdict(list)
    for worker_id, uri, label, words, years in session.execute(
        select(
            WorkerExperience.worker_id,
            WorkerExperience.occupation_uri,
            WorkerExperience.occupation_label,
            WorkerExperience.words,
            WorkerExperience.years,
        )
        .where(WorkerExperience.worker_id.in_(ids), WorkerExperience.occupation_uri.is_not(None))
        .order_by(WorkerExperience.worker_id, WorkerExperience.id)
    ):
        experiences[worker_id].append(ExperienceRef(uri, label or words, float(years)))
    languages: dict[int, dict[str, str]] = defaultdict(dict)
    for worker_id, code, level in session.execute(
        select(WorkerLanguage.worker_id, WorkerLanguage.code, WorkerLanguage.level).where(
            WorkerLanguage.worker_id.in_(ids)
        )
    ):
        languages[worker_id][code] = level.value
    regions: dict[int, set[int]] = defaultdict(set)
    for worker_id, region_id in session.execute(
        select(WorkerRelocationRegion.worker_id, WorkerRelocationRegion.region_id).where(
            WorkerRelocationRegion.worker_id.in_(ids)
        )
    ):
        regions[worker_id].add(region_id)
    rows = session.execute(
        select(
            Worker.id,
            Worker.region_id,
            Worker.relocate_anywhere,
            Worker.available_from,
            Worker.available_until,
        )
        .where(Worker.id.in_(ids))
        .order_by(Worker.id)
    )
    return [
        WorkerProfile(
            id=worker_id,
            skills=tuple(skills[worker_id]),
            experiences=tuple(experiences[worker_id]),
            languages=languages[worker_id],
            region_id=region_id,
            accepted_regions=frozenset(regions[worker_id]),
            relocate_anywhere=relocate_anywhere,
            available_from=available_from,
            available_until=available_until,
        )
        for worker_id, region_id, relocate_anywhere, available_from, available_until in rows
    ]


def _market_vacancies(today: date) -> Select[Any]:
    return select(Vacancy.id).where(
        Vacancy.state == VacancyState.OPEN,
        or_(Vacancy.end_date.is_(None), Vacancy.end_date >= today),
        or_(Vacancy.apply_by.is_(None), Vacancy.apply_by >= today),
    )


def positions_promised(session: Session, vacancy_ids: Any) -> dict[int, int]:
    """Per vacancy: positions proposed or offered and not yet answered."""
    return dict(
        session.execute(
            select(Placement.vacancy_id, func.count(Placement.id))
            .where(
                Placement.vacancy_id.in_(vacancy_ids),
                Placement.state.in_((PlacementState.PROPOSED, PlacementState.OFFERED)),
            )
            .group_by(Placement.vacancy_id)
        ).all()
    )


def load_vacancies(session: Session, vacancy_ids: Select[Any]) -> list[VacancyProfile]:
    ids = vacancy_ids.scalar_subquery()
    essential: dict[int, list[SkillRef]] = defaultdict(list)
    optional: dict[int, list[SkillRef]] = defaultdict(list)
    for vacancy_id, relation, uri, label, words in session.execute(
        select(
            VacancySkill.vacancy_id,
            VacancySkill.relation,
            VacancySkill.concept_uri,
            VacancySkill.concept_label,
            VacancySkill.words,
        )
        .where(VacancySkill.vacancy_id.in_(ids), VacancySkill.concept_uri.is_not(None))
        .order_by(VacancySkill.vacancy_id, VacancySkill.id)
    ):
        wanted = essential if relation is RelationType.ESSENTIAL else optional
        wanted[vacancy_id].append(SkillRef(uri, label or words))
    languages: dict[int, dict[str, str]] = defaultdict(dict)
    for vacancy_id, code, level in session.execute(
        select(VacancyLanguage.vacancy_id, VacancyLanguage.code, VacancyLanguage.min_level).where(
            VacancyLanguage.vacancy_id.in_(ids)
        )
    ):
        languages[vacancy_id][code] = level.value
    promised = positions_promised(session, ids)
    rows = session.execute(
        select(
            Vacancy.id,
            Vacancy.title,
            Vacancy.occupation_uri,
            Vacancy.isco_code,
            Vacancy.region_id,
            Vacancy.start_date,
            Vacancy.end_date,
            Vacancy.positions,
            Vacancy.positions_taken,
        )
        .where(Vacancy.id.in_(ids))
        .order_by(Vacancy.id)
    )
    return [
        VacancyProfile(
            id=row.id,
            title=row.title,
            occupation_uri=row.occupation_uri,
            isco_code=row.isco_code,
            essential=tuple(essential[row.id]),
            optional=tuple(optional[row.id]),
            languages=languages[row.id],
            region_id=row.region_id,
            start_date=row.start_date,
            end_date=row.end_date,
            positions_left=max(0, row.positions - row.positions_taken - promised.get(row.id, 0)),
        )
        for row in rows
    ]


def quality_of(settings: MatchingSettings) -> Quality:
    return Quality(
        min_essential_coverage=settings.min_essential_coverage, min_score=settings.min_score
    )


# --- a run: score everything, store, propose ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunReport:
    run_id: int
    workers: int
    vacancies: int
    matches: int
    proposals: int
    expired_offers: int
    expired_proposals: int
    timings: Mapping[str, float]


def start_run(session: Session, actor: User | None) -> MatchRun:
    """Record a new run, refusing while another one is going (two rounds at once would propose
    the same positions twice)."""
    with transaction(session):
        running = session.scalar(
            select(MatchRun).where(
                MatchRun.state == MatchRunState.RUNNING,
                MatchRun.started_at > utcnow() - STALE_RUN,
            )
        )
        if running is not None:
            raise Conflict(
                _(
                    "A matching run is already going (started %(at)s UTC).",
                    at=running.started_at.strftime("%H:%M"),
                )
            )
        run = MatchRun(started_by_id=actor.id if actor is not None else None)
        session.add(run)
    return run


def run_matching(
    session: Session,
    actor: User | None,
    *,
    today: date | None = None,
    progress: Progress | None = None,
    run: MatchRun | None = None,
) -> RunReport:
    """Score all open vacancies × available workers, replace the stored matches, and make a
    new round of proposals (at most one per worker, never more than a vacancy's free positions).
    """
    today = today or date.today()
    run = run or start_run(session, actor)
    try:
        with engine.collector_paused():  # ~10^6 objects live to the end of a run
            return _run(session, run, today, progress)
    except BaseException as error:
        session.rollback()
        with transaction(session):
            failed = session.get(MatchRun, run.id)
            if failed is not None:
                failed.state = MatchRunState.FAILED
                failed.finished_at = utcnow()
                failed.error = f"{type(error).__name__}: {error}"[:500]
        raise


def _run(session: Session, run: MatchRun, today: date, progress: Progress | None) -> RunReport:
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    settings = current_settings(session)
    quality = quality_of(settings)
    vacancy_service.expire_due(session, today)
    expired_offers = placements.expire_due_offers(session)
    expired_proposals = placements.expire_stale_proposals(session, settings.proposal_days)
    graph = matching_graph(session)
    workers = load_workers(session, _market_workers(today))
    vacancies = load_vacancies(session, _market_vacancies(today))
    timings["loading"] = time.perf_counter() - clock

    def scoring_progress(done: int, total: int) -> None:
        if progress is not None:
            progress("scoring", done, total)

    market = engine.score_market(
        workers,
        vacancies,
        graph,
        quality=quality,
        per_vacancy=settings.candidates_per_vacancy,
        per_worker=settings.matches_per_worker,
        progress=scoring_progress,
    )
    timings.update({f"scoring.{name}": seconds for name, seconds in market.timings.items()})

    clock = time.perf_counter()
    proposals, no_proposals = _propose(session, workers, vacancies, market, quality)
    timings["proposing"] = time.perf_counter() - clock

    # the matches, the proposals made from them and the notes are one round: all or nothing
    with transaction(session):
        clock = time.perf_counter()
        session.execute(delete(Match))
        _insert_matches(session, market.matches, progress)
        timings["storing"] = time.perf_counter() - clock
        clock = time.perf_counter()
        created = placements.create_proposals(
            session, run.id, ((p.worker_id, p.vacancy_id, p.score) for p in proposals)
        )
        _store_notes(session, run.id, workers, market.gaps, no_proposals)
        stored = session.get_one(MatchRun, run.id)
        stored.state = MatchRunState.FINISHED
        stored.finished_at = utcnow()
        stored.workers = len(workers)
        stored.vacancies = len(vacancies)
        stored.matches = len(market.matches)
        stored.proposals = created
        timings["saving proposals"] = time.perf_counter() - clock
        stored.timings = {name: round(seconds, 3) for name, seconds in timings.items()}
    return RunReport(
        run_id=run.id,
        workers=len(workers),
        vacancies=len(vacancies),
        matches=len(market.matches),
        proposals=created,
        expired_offers=expired_offers,
        expired_proposals=expired_proposals,
        timings=timings,
    )


def _match_row(match: MatchScore, now: datetime) -> dict[str, Any]:
    return {
        "worker_id": match.worker_id,
        "vacancy_id": match.vacancy_id,
        "score": match.score,
        "essential_coverage": match.essential_coverage,
        "eligible": match.eligible,
        "explanation": explanation_to_json(match.explanation),
        "computed_at": now,
    }


def _insert_matches(
    session: Session, matches: list[MatchScore], progress: Progress | None = None
) -> None:
    for start in range(0, len(matches), _INSERT_BATCH):
        batch = matches[start : start + _INSERT_BATCH]
        # Core, not ORM bulk: a stored market is ~10^5 rows and the ORM's bookkeeping doubles it
        now = utcnow()
        session.execute(insert(Match.__table__), [_match_row(match, now) for match in batch])
        if progress is not None:
            progress("storing matches", start + len(batch), len(matches))


def _propose(
    session: Session,
    workers: list[WorkerProfile],
    vacancies: list[VacancyProfile],
    market: engine.MarketResult,
    quality: Quality,
) -> tuple[list[Any], list[NoProposal]]:
    busy = set(
        session.scalars(
            select(Placement.worker_id).where(
                Placement.state.in_(LIVE_STATES), Placement.worker_id.is_not(None)
            )
        )
    )
    capacities = {vacancy.id: vacancy.positions_left for vacancy in vacancies}
    acceptable = [
        match for match in market.matches if quality.accepts(match) and match.worker_id not in busy
    ]
    pairs = assign.CandidatePairs.of(acceptable)
    proposals = assign.assign_optimal(pairs, capacities)
    proposed = {proposal.worker_id for proposal in proposals}
    no_proposals = reasons.why_not_proposed(
        worker_ids=[worker.id for worker in workers if worker.id not in proposed],
        already_placed=busy,
        reachable=market.reachable,
        matches=market.matches,
        proposals=proposals,
        quality=quality,
        titles={vacancy.id: vacancy.title for vacancy in vacancies},
        open_vacancies=len(vacancies),
    )
    return proposals, no_proposals


def _store_notes(
    session: Session,
    run_id: int,
    workers: list[WorkerProfile],
    gaps: Mapping[int, Any],
    no_proposals: Iterable[NoProposal],
) -> None:
    reasons_by_worker = {note.worker_id: no_proposal_to_json(note) for note in no_proposals}
    session.execute(delete(WorkerMatchNote))
    now = utcnow()
    rows = [
        {
            "worker_id": worker.id,
            "run_id": run_id,
            "skill_gaps": gaps_to_json(gaps.get(worker.id, ())),
            "no_proposal": reasons_by_worker.get(worker.id),
            "updated_at": now,
        }
        for worker in workers
    ]
    for start in range(0, len(rows), _INSERT_BATCH):
        session.execute(insert(WorkerMatchNote), rows[start : start + _INSERT_BATCH])


# --- incremental re-scoring -----------------------------------------------------------------------


def _last_change(session: Session, worker_id: int) -> Any:
    return session.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.subject_type == "worker",
            AuditEvent.subject_id == worker_id,
            AuditEvent.action.in_((AuditAction.CREATED, AuditAction.CHANGED)),
        )
    )


def refresh_worker_if_changed(session: Session, worker: Worker, today: date | None = None) -> bool:
    """Re-score one worker when their profile changed after their matches were computed."""
    note = session.get(WorkerMatchNote, worker.id)
    changed = _last_change(session, worker.id)
    if note is not None and (changed is None or changed <= note.updated_at):
        return False
    rescore_worker(session, worker.id, today)
    return True


def rescore_worker(session: Session, worker_id: int, today: date | None = None) -> None:
    """One worker against every open vacancy: their matches and skill gaps replaced, and they
    enter a vacancy's candidate list where they now beat its last kept candidate."""
    today = today or date.today()
    settings = current_settings(session)
    profiles = load_workers(session, _market_workers(today).where(Worker.id == worker_id))
    vacancies = load_vacancies(session, _market_vacancies(today))
    with transaction(session):
        session.execute(delete(Match).where(Match.worker_id == worker_id))
        note = session.get(WorkerMatchNote, worker_id)
        if not profiles:
            if note is not None:
                note.skill_gaps = []
                note.updated_at = utcnow()
            return
        market = engine.score_market(
            profiles,
            vacancies,
            matching_graph(session),
            quality=quality_of(settings),
            per_vacancy=settings.candidates_per_vacancy,
            per_worker=settings.matches_per_worker,
            bars=_vacancy_bars(session, settings.candidates_per_vacancy),
        )
        _insert_matches(session, market.matches)
        gaps = gaps_to_json(market.gaps.get(worker_id, ()))
        if note is None:
            session.add(WorkerMatchNote(worker_id=worker_id, skill_gaps=gaps, updated_at=utcnow()))
        else:
            note.skill_gaps = gaps
            note.updated_at = utcnow()


def _vacancy_bars(session: Session, per_vacancy: int) -> dict[int, float]:
    """Per vacancy whose candidate list is full: the lowest score kept on it."""
    return {
        vacancy_id: lowest
        for vacancy_id, kept, lowest in session.execute(
            select(Match.vacancy_id, func.count(Match.id), func.min(Match.score)).group_by(
                Match.vacancy_id
            )
        )
        if kept >= per_vacancy
    }


def rescore_vacancy(session: Session, vacancy_id: int, today: date | None = None) -> int:
    """One vacancy against every available worker (when it opens): its candidate list."""
    today = today or date.today()
    settings = current_settings(session)
    vacancies = load_vacancies(session, _market_vacancies(today).where(Vacancy.id == vacancy_id))
    with transaction(session):
        session.execute(delete(Match).where(Match.vacancy_id == vacancy_id))
        if not vacancies:
            return 0
        workers = load_workers(session, _market_workers(today))
        market = engine.score_market(
            workers,
            vacancies,
            matching_graph(session),
            quality=quality_of(settings),
            per_vacancy=settings.candidates_per_vacancy,
            per_worker=0,
        )
        _insert_matches(session, market.matches)
    return len(market.matches)


def vacancy_needs_scoring(session: Session, vacancy: Vacancy) -> bool:
    """An open vacancy with no candidates computed since it opened."""
    if vacancy.state is not VacancyState.OPEN:
        return False
    has_matches = session.scalar(select(exists().where(Match.vacancy_id == vacancy.id)))
    if has_matches:
        return False
    last_run = session.scalar(
        select(func.max(MatchRun.started_at)).where(MatchRun.state == MatchRunState.FINISHED)
    )
    return last_run is None or vacancy.published_at is None or vacancy.published_at > last_run


# --- runs for the admin page --------------------------------------------------------------------


def recent_runs(session: Session, limit: int = 10) -> list[MatchRun]:
    return list(session.scalars(select(MatchRun).order_by(MatchRun.id.desc()).limit(limit)))


def run_in_background(open_session: Callable[[], Any], actor_id: int | None) -> MatchRun:
    """Start a run in a thread and return at once (the admin page shows its progress)."""
    with open_session() as session:
        actor = session.get(User, actor_id) if actor_id is not None else None
        run = start_run(session, actor)
        run_id = run.id

    def work() -> None:
        with open_session() as session:
            actor = session.get(User, actor_id) if actor_id is not None else None
            stored = session.get(MatchRun, run_id)
            try:
                run_matching(session, actor, run=stored)
            except Exception:  # recorded on the run by run_matching
                log.exception("matching run %s failed", run_id)

    threading.Thread(target=work, name=f"matching-run-{run_id}", daemon=True).start()
    return run


# --- what pages show ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatchView:
    """A stored match with its explanation read back, and the vacancy or worker it is with."""

    match: Match
    explanation: Explanation
    vacancy: Vacancy
    placement: Placement | None  # the live placement of this pair, if any


@dataclass(frozen=True, slots=True)
class WorkerMatches:
    matches: list[MatchView]
    skill_gaps: tuple[SkillGap, ...]
    no_proposal: NoProposal | None
    computed_at: datetime | None


def worker_matches(session: Session, worker: Worker, *, limit: int = 50) -> WorkerMatches:
    """A worker's matches, best first, re-scored first if their profile changed since.

    The caller has checked that the user may see this worker (`workers.worker_for`).
    """
    refresh_worker_if_changed(session, worker)
    rows = session.execute(
        select(Match, Vacancy)
        .join(Vacancy, Vacancy.id == Match.vacancy_id)
        .where(Match.worker_id == worker.id, Vacancy.state == VacancyState.OPEN)
        .order_by(Match.score.desc(), Match.vacancy_id)
        .limit(limit)
    ).all()
    live = _live_placements(session, worker_ids=[worker.id])
    note = session.get(WorkerMatchNote, worker.id)
    return WorkerMatches(
        matches=[
            MatchView(
                match,
                explanation_from_json(match.explanation),
                vacancy,
                live.get((worker.id, vacancy.id)),
            )
            for match, vacancy in rows
        ],
        skill_gaps=gaps_from_json(note.skill_gaps) if note is not None else (),
        no_proposal=(
            no_proposal_from_json(note.no_proposal)
            if note is not None and note.no_proposal
            else None
        ),
        computed_at=note.updated_at if note is not None else None,
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    """A worker as an employer sees them before an offer is accepted: a reference, the
    skills and experience that match, never their sex, age or origin."""

    rank: int
    reference: str
    worker_id: int
    match: Match
    explanation: Explanation
    placement: Placement | None


def vacancy_candidates(
    session: Session, user: User, vacancy_id: int, *, page: int, size: int
) -> tuple[Vacancy, Page[Candidate]]:
    """The ranked candidates of one of the employer's vacancies (scored first if it opened
    since the last run)."""
    vacancy = vacancy_service.vacancy_for(session, user, vacancy_id)
    if vacancy_needs_scoring(session, vacancy):
        rescore_vacancy(session, vacancy.id)
    statement = (
        select(Match)
        .join(Worker, Worker.id == Match.worker_id)
        .where(
            Match.vacancy_id == vacancy.id,
            Match.eligible.is_(True),
            Worker.status == ProfileStatus.ACTIVE,
            ~exists().where(  # hired elsewhere since the last round
                Placement.worker_id == Match.worker_id,
                Placement.vacancy_id != vacancy.id,
                Placement.state.in_(EMPLOYED_STATES),
            ),
        )
        .order_by(Match.score.desc(), Match.worker_id)
    )
    found = paginate(session, statement, page, size)
    worker_ids = [match.worker_id for match in found.items]
    external = dict(
        session.execute(
            select(Worker.id, Worker.external_id).where(Worker.id.in_(worker_ids))
        ).all()
    )
    live = _live_placements(session, worker_ids=worker_ids, vacancy_id=vacancy.id)
    first = (found.number - 1) * found.size
    candidates = [
        Candidate(
            rank=first + position,
            reference=worker_public_id(match.worker_id, external.get(match.worker_id)),
            worker_id=match.worker_id,
            match=match,
            explanation=explanation_from_json(match.explanation),
            placement=live.get((match.worker_id, vacancy.id)),
        )
        for position, match in enumerate(found.items, start=1)
    ]
    return vacancy, Page(items=candidates, number=found.number, size=found.size, total=found.total)


def _live_placements(
    session: Session, *, worker_ids: list[int], vacancy_id: int | None = None
) -> dict[tuple[int, int], Placement]:
    statement = select(Placement).where(
        Placement.worker_id.in_(worker_ids), Placement.state.in_(LIVE_STATES)
    )
    if vacancy_id is not None:
        statement = statement.where(Placement.vacancy_id == vacancy_id)
    return {
        (placement.worker_id, placement.vacancy_id): placement
        for placement in session.scalars(statement)
        if placement.worker_id is not None
    }


def other_candidates(
    session: Session, vacancy_id: int, besides: int | None, limit: int
) -> list[tuple[int, str, float]]:
    """The vacancy's best candidates other than `besides`: (worker id, reference, score)."""
    rows = session.execute(
        select(Match.worker_id, Worker.external_id, Match.score)
        .join(Worker, Worker.id == Match.worker_id)
        .where(
            Match.vacancy_id == vacancy_id,
            Match.eligible.is_(True),
            Worker.status == ProfileStatus.ACTIVE,
            Match.worker_id != (besides or 0),
        )
        .order_by(Match.score.desc(), Match.worker_id)
        .limit(limit)
    ).all()
    return [
        (worker_id, worker_public_id(worker_id, external), score)
        for worker_id, external, score in rows
    ]
