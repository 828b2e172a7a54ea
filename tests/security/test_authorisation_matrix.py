"""The authorisation matrix: every route × every role × the role's own object or someone else's.

Every (endpoint, method) of the URL map is requested by an anonymous visitor and by a user of
each role, on objects of the acting user's side of a two-sided market ("own") and of another
organisation's side ("other"): pages with a session and a valid CSRF token, /api/ routes with
the user's bearer token, POSTs with empty (or the least plausible) data. An answer is a refusal
only if it is 401, 403, 404, 405 or a redirect to the login page; anything else (a form shown
again with 200 or 400 included) is a success. A success is allowed only where ACCESS
(tests/web/test_access.py) lets the role in and, for routes about an object, the object is the
role's own or the role is admin. Any page that shows private words of someone the role may not
see (the other side's names, emails, draft vacancies) counts as an unauthorised success too, and
the other side's rows must be unchanged afterwards. The figure to quote is "unauthorised
successes = 0".

Routes are read from `app.url_map`, so a new route joins the matrix by itself; one without an
ACCESS rule, or with a URL parameter OBJECTS cannot fill, fails the matrix with what to add.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter
from werkzeug.test import TestResponse

from portal.imports.tabular import RowProblem
from portal.models import (
    ApiToken,
    ConsentRecord,
    LearnedLabel,
    Notification,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    Placement,
    Recognition,
    Role,
    SkillSource,
    User,
    Vacancy,
    Worker,
    WorkerExperience,
    WorkerQualification,
    WorkerSkill,
)
from portal.models.taxonomy import Concept
from portal.services import (
    accounts,
    api_tokens,
    matching,
    notifications,
    organisations,
    placements,
    provider_workers,
    regions,
    vacancies,
    workers,
)
from portal.taxonomy.model import RelationType
from portal.web.upload_files import keep_report
from tests.conftest import PASSWORD, WebClient
from tests.market import FORKLIFT, FORKLIFT_DRIVER, SAFETY
from tests.web.test_access import ACCESS, ANONYMOUS, PAGES

WHO = [ANONYMOUS, *Role]
LOGIN_PATH = "/login"
REFUSAL_STATUSES = frozenset({401, 403, 404, 405})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
NOT_A_KEY = "never-issued-" + "x" * 30  # well-formed, but no one was ever given it
UNMAPPED_WORDS = "stacks crates by hand"  # a skill in a worker's words, for the admins to map
# what the pages that need more than their URL are sent: a query for a GET, form data for a POST
QUERIES = {"admin_unmapped.map_form": f"?words={UNMAPPED_WORDS.replace(' ', '+')}"}
FORMS = {"admin_unmapped.map_words": {"words": UNMAPPED_WORDS}}
THIS_FILE = "tests/security/test_authorisation_matrix.py"
MANAGED, DRAFT = "managed worker", "draft vacancy"
# whose private words on their own side each role may read (beyond that: no one's, admins all)
READS = {
    ANONYMOUS: frozenset(),
    Role.WORKER: frozenset({Role.WORKER.value}),
    Role.PROVIDER: frozenset({Role.PROVIDER.value, MANAGED}),
    Role.EMPLOYER: frozenset({Role.EMPLOYER.value, DRAFT}),
}


# --- the market: two sides, each with its people and their objects ------------------------------


@dataclass
class Side:
    """One side of the market: a labour provider, an employer, a worker with a login, a worker
    the provider registered, an admin, and what they own (as ids, which never go stale)."""

    name: str
    users: dict[Role, User]
    organisation_ids: dict[OrganisationKind, int]
    worker_id: int  # the profile of the worker with a login
    managed_id: int  # registered by the side's provider, without a login
    parts: dict[int, dict[str, int]]  # worker id → its skill, experience and qualification ids
    vacancy_id: int  # open: public
    draft_id: int  # not sent for publication yet: the organisation's own
    placement_ids: dict[int, int]  # worker id → their offer on the side's vacancy
    notification_ids: dict[Role, int]
    message_id: int  # in the outbox, to the worker
    label_id: int  # learned from the worker's words
    reset_token: str  # the worker's
    report_tokens: dict[Role, str]  # an upload's error report, by the provider and the employer
    api_token_ids: dict[Role, int]
    private: dict[str, tuple[str, ...]]  # whose → words of their personal data or drafts

    def worker_of(self, who: Any) -> int:
        """The worker a role acts on: a provider its registered one, anyone else the one with
        a login (an employer's candidate)."""
        return self.managed_id if who is Role.PROVIDER else self.worker_id

    def user_of(self, who: Any) -> User:
        return self.users[Role.WORKER if who == ANONYMOUS else who]

    def api_token_of(self, who: Any) -> int:
        """The user's API token; for roles that hold none, the provider's."""
        return self.api_token_ids.get(who, self.api_token_ids[Role.PROVIDER])

    def organisation_of(self, who: Any) -> int:
        kind = OrganisationKind.PROVIDER if who is Role.PROVIDER else OrganisationKind.EMPLOYER
        return self.organisation_ids[kind]


@dataclass
class Market:
    session: Session
    mine: Side  # the acting user's
    theirs: Side  # someone else's
    skill_concept_id: int
    occupation_concept_id: int
    invites: dict[str, str] = field(default_factory=dict)  # side → its latest invite token

    def invite_token(self, side: Side) -> str:
        """A live invite for the side's registered worker, asked for at each use: the provider's
        "invite" button (a request in the matrix) may have ended the earlier link. An invite
        sent a moment ago stands, and the service sends no new one."""
        self.session.expire_all()
        links: list[str] = []
        provider_workers.invite_worker(
            self.session, side.users[Role.PROVIDER], side.managed_id, link_for=_kept(links)
        )
        if links:
            self.invites[side.name] = links[0]
        return self.invites[side.name]


def _kept(tokens: list[str]) -> Callable[[str], str]:
    """A `link_for` that keeps the one-time token a service mails."""

    def link_for(token: str) -> str:
        tokens.append(token)
        return f"/link/{token}"

    return link_for


def _concept_id(session: Session, uri: str) -> int:
    found = session.scalar(select(Concept.id).where(Concept.uri == uri))
    assert found is not None, uri
    return found


def _people(session: Session, name: str) -> tuple[dict[Role, User], dict[OrganisationKind, int]]:
    """A verified labour provider and employer, and a user of each role."""
    organisations_of = {
        kind: organisations.create_organisation(
            session, kind=kind, name=f"{name} {kind.value.title()} Org", verified=True
        )
        for kind in OrganisationKind
    }
    users = {
        role: accounts.create_user(
            session,
            email=f"{name.lower()}-{role.value}@example.org",
            full_name=f"Pat {name}{role.value.title()}",
            password=PASSWORD,
            role=role,
            organisation=organisations_of[OrganisationKind(role.value)]
            if role in (Role.PROVIDER, Role.EMPLOYER)
            else None,
        )
        for role in Role
    }
    return users, {kind: organisation.id for kind, organisation in organisations_of.items()}


def _active_profile(
    session: Session, actor: User, worker: Worker, region_id: int, skill_id: int
) -> dict[str, int]:
    """Skills, experience, a qualification, availability and consent: an active profile. The
    first skill's words teach the resolver (a learned label); the second's are unmapped."""
    skill = workers.add_skill(
        session, actor, worker, f"{worker.family_name} lifts pallets", concept_id=skill_id
    )
    workers.add_skill(session, actor, worker, UNMAPPED_WORDS, concept_id=None)
    workers.add_skill(
        session,
        actor,
        worker,
        "follow health and safety rules",
        concept_id=_concept_id(session, SAFETY),
        source=SkillSource.CHECKLIST,
    )
    experience = workers.add_experience(
        session, actor, worker, "warehouse work", occupation_id=None, years=2.0
    )
    qualification = workers.add_qualification(
        session,
        actor,
        worker,
        title="Forklift licence",
        country=None,
        level="",
        recognition=Recognition.NOT_REQUESTED,
    )
    available = workers.Availability(region_id=region_id, available_from=date.today())
    workers.save_availability(session, actor, worker, available)
    workers.give_consent(session, actor, worker, ("matching", "contact-after-offer"))
    return {
        "skill_id": skill.id,
        "experience_id": experience.id,
        "qualification_id": qualification.id,
    }


def _vacancy(session: Session, employer: User, title: str, region_id: int) -> Vacancy:
    return vacancies.create_draft(
        session,
        employer,
        vacancies.VacancyInput(
            title=title,
            positions=2,
            region_id=region_id,
            start_date=date.today() + timedelta(days=7),
            end_date=date.today() + timedelta(days=97),
            skills=tuple(
                vacancies.SkillWords(words, _concept_id(session, uri), RelationType.ESSENTIAL)
                for words, uri in (("forklift", FORKLIFT), ("safety", SAFETY))
            ),
            no_fee_pledge=True,
        ),
    )


def _error_reports(app: Flask, users: dict[Role, User]) -> dict[Role, str]:
    """The error report of an upload by the provider and by the employer, as the pages keep it."""
    problem = RowProblem(2, "given_name", "", "Give the worker's given name.")
    with app.test_request_context():
        kept = {
            role: keep_report(users[role], [problem]) for role in (Role.PROVIDER, Role.EMPLOYER)
        }
    return {role: token for role, token in kept.items() if token is not None}


def _side(session: Session, app: Flask, name: str, skill_id: int) -> Side:
    """A side's people and objects, made through the services as the pages make them; its
    region is its own, so that no one is matched across the sides."""
    (region,) = regions.add_regions(session, [f"{name} region"])
    users, organisation_ids = _people(session, name)
    worker_user, provider, employer = users[Role.WORKER], users[Role.PROVIDER], users[Role.EMPLOYER]
    worker = workers.start_own_profile(session, worker_user)
    managed = provider_workers.register_worker_for_provider(
        session,
        provider,
        workers.AboutYou(
            given_name="Pat",
            family_name=f"{name}Managed",
            email=f"{name.lower()}-managed@example.org",
        ),
    )
    parts = {
        worker.id: _active_profile(session, worker_user, worker, region.id, skill_id),
        managed.id: _active_profile(session, provider, managed, region.id, skill_id),
    }
    vacancy = _vacancy(session, employer, f"{name} forklift job", region.id)
    draft = _vacancy(session, employer, f"{name}Draft job", region.id)
    vacancies.submit(session, employer, vacancy.id)
    vacancies.approve(session, users[Role.ADMIN], vacancy.id)
    matching.rescore_vacancy(session, vacancy.id)
    offers = {
        worker_id: placements.offer(session, employer, vacancy.id, worker_id).id
        for worker_id in (worker.id, managed.id)
    }
    news = {
        role: notifications.notify(session, user, "matrix", lambda: "Something happened")
        for role, user in users.items()
    }
    resets: list[str] = []
    accounts.request_password_reset(
        session, worker_user.email, link_for=_kept(resets), ttl=timedelta(hours=1)
    )
    session.commit()
    return Side(
        name=name,
        users=users,
        organisation_ids=organisation_ids,
        worker_id=worker.id,
        managed_id=managed.id,
        parts=parts,
        vacancy_id=vacancy.id,
        draft_id=draft.id,
        placement_ids=offers,
        notification_ids={role: notification.id for role, notification in news.items()},
        message_id=session.scalar(
            select(func.max(OutboxMessage.id)).where(OutboxMessage.recipient == worker_user.email)
        ),
        label_id=session.scalar(
            select(LearnedLabel.id).where(LearnedLabel.first_confirmed_by_id == worker_user.id)
        ),
        reset_token=resets[0],
        report_tokens=_error_reports(app, users),
        api_token_ids={
            role: api_tokens.create_token(session, users[role], f"{name} system").token.id
            for role in api_tokens.TOKEN_ROLES
        },
        private={
            **{
                role.value: (f"{name}{role.value.title()}", user.email)
                for role, user in users.items()
            },
            MANAGED: (f"{name}Managed", f"{name.lower()}-managed@example.org"),
            DRAFT: (f"{name}Draft",),
        },
    )


def build_market(session: Session, app: Flask) -> Market:
    skill_id = _concept_id(session, FORKLIFT)
    return Market(
        session=session,
        mine=_side(session, app, "Mine", skill_id),
        theirs=_side(session, app, "Theirs", skill_id),
        skill_concept_id=skill_id,
        occupation_concept_id=_concept_id(session, FORKLIFT_DRIVER),
    )


@pytest.fixture
def market(session: Session, app: Flask, stored_taxonomy: object) -> Market:
    return build_market(session, app)


# --- how to fill each URL parameter ---------------------------------------------------------------

Pick = Callable[[Market, Any], object]


@dataclass(frozen=True)
class Param:
    """How to fill a URL parameter: with the acting user's own object and with someone else's.

    `other` is None for what is no one's (a file format, a taxonomy concept). A key (a one-time
    link's token) is "own" when it was issued and "other" when it never was: no one, admins
    included, gets in without it; its holder may read the details of `opens`, the person it
    was issued to. `admin_sees_all` False: not even an admin may use another person's (their
    notification, their upload's error report).
    """

    own: Pick
    other: Pick | None = None
    admin_sees_all: bool = True
    opens: str | None = None


def owned(pick: Callable[[Side, Any], object], *, admin_sees_all: bool = True) -> Param:
    return Param(
        own=lambda market, who: pick(market.mine, who),
        other=lambda market, who: pick(market.theirs, who),
        admin_sees_all=admin_sees_all,
    )


def key(issue: Callable[[Market, Side], str], *, opens: str) -> Param:
    return Param(
        own=lambda market, _who: issue(market, market.mine),
        other=lambda _market, _who: NOT_A_KEY,
        admin_sees_all=False,
        opens=opens,
    )


def value(pick: Pick) -> Param:
    return Param(own=pick)


def _part(name: str) -> Param:
    return owned(lambda side, who: side.parts[side.worker_of(who)][name])


# URL parameter → how to fill it; by endpoint where one name means different things ("*": for
# any other endpoint). Parameters of an `any(...)` converter need no entry: every one of their
# values is requested.
OBJECTS: dict[str, Param | dict[str, Param]] = {
    "worker_id": owned(lambda side, who: side.worker_of(who)),
    "skill_id": _part("skill_id"),
    "experience_id": _part("experience_id"),
    "qualification_id": _part("qualification_id"),
    "vacancy_id": {
        "*": owned(lambda side, _who: side.vacancy_id),
        # pages anyone may read open vacancies on: someone else's is one not published yet
        "vacancies.show": Param(
            own=lambda market, _who: market.mine.vacancy_id,
            other=lambda market, _who: market.theirs.draft_id,
            admin_sees_all=False,  # admins read drafts on the moderation pages
        ),
        "api.vacancy": Param(
            own=lambda market, _who: market.mine.vacancy_id,
            other=lambda market, _who: market.theirs.draft_id,
        ),
    },
    "placement_id": owned(lambda side, who: side.placement_ids[side.worker_of(who)]),
    "organisation_id": owned(lambda side, who: side.organisation_of(who)),
    "notification_id": owned(
        lambda side, who: side.notification_ids[side.user_of(who).role], admin_sees_all=False
    ),
    "message_id": owned(lambda side, _who: side.message_id),
    "label_id": owned(lambda side, _who: side.label_id),
    "token_id": owned(lambda side, who: side.api_token_of(who), admin_sees_all=False),
    "token": {
        "invites.accept": key(lambda market, side: market.invite_token(side), opens=MANAGED),
        "auth.reset_password": key(lambda _market, side: side.reset_token, opens=Role.WORKER.value),
        "provider_uploads.error_report": owned(
            lambda side, _who: side.report_tokens[Role.PROVIDER], admin_sees_all=False
        ),
        "employer_uploads.error_report": owned(
            lambda side, _who: side.report_tokens[Role.EMPLOYER], admin_sees_all=False
        ),
    },
    "occupation_id": value(lambda market, _who: market.occupation_concept_id),
    "concept_id": {
        "taxonomy.skill": value(lambda market, _who: market.skill_concept_id),
        "taxonomy.occupation": value(lambda market, _who: market.occupation_concept_id),
    },
    "file_format": value(lambda _market, _who: "csv"),
    "filename": value(lambda _market, _who: "css/portal.css"),
}


def _param(name: str, endpoint: str) -> Param | None:
    entry = OBJECTS.get(name)
    return entry.get(endpoint, entry.get("*")) if isinstance(entry, dict) else entry


def _known_param(name: str, endpoint: str) -> Param:
    param = _param(name, endpoint)
    assert param is not None, f"{endpoint}: no OBJECTS entry for '{name}'"
    return param


def _choices(rule: Rule) -> dict[str, list[str]]:
    """The parameters of `any(...)` converters, with every value they take."""
    converters = getattr(rule, "_converters", {})
    return {
        name: sorted(converter.items)
        for name, converter in converters.items()
        if isinstance(converter, AnyConverter)
    }


def missing_entries(app: Flask) -> list[str]:
    """What to add so that the matrix covers every route (empty when it does)."""
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in ACCESS:
            missing.append(
                f"{rule.endpoint} ({rule.rule}): add who may use it to ACCESS in "
                "tests/web/test_access.py"
            )
        for name in sorted(rule.arguments - _choices(rule).keys()):
            if name not in OBJECTS:
                missing.append(
                    f"{rule.endpoint} ({rule.rule}): add '{name}' to OBJECTS in {THIS_FILE}: "
                    "how to make one that is the acting user's own and one that is someone else's"
                )
            elif _param(name, rule.endpoint) is None:
                missing.append(
                    f"{rule.endpoint} ({rule.rule}): add '{rule.endpoint}' to "
                    f"OBJECTS['{name}'] in {THIS_FILE}"
                )
    return missing


# --- the cells of the matrix ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One request: a route, a method, fixed values (any-converters), and whose objects."""

    rule: Rule
    method: str
    fixed: tuple[tuple[str, str], ...]
    ownership: str  # "-" (no object), "own", "other", or "other <parameter>"
    others: frozenset[str]  # the parameters filled with someone else's object

    @property
    def endpoint(self) -> str:
        return self.rule.endpoint

    @property
    def is_api(self) -> bool:
        return self.rule.rule.startswith("/api/")

    def opened(self) -> frozenset[str]:
        """Whose details the keys this request carries open (the mine side's people's)."""
        return frozenset(
            param.opens
            for name in self.rule.arguments - self.others
            if (param := _param(name, self.endpoint)) is not None and param.opens is not None
        )

    def values(self, market: Market, who: Any) -> dict[str, object]:
        found: dict[str, object] = dict(self.fixed)
        for name in self.rule.arguments - found.keys():
            param = _known_param(name, self.endpoint)
            pick = param.other if name in self.others else param.own
            found[name] = pick(market, who)  # type: ignore[misc]
        return found

    def allows(self, who: Any) -> bool:
        """Whether `who` may succeed here: ACCESS lets them in, and the objects are their own
        (or they are an admin who may see everyone's). No one reaches an object through a
        parent it does not belong to ("other skill_id": another worker's skill on one's own
        profile)."""
        if who not in ACCESS[self.endpoint]:
            return False
        if not self.others:
            return True
        return (
            self.ownership == "other"
            and who is Role.ADMIN
            and all(_known_param(name, self.endpoint).admin_sees_all for name in self.others)
        )


def _ownerships(objects: list[str]) -> Iterator[tuple[str, frozenset[str]]]:
    """Whose objects fill a route's parameters: no one's, one's own, someone else's, and for
    a route with several, each alone someone else's."""
    if not objects:
        yield "-", frozenset()
        return
    yield "own", frozenset()
    yield "other", frozenset(objects)
    if len(objects) > 1:
        for name in objects:
            yield f"other {name}", frozenset({name})


def matrix_cells(app: Flask, endpoints: Iterable[str] | None = None) -> list[Cell]:
    """Every route × method × ownership: reads first, and someone else's objects before one's
    own, so that what an allowed request changes (a skill removed, a vacancy closed) cannot
    make a later request fail for another reason than its check."""
    wanted = set(endpoints) if endpoints is not None else None
    cells = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint)):
        if wanted is not None and rule.endpoint not in wanted:
            continue
        choices = _choices(rule)
        objects = sorted(
            name
            for name in rule.arguments - choices.keys()
            if (param := _param(name, rule.endpoint)) is not None and param.other is not None
        )
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for picked in itertools.product(*(choices[name] for name in sorted(choices))):
                fixed = tuple(zip(sorted(choices), picked, strict=True))
                for ownership, others in _ownerships(objects):
                    cells.append(Cell(rule, method, fixed, ownership, others))
    return sorted(cells, key=lambda cell: (cell.method != "GET", cell.ownership == "own"))


