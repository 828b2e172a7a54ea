"""`portal stats export`: the published statistics by sex as a CSV, XLSX or JSON file.

Bad input (format, dimension, month, k, language) is a usage error (exit 2) naming what is
allowed; an empty period is exit 1. The file is written next to its target and renamed at the end,
so a failure never leaves a half-written or empty file behind. Its titles, headers, labels and
definitions are in the language asked for (`--lang`); the JSON keys are the same in every one.
"""

from __future__ import annotations

import calendar
import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal.cli.taxonomy import ProgressBars
from portal.db import current_database
from portal.errors import ValidationProblem
from portal.reporting.disclosure import DEFAULT_K
from portal.services.statistics import NoData
from portal.services.statistics_export import (
    FORMATS,
    ExportRequest,
    export_request,
    write_export,
)
from portal.services.statistics_snapshots import recompute_views


class Month(click.ParamType):
    """A month as YYYY-MM."""

    name = "YYYY-MM"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        try:
            moment = datetime.strptime(str(value), "%Y-%m")
        except ValueError:
            self.fail(
                _("“%(value)s” is not a month: write it as YYYY-MM, e.g. 2026-03.", value=value),
                param,
                ctx,
            )
        return moment.year, moment.month


@click.group("stats")
def stats() -> None:
    """Statistics by sex, with small counts withheld."""


@stats.command("export")
@click.option("--format", "file_format", required=True, help=f"File format: {', '.join(FORMATS)}.")
@click.option(
    "--by",
    default="sector",
    show_default=True,
    help="Dimensions for the rows, comma-separated (sex is always the columns): "
    "sector, region, origin, age_band, month.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="The file to write.",
)
@click.option("--k", "k", type=int, default=DEFAULT_K, show_default=True, help="Withhold below k.")
@click.option("--from", "first", type=Month(), help="First month of registration (YYYY-MM).")
@click.option("--to", "last", type=Month(), help="Last month of registration (YYYY-MM).")
@click.option("--region", default="", help="Only workers and vacancies of this region.")
@click.option("--sector", default="", help="Only this ISCO-08 major group (0-9).")
@click.option("--origin", default="", help="Only workers from this country (ISO code, e.g. UA).")
@click.option(
    "--lang",
    default=None,
    help="Language of the titles, headers and definitions, one of the portal's LANGUAGES "
    "(default: its default language).",
)
@with_appcontext
def export(
    file_format: str,
    by: str,
    out: Path,
    k: int,
    first: tuple[int, int] | None,
    last: tuple[int, int] | None,
    region: str,
    sector: str,
    origin: str,
    lang: str | None,
) -> None:
    """Write every table by sex, the gender gaps and the placement measures to OUT, with a
    metadata part saying when, for what, how each figure is defined and what was withheld."""
    with force_locale(_language(lang)):
        period = _period(first, last)
        filters = {"region": region, "sector": sector, "origin": origin}
        try:
            request = export_request(file_format, by, k=k, period=period, filters=filters)
        except ValidationProblem as problem:
            raise click.UsageError(f"--{_option(problem.field)}: {problem.message}") from None
        with current_database().session_scope() as session:
            try:
                count = _write_file(session, request, out)
            except NoData:
                raise click.ClickException(_no_data(period)) from None
        click.echo(
            ngettext(
                "%(num)d table written to %(path)s",
                "%(num)d tables written to %(path)s",
                count,
                path=out,
            )
        )


def _language(lang: str | None) -> str:
    """The language asked for, or the portal's default; a usage error for one it lacks."""
    offered = list(current_app.config["LANGUAGES"])
    if lang is None:
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if lang not in offered:
        raise click.UsageError(
            _(
                "--lang: “%(lang)s” is not one of the portal's languages: %(offered)s",
                lang=lang,
                offered=", ".join(offered),
            )
        )
    return lang


def _write_file(session: Session, request: ExportRequest, out: Path) -> int:
    """Write to a temporary file beside `out`, then put it in place in one step."""
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream, ProgressBars("Exporting statistics") as bars:
            count = write_export(session, request, stream, progress=bars)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def _period(
    first: tuple[int, int] | None, last: tuple[int, int] | None
) -> tuple[date, date] | None:
    """From the first day of `first` to the last day of `last`; one side open means from the
    earliest registration, or up to this month."""
    if first is None and last is None:
        return None
    if last is None:
        today = datetime.now(UTC).date()
        last = (today.year, today.month)
    start = date(*first, 1) if first is not None else date(1970, 1, 1)
    end = date(*last, calendar.monthrange(*last)[1])
    return start, end


def _option(field: str) -> str:
    return {"file_format": "format", "period": "from/--to", "filters": "region"}.get(field, field)


def _no_data(period: tuple[date, date] | None) -> str:
    if period is None:
        return _("No data: nobody has registered yet.")
    first, last = period
    return _(
        "No data: nobody registered between %(first)s and %(last)s.",
        first=first.isoformat(),
        last=last.isoformat(),
    )


@stats.command("refresh")
@with_appcontext
def refresh() -> None:
    """Count the dashboard's views by each dimension, all time and unfiltered, ahead of the
    admins' visits (run it from a scheduler more often than PORTAL_STATISTICS_MAX_AGE)."""
    with current_database().session_scope() as session:
        views = recompute_views(session, k=DEFAULT_K)
    seconds = next(iter(views.values())).seconds
    counted = [name for name, view in views.items() if view.figures is not None]
    if not counted:
        click.echo(f"No worker has registered yet: {len(views)} empty views kept ({seconds} s).")
        return
    click.echo(f"{len(views)} views counted in {seconds} s: {', '.join(views)}.")
