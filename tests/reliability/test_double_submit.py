"""Every form that creates something, or moves something on, sent twice as a double click sends
it: the same CSRF token, the same data and the same cookies (the browser has not seen the first
answer yet). The database changes once, and the second answer is a redirect or a page with a
message, never an error of ours."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    Concept,
    Notification,
    OrganisationKind,
    Placement,
    PlacementState,
    Region,
    Role,
    User,
    Worker,
)
from portal.services import (
    accounts,
    matching,
    placements,
    provider_workers,
    regions,
    taxonomy,
    vacancies,
    vacancy_import,
    worker_import,
    workers,
)
from tests.conftest import PASSWORD, Factory, WebClient
from tests.market import FORKLIFT, SAFETY, active_worker, open_vacancy
from tests.web.test_vacancy_pages import _form as vacancy_form
from tests.web.test_worker_profile import ABOUT

pytestmark = pytest.mark.usefixtures("stored_taxonomy")

BASE = "https://skills-portal.example/test"
NEXT_MONTH = date.today() + timedelta(days=30)


@dataclass
class World:
    app: Flask
    session: Session
    make: Factory
    client: WebClient
    north: Region


@dataclass
class Form:
    """A form as a person sends it: where, what (made afresh for each post: files are read
    once), and the page it is on (where its CSRF token comes from)."""

    url: str
    data: Callable[[], dict[str, Any]] = dict
    page: str | None = None
    second: set[int] = field(default_factory=lambda: {302})  # what the second post may answer
    recomputed: frozenset[str] = frozenset()  # tables a second post may write again


@pytest.fixture
def world(app: Flask, session: Session, make: Factory, client: WebClient) -> World:
    north, _south = regions.add_regions(session, ["North", "South"])
    return World(app, session, make, client, north)


def _concept_id(session: Session, uri: str) -> int:
    version = taxonomy.active_version(session)
    assert version is not None
    return session.scalars(
        select(Concept.id).where(Concept.uri == uri, Concept.version_id == version.id)
    ).one()


def _logged_in(world: World, role: Role, **options: Any) -> User:
    """A new user of `role`, logged in on a browser of their own."""
    user = world.make.user(role, **options)
    world.client = WebClient(world.app.test_client())
    world.client.login(user.email)
    return user


def _log_in(world: World, user: User) -> None:
    world.client = WebClient(world.app.test_client())
    world.client.login(user.email)


def _own_profile(world: World) -> tuple[User, Worker]:
    """A worker logged in, with the draft profile the portal starts on their first visit."""
    user = _logged_in(world, Role.WORKER)
    worker = workers.start_own_profile(world.session, user)
    return user, worker


def _complete(world: World, user: User, worker: Worker) -> None:
    """Everything but the consent."""
    workers.add_skill(world.session, user, worker, "forklift", concept_id=None)
    workers.save_availability(
        world.session,
        user,
        worker,
        workers.Availability(region_id=world.north.id, available_from=date.today()),
    )


def _csv(columns: tuple[str, ...], row: dict[str, str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([columns, [row[column] for column in columns]])
    return buffer.getvalue().encode()


def _market(world: World) -> tuple[User, User, Any, Worker]:
    """An employer's open vacancy and an active worker with a login, matched."""
    employer = world.make.user(Role.EMPLOYER)
    worker_user = world.make.user(Role.WORKER)
    vacancy = open_vacancy(world.session, employer, world.north, positions=2)
    worker = active_worker(world.session, world.north, user=worker_user)
    matching.run_matching(world.session, None)
    return employer, worker_user, vacancy, worker


# --- the forms ----------------------------------------------------------------------------------