# --- asking, as each role -------------------------------------------------------------------------


class Actor:
    """Someone making the matrix's requests: anonymous, or logged in as the mine side's user of
    a role, with a CSRF token for forms and, if their role may hold one, an API token."""

    def __init__(self, app: Flask, market: Market, who: Any) -> None:
        self.app, self.market, self.who = app, market, who
        self.web = WebClient(app.test_client())
        self.user = None if who == ANONYMOUS else market.mine.users[who]
        self.bearer = self._api_token()
        self.csrf = ""
        self._start()

    def _api_token(self) -> str | None:
        if self.user is None:
            return None
        if not api_tokens.may_hold_tokens(self.user):
            return None
        return api_tokens.create_token(self.market.session, self.user, "matrix").secret

    def _start(self) -> None:
        if self.user is not None:
            self.web.login(self.user.email)
        self.csrf = self.web.csrf_token("/")

    def _keep_logged_in(self) -> None:
        """Log in again after a request that ended the session (logging out, for one)."""
        with self.web.client.session_transaction() as browser:
            lost = "csrf_token" not in browser or (
                self.user is not None and "_user_id" not in browser
            )
        if lost:
            self._start()

    def ask(self, cell: Cell, url: str) -> TestResponse:
        client = self.web.client
        if cell.is_api:
            headers = {"Authorization": f"Bearer {self.bearer}"} if self.bearer else {}
            if cell.method == "GET":
                response = client.get(url, headers=headers)
            else:
                response = client.open(url, method=cell.method, json={}, headers=headers)
        elif cell.method == "GET":
            response = client.get(url)
        else:
            data = {"csrf_token": self.csrf, **FORMS.get(cell.endpoint, {})}
            response = client.open(url, method=cell.method, data=data)
        self._keep_logged_in()
        return response


