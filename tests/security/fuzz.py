"""Send payloads where a person can put text: every field of every form on a page, every query
parameter, every id in a URL. Each send that the portal does not answer cleanly (a 5xx, a stack
trace, a leaked database error) is a finding, named by where it happened."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import String, Text, func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from portal.models.base import Base
from tests.conftest import WebClient
from tests.security.html_forms import TEXT_KINDS, HtmlForm, forms_on, path_of

LEAKS = (
    "Traceback (most recent call last)",
    "sqlalchemy",
    "psycopg",
    "sqlite3",
    "OperationalError",
    "IntegrityError",
    "DataError",
    "ProgrammingError",
    'File "/',
)
"""What a page must never show: a stack trace or the database's own words."""

SMALL_CSV = b"external_id,given_name\r\nW-1,Ana\r\n"


@dataclass(frozen=True)
class Sent:
    method: str
    url: str
    field: str
    payload: str
    status: int
    body: str
    field_id: str = ""
    kind: str = ""
    redirected_to: str = ""  # the page a redirect led to, when followed

    def __str__(self) -> str:
        shown = (
            self.payload if len(self.payload) < 40 else f"{self.payload[:20]}…({len(self.payload)})"
        )
        return f"{self.method} {self.url} {self.field}={shown!r} → {self.status}"


def unclean(sent: Sent) -> str | None:
    """Why the answer is not a clean one, or None."""
    if sent.status >= 500:
        return "server error"
    leaked = [marker for marker in LEAKS if marker in sent.body]
    return f"leaks {leaked}" if leaked else None


def page_forms(client: WebClient, urls: Iterable[str]) -> tuple[list[HtmlForm], list[str]]:
    """The distinct forms on the pages, and the pages that did not open. Forms with the same
    fields count once: a button per notification or per placement, the vacancy form to create
    and to edit."""
    forms, seen, broken = [], set(), []
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            broken.append(f"GET {url} → {response.status_code}")
            continue
        for form in forms_on(response.get_data(as_text=True), f"http://localhost{url}"):
            key = (form.method, tuple(sorted(form.kinds)), tuple(sorted(form.buttons)))
            if key not in seen:
                seen.add(key)
                forms.append(form)
    return forms, broken


def send(client: WebClient, form: HtmlForm, pairs: list[tuple[str, str]]) -> TestResponse:
    url = path_of(form.action)
    if form.method == "get":
        return client.client.get(url.split("?")[0], query_string=MultiDict(pairs))
    data = MultiDict(pairs)
    for name, kind in form.kinds.items():
        if kind == "file":
            data.add(name, (io.BytesIO(SMALL_CSV), "workers.csv"))
    return client.client.post(url, data=data)


def fill_each_field(
    client: WebClient,
    forms: Sequence[HtmlForm],
    payloads: Sequence[str],
    *,
    typed: bool,
    follow: bool = False,
) -> list[Sent]:
    """Send each form once per field and payload: that field carries the payload, the others
    what the page had in them. `typed`: the fields a person types into, else the others
    (hidden fields, lists, boxes to tick, buttons). `follow`: open the page a redirect leads
    to at once (its messages are shown once)."""
    results = []
    for form in forms:
        for name in form.fuzzable():
            if (form.kinds.get(name) in TEXT_KINDS) != typed:
                continue
            for payload in payloads:
                response = send(client, form, form.submission(name, payload))
                location = response.headers.get("Location", "")
                redirected_to = client.get(location).text if follow and location else ""
                results.append(
                    Sent(
                        form.method.upper(),
                        path_of(form.action),
                        name,
                        payload,
                        response.status_code,
                        response.get_data(as_text=True),
                        form.ids.get(name, name),
                        form.kinds.get(name, "button"),
                        redirected_to,
                    )
                )
    return results


# --- the database afterwards ----------------------------------------------------------------------


def row_counts(session: Session) -> dict[str, int]:
    session.expire_all()
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


RECOMPUTED = frozenset({"matches", "worker_match_notes"})
"""Tables the matching rewrites whenever a profile or a vacancy is scored again."""


def lost_rows(before: dict[str, int], after: dict[str, int]) -> list[str]:
    """Tables gone, or with fewer rows than before (those the matching rewrites aside)."""
    return [
        f"{name}: {count} → {after.get(name)}"
        for name, count in before.items()
        if name not in RECOMPUTED and (name not in after or after[name] < count)
    ]


def stored_problems(session: Session) -> list[str]:
    """Stored text with NUL or another control character (tab and line breaks aside), or longer
    than its column: SQLite keeps both, PostgreSQL would have refused them with an error."""
    problems = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if not columns:
            continue
        for row in session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if not isinstance(value, str):
                    continue
                if any(
                    unicodedata.category(char) == "Cc" and char not in "\t\n\r" for char in value
                ):
                    problems.append(f"{table.name}.{column.name} holds {value[:30]!r}")
                length = getattr(column.type, "length", None)
                if length is not None and len(value) > length:
                    problems.append(f"{table.name}.{column.name} holds {len(value)} > {length}")
    return problems
