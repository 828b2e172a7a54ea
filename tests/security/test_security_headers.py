"""Security headers on every kind of response: HTML pages, JSON, file downloads, redirects and
error pages (404, 405, 400, 413, 500), for visitors and logged-in users. Each carries a
Content-Security-Policy whose scripts come from the portal only (no inline script, no eval),
nosniff, frame denial and a referrer policy; whatever a logged-in user receives is not stored
by the browser or a proxy (no-store)."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from portal.models import Role
from portal.services import worker_import
from portal.web import security
from tests.conftest import WebClient
from tests.security.world import World, csv_file

SAFE_REFERRER_POLICIES = frozenset(
    {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
)
REPORT_LINK = re.compile(r'href="(/provider/workers/upload/report/[^"]+\.csv)"')


@pytest.fixture
def failing_route(app: Flask) -> str:
    """A test-only route that raises, for the 500 page (added before any request)."""

    def fail() -> str:
        raise RuntimeError("a test-only failure")

    app.add_url_rule("/test-only/fail", "test_only_fail", fail)
    return "/test-only/fail"


def header_problems(response: TestResponse, *, logged_in: bool) -> list[str]:
    """What is missing or weak in the response's security headers."""
    headers = response.headers
    problems = []
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in (headers.get("Content-Security-Policy") or "").split(";")
        if directive.strip()
    }
    scripts = policy.get("script-src", policy.get("default-src"))
    if not scripts:
        problems.append("no Content-Security-Policy for scripts")
    elif {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(scripts):
        problems.append(f"scripts allowed from {scripts}")
    if policy.get("object-src") != ["'none'"]:
        problems.append("plugins (object-src) not refused")
    if policy.get("frame-ancestors") != ["'none'"] and headers.get("X-Frame-Options") != "DENY":
        problems.append("may be framed")
    if headers.get("X-Frame-Options") != "DENY":
        problems.append("X-Frame-Options is not DENY")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if headers.get("Referrer-Policy") not in SAFE_REFERRER_POLICIES:
        problems.append(f"Referrer-Policy {headers.get('Referrer-Policy')!r}")
    if logged_in and "no-store" not in (headers.get("Cache-Control") or ""):
        problems.append(f"Cache-Control {headers.get('Cache-Control')!r} for a logged-in user")
    return problems


def _responses(
    clients: dict[Role | None, WebClient], world: World, failing_route: str
) -> dict[str, tuple[TestResponse, bool]]:
    """One response of each kind → (the response, whether a user was logged in)."""
    visitor, worker = clients[None], clients[Role.WORKER]
    provider, admin = clients[Role.PROVIDER], clients[Role.ADMIN]
    rejected = csv_file(worker_import.COLUMNS, [{"given_name": "No reference"}])
    upload = provider.post(
        "/provider/workers/upload", {"file": (io.BytesIO(rejected), "workers.csv")}
    )
    report = REPORT_LINK.search(upload.text)
    assert report, "the upload made no error report"
    big = b"x" * (16 * 1024 * 1024 + 1)
    responses = {
        "HTML page, visitor": (visitor.get("/vacancies/"), False),
        "HTML page, logged in": (worker.get("/worker/"), True),
        "HTML page with a form, logged in": (
            worker.get(f"/workers/{world.worker_id}/profile/about"),
            True,
        ),
        "JSON, visitor": (visitor.get("/api/v1/skills/suggest?q=forklift"), False),
        "JSON, logged in": (worker.get("/api/v1/skills/suggest?q=forklift"), True),
        "JSON error, visitor": (visitor.get("/api/v1/skills/suggest"), False),
        "download: data.json": (worker.get(f"/workers/{world.worker_id}/data/data.json"), True),
        "download: template.csv": (provider.get("/provider/workers/upload/template.csv"), True),
        "download: template.xlsx": (provider.get("/provider/workers/upload/template.xlsx"), True),
        "download: error report": (provider.get(report.group(1)), True),
        "download: statistics": (admin.get("/admin/statistics/export.csv"), True),
        "upload result, logged in": (upload, True),
        "redirect, visitor": (visitor.get("/worker/"), False),
        "redirect, logged in": (worker.get("/dashboard"), True),
        "static file": (visitor.get("/static/js/typeahead.js"), False),
        "404, visitor": (visitor.get("/no-such-page"), False),
        "404, logged in": (worker.get("/vacancies/999999"), True),
        "403, logged in": (worker.get("/admin/"), True),
        "405, visitor": (visitor.get("/logout"), False),
        "400 (CSRF), visitor": (visitor.client.post("/login", data={}), False),
        "413, logged in": (provider.client.post("/provider/workers/upload", data=big), True),
        "500, visitor": (visitor.get(failing_route), False),
        "500, logged in": (worker.get(failing_route), True),
    }
    for response, _logged_in in responses.values():
        response.close()  # files are streamed: the headers stay readable
    return responses


def test_every_kind_of_response_carries_the_security_headers(
    app: Flask, failing_route: str, world: World, clients: dict[Role | None, WebClient]
) -> None:
    responses = _responses(clients, world, failing_route)

    statuses = {kind: response.status_code for kind, (response, _) in responses.items()}
    problems = {
        kind: found
        for kind, (response, logged_in) in responses.items()
        if (found := header_problems(response, logged_in=logged_in))
    }

    assert statuses["500, visitor"] == 500 and statuses["413, logged in"] == 413
    assert statuses["download: error report"] == 200
    assert problems == {}


def test_downloads_are_attachments_of_their_own_type(
    app: Flask, failing_route: str, world: World, clients: dict[Role | None, WebClient]
) -> None:
    responses = _responses(clients, world, failing_route)

    downloads = {kind: r for kind, (r, _) in responses.items() if kind.startswith("download")}

    assert {
        kind: (r.status_code, r.headers.get("Content-Disposition", "").split(";")[0], r.mimetype)
        for kind, r in downloads.items()
        if r.status_code != 200
        or not r.headers.get("Content-Disposition", "").startswith("attachment")
    } == {}


def test_the_check_fails_when_the_headers_are_not_added(
    app: Flask, failing_route: str, world: World, clients: dict[Role | None, WebClient]
) -> None:
    app.after_request_funcs[None].remove(security.add_security_headers)

    responses = _responses(clients, world, failing_route)

    assert all(
        header_problems(response, logged_in=logged_in) for response, logged_in in responses.values()
    )
