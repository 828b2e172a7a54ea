"""SQL injection: classic payloads in every form field, query parameter and id in a URL of the
pages each role opens, on SQLite and on PostgreSQL. The portal answers cleanly (never a 5xx, a
stack trace or the database's words), searches find no extra rows, and every table is still
there with its rows afterwards."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from portal.models import Role, User
from portal.services import provider_workers, vacancies
from portal.services.vacancies import BrowseFilters
from tests.conftest import WebClient
from tests.security.fuzz import (
    Sent,
    fill_each_field,
    lost_rows,
    page_forms,
    row_counts,
    unclean,
)
from tests.security.html_forms import TEXT_KINDS, path_of
from tests.security.payloads import SQL_PAYLOADS, SQL_PAYLOADS_FOR_FORMS
from tests.security.world import World, pages_of

ROLES = [None, *Role]
PAGE_PAYLOADS = ("1 OR 1=1", "-1", "99999999999999999999")
"""Page numbers are read as numbers (anything else is page 1): a few payloads are enough."""
CHOICE_PAYLOADS = ("' OR 1=1--", "99999999999999999999", "\u00b2")
"""For hidden fields, lists and buttons: a quote, a number no id can be, a digit int() refuses."""
EXTRA_PARAMETERS = {
    "/login": {"next": True},
    "/register": {"role": False},
    "/admin/organisations": {"show": False},
    "/admin/placements": {"state": False},
    "/api/v1/skills/suggest": {"q": True, "lang": False, "limit": False},
    "/api/v1/occupations/suggest": {"q": True, "lang": False, "limit": False},
}
"""Query parameters the pages read that no form on them sends: name → typed by a person
(else chosen from a list, so CHOICE_PAYLOADS are enough)."""


def _label(role: Role | None) -> str:
    return role.value if role else "anonymous"


@pytest.mark.parametrize("role", ROLES, ids=_label)
def test_sql_payloads_in_every_form_field_are_answered_cleanly_and_lose_no_row(
    role: Role | None, world: World, clients: dict[Role | None, WebClient], session: Session
) -> None:
    before = row_counts(session)
    forms, broken = page_forms(clients[role], pages_of(world)[role])
    posted = [form for form in forms if form.method == "post"]
    sent = [
        *fill_each_field(clients[role], posted, SQL_PAYLOADS_FOR_FORMS, typed=True),
        *fill_each_field(clients[role], posted, CHOICE_PAYLOADS, typed=False),
    ]
    after = row_counts(session)

    assert not broken, broken
    problems = [f"{s}: {unclean(s)}" for s in sent if unclean(s)]
    assert not problems, "\n".join(problems)
    assert lost_rows(before, after) == []


@pytest.mark.parametrize("role", ROLES, ids=_label)
def test_sql_payloads_in_query_parameters_and_ids_are_answered_cleanly(
    role: Role | None, world: World, clients: dict[Role | None, WebClient], session: Session
) -> None:
    client, urls = clients[role], pages_of(world)[role]
    before = row_counts(session)
    in_parameters = _query_parameter_problems(client, urls, role)
    in_ids = _id_problems(client, urls)
    after = row_counts(session)

    assert not in_parameters, "\n".join(in_parameters)
    assert not in_ids, "\n".join(in_ids)
    assert after["users"] == before["users"]
    assert lost_rows(before, after) == []


def _query_parameter_problems(client: WebClient, urls: list[str], role: Role | None) -> list[str]:
    problems = []
    for path, names in _query_parameters(client, urls, role).items():
        for name, typed in sorted(names.items()):
            payloads = SQL_PAYLOADS if typed else CHOICE_PAYLOADS
            for payload in PAGE_PAYLOADS if name == "page" else payloads:
                response = client.get(path, query_string={name: payload})
                sent = Sent("GET", path, name, payload, response.status_code, response.text)
                if unclean(sent) or not _answered_with_a_message(sent):
                    problems.append(f"{sent}: {unclean(sent) or 'no message'}")
    return problems


def _id_problems(client: WebClient, urls: list[str]) -> list[str]:
    """Each id in an address replaced by each payload: the page is not found, cleanly."""
    problems = []
    for url in urls:
        parts = url.split("?")[0].split("/")
        for index, part in enumerate(parts):
            if not part.isdecimal():
                continue
            for payload in SQL_PAYLOADS_FOR_FORMS:
                changed = "/".join([*parts[:index], quote(payload, safe=""), *parts[index + 1 :]])
                response = client.get(changed)
                sent = Sent("GET", changed, "id", payload, response.status_code, response.text)
                if response.status_code != 404 or unclean(sent):
                    problems.append(str(sent))
    return problems


def _answered_with_a_message(sent: Sent) -> bool:
    """A page, a redirect, or a refusal (400, 404, 422) that says what is wrong: on the form's
    fields, on an error page, or in the API's error."""
    if sent.status in (200, 302, 303):
        return True
    if sent.status not in (400, 404, 422):
        return False
    if sent.body.startswith("{"):
        return '"message"' in sent.body
    return any(
        mark in sent.body for mark in ('class="error-summary"', 'class="error-message"', "<h1>")
    )


