"""`portal vacancies import FILE --employer ORG_NAME`: an employer's spreadsheet of vacancies,
imported (or only checked, with --dry-run) from a terminal by an administrator; and
`portal vacancies expire`, for a daily timer."""

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
from portal.services import vacancies as vacancy_service
from portal.services import vacancy_import
from portal.services.translation import number, translate
from portal.services.vacancy_import import ImportReport
from portal.text import Number

PROGRESS_FROM_ROWS = 1_000  # smaller files finish before a bar would be worth drawing


@click.group()
def vacancies() -> None:
    """Manage vacancies."""


@vacancies.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--employer",
    "employer_name",
    required=True,
    metavar="ORG_NAME",
    help="The employer the vacancies belong to: its name (or its id).",
)
@click.option("--dry-run", is_flag=True, help="Check the file and report; store nothing.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the rejected rows to this CSV file (line, column, value, problem).",
)
@click.option("--lang", default="en", show_default=True, help="Language of the skill phrases.")
@with_appcontext
def import_file(
    file: Path, employer_name: str, dry_run: bool, report_path: Path | None, lang: str
) -> None:
    """Import the vacancies in FILE (CSV or XLSX, with the template's header).

    Rows with problems are not imported and are listed; the others are. Importing the same
    file again updates the vacancies by external_id. With the no-fee pledge, vacancies of a
    verified employer open at once; the others are saved as drafts. Exits with 1 when any row
    was rejected.
    """
    with current_database().session_scope() as session:
        employer = find_organisation(session, employer_name, OrganisationKind.EMPLOYER)
        try:
            table = vacancy_import.read_vacancy_file(file)
        except TableProblem as problem:
            raise unusable_file(file, problem) from None
        big = len(table.rows) >= PROGRESS_FROM_ROWS
        try:
            with ProgressBars(f"{file.name}:") if big else nullcontext() as bars:
                report = vacancy_import.import_vacancies(
                    session, None, employer, table.rows, dry_run=dry_run, lang=lang, progress=bars
                )
        except DomainError as refusal:
            raise click.ClickException(refusal.message) from None
        _echo_report(file, employer.name, report)
    if report_path is not None and report.problems:
        report_path.write_bytes(problems_csv(report.problems, translate=translate))
        click.echo(_("The rejected rows are in %(path)s.", path=report_path))
    if report.rejected:
        raise SystemExit(1)


def _echo_report(file: Path, employer_name: str, report: ImportReport) -> None:
    if report.dry_run:
        click.echo(
            _(
                "Checked %(file)s for %(organisation)s (dry run: nothing was stored).",
                file=file.name,
                organisation=employer_name,
            )
        )
    else:
        click.echo(
            _("Imported %(file)s for %(organisation)s.", file=file.name, organisation=employer_name)
        )
    dry = report.dry_run
    echo_counts(
        [
            (_("would be created") if dry else _("created"), report.created),
            (_("would be updated") if dry else _("updated"), report.updated),
            (_("unchanged"), report.unchanged),
            (_("would be open") if dry else _("open"), report.opened),
            (_("would be drafts") if dry else _("drafts"), report.drafts),
            (_("rejected"), report.rejected),
        ]
    )
    if report.unmapped_skills:
        click.echo(
            "  "
            + ngettext(
                "%(count)s skill phrase(s) matched no skill of the taxonomy and are kept as words.",
                "%(count)s skill phrase(s) matched no skill of the taxonomy and are kept as words.",
                report.unmapped_skills,
                count=number(Number(report.unmapped_skills)),
            )
        )
    echo_timing(report.rows, report.seconds)
    echo_problems(_("Not published:"), report.notes)
    echo_problems(_("Rejected lines:"), report.problems)


@vacancies.command("expire")
@with_appcontext
def expire() -> None:
    """Mark open vacancies whose application window (or work) has ended as expired."""
    with current_database().session_scope() as session:
        count = vacancy_service.expire_due(session)
    click.echo(f"{count} vacanc{'y' if count == 1 else 'ies'} expired.")
