"""`portal workers import FILE --provider ORG_NAME`: a labour provider's spreadsheet of workers,
imported (or only checked, with --dry-run) from a terminal."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.cli._uploads import (
    echo_counts,
    echo_problems,
    echo_timing,
    find_organisation,
    unusable_file,
)
from portal.cli.taxonomy import ProgressBars
from portal.db import current_database
from portal.errors import DomainError
from portal.imports.report import problems_csv
from portal.imports.tabular import TableProblem
from portal.models import OrganisationKind
from portal.services import worker_import
from portal.services.translation import number, translate
from portal.services.worker_import import ImportReport
from portal.text import Number

PROGRESS_FROM_ROWS = 1_000  # smaller files finish before a bar would be worth drawing


@click.group()
def workers() -> None:
    """Manage workers."""


@workers.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--provider",
    "provider_name",
    required=True,
    metavar="ORG_NAME",
    help="The labour provider the workers belong to: its name (or its id).",
)
@click.option("--dry-run", is_flag=True, help="Check the file and report; store nothing.")
@click.option(
    "--confirm-consent",
    is_flag=True,
    help="The provider confirms that every worker in the file agreed to be matched with jobs "
    "and contacted after accepting an offer; complete profiles become active. Without it, the "
    "workers are stored as drafts.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the rejected rows to this CSV file (line, column, value, problem).",
)
@click.option("--lang", default="en", show_default=True, help="Language of the skill phrases.")
@with_appcontext
def import_file(
    file: Path,
    provider_name: str,
    dry_run: bool,
    confirm_consent: bool,
    report_path: Path | None,
    lang: str,
) -> None:
    """Import the workers in FILE (CSV or XLSX, with the template's header).

    Rows with problems are not imported and are listed; the others are. Importing the same
    file again updates the workers by external_id. Exits with 1 when any row was rejected.
    """
    with current_database().session_scope() as session:
        provider = find_organisation(session, provider_name, OrganisationKind.PROVIDER)
        try:
            table = worker_import.read_worker_file(file)
        except TableProblem as problem:
            raise unusable_file(file, problem) from None
        big = len(table.rows) >= PROGRESS_FROM_ROWS
        try:
            with ProgressBars(f"{file.name}:") if big else nullcontext() as bars:
                report = worker_import.import_workers(
                    session,
                    None,
                    provider,
                    table.rows,
                    dry_run=dry_run,
                    consent_confirmed=confirm_consent,
                    lang=lang,
                    progress=bars,
                )
        except DomainError as refusal:
            raise click.ClickException(refusal.message) from None
        _echo_report(file, provider.name, report)
    if report_path is not None and report.problems:
        report_path.write_bytes(problems_csv(report.problems, translate=translate))
        click.echo(_("The rejected rows are in %(path)s.", path=report_path))
    if report.rejected:
        raise SystemExit(1)


def _echo_report(file: Path, provider_name: str, report: ImportReport) -> None:
    if report.dry_run:
        click.echo(
            _(
                "Checked %(file)s for %(organisation)s (dry run: nothing was stored).",
                file=file.name,
                organisation=provider_name,
            )
        )
    else:
        click.echo(
            _("Imported %(file)s for %(organisation)s.", file=file.name, organisation=provider_name)
        )
    dry = report.dry_run
    counts = [
        (_("would be created") if dry else _("created"), report.created),
        (_("would be updated") if dry else _("updated"), report.updated),
        (_("unchanged"), report.unchanged),
        (_("rejected"), report.rejected),
    ]
    echo_counts(counts)
    if report.unmapped_skills:
        click.echo(
            "  "
            + ngettext(
                "%(count)s skill phrase(s) matched no skill of the taxonomy and are kept as "
                "words, for review.",
                "%(count)s skill phrase(s) matched no skill of the taxonomy and are kept as "
                "words, for review.",
                report.unmapped_skills,
                count=number(Number(report.unmapped_skills)),
            )
        )
    echo_timing(report.rows, report.seconds)
    echo_problems(_("Rejected lines:"), report.problems)
