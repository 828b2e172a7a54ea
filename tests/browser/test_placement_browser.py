"""An employer offers the job to two ranked candidates, each worker accepts on their phone
(answering the fee question), the positions left drop, and the vacancy fills with the last one:
in headless Chromium, at 360 px wide."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.models import OrganisationKind, Region, Role, User, Vacancy, VacancyState
from portal.services import accounts, matching, organisations, regions
from portal.services.taxonomy import store_taxonomy
from tests.browser.conftest import LiveServer, log_in, log_out
from tests.conftest import PASSWORD, small_taxonomy
from tests.market import active_worker, open_vacancy

pytestmark = pytest.mark.browser


def _arrange_market(live_server: LiveServer) -> tuple[User, list[User], Vacancy, list[str]]:
    tag = uuid.uuid4().hex[:6]
    live_server.arrange(lambda s: store_taxonomy(s, small_taxonomy(), content_hash="small-1"))
    place = f"Harbour {tag}"
    live_server.arrange(lambda s: regions.add_regions(s, [place]))

    def arrange(session) -> tuple[User, list[User], Vacancy, list[str]]:
        where = session.scalar(select(Region).where(Region.name == place))
        organisation = organisations.create_organisation(
            session, kind=OrganisationKind.EMPLOYER, name=f"Harbour Goods {tag}", verified=True
        )
        employer = accounts.create_user(
            session,
            email=f"employer-{tag}@example.org",
            full_name="Erik Larsen",
            password=PASSWORD,
            role=Role.EMPLOYER,
            organisation=organisation,
        )
        vacancy = open_vacancy(
            session, employer, where, positions=2, title=f"Forklift driver {tag}"
        )
        people, references = [], []
        for name in ("Olena", "Ahmed"):
            user = accounts.create_user(
                session,
                email=f"{name.lower()}-{tag}@example.org",
                full_name=f"{name} Browser",
                password=PASSWORD,
                role=Role.WORKER,
            )
            worker = active_worker(session, where, user=user, name=name)
            people.append(user)
            references.append(f"portal-w{worker.id}")
        matching.run_matching(session, None)
        return employer, people, vacancy, references

    return live_server.arrange(arrange)


def test_offers_accepted_take_the_positions_until_the_vacancy_is_filled(
    page, live_server: LiveServer
) -> None:
    employer, people, vacancy, references = _arrange_market(live_server)
    candidates = f"{live_server.url}/employer/vacancies/{vacancy.id}/candidates"

    log_in(page, live_server, employer)
    page.goto(f"{live_server.url}/employer/vacancies/{vacancy.id}")
    page.get_by_role("link", name="See the candidates and make offers").click()
    page.wait_for_url(candidates)
    assert page.locator("#positions-left").inner_text().startswith("2 positions left")
    for reference in references:
        page.get_by_text("Why this score").first.click()
        page.get_by_role("button", name=f"Offer the job to {reference}").click()
        page.wait_for_load_state()
        expect(page.get_by_text("The offer is sent.")).to_be_visible()
    assert "2 offers waiting for an answer" in page.locator("#positions-left").inner_text()
    log_out(page)

    for number, person in enumerate(people, start=1):
        log_in(page, live_server, person)
        page.get_by_role("link", name=re.compile("Notifications")).click()
        expect(page.get_by_text(re.compile(r"offered you a job: Forklift driver"))).to_be_visible()
        page.get_by_role("link", name="Your matches").click()
        page.get_by_role("link", name="Answer this offer").click()
        page.get_by_role("button", name="Accept the job").click()  # the question unanswered
        expect(page.get_by_text("Answer the question: yes or no.").first).to_be_visible()
        page.get_by_label("No", exact=True).check()
        page.get_by_role("button", name="Accept the job").click()
        page.wait_for_url(re.compile(r".*/worker/matches"))
        expect(page.get_by_text(re.compile("You accepted the job"))).to_be_visible()
        log_out(page)

        log_in(page, live_server, employer)
        page.goto(candidates)
        left = page.locator("#positions-left").inner_text()
        if number == 1:
            assert left.startswith("1 position left")
        else:
            assert left.startswith("0 positions left") and "all positions are filled" in left
        log_out(page)

    state = live_server.arrange(lambda s: s.get_one(Vacancy, vacancy.id).state)
    assert state is VacancyState.FILLED
