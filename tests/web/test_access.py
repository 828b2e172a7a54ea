"""Who may open what: every route × every role, and ownership of organisations."""

from __future__ import annotations

import hashlib

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from portal.models import ApiToken, OrganisationKind, Role
from portal.services import api_tokens
from tests.conftest import Factory, WebClient

ANONYMOUS = "anonymous"
EVERYONE = frozenset({ANONYMOUS, *Role})
LOGGED_IN = frozenset(Role)
MANAGE_WORKER = frozenset({Role.WORKER, Role.PROVIDER, Role.ADMIN})
# who may hold API tokens; the API's routes (but the public ones) are for their tokens only
TOKEN_HOLDERS = frozenset({Role.ADMIN, Role.EMPLOYER, Role.PROVIDER})

# endpoint → who may use it. A new route without an entry here fails the first test.
ACCESS: dict[str, frozenset] = {
    "static": EVERYONE,
    "public.home": EVERYONE,
    "public.dashboard": LOGGED_IN,
    "auth.login": EVERYONE,
    "auth.register": EVERYONE,
    "auth.forgot_password": EVERYONE,
    "auth.reset_password": EVERYONE,
    "auth.logout": LOGGED_IN,
    "language.choose": EVERYONE,
    "auth.change_password": LOGGED_IN,
    "worker.dashboard": frozenset({Role.WORKER}),
    "worker.own_profile": frozenset({Role.WORKER}),
    # the profile's steps: the worker themself, the provider that registered them, admins
    # (ownership in tests/web/test_worker_profile.py)
    "worker.about": MANAGE_WORKER,
    "worker.skills": MANAGE_WORKER,
    "worker.skill_evidence": MANAGE_WORKER,
    "worker.remove_skill": MANAGE_WORKER,
    "worker.find_occupation": MANAGE_WORKER,
    "worker.checklist": MANAGE_WORKER,
    "worker.experience": MANAGE_WORKER,
    "worker.remove_experience": MANAGE_WORKER,
    "worker.remove_qualification": MANAGE_WORKER,
    "worker.availability": MANAGE_WORKER,
    "worker.review": MANAGE_WORKER,
    "provider.dashboard": frozenset({Role.PROVIDER}),
    "provider.worker_list": frozenset({Role.PROVIDER}),
    "provider.register_worker": frozenset({Role.PROVIDER}),
    "provider.worker_summary": frozenset({Role.PROVIDER}),  # and only its own workers
    "provider.invite_worker": frozenset({Role.PROVIDER}),  # and only its own workers
    "invites.accept": EVERYONE,  # the one-time token is the key
    # bulk upload (a verified organisation to post; tests/web/test_worker_upload.py)
    "provider_uploads.form": frozenset({Role.PROVIDER}),
    "provider_uploads.upload": frozenset({Role.PROVIDER}),
    "provider_uploads.error_report": frozenset({Role.PROVIDER}),  # and only the uploader's
    "provider_uploads.template": frozenset({Role.PROVIDER}),
    "employer_uploads.form": frozenset({Role.EMPLOYER}),
    "employer_uploads.upload": frozenset({Role.EMPLOYER}),
    "employer_uploads.error_report": frozenset({Role.EMPLOYER}),  # and only the uploader's
    "employer_uploads.template": frozenset({Role.EMPLOYER}),
    "employer.dashboard": frozenset({Role.EMPLOYER}),
    # and only the organisation's own vacancies (tests/web/test_vacancy_pages.py)
    "employer.vacancy_list": frozenset({Role.EMPLOYER}),
    "employer.new_vacancy": frozenset({Role.EMPLOYER}),
    "employer.vacancy": frozenset({Role.EMPLOYER}),
    "employer.edit_vacancy": frozenset({Role.EMPLOYER}),
    "employer.confirm_close": frozenset({Role.EMPLOYER}),
    "employer.close_vacancy": frozenset({Role.EMPLOYER}),
    "employer.duplicate_vacancy": frozenset({Role.EMPLOYER}),
    "admin_moderation.queue": frozenset({Role.ADMIN}),
    "admin_moderation.review": frozenset({Role.ADMIN}),
    "admin_moderation.approve": frozenset({Role.ADMIN}),
    "admin_moderation.send_back": frozenset({Role.ADMIN}),
    "admin_moderation.reject": frozenset({Role.ADMIN}),
    # open vacancies only; others are "not found" (tests/web/test_vacancy_pages.py)
    "vacancies.browse": EVERYONE,
    "vacancies.show": EVERYONE,
    "admin.dashboard": frozenset({Role.ADMIN}),
    "admin.organisation_list": frozenset({Role.ADMIN}),
    "admin.verify_organisation": frozenset({Role.ADMIN}),
    "admin.outbox_list": frozenset({Role.ADMIN}),
    "admin.outbox_message": frozenset({Role.ADMIN}),
    "admin_learned.label_list": frozenset({Role.ADMIN}),
    "admin_learned.confirm_removal": frozenset({Role.ADMIN}),
    "admin_learned.remove": frozenset({Role.ADMIN}),
    "admin_audit.event_list": frozenset({Role.ADMIN}),
    "admin_audit.worker_trail": frozenset({Role.ADMIN}),
    "admin_regions.region_list": frozenset({Role.ADMIN}),
    "admin_unmapped.skill_list": frozenset({Role.ADMIN}),
    "admin_unmapped.map_form": frozenset({Role.ADMIN}),
    "admin_unmapped.map_words": frozenset({Role.ADMIN}),
    # the worker themself, the provider that registered them, admins (tests/web/test_data_rights.py)
    "worker_rights.show": frozenset({Role.WORKER, Role.PROVIDER, Role.ADMIN}),
    "worker_rights.download": frozenset({Role.WORKER, Role.PROVIDER, Role.ADMIN}),
    "worker_rights.confirm_withdrawal": frozenset({Role.WORKER, Role.PROVIDER, Role.ADMIN}),
    "worker_rights.withdraw_consent": frozenset({Role.WORKER, Role.PROVIDER, Role.ADMIN}),
    # only the worker themself or an admin: never a provider
    "worker_rights.confirm_erasure": frozenset({Role.WORKER, Role.ADMIN}),
    "worker_rights.erase": frozenset({Role.WORKER, Role.ADMIN}),
    "taxonomy.search": EVERYONE,
    "taxonomy.skill": EVERYONE,
    "taxonomy.occupation": EVERYONE,
    "api.suggest_skills": EVERYONE,
    "api.suggest_occupations": EVERYONE,
    # API v1: a bearer token acts as its maker, under the same rules as the pages; a cookie
    # session opens none of these (test_each_token_opens_exactly_its_api_routes, tests/web/api/)
    "api.openapi": EVERYONE,
    "api.worker_list": frozenset({Role.PROVIDER, Role.ADMIN}),  # a provider's own
    "api.worker": frozenset({Role.PROVIDER, Role.ADMIN}),  # a provider's own
    "api.register_worker": frozenset({Role.PROVIDER}),
    "api.worker_matches": frozenset({Role.PROVIDER, Role.ADMIN}),  # a provider's own
    "api.vacancy_list": TOKEN_HOLDERS,  # own (employers), all (admins), open (others)
    "api.vacancy": TOKEN_HOLDERS,  # likewise
    "api.create_vacancy": frozenset({Role.EMPLOYER, Role.ADMIN}),
    "api.vacancy_candidates": frozenset({Role.EMPLOYER, Role.ADMIN}),  # an employer's own
    "api.placement_list": TOKEN_HOLDERS,  # the parties', which the service decides
    "api.placement": TOKEN_HOLDERS,
    "api.take_step": TOKEN_HOLDERS,
    "api.statistics_document": frozenset({Role.ADMIN}),
    # one's own tokens only (tests/web/api/test_api_tokens.py)
    "api_tokens.token_list": TOKEN_HOLDERS,
    "api_tokens.confirm_revoke": TOKEN_HOLDERS,
    "api_tokens.revoke": TOKEN_HOLDERS,
    # and, for these, only members of the organisation (see the ownership tests below)
    "organisation.show": frozenset({Role.PROVIDER, Role.EMPLOYER, Role.ADMIN}),
    "organisation.edit": frozenset({Role.PROVIDER, Role.EMPLOYER}),
    # matches and placements: the parties only, which the service decides
    # (tests/web/test_placement_pages.py and tests/services/test_placements.py)
    "placements.own_matches": frozenset({Role.WORKER}),
    "placements.worker_matches": MANAGE_WORKER,
    "placements.accept": MANAGE_WORKER,
    "placements.candidates": frozenset({Role.EMPLOYER, Role.ADMIN}),
    "placements.offer": frozenset({Role.EMPLOYER, Role.ADMIN}),
    "placements.take_step": LOGGED_IN,
    "admin_placements.board": frozenset({Role.ADMIN}),
    "admin_placements.placement": frozenset({Role.ADMIN}),
    "admin_placements.matching_page": frozenset({Role.ADMIN}),
    "admin_placements.run_matching": frozenset({Role.ADMIN}),
    "admin_statistics.dashboard": frozenset({Role.ADMIN}),
    "admin_statistics.export": frozenset({Role.ADMIN}),
    "admin_statistics.recount": frozenset({Role.ADMIN}),
    "notifications.notification_list": LOGGED_IN,
    "notifications.mark_read": LOGGED_IN,  # and only one's own
    "notifications.mark_all_read": LOGGED_IN,
}

