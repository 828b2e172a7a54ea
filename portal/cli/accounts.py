"""`portal users ...` and `portal orgs ...`: accounts and organisations for admins and scripts."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from portal.cli._uploads import find_organisation
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


@users.command("add-member")
@click.argument("email")
@click.option("--kind", type=click.Choice([k.value for k in OrganisationKind]), required=True)
@click.option("--org", "organisation_name", required=True, help="The organisation's name or id.")
@click.option("--name", default="", help="Full name (default: the part of EMAIL before @).")
@with_appcontext
def add_member(email: str, kind: str, organisation_name: str, name: str) -> None:
    """Give an employer or labour provider one more user account; the password is asked for,
    or read from standard input."""
    password = _read_password()
    with current_database().session_scope() as session:
        organisation = find_organisation(session, organisation_name, OrganisationKind(kind))
        try:
            user = accounts.create_user(
                session,
                email=email,
                full_name=name or email.split("@")[0],
                password=password,
                role=Role(kind),
                organisation=organisation,
            )
        except ValidationProblem as problem:
            raise click.ClickException(f"{problem.field}: {problem.message}") from None
        click.echo(f"Created {user.email} (id {user.id}), a member of {organisation.name!r}.")


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
