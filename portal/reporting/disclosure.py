"""Small-cell suppression: publish counts by sex without letting anyone work out a small one.

Counts from 1 to k−1 (cells and totals alike) are withheld. Zeros are published: "nobody" is not
about a person, and the issue asks that zeros stay zeros. Further cells are then withheld until no
withheld cell can be pinned down from what is published: for each one, the values it could take
given the published cells, the totals and the sums, with every withheld cell at least 1 (a reader
who knows the rule knows that zeros are never withheld), span at least k. That range is checked
with linear programming; for tables with margins the constraint matrix is totally unimodular, so
the real-valued range has integer ends and an integer-minded reader learns nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
from scipy.optimize import linprog

from portal.reporting.tables import WITHHELD, Cell, SuppressedTable, Table
from portal.text import N_, Message, Text

DEFAULT_K = 10
MIN_K = 5
"""The issue: "k configurable, default 10, never below 5"."""

Position = tuple[int, int]
Grid = tuple[tuple[int, ...], ...]
"""A table with its margins: the last column holds row totals, the last row column totals."""

_TOLERANCE = 1e-7


def describe_rule(k: int) -> Message:
    """The rule in words, for the metadata of an export and the statistics page."""
    return Message(
        N_(
            "Counts from 1 to %(largest)d are not shown, nor totals in that range; further cells "
            "and totals are withheld where they would let such a count be worked out, so that "
            "every withheld figure could be any of at least %(k)d values. Zeros are shown. Rates "
            "and means are withheld when their base is withheld or below %(k)d."
        ),
        {"largest": k - 1, "k": k},
    )


def suppress(table: Table, k: int = DEFAULT_K) -> SuppressedTable:
    """The publishable version of `table`: small counts withheld, and what would reveal them."""
    _check_k(k)
    grid = _with_margins(table)
    withheld = _secondary_suppression(grid, _primary_suppression(grid, k), k)
    cell = _publisher(grid, withheld)
    last_row, last_col = len(table.rows), len(table.columns)
    return SuppressedTable(
        name=table.name,
        title=table.title,
        row_dimension=table.row_dimension,
        column_dimension=table.column_dimension,
        rows=table.rows,
        columns=table.columns,
        cells=tuple(tuple(cell(row, col) for col in range(last_col)) for row in range(last_row)),
        row_totals=tuple(cell(row, last_col) for row in range(last_row)),
        column_totals=tuple(cell(last_row, col) for col in range(last_col)),
        total=cell(last_row, last_col),
        k=k,
        definition=table.definition,
    )


def suppress_ratio(numerator: Cell, denominator: Cell, k: int = DEFAULT_K) -> Cell:
    """A rate such as placed / registered; withheld when its base is withheld or below k (a zero
    base included), and when its numerator is withheld (rate × base would give it back)."""
    _check_k(k)
    if numerator.value is None or denominator.value is None or denominator.value < k:
        return WITHHELD
    return Cell(numerator.value / denominator.value)


def suppress_mean(mean: float | None, base: Cell, k: int = DEFAULT_K) -> Cell:
    """A mean over `base` people (e.g. days to placement); withheld when the base is withheld or
    below k, since a mean over a few people describes those people."""
    _check_k(k)
    if mean is None or base.value is None or base.value < k:
        return WITHHELD
    return Cell(mean)


def rate_table(
    numerator: SuppressedTable,
    denominator: SuppressedTable,
    *,
    name: str,
    title: Text,
    definition: Text = "",
) -> SuppressedTable:
    """Cell-by-cell rates of two published tables of the same shape, margins included."""
    if (numerator.rows, numerator.columns) != (denominator.rows, denominator.columns):
        raise ValueError(
            f"rate table {name}: {numerator.name} and {denominator.name} differ in shape"
        )
    k = max(numerator.k, denominator.k)

    def rates(tops: Iterable[Cell], bases: Iterable[Cell]) -> tuple[Cell, ...]:
        return tuple(suppress_ratio(top, base, k) for top, base in zip(tops, bases, strict=True))

    return SuppressedTable(
        name=name,
        title=title,
        row_dimension=numerator.row_dimension,
        column_dimension=numerator.column_dimension,
        rows=numerator.rows,
        columns=numerator.columns,
        cells=tuple(rates(a, b) for a, b in zip(numerator.cells, denominator.cells, strict=True)),
        row_totals=rates(numerator.row_totals, denominator.row_totals),
        column_totals=rates(numerator.column_totals, denominator.column_totals),
        total=suppress_ratio(numerator.total, denominator.total, k),
        k=k,
        definition=definition,
    )


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_K:
        raise ValueError(f"k must be a whole number of at least {MIN_K}, not {k!r}")


def _with_margins(table: Table) -> Grid:
    lines = [(*line, total) for line, total in zip(table.counts, table.row_totals, strict=True)]
    lines.append((*table.column_totals, table.total))
    return tuple(lines)


def _publisher(grid: Grid, withheld: frozenset[Position]) -> Callable[[int, int], Cell]:
    def cell(row: int, col: int) -> Cell:
        return WITHHELD if (row, col) in withheld else Cell(grid[row][col])

    return cell


def _primary_suppression(grid: Grid, k: int) -> frozenset[Position]:
    """Counts and totals from 1 to k−1."""
    return frozenset(
        (row, col)
        for row, line in enumerate(grid)
        for col, count in enumerate(line)
        if 0 < count < k
    )


def _secondary_suppression(grid: Grid, primary: frozenset[Position], k: int) -> frozenset[Position]:
    """Withhold more until every withheld figure spans at least k values.

    First the cheap rule (no row or column, margins included, with a single withheld figure),
    then the exact check; each round withholds one more figure, so it ends (at worst with every
    non-zero figure withheld, where each one is unbounded). Withholding more only widens ranges,
    so a figure once proven wide is not checked again."""
    withheld = set(primary)
    proven: set[Position] = set()
    while True:
        _withhold_lone_cells(grid, withheld)
        narrow = _first_narrow_cell(grid, withheld, k, proven=proven)
        if narrow is None:
            return frozenset(withheld)
        withheld.add(_widening_cell(grid, withheld, narrow))


def _lines(grid: Grid) -> list[list[Position]]:
    """Every row and column of the table with its margins; each sums to its last figure."""
    height, width = len(grid), len(grid[0])
    rows = [[(row, col) for col in range(width)] for row in range(height)]
    cols = [[(row, col) for row in range(height)] for col in range(width)]
    return rows + cols


def _crossing_line(grid: Grid, position: Position, along_row: bool) -> list[Position]:
    """The other line through `position`: its column when met along a row, and vice versa."""
    row, col = position
    if along_row:
        return [(other, col) for other in range(len(grid))]
    return [(row, other) for other in range(len(grid[0]))]


def _cost(
    grid: Grid, withheld: set[Position], position: Position, along_row: bool
) -> tuple[int, ...]:
    """Which figure to withhold next, cheapest first: an inner cell before a total; one whose
    crossing line has exactly one withheld figure (this fixes it too), then one with several,
    then none (which would start a new cascade); then the smallest; then the first."""
    row, col = position
    is_margin = row == len(grid) - 1 or col == len(grid[0]) - 1
    crossing = sum(p in withheld for p in _crossing_line(grid, position, along_row))
    crossing_rank = 0 if crossing == 1 else 1 if crossing > 1 else 2
    return (is_margin, crossing_rank, grid[row][col], row, col)


def _cheapest(
    grid: Grid, withheld: set[Position], lines: Sequence[tuple[list[Position], bool]]
) -> Position | None:
    candidates = [
        (_cost(grid, withheld, p, along_row), p)
        for line, along_row in lines
        for p in line
        if p not in withheld and grid[p[0]][p[1]] > 0
    ]
    return min(candidates)[1] if candidates else None


def _withhold_lone_cells(grid: Grid, withheld: set[Position]) -> None:
    """A line with one withheld figure gives it away (total minus the rest): withhold another."""
    height = len(grid)
    changed = True
    while changed:
        changed = False
        for index, line in enumerate(_lines(grid)):
            if sum(p in withheld for p in line) == 1:
                choice = _cheapest(grid, withheld, [(line, index < height)])
                if choice is not None:
                    withheld.add(choice)
                    changed = True


def _widening_cell(grid: Grid, withheld: set[Position], narrow: Position) -> Position:
    """A figure to withhold so that `narrow` gains room: one in its row or column, else any."""
    row, col = narrow
    own = [
        ([(row, other) for other in range(len(grid[0]))], True),
        ([(other, col) for other in range(len(grid))], False),
    ]
    choice = _cheapest(grid, withheld, own) or _cheapest(
        grid, withheld, [(line, True) for line in _lines(grid)[: len(grid)]]
    )
    if choice is None:  # pragma: no cover - every figure withheld leaves each one unbounded
        raise RuntimeError(f"nothing left to withhold next to {narrow}")
    return choice


def _first_narrow_cell(
    grid: Grid, withheld: set[Position], k: int, *, proven: set[Position]
) -> Position | None:
    """The first withheld figure that a reader could place within fewer than k values; the
    ones found wide on the way are added to `proven`."""
    ordered = sorted(withheld)
    equations, targets = _published_sums(grid, ordered)
    for index, position in enumerate(ordered):
        if position in proven:
            continue
        low, high = _feasible_range(equations, targets, len(ordered), index)
        if high - low < k - _TOLERANCE:
            return position
        proven.add(position)
    return None


def _published_sums(grid: Grid, ordered: list[Position]) -> tuple[np.ndarray, np.ndarray]:
    """The sums a reader knows, over the withheld figures: (inner cells − total) of each line
    equals minus what is published of it."""
    index = {p: i for i, p in enumerate(ordered)}
    rows: list[np.ndarray] = []
    targets: list[float] = []
    for line in _lines(grid):
        coefficients = np.zeros(len(ordered))
        target = 0.0
        for position in line:
            row, col = position
            sign = -1.0 if position == line[-1] else 1.0
            if position in index:
                coefficients[index[position]] = sign
            else:
                target -= sign * grid[row][col]
        if coefficients.any():
            rows.append(coefficients)
            targets.append(target)
    return np.array(rows), np.array(targets)


def _feasible_range(
    equations: np.ndarray, targets: np.ndarray, count: int, index: int
) -> tuple[float, float]:
    """Least and greatest value of withheld figure `index` given the published sums, each
    withheld figure at least 1 (zeros are never withheld)."""
    objective = np.zeros(count)
    ends: list[float] = []
    for sign in (1.0, -1.0):
        objective[index] = sign
        result = linprog(
            objective, A_eq=equations, b_eq=targets, bounds=[(1, None)] * count, method="highs"
        )
        if result.status == 3:
            ends.append(-sign * np.inf)
        elif result.status == 0:
            ends.append(sign * result.fun)
        else:  # pragma: no cover - the true counts always satisfy the published sums
            raise RuntimeError(f"suppression check failed: {result.message}")
    return ends[0], ends[1]
