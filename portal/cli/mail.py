"""`portal outbox send`: deliver messages that are waiting (e.g. after the mail server was down)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.db import current_database
from portal.services import outbox as outbox_service


@click.group()
def outbox() -> None:
    """Messages the portal sends."""


@outbox.command()
@with_appcontext
def send() -> None:
    """Try to deliver every message that is waiting."""
    transport = outbox_service.transport_from_settings(current_app.config)
    with current_database().session_scope() as session:
        sent = outbox_service.deliver_pending(session, transport)
        waiting = outbox_service.pending_count(session)
    click.echo(f"Sent {sent} message(s); {waiting} still waiting.")
