"""Cross-site scripting, in a real browser: attack payloads in every free text a person can write
(names, skills in their own words, experience, qualifications, organisations, vacancies, region
names, reasons, fee reports, learned words, upload cells and file names, search words), then every
page that shows them opened in Chromium, under the portal's own Content-Security-Policy.

What runs is counted (each payload calls the `xss` binding or opens a dialog), and so is what was
injected although it did not run: elements with the payloads' ids, inline handlers, javascript:
links, inline script the browser blocked, server-side template output. On the portal every figure
is 0. A deliberately unsafe control page (the same payloads with |safe and no policy) must show
executions, and a portal page rendered without escaping must show injections, or the detector is
broken.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import pytest
from jinja2 import Environment

from portal.models import Role
from portal.services import vacancy_import, worker_import
from portal.services.taxonomy import store_taxonomy
from portal.web.security import CONTENT_SECURITY_POLICY
from tests.browser.conftest import LiveServer, running_portal
from tests.conftest import PASSWORD, WebClient, small_taxonomy
from tests.security.payloads import (
    CSP_LISTENER,
    SSTI_MARKER,
    XSS_DETECTOR,
    XSS_PAYLOADS,
    xss_packs,
)
from tests.security.world import World, build_world, csv_file, pages_of

pytestmark = pytest.mark.browser

SETTLE = "() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))"
"""After the load event, one frame: handlers that fire a moment later (ontoggle, autofocus's
onfocus) have fired by then, as the control page shows."""
SHOWS_NO_USER_TEXT = frozenset(
    {
        "/",
        "/login",
        "/register",
        "/password/forgot",
        "/account/password",
        "/admin/",
        "/admin/matching",
        "/provider/workers/new",
        "/provider/workers/upload",
        "/employer/vacancies/new",
        "/employer/vacancies/upload",
        "/taxonomy/skills/",  # the taxonomy's own words (learned ones are on the search page)
        "/taxonomy/occupations/",
        "/password/reset/",
        "/workers/N/profile/skills/occupation/",  # the occupation's usual skills, to tick
        "/admin/audit",  # who did what and when: names are the actors' emails
    }
)
"""Pages with none of the world's text on them (forms to fill, counts, the taxonomy's own
words): opened all the same, once, and checked like the others."""


@dataclass
class Findings:
    """What the detector saw on each page, and whether each page showed a payload at all."""

    ran: list[str] = field(default_factory=list)
    injected: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    shown: dict[str, bool] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{len(self.shown)} pages: {len(self.ran)} payloads executed, "
            f"{len(self.injected)} injected, {len(self.violations)} blocked by the policy"
        )


@dataclass
class Stage:
    live: LiveServer
    worlds: list[World]


@pytest.fixture(scope="module")
def stage(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    """A live portal holding one world per pack of payloads."""
    with running_portal(tmp_path_factory.mktemp("xss"), "portal_xss") as live:
        live.arrange(lambda s: store_taxonomy(s, small_taxonomy(), content_hash="small-1"))
        worlds = [
            live.arrange(lambda s, n=n, pack=pack: build_world(s, f"x{n}", pack))
            for n, pack in enumerate(xss_packs())
        ]
        yield Stage(live, worlds)


@pytest.fixture
def findings() -> Findings:
    return Findings()


def watched_page(
    new_page, findings: Findings, live: LiveServer, email: str | None = None, **options
):
    """A page in a new browser context with the detector's ears on, logged in as `email` (the
    portal's test client logs in; the browser takes its cookie)."""
    page = new_page(**options)
    context = page.context
    context.expose_binding(
        "xss", lambda source, n: findings.ran.append(f"{source['page'].url}: xss({n})")
    )
    context.add_init_script(CSP_LISTENER)

    def dialog(opened) -> None:
        findings.ran.append(f"{page.url}: dialog {opened.message}")
        opened.dismiss()

    page.on("dialog", dialog)
    if email is not None:
        client = live.app.test_client()
        WebClient(client).login(email)
        cookie = client.get_cookie(live.app.config["SESSION_COOKIE_NAME"])
        assert cookie is not None
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live.url}])
    return page