def registering_a_worker(world: World) -> Form:
    data = {
        "role": "worker",
        "full_name": "Nadia Haddad",
        "email": "nadia@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    return Form("/register", lambda: data, second={302, 400})


def registering_an_employer_and_its_organisation(world: World) -> Form:
    data = {
        "role": "employer",
        "full_name": "Ion Farmer",
        "email": "ion@example.org",
        "organisation_name": "Green Farm",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    return Form("/register", lambda: data, second={302, 400})


def adding_a_skill_in_own_words(world: World) -> Form:
    _user, worker = _own_profile(world)
    data = {"words": "fork lift", "confirming": "1", "choice": "none", "go": "stay"}
    return Form(f"/workers/{worker.id}/profile/skills", lambda: data)


def adding_a_skill_confirmed_as_a_concept(world: World) -> Form:
    _user, worker = _own_profile(world)
    choice = str(_concept_id(world.session, FORKLIFT))
    data = {"words": "fork lift", "confirming": "1", "choice": choice, "go": "stay"}
    return Form(f"/workers/{worker.id}/profile/skills", lambda: data)


def ticking_an_occupations_skills(world: World) -> Form:
    _user, worker = _own_profile(world)
    occupation = _concept_id(world.session, f"{BASE}/occupation/forklift-driver")
    ids = [str(_concept_id(world.session, uri)) for uri in (FORKLIFT, SAFETY)]
    url = f"/workers/{worker.id}/profile/skills/occupation/{occupation}"
    return Form(url, lambda: {"skill_ids": ids})


def adding_work_experience(world: World) -> Form:
    _user, worker = _own_profile(world)
    data = {
        "words": "cleaning offices",
        "years": "2",
        "kind": "paid",
        "confirming": "1",
        "choice": "none",
        "go": "stay",
    }
    return Form(f"/workers/{worker.id}/profile/experience", lambda: data)


def adding_a_qualification(world: World) -> Form:
    _user, worker = _own_profile(world)
    data = {
        "title": "Certificate in welding",
        "country": "UA",
        "level": "vocational",
        "recognition": "requested",
        "go": "stay",
    }
    return Form(f"/workers/{worker.id}/profile/experience", lambda: data)


def giving_consent(world: World) -> Form:
    user, worker = _own_profile(world)
    _complete(world, user, worker)
    data = {"consent_matching": "y", "consent_contact": "y"}
    return Form(f"/workers/{worker.id}/profile/review", lambda: data)


def a_provider_registering_a_worker(world: World) -> Form:
    _logged_in(world, Role.PROVIDER)
    return Form("/provider/workers/new", lambda: dict(ABOUT))


def _provider_worker(world: World) -> tuple[User, Worker]:
    provider = world.make.user(Role.PROVIDER)
    worker = provider_workers.register_worker_for_provider(
        world.session, provider, workers.AboutYou(given_name="Ion", email="ion.w@example.org")
    )
    return provider, worker


def a_provider_inviting_a_worker(world: World) -> Form:
    provider, worker = _provider_worker(world)
    _log_in(world, provider)
    url = f"/provider/workers/{worker.id}"
    return Form(f"{url}/invite", page=url)


def a_worker_accepting_an_invite(world: World) -> Form:
    provider, worker = _provider_worker(world)
    links: list[str] = []
    provider_workers.invite_worker(world.session, provider, worker.id, link_for=links.append)
    data = {"password": PASSWORD, "confirm": PASSWORD}
    return Form(f"/invite/{links[0]}", lambda: data, second={302, 404})


def posting_a_vacancy_for_publication(world: World) -> Form:
    _logged_in(world, Role.EMPLOYER)
    return Form("/employer/vacancies/new", lambda: vacancy_form(world.north))


def saving_a_vacancy_as_a_draft(world: World) -> Form:
    _logged_in(world, Role.EMPLOYER)
    return Form("/employer/vacancies/new", lambda: vacancy_form(world.north, action="draft"))


def duplicating_a_vacancy(world: World) -> Form:
    employer = _logged_in(world, Role.EMPLOYER)
    vacancy = open_vacancy(world.session, employer, world.north)
    url = f"/employer/vacancies/{vacancy.id}"
    return Form(f"{url}/duplicate", page=url)


def uploading_workers(world: World) -> Form:
    _logged_in(world, Role.PROVIDER)
    row = {column: "" for column in worker_import.COLUMNS}
    row.update(external_id="W-1", given_name="Ana", email="ana@example.org", region="North")
    content = _csv(worker_import.COLUMNS, row)
    return Form(
        "/provider/workers/upload",
        lambda: {"file": (io.BytesIO(content), "w.csv"), "consent": "y", "action": "import"},
        second={200},
    )


def uploading_vacancies(world: World) -> Form:
    _logged_in(world, Role.EMPLOYER)
    row = dict(vacancy_import.EXAMPLE_ROW, region="North", start_date=NEXT_MONTH.isoformat())
    row["end_date"] = (NEXT_MONTH + timedelta(days=90)).isoformat()
    content = _csv(vacancy_import.COLUMNS, row)
    return Form(
        "/employer/vacancies/upload",
        lambda: {"file": (io.BytesIO(content), "v.csv"), "action": "import"},
        second={200},
    )


def adding_a_region(world: World) -> Form:
    _logged_in(world, Role.ADMIN)
    return Form("/admin/regions", lambda: {"name": "East"}, second={302, 400})


def verifying_an_organisation(world: World) -> Form:
    _logged_in(world, Role.ADMIN)
    organisation = world.make.organisation(OrganisationKind.EMPLOYER, verified=False)
    return Form(f"/admin/organisations/{organisation.id}/verify", page="/admin/organisations")


def approving_a_vacancy(world: World) -> Form:
    employer = world.make.user(Role.EMPLOYER)
    draft = vacancies.create_draft(
        world.session,
        employer,
        vacancies.VacancyInput(
            title="Pickers",
            positions=3,
            region_id=world.north.id,
            start_date=NEXT_MONTH,
            no_fee_pledge=True,
        ),
    )
    vacancies.submit(world.session, employer, draft.id)
    _logged_in(world, Role.ADMIN)
    return Form(f"/admin/moderation/{draft.id}/approve", page=f"/admin/moderation/{draft.id}")


def closing_a_vacancy(world: World) -> Form:
    employer = _logged_in(world, Role.EMPLOYER)
    vacancy = open_vacancy(world.session, employer, world.north)
    url = f"/employer/vacancies/{vacancy.id}/close"
    return Form(url, page=url)


def offering_a_job(world: World) -> Form:
    employer, _worker_user, vacancy, worker = _market(world)
    _log_in(world, employer)
    page = f"/employer/vacancies/{vacancy.id}/candidates"
    return Form(f"{page}/{worker.id}/offer", page=page)


def _offered(world: World) -> tuple[User, Placement]:
    employer, worker_user, vacancy, worker = _market(world)
    return worker_user, placements.offer(world.session, employer, vacancy.id, worker.id)


def accepting_a_job_and_reporting_a_fee(world: World) -> Form:
    world.make.user(Role.ADMIN)  # told of the fee
    worker_user, offered = _offered(world)
    _log_in(world, worker_user)
    data = {"fee_asked": "yes", "fee_details": "The driver asked for 200 EUR."}
    return Form(f"/placements/{offered.id}/accept", lambda: data)


def declining_an_offer(world: World) -> Form:
    worker_user, offered = _offered(world)
    _log_in(world, worker_user)
    return Form(f"/placements/{offered.id}/decline", lambda: {"reason": "Too far"}, page="/")


def running_matching(world: World) -> Form:
    employer = world.make.user(Role.EMPLOYER)
    open_vacancy(world.session, employer, world.north)
    active_worker(world.session, world.north)
    _logged_in(world, Role.ADMIN)
    # a second run is a run: it is recorded and recomputes the matches (the same ones), but
    # makes no second proposal and tells nobody anything twice
    return Form(
        "/admin/matching/run",
        page="/admin/matching",
        recomputed=frozenset({"match_runs", "matches", "worker_match_notes"}),
    )


def marking_notifications_read(world: World) -> Form:
    _worker_user, offered = _offered(world)
    _log_in(world, _worker_user)
    assert world.session.scalars(select(Notification)).first() is not None, offered
    return Form("/notifications/read-all", page="/notifications/")


def asking_for_a_password_reset(world: World) -> Form:
    user = world.make.user(Role.WORKER)
    return Form("/password/forgot", lambda: {"email": user.email})


def resetting_a_password(world: World) -> Form:
    user = world.make.user(Role.WORKER)
    links: list[str] = []
    accounts.request_password_reset(
        world.session, user.email, link_for=links.append, ttl=timedelta(hours=1)
    )
    new = "a brand new passphrase for the account"
    return Form(
        f"/password/reset/{links[0]}", lambda: {"new_password": new, "confirm": new}, second={404}
    )


def withdrawing_consent(world: World) -> Form:
    user, worker = _own_profile(world)
    _complete(world, user, worker)
    workers.give_consent(world.session, user, worker, ("matching",))
    url = f"/workers/{worker.id}/data/withdraw-consent"
    return Form(url, page=url)


def erasing_a_worker(world: World) -> Form:
    _provider, worker = _provider_worker(world)
    _logged_in(world, Role.ADMIN)
    url = f"/workers/{worker.id}/data/delete"
    return Form(url, lambda: {"confirmation": "DELETE"}, second={404})


def mapping_unmapped_words(world: World) -> Form:
    user, worker = _own_profile(world)
    workers.add_skill(world.session, user, worker, "fork lift driving", concept_id=None)
    _logged_in(world, Role.ADMIN)
    concept = _concept_id(world.session, FORKLIFT)
    data = {"words": "fork lift driving", "phrase": "fork lift", "concept_id": str(concept)}
    return Form(
        "/admin/unmapped-skills/map",
        lambda: data,
        page="/admin/unmapped-skills/map?words=fork+lift+driving",
        second={302, 404},
    )


def replacing_a_proposal(world: World) -> Form:
    employer = world.make.user(Role.EMPLOYER)
    vacancy = open_vacancy(world.session, employer, world.north, positions=1)
    first = active_worker(world.session, world.north, name="First")
    other = active_worker(world.session, world.north, name="Other", skills=(FORKLIFT,))
    matching.run_matching(world.session, None)
    proposal = world.session.scalars(
        select(Placement).where(
            Placement.vacancy_id == vacancy.id, Placement.state == PlacementState.PROPOSED
        )
    ).one()
    assert proposal.worker_id == first.id
    _logged_in(world, Role.ADMIN)
    url = f"/admin/placements/{proposal.id}"
    return Form(url, lambda: {"new_worker_id": str(other.id), "reason": "Speaks Ukrainian"})


def making_an_api_token(world: World) -> Form:
    _logged_in(world, Role.EMPLOYER)
    nonce = world.client.hidden("/account/tokens", "nonce")
    data = {"name": "Employment service", "expires": "90", "nonce": nonce}
    return Form("/account/tokens", lambda: data, second={200})


FORMS: dict[str, Callable[[World], Form]] = {
    function.__name__: function
    for function in (
        registering_a_worker,
        registering_an_employer_and_its_organisation,
        adding_a_skill_in_own_words,
        adding_a_skill_confirmed_as_a_concept,
        ticking_an_occupations_skills,
        adding_work_experience,
        adding_a_qualification,
        giving_consent,
        a_provider_registering_a_worker,
        a_provider_inviting_a_worker,
        a_worker_accepting_an_invite,
        posting_a_vacancy_for_publication,
        saving_a_vacancy_as_a_draft,
        duplicating_a_vacancy,
        uploading_workers,
        uploading_vacancies,
        adding_a_region,
        verifying_an_organisation,
        approving_a_vacancy,
        closing_a_vacancy,
        offering_a_job,
        accepting_a_job_and_reporting_a_fee,
        declining_an_offer,
        running_matching,
        marking_notifications_read,
        asking_for_a_password_reset,
        resetting_a_password,
        withdrawing_consent,
        erasing_a_worker,
        mapping_unmapped_words,
        replacing_a_proposal,
        making_an_api_token,
    )
}
OPEN: dict[str, str] = {}  # found here, to be fixed where the form lives


def _post(client: WebClient, form: Form, token: str) -> Any:
    return client.client.post(form.url, data={"csrf_token": token, **form.data()})


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.xfail(reason=OPEN[name], strict=True))
        if name in OPEN
        else name
        for name in FORMS
    ],
)
def test_a_form_sent_twice_by_a_double_click_changes_the_database_once(
    world: World, state_of: Callable[[], Any], name: str
) -> None:
    form = FORMS[name](world)
    client = world.client
    token = client.csrf_token(form.page or form.url)
    cookie_name = world.app.config["SESSION_COOKIE_NAME"]
    cookie = client.client.get_cookie(cookie_name)
    before = state_of()

    first = _post(client, form, token)
    after_first = state_of()
    if cookie is None:  # the second click carries the cookies the first one did
        client.client.delete_cookie(cookie_name)
    else:
        client.client.set_cookie(cookie_name, cookie.value)
    second = _post(client, form, token)

    assert first.status_code in (200, 302), first.get_data(as_text=True)[:2000]
    assert after_first != before, first.get_data(as_text=True)
    after_second = state_of()
    changed = {
        table
        for table in after_first
        if after_second[table] != after_first[table] and table not in form.recomputed
    }
    assert not changed, f"the second post changed {sorted(changed)}"
    assert second.status_code in form.second, second.get_data(as_text=True)[:2000]
    assert "Something went wrong" not in second.get_data(as_text=True)