def refused(response: TestResponse) -> bool:
    """Refused: not allowed, not found, not this method, or sent to log in first."""
    if response.status_code in REFUSAL_STATUSES:
        return True
    if response.status_code in REDIRECTS:
        location = response.headers.get("Location", "")
        return re.sub(r"^https?://[^/]+", "", location).split("?")[0] == LOGIN_PATH
    return False


@dataclass(frozen=True)
class Answer:
    who: str
    endpoint: str
    method: str
    ownership: str
    url: str
    status: int
    allowed: bool
    refused: bool
    shown: tuple[str, ...]  # private words the role may not read, on the page

    @property
    def unauthorised(self) -> bool:
        return (not self.allowed and not self.refused) or bool(self.shown)

    def row(self) -> str:
        shown = f" showing {', '.join(self.shown)}" if self.shown else ""
        return (
            f"({self.who}, {self.endpoint}, {self.method}, {self.ownership}) "
            f"{self.url} → {self.status}{shown}"
        )


def _secrets(market: Market, who: Any, cell: Cell) -> tuple[str, ...]:
    """Private words `who` must never be shown: all of the other side's, and those of their own
    side's people but themselves (and whom they manage, and whose key they hold); admins see
    everything."""
    if who is Role.ADMIN:
        return ()
    readable = READS[who] | cell.opened()
    mine = [words for whose, words in market.mine.private.items() if whose not in readable]
    return tuple(itertools.chain(*market.theirs.private.values(), *mine))


