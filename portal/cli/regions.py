"""`portal regions ...`: the deployment's list of regions."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.db import current_database
from portal.errors import ValidationProblem
from portal.services import regions as region_service


@click.group()
def regions() -> None:
    """The regions workers, vacancies and statistics refer to."""


@regions.command("add")
@click.argument("names", nargs=-1, required=True)
@with_appcontext
def add_regions(names: tuple[str, ...]) -> None:
    """Add the regions called NAMES (quote names with spaces); known ones are left as they are."""
    with current_database().session_scope() as session:
        try:
            added = region_service.add_regions(session, names)
        except ValidationProblem as problem:
            raise click.ClickException(f"{problem.field}: {problem.message}") from None
        added_names = [region.name for region in added]
    for name in added_names:
        click.echo(f"Added {name}")
    known = len([name for name in names if name.strip()]) - len(added_names)
    if known:
        click.echo(f"{known} already known, left as they are.")


@regions.command("list")
@with_appcontext
def list_regions() -> None:
    """Print the regions, one a line, by name."""
    with current_database().session_scope() as session:
        names = [region.name for region in region_service.list_regions(session)]
    if not names:
        click.echo("No regions yet: add them with `portal regions add NAME...`.")
    for name in names:
        click.echo(name)
