"""Bar charts of published tables as inline SVG, drawn on the server so they need no script.

Horizontal bars, grouped by row: on a phone a row label gets the full width above its bars, and
long labels (ISCO sectors) never collide. Only presentation attributes and CSS classes are used:
the Content-Security-Policy forbids inline styles. The chart repeats what its HTML table says; the
table stays the accessible source, the chart a summary named by its <title> and <desc>. Its words
are put in the reader's language by the `translate` the page gives (English by default).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.reporting.labels import label
from portal.reporting.tables import SUPPRESSED_MARKER, Cell, SuppressedTable
from portal.text import N_, Message, Translate, lazy_ngettext

WIDTH = 320
LABEL_WIDTH = 78
"""Room for the column name (e.g. "not-stated") left of each bar."""
VALUE_ROOM = 44
"""Room right of the longest bar for its number."""
BAR_HEIGHT = 12
BAR_GAP = 4
ROW_LABEL_HEIGHT = 18
ROW_GAP = 10
PALETTE = ("#7a3e9d", "#00703c", "#b35900", "#505a5f")
"""Fallback fills, one per column, when the stylesheet is missing; portal.css sets the same."""


def bar_chart_svg(table: SuppressedTable, *, chart_id: str, translate: Translate = str) -> Markup:
    """`table`'s cells as grouped horizontal bars, one group per row and one bar per column
    (sex), scaled to the largest shown value; a withheld cell is no bar and the marker."""
    largest = max((_number(cell) for line in table.cells for cell in line), default=0.0)
    scale = (WIDTH - LABEL_WIDTH - VALUE_ROOM) / largest if largest > 0 else 0.0
    group_height = ROW_LABEL_HEIGHT + len(table.columns) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    height = max(group_height * len(table.rows), ROW_LABEL_HEIGHT)
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            'viewBox="0 0 {width} {height}" aria-labelledby="{id}-title {id}-desc">'
        ).format(width=WIDTH, height=height, id=chart_id),
        Markup('<title id="{id}-title">{title}</title>').format(
            id=chart_id, title=translate(table.title)
        ),
        Markup('<desc id="{id}-desc">{desc}</desc>').format(
            id=chart_id, desc=_summary(table, translate)
        ),
    ]
    columns = tuple(translate(label(column)) for column in table.columns)
    for index, (row, line) in enumerate(zip(table.rows, table.cells, strict=True)):
        parts.append(
            _group(translate(label(row)), line, columns, top=index * group_height, scale=scale)
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _group(
    row: str, line: tuple[Cell, ...], columns: tuple[str, ...], *, top: int, scale: float
) -> Markup:
    """One row's label and bars. Written with f-strings around `escape` rather than
    `Markup.format`, which costs ten times as much (a page draws 14 charts of 1,300 bars)."""
    parts = [
        f'<text class="chart-row-label" x="0" y="{top + ROW_LABEL_HEIGHT - 5}" '
        f'font-weight="bold">{escape(row)}</text>'
    ]
    for number, (column, cell) in enumerate(zip(columns, line, strict=True)):
        y = top + ROW_LABEL_HEIGHT + number * (BAR_HEIGHT + BAR_GAP)
        text_y = y + BAR_HEIGHT - 2
        parts.append(f'<text class="chart-column-label" x="0" y="{text_y}">{escape(column)}</text>')
        if cell.suppressed:
            parts.append(
                f'<text class="chart-withheld" x="{LABEL_WIDTH}" y="{text_y}">'
                f"{escape(SUPPRESSED_MARKER)}</text>"
            )
            continue
        length = round(_number(cell) * scale, 1)
        colour = number % len(PALETTE)
        parts.append(
            f'<rect class="chart-bar chart-bar-{colour}" x="{LABEL_WIDTH}" y="{y}" '
            f'width="{length}" height="{BAR_HEIGHT}" fill="{PALETTE[colour]}"/>'
        )
        parts.append(
            f'<text class="chart-value" x="{round(LABEL_WIDTH + length + 4, 1)}" y="{text_y}">'
            f"{escape(_figure(cell))}</text>"
        )
    # every value put in above is a number or escaped
    return Markup("".join(parts))  # noqa: S704  # nosec


def _summary(table: SuppressedTable, translate: Translate) -> str:
    """One sentence: what the bars are, how many rows, and how many figures are withheld."""
    withheld = sum(cell.suppressed for line in table.cells for cell in line)
    groups = lazy_ngettext(
        "%(num)d group of bars, one per %(rows)s, each with a bar per %(columns)s",
        "%(num)d groups of bars, one per %(rows)s, each with a bar per %(columns)s",
        len(table.rows),
        rows=translate(label(table.row_dimension)).replace("_", " "),
        columns=translate(label(table.column_dimension)).replace("_", " "),
    )
    if not withheld:
        return translate(
            Message(N_("%(title)s: %(groups)s."), {"title": table.title, "groups": groups})
        )
    return translate(
        Message(
            N_("%(title)s: %(groups)s; %(withheld)s."),
            {
                "title": table.title,
                "groups": groups,
                "withheld": lazy_ngettext(
                    "%(num)d small or revealing figures are withheld, marked %(marker)s",
                    "%(num)d small or revealing figures are withheld, marked %(marker)s",
                    withheld,
                    marker=SUPPRESSED_MARKER,
                ),
            },
        )
    )


def _number(cell: Cell) -> float:
    return 0.0 if cell.value is None else float(cell.value)


def _figure(cell: Cell) -> str:
    value = cell.value
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}"
    return str(int(value)) if value is not None else SUPPRESSED_MARKER
