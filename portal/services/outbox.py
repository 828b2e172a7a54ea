"""The outbox: messages are stored with the change that causes them, then delivered.

Without an SMTP server (development), delivery writes the message to the log; admins can read
every message in the portal either way.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import OutboxMessage
from portal.models.base import utcnow
from portal.services._tx import transaction
from portal.services.pages import Page, paginate

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class Transport(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


class LogTransport:
    """Development delivery: the message goes to the log, links and all."""

    def send(self, message: OutboxMessage) -> None:
        log.info("Mail to %s: %s\n%s", message.recipient, message.subject, message.body)


@dataclass(frozen=True, slots=True)
class SmtpTransport:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    use_tls: bool = True

    def send(self, message: OutboxMessage) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
            if self.use_tls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail)


def queue(session: Session, *, recipient: str, subject: str, body: str) -> OutboxMessage:
    """Add a message to the caller's transaction (the caller commits)."""
    message = OutboxMessage(recipient=recipient, subject=subject, body=body)
    session.add(message)
    return message


def deliver_pending(session: Session, transport: Transport, limit: int = 100) -> int:
    """Try to send what is waiting; returns how many went out. Failures are kept to retry."""
    pending = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = 0
    for message in pending:
        with transaction(session):
            message.attempts += 1
            try:
                transport.send(message)
            except (OSError, smtplib.SMTPException) as error:
                message.last_error = str(error)[:500]
                log.warning("Could not send message %s: %s", message.id, error)
            else:
                message.sent_at = utcnow()
                message.last_error = None
                sent += 1
    return sent


def transport_from_settings(settings: Mapping[str, Any]) -> Transport:
    """SMTP when a mail server is configured, the log otherwise."""
    if not settings.get("MAIL_SERVER"):
        return LogTransport()
    return SmtpTransport(
        host=settings["MAIL_SERVER"],
        port=int(settings["MAIL_PORT"]),
        sender=settings["MAIL_FROM"],
        username=settings.get("MAIL_USERNAME"),
        password=settings.get("MAIL_PASSWORD"),
        use_tls=bool(settings.get("MAIL_USE_TLS", True)),
    )


def list_messages(session: Session, *, page: int, size: int) -> Page[OutboxMessage]:
    statement = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    return paginate(session, statement, page, size)


def pending_count(session: Session) -> int:
    statement = select(func.count()).where(OutboxMessage.sent_at.is_(None))
    return session.scalar(statement) or 0
