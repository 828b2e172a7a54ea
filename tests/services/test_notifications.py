"""Notifications: news in the portal and by mail, for one user, an organisation or the admins;
unread counts, pages, and marking as read (one's own only)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import NotFound
from portal.models import Notification, OutboxMessage, Role, User
from portal.services import notifications
from portal.services._tx import transaction
from tests.conftest import Factory

SEE_IT = "Log in to the skills portal to see it: %(path)s"


def _told(session: Session, user: User, kind: str = "news", text: str = "Hello", **kw) -> int:
    with transaction(session):
        notification = notifications.notify(session, user, kind, lambda: text, **kw)
    return notification.id


def _mail_to(session: Session, user: User) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email)))


def test_a_notification_is_kept_and_mailed_with_the_path_to_open(
    session: Session, make: Factory
) -> None:
    worker = make.user(Role.WORKER)

    _told(session, worker, "offer-received", "You have an offer.", link="/worker/matches")

    note = session.scalars(select(Notification).where(Notification.user_id == worker.id)).one()
    assert (note.kind, note.text, note.link, note.read_at) == (
        "offer-received",
        "You have an offer.",
        "/worker/matches",
        None,
    )
    (mail,) = _mail_to(session, worker)
    assert mail.subject == "You have an offer."
    assert mail.body.startswith("You have an offer.")
    assert "/worker/matches" in mail.body


def test_no_mail_when_not_wanted_or_the_account_is_inactive(
    session: Session, make: Factory
) -> None:
    quiet, retired = make.user(Role.WORKER), make.user(Role.WORKER)
    retired.is_active = False
    session.commit()

    _told(session, quiet, email=False)
    _told(session, retired)

    assert _mail_to(session, quiet) == [] and _mail_to(session, retired) == []
    assert notifications.unread_count(session, quiet) == 1
    assert notifications.unread_count(session, retired) == 1


def test_nothing_is_kept_if_the_callers_change_is_rolled_back(
    session: Session, make: Factory
) -> None:
    worker = make.user(Role.WORKER)

    with pytest.raises(RuntimeError), transaction(session):
        notifications.notify(session, worker, "news", lambda: "Never sent")
        raise RuntimeError("the change that caused it failed")

    assert notifications.unread_count(session, worker) == 0
    assert _mail_to(session, worker) == []


def test_long_text_is_cut_to_fit_and_the_subject_is_shorter(
    session: Session, make: Factory
) -> None:
    worker = make.user(Role.WORKER)

    _told(session, worker, text="word " * 200)

    note = session.scalars(select(Notification).where(Notification.user_id == worker.id)).one()
    (mail,) = _mail_to(session, worker)
    assert len(note.text) == notifications.TEXT_MAX and note.text.endswith("…")
    assert len(mail.subject) <= notifications.SUBJECT_MAX


@pytest.mark.parametrize("link", ["https://elsewhere.example/phish", "worker/matches"])
def test_a_link_must_be_a_path_inside_the_portal(
    session: Session, make: Factory, link: str
) -> None:
    with pytest.raises(ValueError, match="link"):
        notifications.notify(session, make.user(Role.WORKER), "news", lambda: "Hello", link)


def test_every_active_admin_is_told_and_no_one_else(session: Session, make: Factory) -> None:
    admins = [make.user(Role.ADMIN), make.user(Role.ADMIN)]
    retired = make.user(Role.ADMIN)
    retired.is_active = False
    employer = make.user(Role.EMPLOYER)
    session.commit()

    with transaction(session):
        told = notifications.notify_admins(
            session, "fee-reported", lambda: "A fee", "/admin/placements/1"
        )

    assert told == 2
    recipients = session.scalars(select(Notification.user_id)).all()
    assert sorted(recipients) == sorted(admin.id for admin in admins)
    assert employer.id not in recipients


def test_every_active_member_of_an_organisation_is_told(session: Session, make: Factory) -> None:
    first = make.user(Role.EMPLOYER)
    second = make.user(Role.EMPLOYER, organisation=first.organisation)
    retired = make.user(Role.EMPLOYER, organisation=first.organisation)
    retired.is_active = False
    outsider = make.user(Role.EMPLOYER)
    session.commit()
    assert first.organisation_id is not None

    with transaction(session):
        told = notifications.notify_organisation(
            session,
            first.organisation_id,
            "offer-accepted",
            lambda: "Accepted",
            "/employer/vacancies",
        )

    assert told == 2
    assert set(session.scalars(select(Notification.user_id))) == {first.id, second.id}
    assert notifications.unread_count(session, outsider) == 0


def test_the_list_shows_only_ones_own_newest_first_by_page(session: Session, make: Factory) -> None:
    worker, other = make.user(Role.WORKER), make.user(Role.WORKER)
    ids = [_told(session, worker, text=f"News {number}") for number in range(5)]
    _told(session, other, text="Not yours")

    first = notifications.list_notifications(session, worker, page=1, size=2)
    last = notifications.list_notifications(session, worker, page=3, size=2)

    assert (first.total, first.pages) == (5, 3)
    assert [note.id for note in first.items] == [ids[4], ids[3]]
    assert [note.text for note in last.items] == ["News 0"]


def test_marking_as_read_lowers_the_unread_count_once(session: Session, make: Factory) -> None:
    worker = make.user(Role.WORKER)
    first, _second = _told(session, worker), _told(session, worker)

    read = notifications.mark_read(session, worker, first)
    read_at = read.read_at
    again = notifications.mark_read(session, worker, first)

    assert read_at is not None and again.read_at == read_at
    assert notifications.unread_count(session, worker) == 1


def test_no_one_marks_anothers_notification(session: Session, make: Factory) -> None:
    worker, other = make.user(Role.WORKER), make.user(Role.WORKER)
    theirs = _told(session, other)

    with pytest.raises(NotFound):
        notifications.mark_read(session, worker, theirs)
    with pytest.raises(NotFound):
        notifications.mark_read(session, worker, theirs + 1000)

    assert notifications.unread_count(session, other) == 1


def test_marking_all_as_read_touches_only_ones_own(session: Session, make: Factory) -> None:
    worker, other = make.user(Role.WORKER), make.user(Role.WORKER)
    for _ in range(3):
        _told(session, worker)
    _told(session, other)

    assert notifications.mark_all_read(session, worker) == 3
    assert notifications.mark_all_read(session, worker) == 0
    assert notifications.unread_count(session, worker) == 0
    assert notifications.unread_count(session, other) == 1


def test_each_reader_gets_the_news_in_their_own_language(
    app: Flask, session: Session, make: Factory
) -> None:
    """Not in the language of whoever caused it: an employer offers in French, the worker reads
    Arabic, the other member of the organisation Ukrainian, one who never chose the default."""
    french, ukrainian, unset = (make.user(Role.EMPLOYER) for _ in range(3))
    for user, other in ((ukrainian, french), (unset, french)):
        user.organisation_id = other.organisation_id
    french.language, ukrainian.language = "fr", "uk"
    session.commit()
    message = "Your matches"

    def expected(language: str, text: str) -> str:
        with force_locale(language):
            return gettext(text)

    with app.test_request_context(), force_locale("ar"), transaction(session):
        notifications.notify_organisation(
            session, french.organisation_id, "news", lambda: gettext(message), "/employer/"
        )
        wanted = {
            user.id: (expected(language, message), expected(language, SEE_IT))
            for user, language in ((french, "fr"), (ukrainian, "uk"), (unset, "en"))
        }

    assert wanted[french.id][0] != message and wanted[ukrainian.id][0] != message
    for user in (french, ukrainian, unset):
        note = session.scalars(select(Notification).where(Notification.user_id == user.id)).one()
        (mail,) = _mail_to(session, user)
        text, see_it = wanted[user.id]
        assert (note.text, mail.subject) == (text, text)
        assert mail.body == text + "\n\n" + see_it % {"path": "/employer/"}
