"""`portal stats export`: each format written and readable, bad input refused with what is
allowed, and an empty period leaving no file."""

from __future__ import annotations

import csv
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from flask_babel import force_locale, gettext
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import StatisticsSnapshot
from portal.reporting.disclosure import DEFAULT_K
from portal.reporting.indicators import DIMENSIONS
from portal.services.statistics_snapshots import dashboard_figures
from tests.services.test_statistics import portal  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("portal")

MARCH = ["--from", "2026-03", "--to", "2026-03", "--k", "5"]


def _export(runner: FlaskCliRunner, out: Path, *arguments: str) -> tuple[int, str]:
    result = runner.invoke(args=["stats", "export", "--out", str(out), *arguments])
    return result.exit_code, result.output


def test_csv_by_sex_and_sector(runner: FlaskCliRunner, tmp_path: Path) -> None:
    out = tmp_path / "stats.csv"

    code, output = _export(runner, out, "--format", "csv", "--by", "sex,sector", *MARCH)

    assert code == 0, output
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert ["sector", "female", "male", "other", "not-stated", "total"] in rows
    assert f"tables written to {out}" in output
    assert [path.name for path in tmp_path.iterdir()] == ["stats.csv"]


def test_xlsx_opens_with_a_metadata_sheet(runner: FlaskCliRunner, tmp_path: Path) -> None:
    out = tmp_path / "stats.xlsx"

    code, output = _export(runner, out, "--format", "xlsx", "--by", "region", *MARCH)

    assert code == 0, output
    workbook = load_workbook(out)
    assert f"{len(workbook.sheetnames) - 1} tables written" in output
    assert "registered_by_region" in workbook.sheetnames
    assert workbook.sheetnames[-1] == "metadata"


def test_json_with_filters(runner: FlaskCliRunner, tmp_path: Path) -> None:
    out = tmp_path / "stats.json"

    code, output = _export(
        runner, out, "--format", "json", "--by", "age_band", "--region", "South", *MARCH
    )

    assert code == 0, output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["metadata"]["filters"]["region"] == "South"
    tables = {table["name"]: table for table in document["tables"]}
    assert tables["registered_by_age_band"]["total"] == 9


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--format", "pdf"], "use csv, xlsx or json"),
        (["--format", "csv", "--by", "sex,county"], "sector, region, origin, age_band, month"),
        (["--format", "csv", "--k", "4"], "at least 5"),
        (["--format", "csv", "--from", "March"], "YYYY-MM"),
        (["--format", "csv", "--lang", "xx"], "en, fr, ru, uk, ar"),
    ],
)
def test_bad_input_is_a_usage_error_naming_what_is_allowed(
    runner: FlaskCliRunner, tmp_path: Path, arguments: list[str], words: str
) -> None:
    code, output = _export(runner, tmp_path / "stats.csv", *arguments)

    assert code == 2
    assert words in output
    assert "Traceback" not in output
    assert list(tmp_path.iterdir()) == []


def test_an_empty_period_says_no_data_and_leaves_no_file(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "stats.xlsx"

    code, output = _export(runner, out, "--format", "xlsx", "--from", "2024-01", "--to", "2024-12")

    assert code == 1
    assert "No data: nobody registered between 2024-01-01 and 2024-12-31." in output
    assert list(tmp_path.iterdir()) == []


def test_lang_writes_the_words_in_that_language_and_every_figure_the_same(
    runner: FlaskCliRunner, app: Flask, tmp_path: Path
) -> None:
    with app.app_context(), force_locale("uk"):
        total = gettext("total")
    assert total != "total"  # the Ukrainian catalogue has the word
    english, ukrainian = tmp_path / "en.csv", tmp_path / "uk.csv"

    assert _export(runner, english, "--format", "csv", "--by", "sector", *MARCH)[0] == 0
    code, output = _export(
        runner, ukrainian, "--format", "csv", "--by", "sector", "--lang", "uk", *MARCH
    )

    assert code == 0, output
    en_rows, uk_rows = (
        list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        for path in (english, ukrainian)
    )
    header = en_rows.index(["sector", "female", "male", "other", "not-stated", "total"])
    assert uk_rows[header][-1] == total
    assert _figures(uk_rows) == _figures(en_rows)


def _figures(rows: list[list[str]]) -> list[list[str]]:
    """Each line's counts, rates and withheld markers: what no language may change."""
    return [[cell for cell in row if re.fullmatch(r"[\d.]+|\[c\]", cell)] for row in rows]


def test_json_keys_and_table_names_are_the_same_in_every_language(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    documents = []
    for lang in ("en", "ar"):
        out = tmp_path / f"{lang}.json"
        code, output = _export(runner, out, "--format", "json", "--lang", lang, *MARCH)
        assert code == 0, output
        documents.append(json.loads(out.read_text(encoding="utf-8")))
    english, arabic = documents

    assert english["metadata"].keys() == arabic["metadata"].keys()
    assert [(t.keys(), t["name"], t["cells"]) for t in english["tables"]] == [
        (t.keys(), t["name"], t["cells"]) for t in arabic["tables"]
    ]


def test_refresh_counts_every_dashboard_view_ahead_of_visits(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=["stats", "refresh"])

    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        rf"5 views counted in [0-9.]+ s: {', '.join(DIMENSIONS)}\.\n", result.output
    )
    stored = session.scalars(select(StatisticsSnapshot)).all()
    assert len(stored) == len(DIMENSIONS)
    for by in DIMENSIONS:  # what a visit then shows is what was counted, not counted again
        shown = dashboard_figures(
            session, by=by, k=DEFAULT_K, period=None, max_age=timedelta(minutes=10)
        )
        assert shown.figures is not None
        assert shown.computed_at == stored[0].computed_at
