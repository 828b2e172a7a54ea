"""`portal demo`: demo accounts for a first look, printed with their passwords."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.db import current_database
from portal.services import matching
from portal.services.demo import seed_demo_accounts, seed_demo_market

CREDENTIALS_FILE = "demo-accounts.txt"


@click.command()
@with_appcontext
def demo() -> None:
    """Create the demo accounts (one per role) and a small market (open vacancies of the demo
    employer, workers of the demo provider) once, match them, and print how to log in."""
    if current_app.config["ENV"] == "production":
        raise click.ClickException("Demo accounts are for development: set PORTAL_ENV=development.")
    credentials = Path(current_app.instance_path) / CREDENTIALS_FILE
    with current_database().session_scope() as session:
        created = seed_demo_accounts(session)
        market = seed_demo_market(session)
        if market is not None:
            report = matching.run_matching(session, None)
            click.echo(
                f"Demo market: {market.vacancies} open vacancies, {market.workers} workers; "
                f"matching kept {report.matches} matches and made {report.proposals} proposals."
            )
    if created:
        credentials.parent.mkdir(parents=True, exist_ok=True)
        with credentials.open("a") as out:
            for account in created:
                out.write(f"{account.role.value:<9} {account.email:<40} {account.password}\n")
        os.chmod(credentials, 0o600)
    click.echo("Demo accounts (role, email, password):")
    if credentials.exists():
        click.echo(credentials.read_text(), nl=False)
    else:
        click.echo(f"  (created earlier, but {credentials} is gone: reset their passwords)")
