"""The portal's main pages, reached as people reach them, in whatever language the browser asks
for: the accessibility, right-to-left and screenshot tests take the same walk and each checks
the pages its own way (`visit(name)` is called once each page is shown).

Fields and buttons are found by id, name and value, not by their words, so that the walk works
in every language.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import OrganisationKind, Region, Role, Sex, User
from portal.services import accounts, matching, organisations, regions
from portal.services.taxonomy import store_taxonomy
from tests.browser.conftest import LiveServer, log_in_in_any_language, log_out_in_any_language
from tests.conftest import PASSWORD, small_taxonomy
from tests.market import PALLETS, active_worker, open_vacancy

Visit = Callable[[str], None]

# words a worker types, in the page's language (the small taxonomy's labels, in part)
SKILL_WORDS = {
    "en": "fork lift",
    "fr": "chariot élévateur",
    "ru": "управлять погрузчиком",
    "uk": "керувати навантажувачем",
    "ar": "رافعة شوكية",
}
OCCUPATION_WORDS = {
    "en": "forklift driver",
    "fr": "cariste",
    "ru": "водитель погрузчика",
    "uk": "водій навантажувача",
    "ar": "سائق رافعة شوكية",
}


@dataclass(frozen=True)
class Market:
    """A region with an open vacancy, workers matched to it, its employer and an admin."""

    region: str
    worker: User
    employer: User
    admin: User
    vacancy_id: int


def arrange_market(live_server: LiveServer) -> Market:
    """The small taxonomy, a region of its own, an open vacancy there, a dozen active workers
    (one of them with an account) and a matching round, so that matches and statistics show."""
    tag = uuid.uuid4().hex[:6]
    place = f"Tour Valley {tag}"
    live_server.arrange(lambda s: store_taxonomy(s, small_taxonomy(), content_hash="small-1"))
    live_server.arrange(lambda s: regions.add_regions(s, [place]))

    def arrange(session: Session) -> Market:
        where = session.scalars(select(Region).where(Region.name == place)).one()
        organisation = organisations.create_organisation(
            session, kind=OrganisationKind.EMPLOYER, name=f"Tour Goods {tag}", verified=True
        )

        def account(role: Role, **extra: object) -> User:
            return accounts.create_user(
                session,
                email=f"tour-{role.value}-{tag}@example.org",
                full_name=f"Tour {role.value.title()}",
                password=PASSWORD,
                role=role,
                **extra,
            )

        employer = account(Role.EMPLOYER, organisation=organisation)
        vacancy = open_vacancy(
            session, employer, where, optional=(PALLETS,), positions=3, title=f"Forklift {tag}"
        )
        worker = account(Role.WORKER)
        active_worker(session, where, user=worker, name="Olena")
        for number in range(11):
            sex = Sex.FEMALE if number % 2 else Sex.MALE
            active_worker(session, where, name=f"T{number}", sex=sex, skills=())
        matching.run_matching(session, None)
        return Market(place, worker, employer, account(Role.ADMIN), vacancy.id)

    return live_server.arrange(arrange)


def submit(page, selector: str) -> None:
    """Press a button that loads another page, and wait for that page."""
    with page.expect_navigation():
        page.locator(selector).first.click()


def register_a_worker(page, live_server: LiveServer, lang: str, region: str, visit: Visit) -> None:
    """From the home page: the account form (sent empty first, to show its errors), then every
    step of the profile, through the suggestion pages of a skill (sent without an answer first)
    and an occupation, to consent."""
    page.goto(f"{live_server.url}/")
    visit("home")
    submit(page, "main a[href*='role=worker']")
    visit("register")
    submit(page, "main form button[type=submit]")
    visit("register-errors")
    page.locator("#full_name").fill("Olena Petrenko")
    page.locator("#email").fill(f"tour-{uuid.uuid4().hex[:10]}@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    submit(page, "main form button[type=submit]")
    visit("worker-dashboard-new")
    submit(page, "main a[href$='/worker/profile']")
    visit("about")
    page.locator("#given_name").fill("Olena")
    page.locator("#phone").fill("+380 44 123 4567")
    submit(page, "button[value=next]")

    visit("skills")
    words = page.locator("#words")
    words.press_sequentially(SKILL_WORDS[lang], delay=20)
    page.locator("#words-listbox [role=option]").first.wait_for()
    visit("skills-type-ahead")
    words.press("Escape")
    submit(page, "#skill-form button[value=stay]")
    visit("skill-suggestions")
    submit(page, "main form:has(#choice-0) button[type=submit]")  # no answer chosen
    visit("skill-suggestions-unanswered")
    page.locator("#choice-0").check()
    submit(page, "main form:has(#choice-0) button[type=submit]")
    visit("skills-added")
    page.locator("#occupation_words").fill(OCCUPATION_WORDS[lang])
    submit(page, "main form:has(#occupation_words) button[type=submit]")
    visit("occupation-suggestions")
    page.locator("#choice-0").check()
    submit(page, "main form:has(#choice-0) button[type=submit]")
    visit("checklist")
    page.locator("input[name=skill_ids]:not(:disabled)").first.check()
    submit(page, "main form button[type=submit]")
    submit(page, "button[value=next]")

    visit("experience")
    submit(page, "button[value=next]")
    visit("availability")
    page.locator("#region_id").select_option(label=region)
    page.locator("#available_from").fill((date.today() + timedelta(days=3)).isoformat())
    submit(page, "button[value=next]")
    visit("review")
    page.locator("#consent_matching").check()
    submit(page, ".consent form button[type=submit]")
    visit("worker-dashboard")
    log_out_in_any_language(page)


def worker_pages(page, live_server: LiveServer, market: Market, visit: Visit) -> None:
    """A matched worker: their matches after the round, the vacancies and one vacancy."""
    log_in_in_any_language(page, live_server, market.worker)
    page.goto(f"{live_server.url}/worker/matches")
    page.locator("main details summary").first.click()  # open one explanation
    visit("worker-matches")
    page.goto(f"{live_server.url}/vacancies/")
    visit("vacancies")
    page.goto(f"{live_server.url}/vacancies/{market.vacancy_id}")
    visit("vacancy")
    log_out_in_any_language(page)


def employer_pages(page, live_server: LiveServer, market: Market, lang: str, visit: Visit) -> None:
    """An employer's new vacancy, empty and then with the occupation's usual skills."""
    log_in_in_any_language(page, live_server, market.employer)
    page.goto(f"{live_server.url}/employer/vacancies/new")
    visit("vacancy-form")
    page.locator("#title").fill("Forklift drivers")
    page.locator("#occupation_words").press_sequentially(OCCUPATION_WORDS[lang], delay=20)
    page.locator("#occupation_words-listbox [role=option]").first.click()
    submit(page, "button[value=find-occupation]")
    visit("vacancy-form-skills")
    log_out_in_any_language(page)


def admin_pages(page, live_server: LiveServer, market: Market, visit: Visit) -> None:
    """An administrator's statistics, with tables and charts."""
    log_in_in_any_language(page, live_server, market.admin)
    page.goto(f"{live_server.url}/admin/statistics")
    visit("statistics")
    log_out_in_any_language(page)


def every_page(page, live_server: LiveServer, lang: str, visit: Visit) -> None:
    """The whole walk: a worker registering, then a matched worker, an employer, an admin."""
    market = arrange_market(live_server)
    register_a_worker(page, live_server, lang, market.region, visit)
    worker_pages(page, live_server, market, visit)
    employer_pages(page, live_server, market, lang, visit)
    admin_pages(page, live_server, market, visit)