# GET pages that take no identifier, checked for every role
PAGES = {
    "public.home": "/",
    "public.dashboard": "/dashboard",
    "auth.login": "/login",
    "auth.register": "/register",
    "auth.forgot_password": "/password/forgot",
    "auth.change_password": "/account/password",
    "worker.dashboard": "/worker/",
    "worker.own_profile": "/worker/profile",
    "provider.dashboard": "/provider/",
    "provider.worker_list": "/provider/workers",
    "provider.register_worker": "/provider/workers/new",
    "provider_uploads.form": "/provider/workers/upload",
    "provider_uploads.template": "/provider/workers/upload/template.xlsx",
    "employer.dashboard": "/employer/",
    "employer.vacancy_list": "/employer/vacancies",
    "employer.new_vacancy": "/employer/vacancies/new",
    "employer_uploads.form": "/employer/vacancies/upload",
    "employer_uploads.template": "/employer/vacancies/upload/template.xlsx",
    "admin_moderation.queue": "/admin/moderation",
    "vacancies.browse": "/vacancies/",
    "admin.dashboard": "/admin/",
    "admin.organisation_list": "/admin/organisations",
    "admin.outbox_list": "/admin/outbox",
    "admin_learned.label_list": "/admin/learned-labels",
    "admin_audit.event_list": "/admin/audit",
    "admin_regions.region_list": "/admin/regions",
    "admin_unmapped.skill_list": "/admin/unmapped-skills",
    "taxonomy.search": "/taxonomy/?q=forklift",
    "api.suggest_skills": "/api/v1/skills/suggest?q=forklift",
    "api.suggest_occupations": "/api/v1/occupations/suggest?q=forklift",
    "api.openapi": "/api/v1/openapi.json",
    "api_tokens.token_list": "/account/tokens",
    "placements.own_matches": "/worker/matches",
    "admin_placements.board": "/admin/placements",
    "admin_placements.matching_page": "/admin/matching",
    "admin_statistics.dashboard": "/admin/statistics",
    "admin_statistics.export": "/admin/statistics/export.csv",
    "notifications.notification_list": "/notifications/",
}


