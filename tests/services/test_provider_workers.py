"""A labour provider's workers: registration on their behalf, the list, invites to a login."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal import schema
from portal.db import make_engine
from portal.errors import Conflict, DomainError, Forbidden, NotFound, ValidationProblem
from portal.models import (
    AuditAction,
    AuditEvent,
    LanguageLevel,
    OrganisationKind,
    OutboxMessage,
    ProfileStatus,
    Role,
    User,
    Worker,
    WorkerInvite,
)
from portal.models.base import utcnow
from portal.services import organisations, provider_workers, workers
from tests.conftest import PASSWORD, TEST_DATABASE_URL, Factory, fresh_database_url

LINK = "https://portal.example/invite/"


def _link_for(token: str) -> str:
    return LINK + token


def _about(**changes) -> workers.AboutYou:
    values = dict(
        given_name="Ion",
        family_name="Popescu",
        email="Ion.Popescu@Example.org",
        birth_year=1988,
        country_of_origin="MD",
        languages=(("ro", LanguageLevel.NATIVE),),
    )
    values.update(changes)
    return workers.AboutYou(**values)


@pytest.fixture
def provider(make: Factory) -> User:
    return make.user(Role.PROVIDER)


def _invite(session: Session, provider: User, worker: Worker) -> str:
    """Invite `worker` and return the token of the link in the message."""
    provider_workers.invite_worker(session, provider, worker.id, _link_for)
    message = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    match = re.search(re.escape(LINK) + r"(\S+)", message.body)
    assert match, message.body
    return match.group(1)


# --- registering --------------------------------------------------------------------------------


def test_a_provider_registers_a_worker_who_has_no_login_yet(
    session: Session, provider: User
) -> None:
    worker = provider_workers.register_worker_for_provider(session, provider, _about())
    assert worker.provider_id == provider.organisation_id
    assert worker.user_id is None
    assert worker.status is ProfileStatus.DRAFT
    assert (worker.full_name, worker.email) == ("Ion Popescu", "ion.popescu@example.org")
    assert [(lang.code, lang.level) for lang in worker.languages] == [("ro", LanguageLevel.NATIVE)]


def test_the_registration_is_in_the_audit_trail(session: Session, provider: User) -> None:
    worker = provider_workers.register_worker_for_provider(session, provider, _about())
    actions = session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.subject_id == worker.id, AuditEvent.actor_id == provider.id
        )
    ).all()
    assert AuditAction.CREATED in actions


def test_an_unverified_provider_cannot_register_workers(session: Session, make: Factory) -> None:
    organisation = make.organisation(OrganisationKind.PROVIDER, verified=False)
    provider = make.user(Role.PROVIDER, organisation=organisation)
    with pytest.raises(Forbidden, match="not verified"):
        provider_workers.register_worker_for_provider(session, provider, _about())
    assert session.scalar(select(func.count(Worker.id))) == 0


@pytest.mark.parametrize("role", [Role.EMPLOYER, Role.WORKER, Role.ADMIN], ids=str)
def test_only_providers_register_workers_for_an_organisation(
    session: Session, make: Factory, role: Role
) -> None:
    with pytest.raises(Forbidden):
        provider_workers.register_worker_for_provider(session, make.user(role), _about())


def test_a_registration_with_bad_details_names_the_field(session: Session, provider) -> None:
    with pytest.raises(ValidationProblem) as problem:
        provider_workers.register_worker_for_provider(
            session, provider, _about(email=None, phone=None)
        )
    assert problem.value.field == "email"
    assert session.scalar(select(func.count(Worker.id))) == 0


# --- the list ------------------------------------------------------------------------------------


def test_the_list_holds_only_the_organisations_own_workers(
    session: Session, make: Factory, provider: User
) -> None:
    mine = provider_workers.register_worker_for_provider(session, provider, _about())
    other = make.user(Role.PROVIDER)
    provider_workers.register_worker_for_provider(session, other, _about(given_name="Maria"))
    workers.start_own_profile(session, make.user(Role.WORKER))  # a worker on their own
    page = provider_workers.list_provider_workers(session, provider, search="", page=1, size=10)
    assert [worker.id for worker in page.items] == [mine.id]
    assert page.total == 1


@pytest.mark.parametrize(
    "search",
    ["Ana", "ana VASILE", "ana.v@", "REF-0042", "ref-0042 vasile"],
)
def test_search_finds_workers_by_name_email_or_the_providers_reference(
    session: Session, provider: User, search: str
) -> None:
    ana = provider_workers.register_worker_for_provider(
        session, provider, _about(given_name="Ana", family_name="Vasile", email="ana.v@example.org")
    )
    ana.external_id = "REF-0042"
    session.commit()
    provider_workers.register_worker_for_provider(session, provider, _about())
    page = provider_workers.list_provider_workers(session, provider, search=search, page=1, size=10)
    assert [worker.id for worker in page.items] == [ana.id]


def test_search_characters_are_taken_literally(session: Session, provider: User) -> None:
    provider_workers.register_worker_for_provider(session, provider, _about())
    for search in ("%", "_", "Ion%"):
        page = provider_workers.list_provider_workers(
            session, provider, search=search, page=1, size=10
        )
        assert page.items == [], search


def test_the_list_is_by_family_name_one_page_at_a_time(session: Session, provider: User) -> None:
    for family in ("Dinu", "Albu", "Ciobanu", "Badea", "Enache"):
        provider_workers.register_worker_for_provider(session, provider, _about(family_name=family))
    first = provider_workers.list_provider_workers(session, provider, search="", page=1, size=2)
    last = provider_workers.list_provider_workers(session, provider, search="", page=3, size=2)
    assert [w.family_name for w in first.items] == ["Albu", "Badea"]
    assert [w.family_name for w in last.items] == ["Enache"]
    assert (first.total, first.pages, last.has_next) == (5, 3, False)


def test_the_counts_say_how_many_workers_are_active_and_have_a_login(
    session: Session, provider: User
) -> None:
    first = provider_workers.register_worker_for_provider(session, provider, _about())
    provider_workers.register_worker_for_provider(session, provider, _about(email="b@example.org"))
    first.status = ProfileStatus.ACTIVE
    session.commit()
    provider_workers.accept_invite(session, _invite(session, provider, first), PASSWORD)
    counts = provider_workers.count_provider_workers(session, provider)
    assert counts == provider_workers.WorkerCounts(registered=2, active=1, with_login=1)


# --- invites -------------------------------------------------------------------------------------


def test_an_invite_queues_a_message_with_a_one_time_link(session: Session, provider: User) -> None:
    worker = provider_workers.register_worker_for_provider(session, provider, _about())
    token = _invite(session, provider, worker)
    message = session.scalars(select(OutboxMessage)).one()
    assert message.recipient == "ion.popescu@example.org"
    assert provider.organisation.name in message.body
    invite = session.scalars(select(WorkerInvite)).one()
    assert invite.worker_id == worker.id
    assert invite.token_hash != token and token not in invite.token_hash  # only a hash is kept
    assert invite.expires_at - invite.created_at == provider_workers.INVITE_TTL
    assert provider_workers.invited_worker(session, token) is worker


def test_a_worker_without_an_email_cannot_be_invited(session: Session, provider: User) -> None:
    worker = provider_workers.register_worker_for_provider(
        session, provider, _about(email=None, phone="+373 600 00000")
    )
    with pytest.raises(Conflict, match="email"):
        provider_workers.invite_worker(session, provider, worker.id, _link_for)
    assert session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_a_worker_with_a_login_is_not_invited_again(session: Session, provider: User) -> None:
    worker = provider_workers.register_worker_for_provider(session, provider, _about())
    provider_workers.accept_invite(session, _invite(session, provider, worker), PASSWORD)
    with pytest.raises(Conflict, match="already has a login"):
        provider_workers.invite_worker(session, provider, worker.id, _link_for)


def test_an_email_that_has_an_account_already_is_not_invited(
    session: Session, make: Factory, provider: User
) -> None:
    make.user(Role.WORKER, email="ion.popescu@example.org")
    worker = provider_workers.register_worker_for_provider(session, provider, _about())
    with pytest.raises(Conflict, match="already has an account"):
        provider_workers.invite_worker(session, provider, worker.id, _link_for)


def test_a_provider_cannot_invite_another_providers_worker(
    session: Session, make: Factory, provider: User
) -> None:
    theirs = provider_workers.register_worker_for_provider(
        session, make.user(Role.PROVIDER), _about()
    )
    with pytest.raises(NotFound):
        provider_workers.invite_worker(session, provider, theirs.id, _link_for)


def test_a_provider_no_longer_verified_cannot_invite(session: Session, provider: User) -> None:
    worker = provider_workers.register_worker_for_provider(session, provider, _about())
    provider.organisation.verified_at = None
    session.commit()
    with pytest.raises(Forbidden):
        provider_workers.invite_worker(session, provider, worker.id, _link_for)


def test_a_new_invite_ends_the_earlier_link(session: Session, provider: User) -> None:
    worker = provider_workers.register_worker_for_provider(session, provider, _about())
    first = _invite(session, provider, worker)
    _sent_earlier(session, provider_workers.RESEND_AFTER)
    second = _invite(session, provider, worker)
    assert provider_workers.invited_worker(session, first) is None
    with pytest.raises(DomainError, match="expired or was already used"):
        provider_workers.accept_invite(session, first, PASSWORD)
    assert provider_workers.accept_invite(session, second, PASSWORD).role is Role.WORKER


def _sent_earlier(session: Session, by: timedelta) -> None:
    """Date the invites sent so far back, as if `by` had passed since."""
    session.execute(update(WorkerInvite).values(created_at=utcnow() - by))
    session.commit()


# --- accepting -----------------------------------------------------------------------------------


def test_accepting_creates_a_worker_login_for_the_workers_own_profile(
    session: Session, provider: User
) -> None:
    worker = provider_workers.register_worker_for_provider(session, provider, _about())
    user = provider_workers.accept_invite(session, _invite(session, provider, worker), PASSWORD)
    assert (user.role, user.email, user.full_name) == (
        Role.WORKER,
        "ion.popescu@example.org",
        "Ion Popescu",
    )
    session.refresh(worker)
    assert worker.user_id == user.id
    assert workers.own_profile(session, user) is worker
    assert workers.worker_for(session, user, worker.id) is worker
    assert workers.worker_for(session, provider, worker.id) is worker  # still theirs to help


def test_a_used_link_is_refused(session: Session, provider: User) -> None:
    worker = provider_workers.register_worker_for_provider(session, provider, _about())
    token = _invite(session, provider, worker)
    provider_workers.accept_invite(session, token, PASSWORD)
    with pytest.raises(DomainError, match="expired or was already used"):
        provider_workers.accept_invite(session, token, "another good passphrase")
    assert session.scalar(select(func.count(User.id)).where(User.role == Role.WORKER)) == 1


def test_an_expired_link_is_refused(session: Session, provider: User) -> None:
    worker = provider_workers.register_worker_for_provider(session, provider, _about())
    token = _invite(session, provider, worker)
    invite = session.scalars(select(WorkerInvite)).one()
    invite.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert provider_workers.invited_worker(session, token) is None
    with pytest.raises(DomainError, match="expired"):
        provider_workers.accept_invite(session, token, PASSWORD)
    session.refresh(worker)
    assert worker.user_id is None


def test_an_unknown_link_is_refused(session: Session) -> None:
    with pytest.raises(DomainError):
        provider_workers.accept_invite(session, "no-such-token", PASSWORD)


@pytest.mark.parametrize("password", ["short", "password123", "ion.popescu@example.org"])
def test_a_weak_password_is_refused_and_the_link_still_works(
    session: Session, provider: User, password: str
) -> None:
    worker = provider_workers.register_worker_for_provider(session, provider, _about())
    token = _invite(session, provider, worker)
    with pytest.raises(ValidationProblem) as problem:
        provider_workers.accept_invite(session, token, password)
    assert problem.value.field == "password"
    assert provider_workers.invited_worker(session, token) is worker


def test_a_link_whose_email_got_an_account_meanwhile_creates_none(
    session: Session, make: Factory, provider: User
) -> None:
    worker = provider_workers.register_worker_for_provider(session, provider, _about())
    token = _invite(session, provider, worker)
    make.user(Role.WORKER, email="ion.popescu@example.org")
    with pytest.raises(Conflict):
        provider_workers.accept_invite(session, token, PASSWORD)
    session.refresh(worker)
    assert worker.user_id is None


# --- two submits at the same moment (PostgreSQL: real concurrent transactions) -------------------


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL for concurrent transactions")
def test_two_accepts_at_once_create_one_account(tmp_path: Path) -> None:
    url = fresh_database_url("portal_invite_race", tmp_path)
    engine = make_engine(url)
    schema.upgrade(engine)
    try:
        with Session(engine, expire_on_commit=False) as session:
            organisation = organisations.create_organisation(
                session, kind=OrganisationKind.PROVIDER, name="Race Ltd", verified=True
            )
            provider = Factory(session).user(Role.PROVIDER, organisation=organisation)
            worker = provider_workers.register_worker_for_provider(session, provider, _about())
            token = _invite(session, provider, worker)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def accept() -> None:
            with Session(engine) as session:
                barrier.wait()
                try:
                    provider_workers.accept_invite(session, token, PASSWORD)
                except DomainError:
                    outcomes.append("refused")
                else:
                    outcomes.append("created")

        threads = [threading.Thread(target=accept) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        with Session(engine) as session:
            accounts = session.scalar(
                select(func.count(User.id)).where(User.email == "ion.popescu@example.org")
            )
        assert sorted(outcomes) == ["created", "refused"]
        assert accounts == 1
    finally:
        engine.dispose()
