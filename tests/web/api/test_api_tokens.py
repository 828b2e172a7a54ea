"""API tokens: made and revoked on the account's page (CSRF-checked, the secret shown once and
kept only as a hash), and refused once revoked, expired or their account is closed."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import ValidationProblem
from portal.models import ApiToken, Role
from portal.models.base import utcnow
from portal.services import api_tokens
from tests.conftest import Factory, WebClient
from tests.web.api.conftest import ApiClient, error_of, token_for

PAGE = "/account/tokens"
VACANCIES = "/api/v1/vacancies"
SECRET = re.compile(r'id="new-token"[^>]*value="(spt_[^"]+)"')


def _make_token(client: WebClient, name: str = "Employment service", expires: str = "90") -> str:
    nonce = client.hidden(PAGE, "nonce")
    response = client.post(PAGE, {"name": name, "expires": expires, "nonce": nonce})
    assert response.status_code == 200, response.get_data(as_text=True)
    found = SECRET.search(response.get_data(as_text=True))
    assert found, "the new token is shown"
    return found.group(1)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EMPLOYER, Role.PROVIDER], ids=str)
def test_a_token_made_on_the_page_opens_the_api_as_its_maker(
    client: WebClient, api: ApiClient, make: Factory, role: Role
) -> None:
    client.login(make.user(role).email)

    secret = _make_token(client)

    assert api.get(VACANCIES, secret).status_code == 200


def test_the_secret_is_shown_once_and_kept_only_as_a_hash(
    client: WebClient, make: Factory, session: Session
) -> None:
    client.login(make.user(Role.EMPLOYER).email)
    secret = _make_token(client, "Matching system")

    listing = client.get(PAGE).get_data(as_text=True)

    stored = session.scalar(select(ApiToken).where(ApiToken.name == "Matching system"))
    assert stored is not None
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in listing
    assert stored.prefix in listing and secret.startswith(stored.prefix)
    assert "Matching system" in listing and "<td>Never</td>" in listing  # not used yet


def test_making_a_token_needs_the_form_s_csrf_token(client: WebClient, make: Factory) -> None:
    client.login(make.user(Role.ADMIN).email)

    response = client.client.post(PAGE, data={"name": "Forged", "expires": "never"})

    assert response.status_code == 400
    assert "spt_" not in response.get_data(as_text=True)


def test_a_token_needs_a_name(client: WebClient, make: Factory) -> None:
    client.login(make.user(Role.PROVIDER).email)

    nonce = client.hidden(PAGE, "nonce")
    response = client.post(PAGE, {"name": "  ", "expires": "30", "nonce": nonce})

    assert response.status_code == 400
    assert 'id="name-error"' in response.get_data(as_text=True)
    assert f'value="{nonce}"' in response.get_data(as_text=True)  # still the same form


def _tokens(session: Session) -> list[ApiToken]:
    session.expire_all()
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def test_the_same_form_sent_twice_makes_one_token_and_shows_its_secret_again(
    client: WebClient, make: Factory, session: Session
) -> None:
    client.login(make.user(Role.EMPLOYER).email)
    form = {"name": "Twice", "expires": "90", "nonce": client.hidden(PAGE, "nonce")}

    first = client.post(PAGE, form)
    second = client.post(PAGE, form)

    shown = [SECRET.search(answer.get_data(as_text=True)) for answer in (first, second)]
    assert second.status_code == 200
    assert shown[0] and shown[1] and shown[0].group(1) == shown[1].group(1)
    (token,) = _tokens(session)
    assert token.token_hash == hashlib.sha256(shown[0].group(1).encode()).hexdigest()
    assert token.form_nonce_hash == hashlib.sha256(form["nonce"].encode()).hexdigest()
    assert form["nonce"] not in {token.token_hash, token.prefix}  # the nonce itself is not kept


def test_after_a_token_is_made_the_form_is_a_new_one(client: WebClient, make: Factory) -> None:
    client.login(make.user(Role.PROVIDER).email)
    nonce = client.hidden(PAGE, "nonce")

    answer = client.post(PAGE, {"name": "First", "expires": "30", "nonce": nonce})
    again = re.search(r'name="nonce"[^>]*value="([^"]+)"', answer.get_data(as_text=True))

    assert again and again.group(1) != nonce
    assert SECRET.search(
        client.post(PAGE, {"name": "Second", "expires": "30", "nonce": again.group(1)}).get_data(
            as_text=True
        )
    )


@pytest.mark.parametrize("nonce", [None, "", "short", "x" * 42 + "!"])
def test_a_form_without_its_one_time_value_makes_nothing(
    client: WebClient, make: Factory, session: Session, nonce: str | None
) -> None:
    client.login(make.user(Role.ADMIN).email)
    form = {"name": "No nonce", "expires": "30"}
    if nonce is not None:
        form["nonce"] = nonce

    response = client.post(PAGE, form)

    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert _tokens(session) == []


def test_the_same_form_sent_again_later_says_the_token_exists_without_its_secret(
    client: WebClient, make: Factory, session: Session
) -> None:
    client.login(make.user(Role.EMPLOYER).email)
    form = {"name": "Earlier", "expires": "90", "nonce": client.hidden(PAGE, "nonce")}
    client.post(PAGE, form)
    (token,) = _tokens(session)
    token.created_at -= api_tokens.SHOWN_AGAIN_WITHIN + timedelta(seconds=1)
    session.commit()

    response = client.post(PAGE, form)

    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form already made the token “Earlier”" in text
    assert not SECRET.search(text)
    assert len(_tokens(session)) == 1


def test_a_form_sent_again_after_the_key_changed_cannot_show_the_secret(
    make: Factory, session: Session
) -> None:
    user = make.user(Role.PROVIDER)
    made = api_tokens.create_token(
        session, user, "Keyed", nonce=api_tokens.FormNonce("n" * 43, b"old key")
    )

    with pytest.raises(ValidationProblem, match="already made"):
        api_tokens.create_token(
            session, user, "Keyed", nonce=api_tokens.FormNonce("n" * 43, b"new key")
        )
    again = api_tokens.create_token(
        session, user, "Keyed", nonce=api_tokens.FormNonce("n" * 43, b"old key")
    )
    assert again.secret == made.secret and again.token.id == made.token.id
    assert len(_tokens(session)) == 1


def test_a_revoked_token_is_not_shown_again(make: Factory, session: Session) -> None:
    user = make.user(Role.ADMIN)
    nonce = api_tokens.FormNonce("r" * 43, b"key")
    made = api_tokens.create_token(session, user, "Gone", nonce=nonce)
    api_tokens.revoke_token(session, user, made.token.id)

    with pytest.raises(ValidationProblem, match="already made"):
        api_tokens.create_token(session, user, "Gone", nonce=nonce)


def test_workers_have_no_tokens_page(client: WebClient, make: Factory) -> None:
    client.login(make.user(Role.WORKER).email)

    assert client.get(PAGE).status_code == 403


def test_revoking_asks_for_confirmation_then_the_token_opens_nothing(
    client: WebClient, api: ApiClient, make: Factory, session: Session
) -> None:
    client.login(make.user(Role.EMPLOYER).email)
    secret = _make_token(client, "Old system")
    token = session.scalar(select(ApiToken).where(ApiToken.name == "Old system"))
    assert token is not None
    confirm = f"{PAGE}/{token.id}/revoke"

    question = client.get(confirm).get_data(as_text=True)
    assert "Revoke the token “Old system”?" in question
    assert api.get(VACANCIES, secret).status_code == 200  # asking changes nothing
    response = client.post(confirm)

    assert response.status_code == 302
    error = error_of(api.get(VACANCIES, secret), 401)
    assert error["code"] == "invalid_token"
    assert "Revoked on" in client.get(PAGE).get_data(as_text=True)


def test_someone_else_s_token_cannot_be_revoked(
    client: WebClient, make: Factory, session: Session
) -> None:
    theirs = api_tokens.create_token(session, make.user(Role.EMPLOYER), "Theirs").token
    client.login(make.user(Role.EMPLOYER).email)

    assert client.get(f"{PAGE}/{theirs.id}/revoke").status_code == 404
    assert client.post(f"{PAGE}/{theirs.id}/revoke", page=PAGE).status_code == 404
    session.refresh(theirs)
    assert theirs.revoked_at is None


def test_an_expired_token_is_refused(api: ApiClient, make: Factory, session: Session) -> None:
    made = api_tokens.create_token(
        session, make.user(Role.PROVIDER), "Short", expires_at=utcnow() + timedelta(days=1)
    )
    assert api.get(VACANCIES, made.secret).status_code == 200
    made.token.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()

    assert error_of(api.get(VACANCIES, made.secret), 401)["code"] == "invalid_token"


def test_a_deactivated_account_s_token_is_refused(
    api: ApiClient, make: Factory, session: Session
) -> None:
    user = make.user(Role.EMPLOYER)
    secret = token_for(session, user)
    user.is_active = False
    session.commit()

    assert error_of(api.get(VACANCIES, secret), 401)["code"] == "invalid_token"


def test_a_token_records_when_it_was_last_used(
    api: ApiClient, make: Factory, session: Session
) -> None:
    made = api_tokens.create_token(session, make.user(Role.ADMIN), "Counted")
    assert made.token.last_used_at is None

    api.get(VACANCIES, made.secret)

    session.refresh(made.token)
    assert made.token.last_used_at is not None


def test_workers_cannot_be_given_tokens(make: Factory, session: Session) -> None:
    from portal.errors import Forbidden

    with pytest.raises(Forbidden):
        api_tokens.create_token(session, make.user(Role.WORKER), "Mine")


def test_a_token_made_for_a_worker_by_hand_opens_nothing(
    api: ApiClient, make: Factory, session: Session
) -> None:
    secret = "spt_" + "w" * 43
    user = make.user(Role.WORKER)
    session.add(
        ApiToken(
            user_id=user.id,
            name="by hand",
            token_hash=hashlib.sha256(secret.encode()).hexdigest(),
            prefix=secret[:12],
        )
    )
    session.commit()

    assert error_of(api.get(VACANCIES, secret), 401)["code"] == "invalid_token"


def test_a_logged_in_browser_session_does_not_open_the_api(
    client: WebClient, make: Factory
) -> None:
    client.login(make.user(Role.ADMIN).email)

    response = client.get(VACANCIES)

    assert error_of(response, 401)["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer    ", "Basic dXNlcjpwYXNz", "Token spt_x", "Bearer spt_not-a-token"],
)
def test_a_missing_or_unknown_token_is_401(api: ApiClient, market_free_admin, header: str) -> None:
    response = api.get(VACANCIES, headers={"Authorization": header} if header else {})

    assert error_of(response, 401)["code"] in {"unauthorized", "invalid_token"}
    assert "Bearer" in response.headers["WWW-Authenticate"]


@pytest.fixture
def market_free_admin(make: Factory, session: Session) -> str:
    """A live token exists, so that a refusal is about the header, not an empty table."""
    return token_for(session, make.user(Role.ADMIN))


def test_an_account_holds_a_limited_number_of_live_tokens(make: Factory, session: Session) -> None:
    user = make.user(Role.PROVIDER)
    for number in range(api_tokens.LIVE_TOKENS_MAX):
        api_tokens.create_token(session, user, f"token {number}")

    with pytest.raises(ValidationProblem):
        api_tokens.create_token(session, user, "one too many")
