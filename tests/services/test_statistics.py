"""Statistics tables from a portal whose population is known, checked against hand-counted tables.

The portal (all registered in March 2026, k = 5):

    North, 14 women: W1-W5 placed at V1 (sector 8) and matched; W6-W7 offered at V1, declined,
        and matched; W8-W10 matched only; W11 an ineligible match; W12-W14 nothing, no skills
        (W12 with words not yet confirmed). W1-W4 have 1, 2, 1, 1 recognised qualifications
        (W4's partly), W5 a refused one. W1 reported a fee.
    North, 12 men: M1-M3 placed at V1, M4-M8 placed at V3 (sector 9) but best matched at V1,
        all matched; M9 matched only; M10 (coverage 0.5) and M11 (score 39) not matched;
        M12 nothing, no skills.
    South: 3 women with no skills, 6 men with skills, nothing else.
    Erased: 1 woman of North (a tally). Not counted: a draft North woman, and a North man who
        registered in 2025.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from portal.models import (
    ErasedWorkerTally,
    Match,
    Placement,
    PlacementEvent,
    PlacementState,
    ProfileStatus,
    Recognition,
    Region,
    Role,
    Sex,
    SkillSource,
    Vacancy,
    VacancyState,
    Worker,
    WorkerQualification,
    WorkerSkill,
)
from portal.reporting.indicators import (
    gender_gaps,
    mean_placement_score,
    median_days_to_placement,
)
from portal.reporting.tables import SUPPRESSED_MARKER, SuppressedTable
from portal.services.statistics import NoData, statistics_tables, worker_facts
from tests.conftest import Factory
from tests.market import active_worker, open_vacancy, region

C = SUPPRESSED_MARKER
K = 5
REGISTERED = datetime(2026, 3, 10, 12, tzinfo=UTC)
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
SECTOR_8 = "8 Plant and machine operators, and assemblers"
SECTOR_9 = "9 Elementary occupations"
P = PlacementState


@dataclass(frozen=True)
class Portal:
    north: Region
    south: Region
    v1: Vacancy
    v3: Vacancy


def _people(
    session: Session, where: Region, sex: Sex, count: int, *, skills: bool = True
) -> list[Worker]:
    workers = [
        active_worker(
            session,
            where,
            name=f"{sex.value}-{where.name}-{number}",
            sex=sex,
            birth_year=1990,
            skills=(f"https://skills-portal.example/test/skill/s{number}",) if skills else (),
        )
        for number in range(count)
    ]
    for worker in workers:
        worker.created_at = REGISTERED
    session.commit()
    return workers


def _match(worker: Worker, vacancy: Vacancy, **facts: object) -> Match:
    values: dict[str, object] = {"score": 70.0, "essential_coverage": 1.0, "eligible": True}
    values.update(facts)
    return Match(worker_id=worker.id, vacancy_id=vacancy.id, explanation={}, **values)


def _placement(
    worker: Worker,
    vacancy: Vacancy,
    states: tuple[PlacementState, ...],
    *,
    days: int = 0,
    score: float = 70.0,
    fee_asked: bool | None = None,
) -> Placement:
    """A placement that went proposed → offered → ... through `states`, each step a day apart
    except acceptance, which comes `days` after registration."""
    steps = (P.PROPOSED, *states)
    events = []
    for number, (before, after) in enumerate(zip((None, *steps), steps, strict=False)):
        at = REGISTERED + timedelta(days=days if after is P.ACCEPTED else number, hours=1)
        events.append(PlacementEvent(at=at, actor_label="test", from_state=before, to_state=after))
    return Placement(
        worker_id=worker.id,
        vacancy_id=vacancy.id,
        state=steps[-1],
        score=score,
        fee_asked=fee_asked,
        created_at=REGISTERED,
        events=events,
    )


@pytest.fixture
def portal(session: Session, make: Factory) -> Portal:
    employer = make.user(Role.EMPLOYER)
    north, south = region(session, "North"), region(session, "South")
    v1 = open_vacancy(session, employer, north, positions=20, isco_code="8344")
    open_vacancy(session, employer, south, positions=3, isco_code="9333", title="Handler")
    v3 = open_vacancy(session, employer, north, positions=5, isco_code="9333", title="Porter")
    v1.positions_taken = 8
    v3.positions_taken, v3.state = 5, VacancyState.FILLED

    women = _people(session, north, Sex.FEMALE, 14)
    for worker in women[11:]:
        worker.skills.clear()
    women[11].skills.append(WorkerSkill(words="sewing", source=SkillSource.TYPED))
    men = _people(session, north, Sex.MALE, 12)
    men[11].skills.clear()
    _people(session, south, Sex.FEMALE, 3, skills=False)
    _people(session, south, Sex.MALE, 6)

    accepted = (P.OFFERED, P.ACCEPTED)
    session.add_all(
        [
            *(
                _placement(w, v1, accepted, days=days, score=score, fee_asked=w is women[0])
                for w, days, score in zip(
                    women[:5], (10, 12, 14, 20, 30), (80, 70, 60, 50, 40), strict=True
                )
            ),
            *(_placement(w, v1, (P.OFFERED, P.DECLINED)) for w in women[5:7]),
            *(_match(w, v1) for w in women[:10]),
            _match(women[10], v1, eligible=False),
            *(
                _placement(m, v1, accepted, days=days, fee_asked=False)
                for m, days in zip(men[:3], (5, 6, 7), strict=True)
            ),
            *(
                _placement(m, v3, (*accepted, P.STARTED), days=days)
                for m, days in zip(men[3:8], (8, 9, 10, 11, 12), strict=True)
            ),
            *(_match(m, v1, score=60.0) for m in men[:9]),
            _match(men[9], v1, essential_coverage=0.5),
            _match(men[10], v1, score=39.0),
            *(
                WorkerQualification(worker_id=w.id, title="Diploma", recognition=recognition)
                for w, recognition in (
                    (women[0], Recognition.RECOGNISED),
                    (women[1], Recognition.RECOGNISED),
                    (women[1], Recognition.RECOGNISED),
                    (women[2], Recognition.RECOGNISED),
                    (women[3], Recognition.PARTLY_RECOGNISED),
                    (women[4], Recognition.REFUSED),
                )
            ),
            ErasedWorkerTally(
                registered_month="2026-03",
                sex="female",
                age_band="35-44",
                country_of_origin="UA",
                region="North",
                count=1,
            ),
        ]
    )
    draft = _people(session, north, Sex.FEMALE, 1)[0]
    draft.status = ProfileStatus.DRAFT
    earlier = _people(session, north, Sex.MALE, 1)[0]
    earlier.created_at = datetime(2025, 6, 1, tzinfo=UTC)
    session.commit()
    return Portal(north=north, south=south, v1=v1, v3=v3)


def _tables(session: Session, *by: str, **options: object) -> dict[str, SuppressedTable]:
    tables = statistics_tables(session, by=by, k=K, period=MARCH, **options)  # type: ignore[arg-type]
    return {table.name: table for table in tables}


def _shown(table: SuppressedTable) -> list[tuple[object, ...]]:
    """Rows as a reader sees them, each with its total, then the totals row."""
    lines = [
        (label, *(cell.shown() for cell in cells), total.shown())
        for label, cells, total in zip(table.rows, table.cells, table.row_totals, strict=True)
    ]
    totals = ("total", *(cell.shown() for cell in table.column_totals), table.total.shown())
    return [*lines, totals]


pytestmark = pytest.mark.usefixtures("portal")


def test_registered_by_region_withholds_the_small_count_and_the_rectangle_around_it(
    session: Session,
) -> None:
    # True counts (female, male, other, not-stated): North 15 (14 + 1 erased), 12; South 3, 6.
    # South's 3 women is below k. Alone in its row and column it would be total minus the rest,
    # so South's 6 men and North's women and men go too; each withheld cell then spans 7 values
    # (North women anywhere in 10..17), so the margins are published.
    table = _tables(session, "region")["registered_by_region"]

    assert _shown(table) == [
        ("North", C, C, 0, 0, 27),
        ("South", C, C, 0, 0, 9),
        ("total", 18, 18, 0, 0, 36),
    ]
    assert table.k == K
    assert "erased" in str(table.definition)


def test_registered_by_sector_follows_the_placement_before_the_best_match(
    session: Session,
) -> None:
    # Sector 8: W1-W10, M1-M3, M9 (4 men, below k); sector 9: M4-M8 (placed at V3 although
    # their best match is V1); not stated: W11-W14, 3 South women, the erased woman; M10-M12
    # and 6 South men. The 4 is hidden with 8-female (its row) and, for the column, the
    # not-stated row (its crossing row already has a withheld cell, so it is cheaper than 9).
    table = _tables(session, "sector")["registered_by_sector"]

    assert _shown(table) == [
        (SECTOR_8, C, C, 0, 0, 14),
        (SECTOR_9, 0, 5, 0, 0, 5),
        ("not stated", C, C, 0, 0, 17),
        ("total", 18, 18, 0, 0, 36),
    ]


def test_indicator_counts_by_region_are_exact_where_large(session: Session) -> None:
    tables = _tables(session, "region")

    assert _shown(tables["with_skills_by_region"]) == [
        ("North", 11, 11, 0, 0, 22),
        ("South", 0, 6, 0, 0, 6),
        ("total", 11, 17, 0, 0, 28),
    ]
    assert _shown(tables["matched_by_region"])[0] == ("North", 10, 9, 0, 0, 19)
    assert _shown(tables["offered_by_region"])[0] == ("North", 7, 8, 0, 0, 15)
    assert _shown(tables["placed_by_region"]) == [
        ("North", 5, 8, 0, 0, 13),
        ("South", 0, 0, 0, 0, 0),
        ("total", 5, 8, 0, 0, 13),
    ]


def test_small_counts_are_withheld_and_zeros_shown(session: Session) -> None:
    tables = _tables(session, "region")

    # W1-W4 have a recognised qualification (W4 partly; W5's was refused): 4 is below k.
    assert _shown(tables["recognised_qualifications_by_region"]) == [
        ("North", C, 0, 0, 0, C),
        ("South", 0, 0, 0, 0, 0),
        ("total", C, 0, 0, 0, C),
    ]
    # One fee report (M1 answered no).
    assert _shown(tables["fee_reported_by_region"])[0] == ("North", C, 0, 0, 0, C)


def test_vacancy_tables_by_sector_and_region_are_not_by_sex(session: Session) -> None:
    tables = _tables(session, "region")

    positions = tables["positions_by_sector"]
    # Open positions / taken: sector 8 (V1) 12 / 8, sector 9 3 (V2, below k) / 5 (V3): the
    # rectangle goes, each withheld cell spanning 6 values.
    assert positions.columns == ("open", "filled")
    assert _shown(positions) == [
        (SECTOR_8, C, C, 20),
        (SECTOR_9, C, C, 8),
        ("total", 15, 13, 28),
    ]
    assert set(tables) >= {"vacancies_by_sector", "vacancies_by_region", "positions_by_region"}


def test_gender_gaps_measured_on_the_facts(session: Session) -> None:
    facts = list(worker_facts(session, period=MARCH, filters=None))
    gaps = {gap.stage: gap for gap in gender_gaps(facts)}

    assert (gaps["placed"].women, gaps["placed"].women_registered) == (5, 18)
    assert (gaps["placed"].men, gaps["placed"].men_registered) == (8, 18)
    assert gaps["placed"].ratio == pytest.approx(5 / 8)
    assert gaps["placed"].flagged
    assert gaps["with_skills"].ratio == pytest.approx(11 / 17)
    assert gaps["matched"].ratio == pytest.approx(10 / 9)
    assert not gaps["matched"].flagged
    assert gaps["offered"].ratio == pytest.approx(7 / 8)


def test_days_to_placement_and_scores_by_sex(session: Session) -> None:
    facts = list(worker_facts(session, period=MARCH, filters=None))
    days = {measure.sex: measure for measure in median_days_to_placement(facts)}
    scores = {measure.sex: measure for measure in mean_placement_score(facts)}

    assert (days["female"].value, days["female"].base) == (14, 5)
    assert (days["male"].value, days["male"].base) == (8.5, 8)
    assert (scores["female"].value, scores["male"].value) == (60.0, 70.0)


def test_filters_narrow_the_population(session: Session) -> None:
    table = _tables(session, "age_band", filters={"region": "South"})["registered_by_age_band"]

    assert _shown(table) == [("35-44", C, C, 0, 0, 9), ("total", C, C, 0, 0, 9)]


def test_a_period_without_registrations_is_no_data(session: Session) -> None:
    with pytest.raises(NoData):
        statistics_tables(
            session, by=["region"], k=K, period=(date(2024, 1, 1), date(2024, 12, 31))
        )


def test_all_time_counts_the_earlier_worker(session: Session) -> None:
    tables = statistics_tables(session, by=["month"], k=K, period=None)
    registered = {table.name: table for table in tables}["registered_by_month"]

    assert registered.rows == ("2025-06", "2026-03")
    assert registered.total.value == 37


@pytest.mark.parametrize(
    ("by", "k", "message"),
    [(["colour"], K, "unknown dimension 'colour'"), (["region"], 4, "k must be")],
)
def test_bad_requests_are_refused_before_reading_workers(
    session: Session, by: list[str], k: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        statistics_tables(session, by=by, k=k, period=(date(2024, 1, 1), date(2024, 1, 31)))


def test_the_placement_rate_is_placed_over_registered_and_withheld_on_a_small_base(
    session: Session,
) -> None:
    tables = _tables(session, "region")
    rates, placed, registered = (
        tables[f"{name}_by_region"] for name in ("placement_rate", "placed", "registered")
    )
    assert rates.rows == registered.rows and rates.columns == registered.columns
    for rate_row, top_row, base_row in zip(
        rates.cells, placed.cells, registered.cells, strict=True
    ):
        for rate, top, base in zip(rate_row, top_row, base_row, strict=True):
            if top.suppressed or base.suppressed or base.value is None or base.value < K:
                assert rate.suppressed
            else:
                assert rate.value == pytest.approx(top.value / base.value)
    assert rates.total.value == pytest.approx(13 / registered.total.value)


def test_time_to_placement_and_score_by_region_and_sex_withhold_small_bases(
    session: Session,
) -> None:
    tables = _tables(session, "region")
    days, scores = tables["days_to_placement_by_region"], tables["placement_score_by_region"]

    # every placed worker is in North: 5 women (>= k) and 8 men
    assert _shown(days)[0][:3] == ("North", 14, 8.5)
    assert _shown(scores)[0][:3] == ("North", 60.0, 70.0)
    assert _shown(days)[1][1:] == ("[c]",) * 5  # nobody placed in South: nothing to show
    assert (days.column_totals[0].value, days.column_totals[1].value) == (14, 8.5)
    assert days.column_totals[2].suppressed  # "other": nobody placed