def test_every_route_has_an_access_rule(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ACCESS.keys() == set(), "add the new routes to ACCESS"
    assert ACCESS.keys() - endpoints == set(), "remove routes that no longer exist"


def _log_in_as(client: WebClient, make: Factory, who) -> None:
    if who != ANONYMOUS:
        client.login(make.user(who).email)


def _refused(response, who) -> bool:
    if who == ANONYMOUS:
        return response.status_code == 302 and response.headers["Location"].startswith("/login")
    return response.status_code == 403


@pytest.mark.parametrize("who", [ANONYMOUS, *Role], ids=str)
def test_each_role_opens_exactly_its_pages(client: WebClient, make: Factory, who) -> None:
    _log_in_as(client, make, who)
    wrong = []
    for endpoint, url in PAGES.items():
        response = client.get(url)
        allowed = who in ACCESS[endpoint]
        if allowed == _refused(response, who) or response.status_code >= 500:
            wrong.append((url, response.status_code, "allowed" if allowed else "refused"))
    assert wrong == []


def _api_token(session: Session, make: Factory, who) -> str | None:
    """A live token of a user of that role; for a worker, one put in by hand (none may be
    made for them), which must open nothing either."""
    if who == ANONYMOUS:
        return None
    user = make.user(who)
    if who in TOKEN_HOLDERS:
        return api_tokens.create_token(session, user, "access test").secret
    secret = f"{api_tokens.SECRET_START}by-hand-for-a-{who}"
    session.add(
        ApiToken(
            user_id=user.id,
            name="by hand",
            token_hash=hashlib.sha256(secret.encode()).hexdigest(),
            prefix=secret[: api_tokens.PREFIX_LENGTH],
        )
    )
    session.commit()
    return secret


def _api_calls(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every API route that needs a token, with ids no row has:
    whoever may use a route gets past the token check (to a 404, a 422 ...), others do not."""
    adapter = app.url_map.bind("localhost")
    calls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or ACCESS[rule.endpoint] == EVERYONE:
            continue
        values = dict.fromkeys(rule.arguments, 2_147_483_000)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            calls.append(
                (rule.endpoint, method, adapter.build(rule.endpoint, values, method=method))
            )
    return sorted(calls)


@pytest.mark.parametrize("who", [ANONYMOUS, *Role], ids=str)
def test_each_token_opens_exactly_its_api_routes(
    app: Flask, session: Session, make: Factory, who
) -> None:
    token = _api_token(session, make, who)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    refusal = 403 if who in TOKEN_HOLDERS else 401
    client = app.test_client()
    wrong = []
    for endpoint, method, url in _api_calls(app):
        response = client.open(
            url, method=method, headers=headers, json={} if method != "GET" else None
        )
        allowed = who in ACCESS[endpoint]
        refused = response.status_code == refusal
        if allowed == refused or response.status_code >= 500:
            wrong.append((method, url, response.status_code, "allowed" if allowed else "refused"))
    assert wrong == []


def test_a_browser_session_opens_no_api_route(client: WebClient, make: Factory, app: Flask) -> None:
    client.login(make.user(Role.ADMIN).email)
    statuses = {
        (method, url): client.client.open(url, method=method, json={}).status_code
        for _endpoint, method, url in _api_calls(app)
    }
    assert set(statuses.values()) == {401}, statuses


@pytest.mark.parametrize("who", [ANONYMOUS, Role.WORKER, Role.PROVIDER, Role.EMPLOYER], ids=str)
def test_only_admins_verify_organisations(client: WebClient, make: Factory, session, who) -> None:
    organisation = make.organisation(OrganisationKind.EMPLOYER, verified=False)
    _log_in_as(client, make, who)
    response = client.post(
        f"/admin/organisations/{organisation.id}/verify", page="/login" if who == ANONYMOUS else "/"
    )
    assert _refused(response, who)
    session.refresh(organisation)
    assert organisation.verified_at is None


def test_an_admin_verifies_an_organisation(client: WebClient, make: Factory, session) -> None:
    organisation = make.organisation(OrganisationKind.PROVIDER, verified=False)
    client.login(make.user(Role.ADMIN).email)
    response = client.post(
        f"/admin/organisations/{organisation.id}/verify", page="/admin/organisations"
    )
    assert response.status_code == 302
    session.refresh(organisation)
    assert organisation.verified_at is not None


@pytest.mark.parametrize("kind", list(OrganisationKind), ids=str)
def test_a_member_cannot_open_another_organisation_by_changing_the_id(
    client: WebClient, make: Factory, kind: OrganisationKind
) -> None:
    role = Role(kind.value)
    mine = make.organisation(kind)
    theirs = make.organisation(kind)
    client.login(make.user(role, organisation=mine).email)
    assert client.get(f"/organisations/{mine.id}").status_code == 200
    assert client.get(f"/organisations/{theirs.id}").status_code == 404
    assert client.get(f"/organisations/{theirs.id}/edit").status_code == 404


def test_a_member_cannot_change_another_organisation_by_changing_the_id(
    client: WebClient, make: Factory, session
) -> None:
    mine = make.organisation(OrganisationKind.EMPLOYER)
    theirs = make.organisation(OrganisationKind.EMPLOYER)
    original_name = theirs.name
    client.login(make.user(Role.EMPLOYER, organisation=mine).email)
    response = client.post(
        f"/organisations/{theirs.id}/edit",
        {"name": "Taken over"},
        page=f"/organisations/{mine.id}/edit",
    )
    assert response.status_code == 404
    session.refresh(theirs)
    assert theirs.name == original_name


def test_a_member_edits_their_organisation(client: WebClient, make: Factory, session) -> None:
    mine = make.organisation(OrganisationKind.PROVIDER)
    client.login(make.user(Role.PROVIDER, organisation=mine).email)
    response = client.post(
        f"/organisations/{mine.id}/edit", {"name": "Renamed Ltd", "licence_number": "GLA-123"}
    )
    assert response.status_code == 302
    session.refresh(mine)
    assert (mine.name, mine.licence_number) == ("Renamed Ltd", "GLA-123")


def test_an_empty_organisation_name_re_renders_the_form_with_a_message(
    client: WebClient, make: Factory
) -> None:
    mine = make.organisation(OrganisationKind.EMPLOYER)
    client.login(make.user(Role.EMPLOYER, organisation=mine).email)
    response = client.post(f"/organisations/{mine.id}/edit", {"name": ""})
    assert response.status_code == 400
    assert 'id="name-error"' in response.get_data(as_text=True)


def test_an_admin_sees_any_organisation_but_a_worker_sees_none(
    client: WebClient, make: Factory, app: Flask
) -> None:
    organisation = make.organisation(OrganisationKind.EMPLOYER)
    client.login(make.user(Role.ADMIN).email)
    assert client.get(f"/organisations/{organisation.id}").status_code == 200
    worker = WebClient(app.test_client())
    worker.login(make.user(Role.WORKER).email)
    assert worker.get(f"/organisations/{organisation.id}").status_code == 404


def test_only_admins_read_outbox_messages(client: WebClient, make: Factory, app: Flask) -> None:
    user = make.user(Role.WORKER)
    client.post("/password/forgot", {"email": user.email})
    client.login(user.email)
    assert client.get("/admin/outbox/1").status_code == 403
    admin = WebClient(app.test_client())
    admin.login(make.user(Role.ADMIN).email)
    listing = admin.get("/admin/outbox").get_data(as_text=True)
    assert "Reset your password" in listing
