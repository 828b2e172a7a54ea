"""The labour provider's worker pages and the invite link, and who may reach worker data."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.routing.converters import AnyConverter

from portal.models import (
    AuditAction,
    AuditEvent,
    LanguageLevel,
    OrganisationKind,
    OutboxMessage,
    Role,
    Sex,
    User,
    Worker,
    WorkerInvite,
)
from portal.models.base import utcnow
from portal.services import provider_workers, workers
from tests.conftest import PASSWORD, Factory, WebClient

PROFILE_STEPS = ("about", "skills", "experience", "availability", "review")
NEW_PASSWORD = "plum orchard by the river"
FORM = {
    "given_name": "Ion",
    "family_name": "Popescu",
    "email": "ion@example.org",
    "phone": "",
    "languages-0-code": "ro",
    "languages-0-level": "native",
    "languages-1-code": "en",
    "languages-1-level": "B1",
    "sex": "male",
    "birth_year": "1988",
    "country_of_origin": "MD",
    "nationality": "MD",
}


def _about(**changes) -> workers.AboutYou:
    values = dict(given_name="Ion", family_name="Popescu", email="ion@example.org")
    values.update(changes)
    return workers.AboutYou(**values)


@pytest.fixture
def provider(make: Factory) -> User:
    return make.user(Role.PROVIDER)


@pytest.fixture
def worker(session: Session, provider: User) -> Worker:
    return provider_workers.register_worker_for_provider(session, provider, _about())


def _invite_link(client: WebClient, session: Session, worker: Worker) -> str:
    """Press the invite button as the logged-in provider; the path of the link in the message."""
    response = client.post(
        f"/provider/workers/{worker.id}/invite", page=f"/provider/workers/{worker.id}"
    )
    assert response.status_code == 302
    message = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    match = re.search(r"https?://[^/\s]+(/invite/\S+)", message.body)
    assert match, message.body
    return match.group(1)


# --- registering a worker ------------------------------------------------------------------------


def test_a_provider_registers_a_worker_and_goes_on_to_their_skills(
    client: WebClient, session: Session, provider: User
) -> None:
    client.login(provider.email)
    response = client.post("/provider/workers/new", FORM)
    worker = session.scalars(select(Worker)).one()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/workers/{worker.id}/profile/skills"
    assert worker.provider_id == provider.organisation_id
    assert (worker.full_name, worker.sex, worker.birth_year) == ("Ion Popescu", Sex.MALE, 1988)
    assert {(lang.code, lang.level) for lang in worker.languages} == {
        ("ro", LanguageLevel.NATIVE),
        ("en", LanguageLevel.B1),
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"given_name": ""}, "given_name"),
        ({"email": "", "phone": ""}, "email"),
        ({"birth_year": "19x0"}, "birth_year"),
        ({"birth_year": "1850"}, "birth_year"),
        ({"languages-0-code": "xx"}, "languages-0-code"),
        ({"languages-0-level": "fluent"}, "languages-0-level"),
        ({"country_of_origin": "XX"}, "country_of_origin"),
    ],
)
def test_bad_details_are_shown_on_their_field_and_nothing_is_stored(
    client: WebClient, session: Session, provider: User, changes: dict, field: str
) -> None:
    client.login(provider.email)
    response = client.post("/provider/workers/new", {**FORM, **changes})
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Worker.id))) == 0


def test_an_unverified_provider_is_told_to_wait_and_cannot_register(
    client: WebClient, session: Session, make: Factory
) -> None:
    organisation = make.organisation(OrganisationKind.PROVIDER, verified=False)
    client.login(make.user(Role.PROVIDER, organisation=organisation).email)
    page = client.get("/provider/workers/new")
    assert page.status_code == 403
    assert "not verified your organisation" in page.get_data(as_text=True)
    response = client.post("/provider/workers/new", FORM, page="/provider/")
    assert response.status_code == 403
    assert session.scalar(select(func.count(Worker.id))) == 0


# --- the list and the summary --------------------------------------------------------------------


def test_the_dashboard_counts_workers_and_links_to_the_list_registration_and_upload(
    client: WebClient, provider: User, worker: Worker
) -> None:
    client.login(provider.email)
    page = client.get("/provider/").get_data(as_text=True)
    assert "1 worker registered" in page
    for link in ("/provider/workers", "/provider/workers/new", "/provider/workers/upload"):
        assert f'href="{link}"' in page


def test_an_empty_list_says_what_to_do_next(client: WebClient, provider: User) -> None:
    client.login(provider.email)
    page = client.get("/provider/workers").get_data(as_text=True)
    assert "You have not registered any workers yet" in page
    assert 'href="/provider/workers/new"' in page
    assert 'href="/provider/workers/upload"' in page


def test_the_list_shows_own_workers_only_and_another_providers_worker_is_not_found(
    client: WebClient, session: Session, make: Factory, provider: User, worker: Worker
) -> None:
    theirs = provider_workers.register_worker_for_provider(
        session, make.user(Role.PROVIDER), _about(given_name="Maria", family_name="Rusu")
    )
    client.login(provider.email)
    page = client.get("/provider/workers").get_data(as_text=True)
    assert "Ion Popescu" in page and "Maria Rusu" not in page
    assert client.get(f"/provider/workers/{worker.id}").status_code == 200
    assert client.get(f"/provider/workers/{theirs.id}").status_code == 404
    response = client.post(
        f"/provider/workers/{theirs.id}/invite", page=f"/provider/workers/{worker.id}"
    )
    assert response.status_code == 404
    assert session.scalar(select(func.count(WorkerInvite.id))) == 0


def test_search_and_pagination_of_the_list(
    app: Flask, client: WebClient, session: Session, provider: User
) -> None:
    app.config["PAGE_SIZE"] = 2
    for given in ("Ana", "Bogdan", "Cezar"):
        provider_workers.register_worker_for_provider(
            session, provider, _about(given_name=given, email=f"{given.lower()}@example.org")
        )
    client.login(provider.email)
    first = client.get("/provider/workers").get_data(as_text=True)
    assert "Ana Popescu" in first and "Cezar Popescu" not in first
    assert "Page 1 of 2" in first and 'href="/provider/workers?page=2"' in first
    found = client.get("/provider/workers?q=cezar").get_data(as_text=True)
    assert "Cezar Popescu" in found and "Ana Popescu" not in found
    nothing = client.get("/provider/workers?q=zzz").get_data(as_text=True)
    assert "No worker matches" in nothing


def test_the_summary_links_to_each_profile_step_and_records_the_view(
    client: WebClient, session: Session, provider: User, worker: Worker
) -> None:
    client.login(provider.email)
    page = client.get(f"/provider/workers/{worker.id}").get_data(as_text=True)
    for step in PROFILE_STEPS:
        assert f'href="/workers/{worker.id}/profile/{step}"' in page
    assert "Invite Ion by email" in page
    viewed = session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_id == worker.id, AuditEvent.action == AuditAction.VIEWED
        )
    ).all()
    assert [event.actor_id for event in viewed] == [provider.id]


def test_a_worker_without_an_email_gets_no_invite_button(
    client: WebClient, session: Session, provider: User
) -> None:
    worker = provider_workers.register_worker_for_provider(
        session, provider, _about(email=None, phone="+40 700 000 000")
    )
    client.login(provider.email)
    page = client.get(f"/provider/workers/{worker.id}").get_data(as_text=True)
    assert "first add an email address" in page
    assert f"/provider/workers/{worker.id}/invite" not in page
    response = client.post(
        f"/provider/workers/{worker.id}/invite",
        page=f"/provider/workers/{worker.id}",
        follow_redirects=True,
    )
    assert "Add an email address" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(OutboxMessage.id))) == 0


# --- the invite ----------------------------------------------------------------------------------


def test_an_invite_queues_a_message_with_the_link(
    client: WebClient, session: Session, provider: User, worker: Worker
) -> None:
    client.login(provider.email)
    link = _invite_link(client, session, worker)
    message = session.scalars(select(OutboxMessage)).one()
    assert message.recipient == "ion@example.org"
    assert link.startswith("/invite/")
    page = client.get(f"/provider/workers/{worker.id}").get_data(as_text=True)
    assert "An invite was sent" in page


def test_accepting_the_invite_logs_the_worker_in_to_their_own_profile(
    app: Flask, client: WebClient, session: Session, provider: User, worker: Worker
) -> None:
    client.login(provider.email)
    link = _invite_link(client, session, worker)
    browser = WebClient(app.test_client())
    assert "ion@example.org" in browser.get(link).get_data(as_text=True)
    response = browser.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/worker/"
    assert browser.get("/worker/").status_code == 200
    assert browser.get(f"/workers/{worker.id}/profile/about").status_code == 200
    browser.logout()
    browser.login("ion@example.org", NEW_PASSWORD)


def test_a_second_use_of_the_link_shows_that_it_no_longer_works(
    app: Flask, client: WebClient, session: Session, provider: User, worker: Worker
) -> None:
    client.login(provider.email)
    link = _invite_link(client, session, worker)
    browser = WebClient(app.test_client())
    browser.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    again = WebClient(app.test_client()).get(link)
    assert again.status_code == 404
    assert "This link no longer works" in again.get_data(as_text=True)


def test_an_expired_link_shows_that_it_no_longer_works(
    app: Flask, client: WebClient, session: Session, provider: User, worker: Worker
) -> None:
    client.login(provider.email)
    link = _invite_link(client, session, worker)
    invite = session.scalars(select(WorkerInvite)).one()
    invite.expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    browser = WebClient(app.test_client())
    response = browser.post(
        link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page="/login"
    )
    assert response.status_code == 404
    assert "This link no longer works" in response.get_data(as_text=True)
    session.refresh(worker)
    assert worker.user_id is None


def test_a_double_submit_of_the_invite_form_creates_one_account(
    app: Flask, client: WebClient, session: Session, provider: User, worker: Worker
) -> None:
    client.login(provider.email)
    link = _invite_link(client, session, worker)
    first_tab, second_tab = WebClient(app.test_client()), WebClient(app.test_client())
    token = first_tab.csrf_token(link)
    cookie = first_tab.client.get_cookie("portal_session")
    second_tab.client.set_cookie(cookie.key, cookie.value)  # both sent before either answers
    form = {"csrf_token": token, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    first = first_tab.client.post(link, data=form)
    second = second_tab.client.post(link, data=form)
    assert (first.status_code, second.status_code) == (302, 404)
    assert session.scalar(select(func.count(User.id)).where(User.email == "ion@example.org")) == 1


def test_a_weak_password_is_refused_on_the_invite_form(
    app: Flask, client: WebClient, session: Session, provider: User, worker: Worker
) -> None:
    client.login(provider.email)
    link = _invite_link(client, session, worker)
    browser = WebClient(app.test_client())
    response = browser.post(link, {"password": "ion@example.org", "confirm": "ion@example.org"})
    assert response.status_code == 400
    assert 'id="password-error"' in response.get_data(as_text=True)
    session.refresh(worker)
    assert worker.user_id is None


# --- who sees what -------------------------------------------------------------------------------


def _worker_urls(
    app: Flask, worker_id: int, *, provider_pages: bool = True
) -> list[tuple[str, str]]:
    """(method, url) of every route about one worker (and, unless told not to, every route
    under /provider), built for `worker_id`: other numbers are 1, and a choice among words
    (`<any(csv, xlsx):format>`) is tried with each word."""
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        about_the_worker = "worker_id" in rule.arguments
        if not about_the_worker and not (provider_pages and rule.rule.startswith("/provider")):
            continue
        options = {
            name: sorted(converter.items) if isinstance(converter, AnyConverter) else [1]
            for name, converter in rule._converters.items()
        }
        options["worker_id"] = [worker_id]
        names = sorted(rule.arguments)
        for choice in itertools.product(*(options[name] for name in names)):
            values = dict(zip(names, choice, strict=True))
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                urls.append((method, adapter.build(rule.endpoint, values, method=method)))
    return urls


def _not_reached(client: WebClient, urls: list[tuple[str, str]], csrf_page: str) -> list:
    token = client.csrf_token(csrf_page)
    reached = []
    for method, url in urls:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.client.post(url, data={"csrf_token": token})
        if response.status_code not in (401, 403, 404):  # 401: the API wants a token
            reached.append((method, url, response.status_code))
    return reached


def test_the_worker_routes_checked_include_the_provider_and_profile_pages(
    app: Flask, worker: Worker
) -> None:
    urls = {url for _method, url in _worker_urls(app, worker.id)}
    assert {f"/provider/workers/{worker.id}", f"/provider/workers/{worker.id}/invite"} <= urls
    assert {f"/workers/{worker.id}/profile/{step}" for step in PROFILE_STEPS} <= urls


def test_employers_reach_no_provider_or_worker_page(
    app: Flask, client: WebClient, make: Factory, worker: Worker
) -> None:
    client.login(make.user(Role.EMPLOYER).email)
    assert _not_reached(client, _worker_urls(app, worker.id), "/employer/") == []


def test_another_worker_reaches_no_provider_page_nor_someone_elses_profile(
    app: Flask, client: WebClient, session: Session, make: Factory, worker: Worker
) -> None:
    other = make.user(Role.WORKER)
    workers.start_own_profile(session, other)
    client.login(other.email)
    assert _not_reached(client, _worker_urls(app, worker.id), "/worker/") == []


def test_another_provider_reaches_none_of_the_workers_pages(
    app: Flask, client: WebClient, make: Factory, worker: Worker
) -> None:
    client.login(make.user(Role.PROVIDER).email)
    urls = _worker_urls(app, worker.id, provider_pages=False)  # its own list is its to use
    assert urls
    assert _not_reached(client, urls, "/provider/") == []


def test_a_worker_with_a_login_reaches_only_their_own_profile(
    app: Flask, session: Session, provider: User, worker: Worker
) -> None:
    user = provider_workers.accept_invite(
        session, _invite_token(session, provider, worker), PASSWORD
    )
    mine = WebClient(app.test_client())
    mine.login(user.email)
    assert mine.get(f"/workers/{worker.id}/profile/about").status_code == 200
    assert mine.get(f"/provider/workers/{worker.id}").status_code == 403


def _invite_token(session: Session, provider: User, worker: Worker) -> str:
    tokens: list[str] = []
    provider_workers.invite_worker(
        session, provider, worker.id, lambda token: tokens.append(token) or token
    )
    return tokens[0]
