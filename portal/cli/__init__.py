"""The `portal` command: Flask's CLI over the app factory, plus the portal's own groups."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup

from portal.config import ConfigError


def _create_app(*_args: Any) -> Flask:
    from portal import create_app

    try:
        return create_app()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def register_commands(app: Flask) -> None:
    """Attach the portal's command groups to `app.cli` (so `flask --app portal` has them too)."""
    from portal.cli.accounts import orgs, users
    from portal.cli.database import db
    from portal.cli.demo import demo
    from portal.cli.mail import outbox
    from portal.cli.matching import match, placements_group
    from portal.cli.regions import regions
    from portal.cli.stats import stats
    from portal.cli.taxonomy import taxonomy
    from portal.cli.vacancies import vacancies
    from portal.cli.workers import workers

    for command in (
        db,
        users,
        orgs,
        demo,
        outbox,
        taxonomy,
        regions,
        workers,
        vacancies,
        match,
        placements_group,
        stats,
    ):
        app.cli.add_command(command)


@click.group(cls=FlaskGroup, create_app=_create_app, load_dotenv=False, set_debug_flag=False)
def main() -> None:
    """The worker skills-matching portal."""
