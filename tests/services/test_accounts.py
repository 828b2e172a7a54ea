from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import DomainError, TooManyAttempts, ValidationProblem
from portal.models import LoginAttempt, OutboxMessage, PasswordResetToken, Role
from portal.models.base import utcnow
from portal.services import accounts
from tests.conftest import PASSWORD, Factory

POLICY = accounts.LoginPolicy(failures_per_account=3, failures_per_ip=5)


def _registration(role: Role = Role.WORKER, **changes: str) -> accounts.Registration:
    values = {
        "email": "New.Person@Example.org",
        "full_name": "New Person",
        "password": PASSWORD,
        "organisation_name": "",
    }
    values.update(changes)
    return accounts.Registration(role=role, **values)


def test_registration_stores_a_lower_cased_email_and_an_argon2_hash(session: Session) -> None:
    user = accounts.register(session, _registration())
    assert user.email == "new.person@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert user.organisation is None


@pytest.mark.parametrize("role", [Role.EMPLOYER, Role.PROVIDER])
def test_employers_and_providers_found_an_unverified_organisation(
    session: Session, role: Role
) -> None:
    user = accounts.register(session, _registration(role, organisation_name="Green Fields"))
    assert user.organisation is not None
    assert user.organisation.name == "Green Fields"
    assert user.organisation.kind.value == role.value
    assert not user.organisation.is_verified


def test_nobody_registers_as_admin(session: Session) -> None:
    with pytest.raises(ValidationProblem) as refusal:
        accounts.register(session, _registration(Role.ADMIN))
    assert refusal.value.field == "role"


def test_a_second_account_with_the_same_email_is_refused(session: Session) -> None:
    accounts.register(session, _registration())
    with pytest.raises(ValidationProblem) as refusal:
        accounts.register(session, _registration(email="NEW.person@example.org"))
    assert refusal.value.field == "email"


def test_an_employer_needs_an_organisation_name(session: Session) -> None:
    with pytest.raises(ValidationProblem) as refusal:
        accounts.register(session, _registration(Role.EMPLOYER, organisation_name="  "))
    assert refusal.value.field == "organisation_name"


def test_log_in_opens_a_session_that_identifies_the_user(session: Session, make: Factory) -> None:
    user = make.user(Role.WORKER)
    logged_in, token = accounts.log_in(session, user.email.upper(), PASSWORD, "10.0.0.1", POLICY)
    assert logged_in.id == user.id
    assert accounts.user_for_session(session, token).id == user.id


def test_unknown_email_and_wrong_password_get_the_same_answer(
    session: Session, make: Factory
) -> None:
    user = make.user(Role.WORKER)
    with pytest.raises(DomainError) as wrong_password:
        accounts.log_in(session, user.email, "not the password", "10.0.0.1", POLICY)
    with pytest.raises(DomainError) as unknown_email:
        accounts.log_in(session, "nobody@example.org", PASSWORD, "10.0.0.1", POLICY)
    assert type(wrong_password.value) is type(unknown_email.value)
    assert wrong_password.value.message == unknown_email.value.message


def test_failures_are_recorded(session: Session, make: Factory) -> None:
    user = make.user(Role.WORKER)
    with pytest.raises(DomainError):
        accounts.log_in(session, user.email, "nope nope", "10.0.0.9", POLICY)
    attempt = session.scalars(select(LoginAttempt)).one()
    assert (attempt.email, attempt.ip, attempt.succeeded) == (user.email, "10.0.0.9", False)


def test_too_many_failures_for_one_account_pause_it_even_with_the_right_password(
    session: Session, make: Factory
) -> None:
    user = make.user(Role.WORKER)
    for n in range(POLICY.failures_per_account):
        with pytest.raises(DomainError):
            accounts.log_in(session, user.email, "wrong", f"10.0.0.{n}", POLICY)
    with pytest.raises(TooManyAttempts):
        accounts.log_in(session, user.email, PASSWORD, "10.0.1.1", POLICY)


def test_too_many_failures_from_one_address_pause_it_for_every_account(
    session: Session, make: Factory
) -> None:
    user = make.user(Role.WORKER)
    for n in range(POLICY.failures_per_ip):
        with pytest.raises(DomainError):
            accounts.log_in(session, f"guess{n}@example.org", "wrong", "10.9.9.9", POLICY)
    with pytest.raises(TooManyAttempts):
        accounts.log_in(session, user.email, PASSWORD, "10.9.9.9", POLICY)
    accounts.log_in(session, user.email, PASSWORD, "10.1.1.1", POLICY)  # other addresses work


def test_failures_older_than_the_window_do_not_count(session: Session, make: Factory) -> None:
    user = make.user(Role.WORKER)
    long_ago = utcnow() - POLICY.window - timedelta(minutes=1)
    for _ in range(POLICY.failures_per_account):
        session.add(LoginAttempt(email=user.email, ip="10.0.0.1", succeeded=False, at=long_ago))
    session.commit()
    accounts.log_in(session, user.email, PASSWORD, "10.0.0.1", POLICY)