def inspect(page, findings: Findings, where: str | None = None) -> None:
    """Run the detector on the page as it is now."""
    page.evaluate(SETTLE)
    seen = page.evaluate(XSS_DETECTOR)
    where = where or page.url
    findings.injected += [f"{where}: {item}" for item in seen["found"]]
    findings.violations += [f"{where}: {item}" for item in seen["violations"]]
    findings.shown[where] = seen["shown"]


def visit(page, findings: Findings, url: str, *, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, (
        f"{url}: {response and response.status}"
    )
    inspect(page, findings)


def _shape(url: str) -> str:
    """/workers/12/profile/about → /workers/N/profile/about (query left out)."""
    return re.sub(r"/[0-9]+(?=/)", "/N", urlsplit(url).path)


def _shows_no_user_text(url: str) -> bool:
    shape = re.sub(r"/[0-9]+$|/[A-Za-z0-9_-]{30,}$", "/", _shape(url))
    return _shape(url) in SHOWS_NO_USER_TEXT or shape in SHOWS_NO_USER_TEXT


def browse(new_page, findings: Findings, stage: Stage, role: Role | None) -> None:
    """Open, as `role`, every page of every world that role sees; once where it is the same page
    for every world (a visitor's or an admin's list of all worlds' data, a page with no text of
    any world)."""
    done: set[str] = set()
    for world in stage.worlds:
        page = watched_page(
            new_page, findings, stage.live, world.emails[role] if role is not None else None
        )
        for url in pages_of(world)[role]:
            same_page = _shape(url) if _shows_no_user_text(url) else url
            if same_page in done and (role in (None, Role.ADMIN) or _shows_no_user_text(url)):
                continue
            done.add(same_page)
            visit(page, findings, f"{stage.live.url}{url}")
        page.context.close()


def assert_clean(findings: Findings) -> None:
    print(findings.summary())
    assert findings.shown, "no page was opened"
    assert findings.ran == [], "\n".join(findings.ran)
    assert findings.injected == [], "\n".join(findings.injected)
    assert findings.violations == [], "\n".join(findings.violations)
    silent = [where for where, shown in findings.shown.items() if not shown]
    silent = [where for where in silent if not _shows_no_user_text(where)]
    assert silent == [], "pages that show none of the payloads, so test nothing:\n" + "\n".join(
        silent
    )


# --- the portal's pages, by who opens them --------------------------------------------------------


@pytest.mark.parametrize(
    "role", [None, *Role], ids=lambda role: role.value if role else "anonymous"
)
def test_no_payload_runs_or_is_injected_on_any_page(
    role: Role | None, stage: Stage, new_page, findings: Findings
) -> None:
    browse(new_page, findings, stage, role)

    assert_clean(findings)


# --- payloads that reach a page through a form in the browser -------------------------------------


def test_no_payload_runs_when_a_worker_types_it(stage: Stage, new_page, findings: Findings) -> None:
    """The type-ahead lists learned words (payloads here) from the API; the skill's words come
    back on the next page."""
    for world in stage.worlds:
        page = watched_page(new_page, findings, stage.live, world.emails[Role.WORKER])
        page.goto(f"{stage.live.url}/workers/{world.worker_id}/profile/skills")
        page.locator("#words").fill(world.text)
        page.locator("[role=listbox] [role=option]").first.wait_for()
        inspect(page, findings, f"type-ahead of world {world.tag}")
        page.get_by_role("button", name="Add this skill").click()
        page.wait_for_load_state()
        inspect(page, findings, f"skill added in world {world.tag}")
        page.context.close()

    assert_clean(findings)


def test_no_payload_runs_on_the_upload_results(stage: Stage, new_page, findings: Findings) -> None:
    """Cells and the file's name come back on the result page, quoted in its rejected rows:
    one file per uploader, a good row and a bad row per pack."""
    packs = [world.text for world in stage.worlds]
    for role, path, columns, good, bad in (
        (
            Role.PROVIDER,
            "/provider/workers/upload",
            worker_import.COLUMNS,
            lambda n, text: {"email": f"new-{n}@example.org", "region": text},
            lambda text: {"birth_year": text, "sex": text, "languages": text},
        ),
        (
            Role.EMPLOYER,
            "/employer/vacancies/upload",
            vacancy_import.COLUMNS,
            lambda n, text: {"positions": "2", "region": text, "start_date": "2030-01-01"},
            lambda text: {"positions": text, "start_date": text, "pay_currency": text},
        ),
    ):
        rows = []
        for n, text in enumerate(packs):
            cells = dict.fromkeys(columns, text)
            rows += [
                {**cells, **good(n, text)},
                {**cells, **bad(text), "external_id": f"{n} {text}"},
            ]
        page = watched_page(new_page, findings, stage.live, stage.worlds[0].emails[role])
        page.goto(f"{stage.live.url}{path}")
        upload = {
            "name": " ".join(packs),
            "mimeType": "text/csv",
            "buffer": csv_file(columns, rows),
        }
        page.locator("input[type=file]").set_input_files(files=[upload])
        page.locator("button[value=check]").click()
        page.wait_for_load_state()
        inspect(page, findings, f"{path}: the result")
        page.context.close()

    assert_clean(findings)


def test_no_payload_runs_in_the_messages_of_refused_forms(
    stage: Stage, new_page, findings: Findings
) -> None:
    """Messages that quote what was sent (a currency code, a region already listed, words to
    look up, a worker number) and the title in the message after a vacancy is published."""
    live = stage.live
    page = watched_page(new_page, findings, live, stage.worlds[0].emails[Role.EMPLOYER])
    page.goto(f"{live.url}/employer/vacancies/new")
    page.locator("#pay_currency").evaluate(
        "(select, code) => { select.options[1].value = code; select.selectedIndex = 1; }",
        XSS_PAYLOADS[12],
    )
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    inspect(page, findings, "a currency chosen from the list")
    page.locator("#other_currency").fill(XSS_PAYLOADS[12])
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    inspect(page, findings, "a currency typed")
    page.context.close()

    page = watched_page(new_page, findings, live, stage.worlds[0].emails[Role.ADMIN])
    for world in stage.worlds:
        page.goto(f"{live.url}/admin/regions")
        page.locator("#name").fill(world.text)
        page.get_by_role("button", name="Add the region").click()
        page.wait_for_load_state()
        inspect(page, findings, f"the region of world {world.tag} again")
        page.goto(f"{live.url}/admin/moderation/{world.waiting_id}")
        page.get_by_role("button", name="Approve and publish").click()
        page.wait_for_load_state()
        inspect(page, findings, f"published in world {world.tag}")
        words, text = quote(world.unmapped_words), quote(world.text)
        for url in (
            f"/admin/audit?worker={text}",
            f"/admin/unmapped-skills/map?words={words}&phrase={text}",
        ):
            page.goto(f"{live.url}{url}")
            inspect(page, findings)
    page.context.close()

    assert_clean(findings)


def test_no_payload_runs_from_addresses_a_visitor_is_sent_to(
    stage: Stage, new_page, findings: Findings
) -> None:
    """Payloads in the path (the 404 page) and in the address to go to after logging in."""
    live, world = stage.live, stage.worlds[0]
    page = watched_page(new_page, findings, live)
    for pack in xss_packs():
        visit(page, findings, f"{live.url}/vacancies/{quote(pack, safe='')}", status=404)
    findings.shown.clear()  # a 404 page does not repeat the address
    for target in (
        XSS_PAYLOADS[3],
        "/\t/example.invalid",
        "//example.invalid",
        "/\\example.invalid",
    ):
        page.goto(f"{live.url}/login?next={quote(target, safe='')}")
        page.locator("#email").fill(world.emails[Role.WORKER])
        page.locator("#password").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert urlsplit(page.url).netloc == urlsplit(live.url).netloc, (target, page.url)
        inspect(page, findings, f"after logging in, next={target!r}")
        page.context.clear_cookies()

    assert findings.ran == [] and findings.injected == [] and findings.violations == []


# --- the detector fires where it must -------------------------------------------------------------

CONTROL_PAGE = Environment(autoescape=True).from_string(
    """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ packs | join(' ') | safe }}</title></head><body>
{% for pack in packs %}<p>{{ pack | safe }}</p><p><input value="{{ pack | safe }}"></p>
<textarea>{{ pack | safe }}</textarea><a href="{{ pack | safe }}">link</a>{% endfor %}
<p>{{ template_output | safe }}</p>
</body></html>"""
)


def control_page() -> str:
    """Every pack in the contexts the portal's pages have (text, attribute, textarea, title,
    link), with |safe and so without escaping; and one payload rendered as a template."""
    injected_template = Environment(autoescape=True).from_string(XSS_PAYLOADS[5])
    return CONTROL_PAGE.render(packs=xss_packs(), template_output=injected_template.render())


def _serve_control(page, live: LiveServer, *, policy: str | None) -> str:
    url = f"{live.url}/test-only/xss-control"
    headers = {"Content-Type": "text/html; charset=utf-8"}
    if policy:
        headers["Content-Security-Policy"] = policy
    page.route(url, lambda route: route.fulfill(status=200, headers=headers, body=control_page()))
    return url


def test_the_detector_sees_payloads_run_on_a_deliberately_unsafe_page(
    stage: Stage, new_page, findings: Findings
) -> None:
    page = watched_page(new_page, findings, stage.live)
    visit(page, findings, _serve_control(page, stage.live, policy=None))

    executed = {int(n) for n in re.findall(r"(?:xss\(|dialog )(\d+)", " ".join(findings.ran))}
    print(f"control page: {len(findings.ran)} executions of payloads {sorted(executed)}")
    assert len(findings.ran) > 0
    assert {1, 2, 4, 6, 8, 10, 11} <= executed  # script, handlers, break-outs, a dialog, a frame
    assert any(SSTI_MARKER in item or "template injection" in item for item in findings.injected)
    assert any("javascript:" in item for item in findings.injected)


def test_the_detector_sees_injection_that_the_policy_stops(
    stage: Stage, new_page, findings: Findings
) -> None:
    page = watched_page(new_page, findings, stage.live)
    visit(page, findings, _serve_control(page, stage.live, policy=CONTENT_SECURITY_POLICY))

    print(f"control page under the policy: {findings.summary()}")
    assert findings.ran == []
    assert len(findings.injected) > 0 and len(findings.violations) > 0


def test_the_detector_fires_on_a_portal_page_rendered_without_escaping(
    stage: Stage, new_page, findings: Findings
) -> None:
    """The protection switched off in the live portal: autoescaping (and then the policy too)."""
    live, world = stage.live, stage.worlds[1]
    environment = live.app.jinja_env
    escaping = environment.autoescape
    environment.autoescape = False
    environment.cache.clear()  # templates are compiled with the setting of their time
    try:
        page = watched_page(new_page, findings, live)
        visit(page, findings, f"{live.url}/vacancies/{world.vacancy_id}")
        injected_under_policy = len(findings.injected)
        page = watched_page(new_page, findings, live, bypass_csp=True)
        visit(page, findings, f"{live.url}/vacancies/{world.vacancy_id}")
    finally:
        environment.autoescape = escaping
        environment.cache.clear()

    print(f"portal page without escaping: {findings.summary()}")
    assert injected_under_policy > 0
    assert len(findings.ran) > 0