def _url(app: Flask, cell: Cell, values: dict[str, object]) -> str:
    if not values and cell.method == "GET" and cell.endpoint in PAGES:
        return PAGES[cell.endpoint]  # with the query the page needs
    path = app.url_map.bind("localhost").build(cell.endpoint, values, method=cell.method)
    return path + (QUERIES.get(cell.endpoint, "") if cell.method == "GET" else "")


def run_matrix(app: Flask, market: Market, who: Any, cells: list[Cell]) -> list[Answer]:
    actor = Actor(app, market, who)
    answers = []
    for cell in cells:
        secrets = _secrets(market, who, cell)
        url = _url(app, cell, cell.values(market, who))
        response = actor.ask(cell, url)
        page = response.get_data().decode("utf-8", "replace")
        response.close()  # a sent file's handle
        answers.append(
            Answer(
                who=str(who),
                endpoint=cell.endpoint,
                method=cell.method,
                ownership=cell.ownership,
                url=url,
                status=response.status_code,
                allowed=cell.allows(who),
                refused=refused(response),
                shown=tuple(secret for secret in secrets if secret in page),
            )
        )
    return answers


# --- what others own, before and after --------------------------------------------------------


def _rows_of(side: Side) -> dict[type, list[int]]:
    worker_ids = [side.worker_id, side.managed_id]
    return {
        User: [user.id for user in side.users.values()],
        Organisation: list(side.organisation_ids.values()),
        Worker: worker_ids,
        WorkerSkill: [part["skill_id"] for part in side.parts.values()],
        WorkerExperience: [part["experience_id"] for part in side.parts.values()],
        WorkerQualification: [part["qualification_id"] for part in side.parts.values()],
        Vacancy: [side.vacancy_id, side.draft_id],
        Placement: list(side.placement_ids.values()),
        Notification: list(side.notification_ids.values()),
        LearnedLabel: [side.label_id],
        ApiToken: list(side.api_token_ids.values()),
    }


