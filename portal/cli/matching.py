"""`portal match run` (score the market and make a round of proposals) and
`portal placements export|expire`."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.cli.taxonomy import ProgressBars
from portal.db import current_database
from portal.errors import DomainError
from portal.imports.report import safe_cell
from portal.services import matching, placements
from portal.services.placement_export import EXPORT_HEADER, placement_rows


@click.group("match")
def match() -> None:
    """Score workers against vacancies and propose placements."""


@match.command("run")
@with_appcontext
def run() -> None:
    """Score every open vacancy against every available worker, store the explained matches,
    and make a new round of proposals (at most one per worker, within each vacancy's free
    positions)."""
    with current_database().session_scope() as session, ProgressBars("Matching") as bars:
        try:
            report = matching.run_matching(session, None, progress=bars)
        except DomainError as error:
            raise click.ClickException(error.message) from None
    click.echo(
        f"Run {report.run_id}: {report.workers} workers × {report.vacancies} open vacancies, "
        f"{report.matches} matches kept, {report.proposals} proposals made."
    )
    if report.expired_offers or report.expired_proposals:
        click.echo(
            f"Expired first: {report.expired_offers} offers past their hold time, "
            f"{report.expired_proposals} proposals no one acted on."
        )
    total = sum(report.timings.values())
    parts = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report.timings.items())
    click.echo(f"Took {total:.1f} s ({parts}).")


@click.group("placements")
def placements_group() -> None:
    """Placements: export them, expire old offers."""


@placements_group.command("export")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv"]),
    default="csv",
    show_default=True,
    help="File format.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="The file to write ('-' for standard output).",
)
@with_appcontext
def export(file_format: str, out: Path) -> None:
    """Write every placement as vacancy_external_id, worker_external_id, score, state.

    External ids are those of the bulk uploads; records created through the pages get a stable
    generated id (portal-v<number>, portal-w<number>).
    """
    del file_format  # CSV is the one format for now; the option keeps the command stable
    to_stdout = str(out) == "-"
    stream = sys.stdout if to_stdout else out.open("w", encoding="utf-8-sig", newline="")
    count = 0
    try:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(EXPORT_HEADER)
        with current_database().session_scope() as session:
            for row in placement_rows(session):
                writer.writerow([safe_cell(cell) for cell in row])
                count += 1
    finally:
        if not to_stdout:
            stream.close()
    if not to_stdout:
        click.echo(f"{count} placements written to {out}.")


@placements_group.command("expire")
@with_appcontext
def expire() -> None:
    """Expire offers past their hold time (for a timer; `match run` does it too)."""
    with current_database().session_scope() as session:
        expired = placements.expire_due_offers(session)
    click.echo(f"{expired} offers expired.")