def test_logging_out_ends_the_session_for_good(session: Session, make: Factory) -> None:
    user = make.user(Role.WORKER)
    _, token = accounts.log_in(session, user.email, PASSWORD, "10.0.0.1", POLICY)
    accounts.log_out(session, token)
    assert accounts.user_for_session(session, token) is None


def test_a_deactivated_user_cannot_log_in_and_loses_open_sessions(
    session: Session, make: Factory
) -> None:
    user = make.user(Role.WORKER)
    _, token = accounts.log_in(session, user.email, PASSWORD, "10.0.0.1", POLICY)
    user.is_active = False
    session.commit()
    assert accounts.user_for_session(session, token) is None
    with pytest.raises(DomainError):
        accounts.log_in(session, user.email, PASSWORD, "10.0.0.1", POLICY)


def test_changing_the_password_ends_every_other_session(session: Session, make: Factory) -> None:
    user = make.user(Role.WORKER)
    _, here = accounts.log_in(session, user.email, PASSWORD, "10.0.0.1", POLICY)
    _, elsewhere = accounts.log_in(session, user.email, PASSWORD, "10.0.0.2", POLICY)
    accounts.change_password(session, user, PASSWORD, "a new long passphrase", keep_token=here)
    assert accounts.user_for_session(session, here) is not None
    assert accounts.user_for_session(session, elsewhere) is None
    accounts.log_in(session, user.email, "a new long passphrase", "10.0.0.1", POLICY)


def test_changing_the_password_needs_the_current_one(session: Session, make: Factory) -> None:
    user = make.user(Role.WORKER)
    with pytest.raises(ValidationProblem) as refusal:
        accounts.change_password(session, user, "wrong", "a new long passphrase", keep_token=None)
    assert refusal.value.field == "current_password"


def _reset_link(session: Session, email: str) -> str:
    links: list[str] = []

    def link_for(token: str) -> str:
        links.append(token)
        return f"https://portal.example/password/reset/{token}"

    accounts.request_password_reset(session, email, link_for, timedelta(minutes=30))
    return links[0] if links else ""


def test_a_reset_request_puts_a_one_time_link_in_the_outbox(
    session: Session, make: Factory
) -> None:
    user = make.user(Role.WORKER)
    token = _reset_link(session, user.email)
    message = session.scalars(select(OutboxMessage)).one()
    assert message.recipient == user.email
    assert token in message.body
    stored = session.scalars(select(PasswordResetToken)).one()
    assert token not in stored.token_hash  # only a hash of the token is kept


def test_a_reset_request_for_an_unknown_email_sends_nothing(session: Session) -> None:
    assert _reset_link(session, "nobody@example.org") == ""
    assert session.scalars(select(OutboxMessage)).all() == []


def test_a_reset_link_works_once_and_ends_all_sessions(session: Session, make: Factory) -> None:
    user = make.user(Role.WORKER)
    _, open_session = accounts.log_in(session, user.email, PASSWORD, "10.0.0.1", POLICY)
    token = _reset_link(session, user.email)
    accounts.reset_password(session, token, "brand new passphrase")
    assert accounts.user_for_session(session, open_session) is None
    with pytest.raises(DomainError):
        accounts.reset_password(session, token, "another new passphrase")
    accounts.log_in(session, user.email, "brand new passphrase", "10.0.0.1", POLICY)


def test_an_expired_reset_link_is_refused(session: Session, make: Factory) -> None:
    user = make.user(Role.WORKER)
    token = _reset_link(session, user.email)
    stored = session.scalars(select(PasswordResetToken)).one()
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert not accounts.reset_token_is_valid(session, token)
    with pytest.raises(DomainError):
        accounts.reset_password(session, token, "brand new passphrase")


def test_count_by_role_counts_every_role(session: Session, make: Factory) -> None:
    make.user(Role.WORKER)
    make.user(Role.WORKER)
    make.user(Role.EMPLOYER)
    counts = accounts.count_by_role(session)
    assert counts[Role.WORKER] == 2
    assert counts[Role.EMPLOYER] == 1
    assert counts[Role.ADMIN] == 0


def test_an_unknown_email_costs_a_password_verification_too(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Equal work for unknown and known accounts, so timing does not reveal which exist."""
    from portal.services import passwords

    checked: list[str] = []
    real = passwords.verify_password

    def counting(password_hash: str, password: str) -> bool:
        checked.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    with pytest.raises(DomainError):
        accounts.log_in(session, "nobody@example.org", "a guess!!", "10.0.0.1", POLICY)
    assert checked == ["a guess!!"]