def state_of(session: Session, sides: Iterable[Side]) -> dict[str, object]:
    """Every column of the sides' objects, and how many children their workers, organisations
    and vacancies have: an unauthorised change to any of them shows as a difference."""
    session.expire_all()
    state: dict[str, object] = {}
    for side in sides:
        for model, ids in _rows_of(side).items():
            columns = [attribute.key for attribute in inspect(model).column_attrs]
            for row in session.scalars(select(model).where(model.id.in_(ids))):
                for column in columns:
                    state[f"{model.__name__} {row.id} {column}"] = getattr(row, column)
        worker_ids = [side.worker_id, side.managed_id]
        for child in (WorkerSkill, WorkerExperience, WorkerQualification, ConsentRecord):
            state[f"{side.name} {child.__name__} rows"] = session.scalar(
                select(func.count()).where(child.worker_id.in_(worker_ids))
            )
        employer_id = side.organisation_ids[OrganisationKind.EMPLOYER]
        state[f"{side.name} vacancies"] = session.scalar(
            select(func.count()).where(Vacancy.organisation_id == employer_id)
        )
        state[f"{side.name} placements"] = session.scalar(
            select(func.count()).where(
                (Placement.vacancy_id == side.vacancy_id) | Placement.worker_id.in_(worker_ids)
            )
        )
        state[f"{side.name} workers"] = session.scalar(
            select(func.count()).where(
                Worker.provider_id == side.organisation_ids[OrganisationKind.PROVIDER]
            )
        )
    return state


