"""The data rights pages: who may see, download, withdraw and erase; erasing one's own account
ends every login and leaves no trace of the person in any table."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    AuditAction,
    AuditEvent,
    OrganisationKind,
    ProfileStatus,
    Role,
    User,
    Worker,
)
from portal.services import data_rights
from tests.conftest import PASSWORD, Factory, WebClient
from tests.services.test_data_rights import (
    EMAIL,
    FAMILY,
    GIVEN,
    NEEDLES,
    full_worker,
    person_traces,
    tally_count,
)


@pytest.fixture
def person(session: Session, make: Factory, stored_taxonomy) -> tuple[User, Worker]:
    return full_worker(session, make)


def _provider_worker(session: Session, make: Factory) -> tuple[User, Worker]:
    """A worker without a login, registered by a labour provider; returns (provider, worker)."""
    organisation = make.organisation(OrganisationKind.PROVIDER)
    provider = make.user(Role.PROVIDER, organisation=organisation)
    worker = Worker(
        provider_id=organisation.id,
        given_name="Ionqx",
        family_name="Popescuqx",
        phone="+40 711 222 333",
    )
    session.add(worker)
    session.commit()
    return provider, worker


def _erase(client: WebClient, worker_id: int, confirmation: str = "DELETE"):
    url = f"/workers/{worker_id}/data/delete"
    return client.post(url, {"confirmation": confirmation})


# --- export ---------------------------------------------------------------------------------


def test_the_worker_reads_all_their_data_on_a_page(client: WebClient, person) -> None:
    _user, worker = person
    client.login(EMAIL)
    page = client.get(f"/workers/{worker.id}/data")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for expected in (GIVEN, FAMILY, "+48 600 700 812", "drive a fork lift", "operate a forklift"):
        assert expected in text
    assert "warehouse work" in text and "Forklift licence" in text and "matching" in text


def test_the_download_is_an_attachment_with_all_the_data(
    client: WebClient, session: Session, person
) -> None:
    _user, worker = person
    client.login(EMAIL)
    response = client.get(f"/workers/{worker.id}/data/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="worker-{worker.id}-data.json"'
    )
    document = json.loads(response.get_data(as_text=True))
    assert document["profile"]["family_name"] == FAMILY
    assert document["account"]["email"] == EMAIL
    assert document["skills"][0]["words"] == "drive a fork lift"
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (last.action, last.subject_id, last.detail) == (AuditAction.EXPORTED, worker.id, "json")


def test_the_provider_that_registered_a_worker_may_export_but_not_erase(
    client: WebClient, session: Session, make: Factory
) -> None:
    provider, worker = _provider_worker(session, make)
    client.login(provider.email)
    assert client.get(f"/workers/{worker.id}/data").status_code == 200
    assert client.get(f"/workers/{worker.id}/data/data.json").status_code == 200
    assert client.get(f"/workers/{worker.id}/data/delete").status_code == 403
    response = client.post(
        f"/workers/{worker.id}/data/delete",
        {"confirmation": "DELETE"},
        page=f"/workers/{worker.id}/data",
    )
    assert response.status_code == 403
    session.expire_all()
    assert session.get(Worker, worker.id) is not None


@pytest.mark.parametrize("who", [Role.WORKER, Role.PROVIDER, Role.EMPLOYER], ids=str)
def test_others_neither_see_nor_download_nor_erase(
    client: WebClient, session: Session, make: Factory, who: Role
) -> None:
    _provider, worker = _provider_worker(session, make)
    client.login(make.user(who).email)
    token = client.csrf_token("/")
    base = f"/workers/{worker.id}/data"
    for url in (base, f"{base}/data.json", f"{base}/withdraw-consent", f"{base}/delete"):
        assert client.get(url).status_code in (403, 404), url
    for url in (f"{base}/withdraw-consent", f"{base}/delete"):
        response = client.client.post(url, data={"csrf_token": token, "confirmation": "DELETE"})
        assert response.status_code in (403, 404), url
    session.expire_all()
    assert session.get(Worker, worker.id) is not None


def test_anonymous_visitors_are_sent_to_log_in(client: WebClient, person) -> None:
    _user, worker = person
    response = client.get(f"/workers/{worker.id}/data/data.json")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- consent --------------------------------------------------------------------------------


def test_the_worker_withdraws_consent(client: WebClient, session: Session, person) -> None:
    _user, worker = person
    client.login(EMAIL)
    url = f"/workers/{worker.id}/data/withdraw-consent"
    assert "matching" in client.get(url).get_data(as_text=True)
    response = client.post(url)
    assert response.status_code == 302
    session.expire_all()
    worker = session.get(Worker, worker.id)
    assert worker.status is ProfileStatus.CONSENT_WITHDRAWN
    assert all(consent.withdrawn_at is not None for consent in worker.consents)


def test_withdrawing_without_consent_changes_nothing(
    client: WebClient, session: Session, make: Factory
) -> None:
    provider, worker = _provider_worker(session, make)
    client.login(provider.email)
    url = f"/workers/{worker.id}/data/withdraw-consent"
    assert "no consent to withdraw" in client.get(url).get_data(as_text=True)
    client.post(url, page=f"/workers/{worker.id}/data")
    session.expire_all()
    assert session.get(Worker, worker.id).status is ProfileStatus.DRAFT


# --- erasure --------------------------------------------------------------------------------


def test_the_confirmation_page_says_what_is_erased_and_what_is_kept(
    client: WebClient, person
) -> None:
    _user, worker = person
    client.login(EMAIL)
    text = client.get(f"/workers/{worker.id}/data/delete").get_data(as_text=True)
    assert "What is erased, for good" in text and "What is kept" in text
    assert "2 skills" in text and "North" in text and "Ukraine" in text


def test_erasure_needs_the_word_delete(client: WebClient, session: Session, person) -> None:
    _user, worker = person
    client.login(EMAIL)
    response = _erase(client, worker.id, confirmation="yes")
    assert response.status_code == 400
    assert 'id="confirmation-error"' in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Worker, worker.id) is not None


def test_a_worker_erases_their_account_and_every_login_ends(
    app: Flask, client: WebClient, session: Session, person
) -> None:
    user, worker = person
    user_id = user.id
    facts = data_rights.tally_facts(session, worker)
    elsewhere = WebClient(app.test_client())  # the same person on another device
    elsewhere.login(EMAIL)
    client.login(EMAIL)
    cookie = client.client.get_cookie("portal_session")
    assert cookie is not None

    response = _erase(client, worker.id)

    assert response.status_code == 200
    assert "Your account is deleted" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    replayed = WebClient(app.test_client())
    replayed.client.set_cookie(cookie.key, cookie.value)
    assert replayed.get("/dashboard").headers["Location"].startswith("/login")
    assert elsewhere.get("/dashboard").headers["Location"].startswith("/login")
    assert client.post("/login", {"email": EMAIL, "password": PASSWORD}).status_code == 401
    session.expire_all()
    assert session.get(User, user_id) is None
    assert tally_count(session, facts) == 1


def test_after_erasure_through_the_page_no_table_holds_the_person(
    client: WebClient, session: Session, person
) -> None:
    _user, worker = person
    client.login(EMAIL)
    assert _erase(client, worker.id).status_code == 200
    session.expire_all()
    assert person_traces(session, NEEDLES) == []


def test_an_admin_erases_a_registered_worker_and_sees_the_trail(
    client: WebClient, session: Session, make: Factory
) -> None:
    _provider, worker = _provider_worker(session, make)
    worker_id = worker.id
    facts = data_rights.tally_facts(session, worker)
    client.login(make.user(Role.ADMIN).email)
    response = _erase(client, worker_id)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/audit/workers/{worker_id}"
    trail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "erased" in trail and "Ionqx" not in trail
    session.expire_all()
    assert session.get(Worker, worker_id) is None
    assert person_traces(session, ("Ionqx", "Popescuqx", "+40 711 222 333")) == []
    assert tally_count(session, facts) == 1
