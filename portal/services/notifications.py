"""Notifications: news for one user in the portal, and the same news by e-mail.

`notify` and its variants add to the caller's transaction: the news is kept (and sent) only if
the change that causes it is committed. Reading and marking as read are use cases of their own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from typing import Any, cast

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from portal.errors import NotFound
from portal.models import Notification, Role, User
from portal.models.base import utcnow
from portal.services import outbox
from portal.services._tx import transaction
from portal.services.pages import Page, paginate

KIND_MAX = 40
TEXT_MAX = 500
LINK_MAX = 300
SUBJECT_MAX = 150


def _fit(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis if it is longer."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


Words = Callable[[], str]
"""News written when it is sent, so that each reader gets it in their own language."""


def notify(
    session: Session, user: User, kind: str, words: Words, link: str = "", email: bool = True
) -> Notification:
    """Tell `user` something in the portal and, if `email` and they have an address, by mail.

    `words` is called in the user's language (the one they chose, else the portal's default),
    not in the language of whoever caused the news. `link` is a path inside the portal
    ("/worker/matches"): services know no host name, so the mail names the path for the reader
    to open after logging in. The caller commits.
    """
    if len(kind) > KIND_MAX or len(link) > LINK_MAX or (link and not link.startswith("/")):
        raise ValueError(f"bad notification kind or link: {kind!r}, {link!r}")
    with force_locale(user.language or "en"):
        text = _fit(words(), TEXT_MAX)
        see_it = _("Log in to the skills portal to see it: %(path)s", path=link) if link else ""
    notification = Notification(user_id=user.id, kind=kind, text=text, link=link)
    session.add(notification)
    if email and user.email and user.is_active:
        body = text + ("\n\n" + see_it if see_it else "")
        outbox.queue(session, recipient=user.email, subject=_fit(text, SUBJECT_MAX), body=body)
    return notification


def members_of(session: Session, organisation_ids: Collection[int]) -> dict[int, list[User]]:
    """The active users of each organisation (employers' and labour providers' staff)."""
    members: dict[int, list[User]] = defaultdict(list)
    if not organisation_ids:
        return members
    users = session.scalars(
        select(User)
        .where(User.organisation_id.in_(set(organisation_ids)), User.is_active.is_(True))
        .order_by(User.id)
    )
    for user in users:
        members[cast(int, user.organisation_id)].append(user)
    return members


def notify_organisation(
    session: Session, organisation_id: int, kind: str, words: Words, link: str = ""
) -> int:
    """Tell every active user of an organisation; returns how many were told."""
    users = members_of(session, [organisation_id]).get(organisation_id, [])
    for user in users:
        notify(session, user, kind, words, link)
    return len(users)


def notify_admins(session: Session, kind: str, words: Words, link: str = "") -> int:
    """Tell every active administrator (a fee reported, a problem to look at)."""
    admins = session.scalars(
        select(User).where(User.role == Role.ADMIN, User.is_active.is_(True)).order_by(User.id)
    ).all()
    for admin in admins:
        notify(session, admin, kind, words, link)
    return len(admins)


# --- reading ------------------------------------------------------------------------------------


def unread_count(session: Session, user: User) -> int:
    statement = select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    return session.scalar(statement) or 0


def list_notifications(session: Session, user: User, *, page: int, size: int) -> Page[Notification]:
    """The user's own notifications, newest first."""
    statement = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return paginate(session, statement, page, size)


def mark_read(session: Session, user: User, notification_id: int) -> Notification:
    """Mark one of the user's own notifications as read (again is harmless)."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound(_("There is no such notification."))
    with transaction(session):
        if notification.read_at is None:
            notification.read_at = utcnow()
    return notification


def mark_all_read(session: Session, user: User) -> int:
    """Mark all the user's unread notifications as read; returns how many there were."""
    with transaction(session):
        result = session.execute(
            update(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
            .execution_options(synchronize_session="fetch")
        )
        count = cast(CursorResult[Any], result).rowcount
    return count