def _changes(before: dict[str, object], after: dict[str, object]) -> list[str]:
    return [
        f"{name}: {before.get(name)!r} → {after.get(name)!r}"
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    ]


# --- the tests ------------------------------------------------------------------------------------


def test_the_matrix_spans_every_route_role_and_ownership(app: Flask) -> None:
    """A new route needs an ACCESS rule and, for its parameters, an OBJECTS recipe."""
    missing = missing_entries(app)
    assert missing == [], "the matrix cannot cover these routes yet:\n" + "\n".join(missing)
    cells = matrix_cells(app)
    pairs = {(cell.endpoint, cell.method) for cell in cells}
    print(
        f"\nauthorisation matrix: {len(pairs)} (endpoint, method) pairs, {len(cells)} with "
        f"their ownerships and values × {len(WHO)} roles = {len(cells) * len(WHO)} requests"
    )
    assert pairs == {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


@pytest.mark.parametrize("who", WHO, ids=str)
def test_no_role_succeeds_where_it_is_not_allowed(
    app: Flask, session: Session, market: Market, who: Any
) -> None:
    missing = missing_entries(app)
    assert missing == [], "the matrix cannot cover these routes yet:\n" + "\n".join(missing)
    watched = [market.theirs] if who is not ANONYMOUS else [market.mine, market.theirs]
    before = state_of(session, watched)

    answers = run_matrix(app, market, who, matrix_cells(app))

    wrong = [answer.row() for answer in answers if answer.unauthorised]
    allowed = sum(answer.allowed for answer in answers)
    print(
        f"\nauthorisation matrix as {who}: {len(answers)} requests, {allowed} allowed; "
        f"unauthorised successes = {len(wrong)}"
    )
    assert wrong == [], "unauthorised successes:\n" + "\n".join(wrong)
    errors = [answer.row() for answer in answers if answer.status >= 500]
    assert errors == [], "server errors:\n" + "\n".join(errors)
    kept_out = [answer.row() for answer in answers if answer.allowed and answer.refused]
    assert kept_out == [], (
        "allowed but refused (the matrix shows nothing about a route it cannot open: fix the "
        "market or OBJECTS):\n" + "\n".join(kept_out)
    )
    if who is not Role.ADMIN:
        changed = _changes(before, state_of(session, watched))
        assert changed == [], "someone else's objects changed:\n" + "\n".join(changed)


# --- the matrix catches holes ---------------------------------------------------------------------


def _unauthorised(answers: list[Answer]) -> set[tuple[str, str, str, str]]:
    return {
        (answer.who, answer.endpoint, answer.method, answer.ownership)
        for answer in answers
        if answer.unauthorised
    }


def test_a_new_route_without_an_access_rule_or_object_recipe_is_named(app: Flask) -> None:
    app.add_url_rule("/gadgets/<int:gadget_id>", "gadgets.show", lambda gadget_id: "a gadget")

    named = [entry for entry in missing_entries(app) if entry.startswith("gadgets.show ")]

    assert named == [
        "gadgets.show (/gadgets/<int:gadget_id>): add who may use it to ACCESS in "
        "tests/web/test_access.py",
        f"gadgets.show (/gadgets/<int:gadget_id>): add 'gadget_id' to OBJECTS in {THIS_FILE}: "
        "how to make one that is the acting user's own and one that is someone else's",
    ]


def test_the_matrix_reports_a_route_that_forgot_its_role_check(
    app: Flask, market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.add_url_rule("/admin/gadgets", "admin_gadgets.board", lambda: "every gadget")
    monkeypatch.setitem(ACCESS, "admin_gadgets.board", frozenset({Role.ADMIN}))
    cells = matrix_cells(app, ["admin_gadgets.board"])

    answers = [
        answer
        for who in (ANONYMOUS, Role.EMPLOYER, Role.ADMIN)
        for answer in run_matrix(app, market, who, cells)
    ]

    assert _unauthorised(answers) == {
        ("anonymous", "admin_gadgets.board", "GET", "-"),
        ("employer", "admin_gadgets.board", "GET", "-"),
    }


def test_the_matrix_reports_a_provider_reaching_another_providers_worker(
    app: Flask, market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ownership check taken away: any provider may manage any worker."""
    monkeypatch.setattr(
        workers, "may_manage", lambda user, worker: user.role in (Role.PROVIDER, Role.ADMIN)
    )
    cells = matrix_cells(app, ["provider.worker_summary", "worker_rights.download"])

    answers = run_matrix(app, market, Role.PROVIDER, cells)

    assert _unauthorised(answers) == {
        ("provider", "provider.worker_summary", "GET", "other"),
        ("provider", "worker_rights.download", "GET", "other"),
    }
    assert all("TheirsManaged" in answer.shown for answer in answers if answer.unauthorised)
