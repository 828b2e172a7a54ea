"""Small-cell suppression, checked the way a reader would attack it: with linear programming.

The property (`assert_protected`): for every withheld figure, cell or total, the values it could
take given everything published — the published cells and totals, that each row and column sums
to its total, and that every withheld figure is at least 1 (a reader who knows the rule knows that
zeros are never withheld) — form an interval at least k wide (max − min ≥ k, integers relaxed to
reals). A reader who only assumes figures ≥ 0 gets wider intervals still. So a reader cannot even
tell whether a withheld count is below k, let alone which value below k it has. The checker below
is written apart from the one in `disclosure` (all figures as variables, published ones fixed).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from portal.reporting import disclosure
from portal.reporting.disclosure import (
    rate_table,
    suppress,
    suppress_mean,
    suppress_ratio,
)
from portal.reporting.tables import SUPPRESSED_MARKER, WITHHELD, Cell, SuppressedTable, Table

Grid = list[list[int]]


def make_table(counts: list[list[int]] | tuple[tuple[int, ...], ...]) -> Table:
    return Table(
        name="placed_by_sex_and_region",
        title="Placed workers by sex and region",
        row_dimension="region",
        rows=tuple(f"region {index}" for index in range(len(counts))),
        counts=tuple(tuple(line) for line in counts),
    )


def true_grid(table: Table) -> Grid:
    """The table with its margins: row totals last in each row, column totals in the last row."""
    grid = [[*line, total] for line, total in zip(table.counts, table.row_totals, strict=True)]
    grid.append([*table.column_totals, table.total])
    return grid


def published_grid(result: SuppressedTable) -> list[list[int | float | None]]:
    grid = [
        [cell.value for cell in (*line, total)]
        for line, total in zip(result.cells, result.row_totals, strict=True)
    ]
    grid.append([cell.value for cell in (*result.column_totals, result.total)])
    return grid


def withheld_positions(result: SuppressedTable) -> set[tuple[int, int]]:
    return {
        (row, col)
        for row, line in enumerate(published_grid(result))
        for col, value in enumerate(line)
        if value is None
    }


def reader_range(result: SuppressedTable, position: tuple[int, int]) -> tuple[float, float]:
    """Least and greatest value of a withheld figure consistent with what `result` publishes."""
    grid = published_grid(result)
    height, width = len(grid), len(grid[0])
    count = height * width

    def var(row: int, col: int) -> int:
        return row * width + col

    equations = []
    for row in range(height):  # inner cells of each row (totals row included) sum to its total
        line = np.zeros(count)
        line[[var(row, col) for col in range(width - 1)]] = 1
        line[var(row, width - 1)] = -1
        equations.append(line)
    for col in range(width):
        line = np.zeros(count)
        line[[var(row, col) for row in range(height - 1)]] = 1
        line[var(height - 1, col)] = -1
        equations.append(line)
    bounds = [(1, None) if value is None else (value, value) for line in grid for value in line]
    ends = []
    for sign in (1, -1):
        objective = np.zeros(count)
        objective[var(*position)] = sign
        answer = linprog(
            objective,
            A_eq=np.array(equations),
            b_eq=np.zeros(len(equations)),
            bounds=bounds,
            method="highs",
        )
        assert answer.status in (0, 3), answer.message
        ends.append(-sign * np.inf if answer.status == 3 else sign * answer.fun)
    return ends[0], ends[1]


def narrow_figures(table: Table, result: SuppressedTable) -> list[tuple[int, int]]:
    """Withheld figures a reader can place within fewer than k values (should be none)."""
    narrow = []
    truth = true_grid(table)
    for position in sorted(withheld_positions(result)):
        low, high = reader_range(result, position)
        value = truth[position[0]][position[1]]
        assert low - 1e-6 <= value <= high + 1e-6, "the checker must admit the true value"
        if high - low < result.k - 1e-6:
            narrow.append(position)
    return narrow


# Hand-made tables (k = 10); positions are (row, column) with column 4 the row total and the
# last row the column totals.
NOTHING_SMALL = [[12, 40, 0, 33], [25, 18, 11, 0]]
ONE_SMALL = [[3, 50, 60, 70], [20, 40, 0, 12], [30, 30, 30, 30]]
SMALL_ROW_TOTAL = [[2, 3, 0, 0], [40, 50, 60, 70], [30, 20, 25, 35]]
BLOCK_OF_ONES = [[1, 1, 50, 50], [1, 1, 50, 50], [50, 50, 50, 50]]


def test_a_table_without_small_counts_is_published_whole() -> None:
    table = make_table(NOTHING_SMALL)

    result = suppress(table)

    assert withheld_positions(result) == set()
    assert published_grid(result) == true_grid(table)


def test_a_small_count_is_protected_by_a_rectangle_of_withheld_cells() -> None:
    """3 is withheld; its row would give it back, so the smallest other cell there (50) goes too;
    columns 0 and 1 then need a partner each: 20, then 40 rather than the smaller 30, because 40's
    row already has one withheld cell — one rectangle instead of a cascade. Totals stay."""
    result = suppress(make_table(ONE_SMALL))

    assert withheld_positions(result) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert [cell.shown() for cell in result.cells[0]] == [SUPPRESSED_MARKER] * 2 + [60, 70]
    assert [cell.value for cell in result.row_totals] == [183, 72, 120]


def test_a_small_row_total_is_withheld_and_protected_among_the_totals() -> None:
    """Row 0 sums to 5: its cells and its total go; the total needs a partner among the row
    totals (110, whose row already holds the partners 30 and 20 of the small cells)."""
    result = suppress(make_table(SMALL_ROW_TOTAL))

    assert withheld_positions(result) == {(0, 0), (0, 1), (0, 4), (2, 0), (2, 1), (2, 4)}
    assert result.total.value == 335
    assert [cell.value for cell in result.cells[0]][2:] == [0, 0]


def test_lines_with_two_withheld_cells_can_still_give_them_away() -> None:
    """Four 1s: every row and column holds two withheld cells, yet row 0 shows they sum to 2.
    The exact check withholds more; the rule of two alone would not."""
    table = make_table(BLOCK_OF_ONES)

    result = suppress(table)

    assert narrow_figures(table, result) == []
    assert len(withheld_positions(result)) > 4


def test_without_the_exact_check_the_block_of_ones_is_given_away(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = make_table(BLOCK_OF_ONES)
    monkeypatch.setattr(disclosure, "_first_narrow_cell", lambda *args, **kwargs: None)

    result = suppress(table)

    assert withheld_positions(result) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert narrow_figures(table, result) == [(0, 0), (0, 1), (1, 0), (1, 1)]


@pytest.mark.parametrize("secondary", [True, False], ids=["with", "without"])
def test_the_checker_fails_without_secondary_suppression(
    monkeypatch: pytest.MonkeyPatch, secondary: bool
) -> None:
    """Shows the property test can fail: with primary suppression only, 3 = 183 − 60 − 70 − 50."""
    if not secondary:
        monkeypatch.setattr(disclosure, "_secondary_suppression", lambda grid, primary, k: primary)
    table = make_table(ONE_SMALL)

    narrow = narrow_figures(table, suppress(table))

    assert (narrow == []) is secondary


@pytest.mark.parametrize("k", [4, 0, -10, True])
def test_k_below_five_is_refused(k: int) -> None:
    with pytest.raises(ValueError, match="at least 5"):
        suppress(make_table(ONE_SMALL), k=k)


def test_k_sets_the_threshold() -> None:
    table = make_table([[6, 50, 60, 70], [20, 40, 30, 12]])

    assert withheld_positions(suppress(table, k=5)) == set()
    assert (0, 0) in withheld_positions(suppress(table, k=7))


counts = st.one_of(st.just(0), st.integers(1, 12), st.integers(1, 60), st.integers(60, 400))
tables = st.integers(2, 8).flatmap(
    lambda height: st.lists(
        st.lists(counts, min_size=4, max_size=4), min_size=height, max_size=height
    )
)


@settings(max_examples=60, deadline=None)
@given(tables, st.integers(5, 12))
def test_suppression_hides_small_counts_and_what_would_reveal_them(
    counts_by_row: list[list[int]], k: int
) -> None:
    table = make_table(counts_by_row)

    result = suppress(table, k)

    truth, shown = true_grid(table), published_grid(result)
    for true_line, shown_line in zip(truth, shown, strict=True):
        for value, published in zip(true_line, shown_line, strict=True):
            assert published is None or published == value  # published figures are true
            assert published is None or not 0 < published < k  # nothing small is shown
            assert value != 0 or published == 0  # zeros stay zeros
    assert narrow_figures(table, result) == []
    assert suppress(table, k) == result  # the same table gives the same suppression


def test_a_rate_is_withheld_when_its_base_is_small_or_withheld() -> None:
    assert suppress_ratio(Cell(12), Cell(40)) == Cell(0.3)
    assert suppress_ratio(Cell(0), Cell(40)) == Cell(0.0)
    assert suppress_ratio(Cell(3), Cell(9)).suppressed
    assert suppress_ratio(Cell(0), Cell(0)).suppressed
    assert suppress_ratio(Cell(12), WITHHELD).suppressed
    assert suppress_ratio(WITHHELD, Cell(400)).suppressed  # rate × base would give it back
    assert suppress_ratio(Cell(6), Cell(6), k=5) == Cell(1.0)


def test_a_mean_over_few_people_is_withheld() -> None:
    assert suppress_mean(12.5, Cell(10)) == Cell(12.5)
    assert suppress_mean(12.5, Cell(9)).suppressed
    assert suppress_mean(12.5, WITHHELD).suppressed
    assert suppress_mean(None, Cell(50)).suppressed


def test_a_rate_table_follows_its_counts() -> None:
    placed = suppress(make_table(ONE_SMALL))
    registered = suppress(make_table([[40, 100, 120, 140], [40, 80, 9, 24], [60, 60, 60, 60]]))

    rates = rate_table(placed, registered, name="placement_rate", title="Placement rate")

    assert [cell.value for cell in rates.cells[0]] == [None, None, 0.5, 0.5]
    assert rates.cells[1][2].suppressed  # base 9, withheld in `registered`
    assert rates.total == Cell(375 / 793)


@pytest.mark.parametrize(
    "counts",
    [((1, 2, 3),), ((1, 2, 3, -1),), ((1, 2, 3, 1.5),), ((1, 2, 3, True),), ((1, 2, 3, 4), ())],
)
def test_a_table_refuses_counts_that_are_not_counts(counts: tuple[tuple[int, ...], ...]) -> None:
    with pytest.raises(ValueError, match="table placed"):
        make_table(counts)


def test_a_table_computes_its_totals() -> None:
    table = make_table(ONE_SMALL)

    assert table.row_totals == (183, 72, 120)
    assert table.column_totals == (53, 120, 90, 112)
    assert table.total == 375
