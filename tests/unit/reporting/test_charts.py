"""The SVG bar charts: valid XML, named for screen readers, escaped, withheld cells marked, and no
inline style (the Content-Security-Policy would block it)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from portal.reporting.charts import bar_chart_svg
from portal.reporting.tables import SEX_COLUMNS, SUPPRESSED_MARKER, WITHHELD, Cell, SuppressedTable

SVG = "{http://www.w3.org/2000/svg}"


def _table(rows: tuple[str, ...], cells: tuple[tuple[Cell, ...], ...], title: str = "Placed"):
    return SuppressedTable(
        name="placed_by_region",
        title=title,
        row_dimension="region",
        column_dimension="sex",
        rows=rows,
        columns=SEX_COLUMNS,
        cells=cells,
        row_totals=tuple(WITHHELD for _ in rows),
        column_totals=tuple(WITHHELD for _ in SEX_COLUMNS),
        total=WITHHELD,
        k=5,
    )


NORTH = (Cell(10), Cell(20), Cell(0), WITHHELD)
SOUTH = (Cell(5), Cell(0), Cell(0), Cell(0))


def _parse(chart: str) -> ET.Element:
    return ET.fromstring(chart)  # noqa: S314 - our own output, and invalid XML must fail here


def _chart(table: SuppressedTable) -> ET.Element:
    return _parse(str(bar_chart_svg(table, chart_id="chart-1")))


def test_the_chart_is_an_image_named_by_its_title_and_description() -> None:
    svg = _chart(_table(("North", "South"), (NORTH, SOUTH), title="Workers placed"))

    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-1-title chart-1-desc"
    assert svg.find(f"{SVG}title").text == "Workers placed"  # type: ignore[union-attr]
    assert svg.find(f"{SVG}title").get("id") == "chart-1-title"  # type: ignore[union-attr]
    description = svg.find(f"{SVG}desc")
    assert description is not None and description.get("id") == "chart-1-desc"
    assert "1 small or revealing figures are withheld" in (description.text or "")


def test_bars_are_scaled_to_the_largest_shown_value() -> None:
    svg = _chart(_table(("North", "South"), (NORTH, SOUTH)))

    widths = [float(rect.get("width", "")) for rect in svg.iter(f"{SVG}rect")]
    assert len(widths) == 7  # 8 cells, one withheld
    assert max(widths) == widths[1] == 2 * widths[0]
    assert widths[3] == widths[0] / 2


def test_a_withheld_cell_is_no_bar_but_the_marker() -> None:
    svg = _chart(_table(("North",), ((WITHHELD, WITHHELD, Cell(0), Cell(0)),)))

    markers = [text for text in svg.iter(f"{SVG}text") if text.text == SUPPRESSED_MARKER]
    assert len(markers) == 2
    assert [float(rect.get("width", "")) for rect in svg.iter(f"{SVG}rect")] == [0.0, 0.0]


def test_labels_are_escaped() -> None:
    chart = str(
        bar_chart_svg(_table(("<script>x</script>",), (NORTH,), title="A & <b>"), chart_id="c")
    )

    assert "<script>" not in chart and "<b>" not in chart
    assert "&lt;script&gt;" in chart
    svg = _parse(chart)
    assert "<script>x</script>" in [text.text for text in svg.iter(f"{SVG}text")]


def test_the_chart_has_no_inline_style_and_scales_by_its_view_box() -> None:
    chart = str(bar_chart_svg(_table(("North", "South"), (NORTH, SOUTH)), chart_id="c"))

    assert "style" not in chart
    svg = _parse(chart)
    assert svg.get("viewBox", "").startswith("0 0 320 ")
    assert svg.get("width") is None
