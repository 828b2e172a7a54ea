"""`portal users ...` and `portal orgs ...`: accounts and organisations for admins and scripts."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from portal.db import current_database
from portal.errors import ValidationProblem
from portal.models import OrganisationKind, Role
from portal.services import accounts, organisations


@click.group()
def users() -> None:
    """Manage accounts."""


def _read_password() -> str:
    """From the terminal (asked twice, hidden), or the first line of standard input."""
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


@users.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", show_default=True, help="Full name.")
@with_appcontext
def create_admin(email: str, name: str) -> None:
    """Create an administrator; the password is asked for, or read from standard input."""
    password = _read_password()
    with current_database().session_scope() as session:
        try:
            user = accounts.create_user(
                session, email=email, full_name=name, password=password, role=Role.ADMIN
            )
        except ValidationProblem as problem:
            raise click.ClickException(f"{problem.field}: {problem.message}") from None
        click.echo(f"Created administrator {user.email} (id {user.id}).")


@click.group()
def orgs() -> None:
    """Manage organisations."""


@orgs.command("create")
@click.option("--kind", type=click.Choice([k.value for k in OrganisationKind]), required=True)
@click.option("--verified", is_flag=True, help="Mark it verified at once.")
@click.argument("name")
@with_appcontext
def create_org(kind: str, verified: bool, name: str) -> None:
    """Create an employer or labour-provider organisation called NAME."""
    with current_database().session_scope() as session:
        try:
            organisation = organisations.create_organisation(
                session, kind=OrganisationKind(kind), name=name, verified=verified
            )
        except ValidationProblem as problem:
            raise click.ClickException(f"{problem.field}: {problem.message}") from None
        state = "verified" if organisation.is_verified else "not verified"
        click.echo(f"Created {kind} {organisation.name!r} (id {organisation.id}, {state}).")