def test_every_post_route_that_creates_or_moves_something_is_sent_twice(app: Flask) -> None:
    """A new form that creates something needs its case above (or a reason to have none)."""
    covered = {
        "auth.register",
        "worker.skills",
        "worker.checklist",
        "worker.experience",
        "worker.review",
        "provider.register_worker",
        "provider.invite_worker",
        "invites.accept",
        "employer.new_vacancy",
        "employer.duplicate_vacancy",
        "provider_uploads.upload",
        "employer_uploads.upload",
        "admin_regions.region_list",
        "admin.verify_organisation",
        "admin_moderation.approve",
        "employer.close_vacancy",
        "placements.offer",
        "placements.accept",
        "placements.take_step",
        "admin_placements.run_matching",
        "notifications.mark_all_read",
        "auth.forgot_password",
        "auth.reset_password",
        "worker_rights.withdraw_consent",
        "worker_rights.erase",
        "admin_unmapped.map_words",
        "admin_placements.placement",
        "api_tokens.token_list",
    }
    not_creating = {  # they change what exists, once, whatever is sent again
        "auth.login": "a second login session of the same person, each ending on its own",
        "auth.logout": "ends the session; again ends nothing",
        "auth.change_password": "the second post's current password is no longer right",
        "worker.about": "sets values",
        "worker.availability": "sets values",
        "worker.skill_evidence": "sets a value",
        "worker.remove_skill": "removes; again finds nothing to remove",
        "worker.remove_experience": "removes; again finds nothing to remove",
        "worker.remove_qualification": "removes; again finds nothing to remove",
        "worker.find_occupation": "only looks up",
        "employer.edit_vacancy": "sets values",
        "organisation.edit": "sets values",
        "admin_moderation.send_back": "a state change like approve",
        "admin_moderation.reject": "a state change like approve",
        "admin_learned.remove": "removes; again finds nothing to remove",
        "admin_placements.matching_page": "sets the settings",
        "notifications.mark_read": "sets a value",
        "language.choose": "sets a value",
        "api_tokens.revoke": "revoking a revoked token changes nothing",
        "admin_statistics.recount": "replaces the view's figures with the same ones",
    }
    posts = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api/")
    }
    assert posts - covered - set(not_creating) == set()