def _query_parameters(
    client: WebClient, urls: list[str], role: Role | None
) -> dict[str, dict[str, bool]]:
    """Each page's path → the parameters its GET forms send, its page number and the ones in
    EXTRA_PARAMETERS, each with whether a person types it."""
    forms, _broken = page_forms(client, urls)
    found: dict[str, dict[str, bool]] = {url.split("?")[0]: {"page": False} for url in urls}
    for form in forms:
        if form.method == "get":
            path = path_of(form.action).split("?")[0]
            found.setdefault(path, {}).update(
                {name: form.kinds.get(name) in TEXT_KINDS for name in form.fuzzable()}
            )
    if role is None:
        found |= {path: {} for path in EXTRA_PARAMETERS if path.startswith("/api/")}
    for path, names in EXTRA_PARAMETERS.items():
        if path in found:
            found[path].update(names)
    return found


SEARCH_PAYLOADS = [p for p in SQL_PAYLOADS if not p.lstrip("-").isdecimal()]
"""Words that appear in no name, title or label of the world (numbers might)."""


def extra_rows(session: Session, search: Callable[[str], int]) -> dict[str, int | str]:
    """What each payload finds (rows, or the database's error) where nothing should be found.
    Each search runs in a savepoint: on PostgreSQL an error ends the whole transaction."""
    found: dict[str, int | str] = {}
    for payload in SEARCH_PAYLOADS:
        try:
            with session.begin_nested():
                count = search(payload)
        except DBAPIError as error:
            found[payload] = f"error: {type(error.orig).__name__}"
        else:
            if count:
                found[payload] = count
    return found


def test_a_provider_searching_with_sql_payloads_finds_no_worker(
    world: World, session: Session
) -> None:
    provider = session.scalars(select(User).where(User.email == world.emails[Role.PROVIDER])).one()

    def search(words: str) -> int:
        return provider_workers.list_provider_workers(
            session, provider, search=words, page=1, size=50
        ).total

    assert search("plain") == 2  # the two workers the provider registered
    assert extra_rows(session, search) == {}


def test_a_vacancy_search_with_sql_payloads_finds_none(world: World, session: Session) -> None:
    def search(words: str) -> int:
        return vacancies.browse(session, BrowseFilters(words=words), page=1, size=50).total

    assert search("plain") == 3  # the world's open vacancies
    assert extra_rows(session, search) == {}


def test_the_check_finds_rows_through_a_query_written_with_an_f_string(
    world: World, session: Session
) -> None:
    """A deliberately unsafe test double of the provider's search: the payloads get through."""
    provider = session.scalars(select(User).where(User.email == world.emails[Role.PROVIDER])).one()

    def unsafe_search(words: str) -> int:
        query = (
            f"SELECT count(*) FROM workers WHERE provider_id = {provider.organisation_id} "
            f"AND lower(given_name) LIKE '%{words.lower()}%'"
        )
        return session.scalar(text(query)) or 0

    found = extra_rows(session, unsafe_search)

    assert unsafe_search("plain") == 2
    assert found["%"] == 2  # every name of the provider's workers: a wildcard, not a word
    assert found["' OR 1=1--"] > 2  # every worker of every provider
    assert str(found["'; DROP TABLE users;--"]).startswith("error")  # rolled back, or refused
