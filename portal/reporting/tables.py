"""Tables of counts by sex, before and after suppression.

`Table` holds true counts and is what services build; `SuppressedTable` holds only what may be
published. Writers accept only the latter, so a table cannot be exported without suppression.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.text import N_, Text

SEX_COLUMNS = ("female", "male", "other", "not-stated")
"""The columns of every table by sex, in the order we publish them."""

SUPPRESSED_MARKER = "[c]"
"""What a reader sees instead of a withheld figure ("confidential", the ONS convention).

One marker for every withheld cell: a count below k and a cell withheld only to protect it look
the same, since telling them apart would let a reader narrow both down."""

TOTAL_LABEL = N_("total")


@dataclass(frozen=True, kw_only=True)
class Table:
    """Counts of people, rows (e.g. regions) × columns (sex), with margins computed, not stored."""

    name: str
    title: Text
    row_dimension: str
    rows: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    columns: tuple[str, ...] = SEX_COLUMNS
    column_dimension: str = "sex"
    definition: Text = ""

    def __post_init__(self) -> None:
        if len(self.counts) != len(self.rows):
            raise ValueError(
                f"table {self.name}: {len(self.rows)} rows but {len(self.counts)} count lines"
            )
        for label, line in zip(self.rows, self.counts, strict=True):
            if len(line) != len(self.columns):
                raise ValueError(
                    f"table {self.name}: row {label!r} has {len(line)} counts, "
                    f"expected {len(self.columns)}"
                )
            for count in line:
                if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                    raise ValueError(f"table {self.name}: row {label!r}: {count!r} is not a count")
        for kind, labels in (("row", self.rows), ("column", self.columns)):
            if len(set(labels)) != len(labels):
                raise ValueError(f"table {self.name}: {kind} labels repeat")

    @property
    def row_totals(self) -> tuple[int, ...]:
        return tuple(sum(line) for line in self.counts)

    @property
    def column_totals(self) -> tuple[int, ...]:
        return tuple(sum(line[col] for line in self.counts) for col in range(len(self.columns)))

    @property
    def total(self) -> int:
        return sum(self.row_totals)


@dataclass(frozen=True)
class Cell:
    """A published figure: a count, a rate or a mean, or withheld (`value` None)."""

    value: int | float | None

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def shown(self) -> int | float | str:
        """What a reader sees: the number, or the marker."""
        return SUPPRESSED_MARKER if self.value is None else self.value


WITHHELD = Cell(None)


class _NotApplicable(Cell):
    """A figure that does not exist (the total of rates): shown empty, not as withheld."""

    def shown(self) -> int | float | str:
        return ""


NOT_APPLICABLE = _NotApplicable(None)


@dataclass(frozen=True, kw_only=True)
class SuppressedTable:
    """What may be published of a table: its labels and cells, some withheld, and the k used."""

    name: str
    title: Text
    row_dimension: str
    column_dimension: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...]
    column_totals: tuple[Cell, ...]
    total: Cell
    k: int
    definition: Text = ""

    def __post_init__(self) -> None:
        shape_ok = (
            len(self.cells) == len(self.rows) == len(self.row_totals)
            and all(len(line) == len(self.columns) for line in self.cells)
            and len(self.column_totals) == len(self.columns)
        )
        if not shape_ok:
            raise ValueError(f"table {self.name}: cells and totals do not fit the labels")
