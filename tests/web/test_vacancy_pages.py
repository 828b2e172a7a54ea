"""The vacancy pages: posting from an occupation, bad input, the pledge, editing, closing and
duplicating, moderation, the public list and page, and who may reach which vacancy."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (
    Concept,
    LanguageLevel,
    OrganisationKind,
    PayPeriod,
    Region,
    Role,
    SkillSource,
    User,
    Vacancy,
    VacancyState,
)
from portal.services import regions, vacancies
from portal.taxonomy.model import RelationType
from tests.conftest import Factory, WebClient

BASE = "https://skills-portal.example/test"
NEXT_MONTH = date.today() + timedelta(days=30)
NEW = "/employer/vacancies/new"


# --- arranging ----------------------------------------------------------------------------------


@pytest.fixture
def north(session: Session) -> Region:
    return regions.add_regions(session, ["North", "South"])[0]


@pytest.fixture
def south(session: Session, north: Region) -> Region:
    return session.scalars(select(Region).where(Region.name == "South")).one()


@pytest.fixture
def employer(make: Factory) -> User:
    return make.user(Role.EMPLOYER)  # of a verified organisation


@pytest.fixture
def admin(make: Factory) -> User:
    return make.user(Role.ADMIN)


@pytest.fixture
def as_employer(client: WebClient, employer: User) -> WebClient:
    client.login(employer.email)
    return client


@pytest.fixture
def as_admin(app: Flask, admin: User) -> WebClient:
    client = WebClient(app.test_client())
    client.login(admin.email)
    return client


def _concept(session: Session, uri: str) -> int:
    return session.scalars(select(Concept.id).where(Concept.uri == uri)).one()


def _input(region: Region, **changes: Any) -> vacancies.VacancyInput:
    values: dict[str, Any] = dict(
        title="Forklift drivers for the harvest",
        positions=12,
        region_id=region.id,
        start_date=NEXT_MONTH,
        end_date=NEXT_MONTH + timedelta(days=60),
        hours_per_week=40.0,
        pay_amount=Decimal("14.50"),
        pay_currency="EUR",
        pay_period=PayPeriod.HOUR,
        languages=(("en", LanguageLevel.A2),),
        no_fee_pledge=True,
    )
    values.update(changes)
    return vacancies.VacancyInput(**values)


def _submitted(session: Session, employer: User, region: Region, **changes: Any) -> Vacancy:
    vacancy = vacancies.create_draft(session, employer, _input(region, **changes))
    return vacancies.submit(session, employer, vacancy.id)


def _open(session: Session, employer: User, admin: User, region: Region, **changes: Any) -> Vacancy:
    vacancy = _submitted(session, employer, region, **changes)
    return vacancies.approve(session, admin, vacancy.id)


def _form(region: Region, **changes: str) -> dict[str, str]:
    """The vacancy form filled in well, as it is posted."""
    values = {
        "title": "Forklift drivers for the harvest",
        "positions": "12",
        "region_id": str(region.id),
        "workplace": "Green Farm",
        "start_date": NEXT_MONTH.isoformat(),
        "end_date": (NEXT_MONTH + timedelta(days=60)).isoformat(),
        "hours_per_week": "40",
        "pay_amount": "14.50",
        "pay_currency": "EUR",
        "pay_period": "hour",
        "accommodation": "y",
        "languages-0-code": "en",
        "languages-0-level": "A2",
        "description": "Night shifts in the cold store.",
        "no_fee_pledge": "y",
        "action": "submit",
    }
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


class _FormReader(HTMLParser):
    """What a browser would send for the vacancy form as rendered (without the buttons)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._inside = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._inside = "vacancy-form" in a.get("class", "")
        if not self._inside or (not a.get("name") and tag != "option"):
            return
        if tag == "input" and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("radio", "checkbox"):
                if "checked" in a:
                    self.values[a["name"]] = a.get("value", "y")
            else:
                self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select:
            if self._select not in self.values or "selected" in a:
                self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = self.values[self._textarea]  # a browser drops the newline after the tag
            self.values[self._textarea] = text[2:] if text.startswith("\r\n") else text
            self._textarea = None
        elif tag == "form":
            self._inside = False


def _as_rendered(html: str) -> dict[str, str]:
    reader = _FormReader()
    reader.feed(html)
    return reader.values


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Vacancy)) or 0


def _text(response) -> str:
    return response.get_data(as_text=True)


# --- posting ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("stored_taxonomy")
def test_an_employer_posts_a_vacancy_from_an_occupation_with_its_proposed_skills(
    as_employer: WebClient, session: Session, north: Region, employer: User
) -> None:
    driver = _concept(session, f"{BASE}/occupation/forklift-driver")
    # 1. the occupation in the employer's words: the closest occupations are offered
    found = as_employer.post(
        NEW, _form(north, occupation_words="fork lift driver", action="find-occupation")
    )
    assert found.status_code == 200
    assert f'name="occupation_choice" id="occupation_choice-0" value="{driver}"' in _text(found)
    # 2. choosing one lists its skills: essential ones as essential, optional ones not needed
    form = _as_rendered(_text(found))
    chosen = as_employer.post(NEW, {**form, "occupation_choice": str(driver), "action": "confirm"})
    page = _as_rendered(_text(chosen))
    proposed = {
        page[f"proposed-{i}-concept_id"]: page[f"proposed-{i}-need"]
        for i in range(3)
        if f"proposed-{i}-concept_id" in page
    }
    assert proposed == {
        str(_concept(session, f"{BASE}/skill/forklift")): "essential",
        str(_concept(session, f"{BASE}/skill/safety")): "essential",
        str(_concept(session, f"{BASE}/skill/pallets")): "no",
    }
    assert page["title"] == "Forklift drivers for the harvest"  # nothing typed is lost
    assert (
        page["pay_amount"] == "14.50" and page["description"] == "Night shifts in the cold store."
    )
    # 3. the employer moves one skill and submits
    pallets = next(
        key
        for key, value in page.items()
        if value == str(_concept(session, f"{BASE}/skill/pallets"))
    )
    page[pallets.replace("concept_id", "need")] = "optional"
    response = as_employer.post(NEW, {**page, "action": "submit"})
    assert response.status_code == 302
    vacancy = session.scalars(select(Vacancy)).one()
    assert vacancy.state is VacancyState.SUBMITTED
    assert (vacancy.occupation_words, vacancy.isco_code) == ("fork lift driver", "8344")
    assert sorted((s.words, s.relation, s.source) for s in vacancy.skills) == [
        ("follow health and safety rules", RelationType.ESSENTIAL, SkillSource.CHECKLIST),
        ("operate a forklift", RelationType.ESSENTIAL, SkillSource.CHECKLIST),
        ("stack pallets", RelationType.OPTIONAL, SkillSource.CHECKLIST),
    ]
    assert (vacancy.positions, vacancy.pay_currency, vacancy.accommodation) == (12, "EUR", True)
    assert [(lang.code, lang.min_level) for lang in vacancy.languages] == [("en", LanguageLevel.A2)]
    assert vacancy.pledged_by_id == employer.id


@pytest.mark.usefixtures("stored_taxonomy")
def test_a_type_ahead_choice_lists_the_skills_before_saving(
    as_employer: WebClient, session: Session, north: Region
) -> None:
    driver = _concept(session, f"{BASE}/occupation/forklift-driver")
    response = as_employer.post(
        NEW, _form(north, occupation_words="forklift driver", occupation_id=str(driver))
    )
    assert response.status_code == 200  # not saved yet: the employer sees the proposal first
    assert "operate a forklift" in _text(response) and _count(session) == 0
    response = as_employer.post(NEW, {**_as_rendered(_text(response)), "action": "submit"})
    assert response.status_code == 302
    assert len(session.scalars(select(Vacancy)).one().skills) == 2  # the essential ones


def _proposed(page: dict[str, str]) -> dict[str, str]:
    """concept id → need, of the proposed skills on a rendered form."""
    return {
        value: page[name.replace("concept_id", "need")]
        for name, value in page.items()
        if re.fullmatch(r"proposed-\d+-concept_id", name)
    }


@pytest.mark.usefixtures("stored_taxonomy")
def test_another_occupation_replaces_the_proposal_only_once_chosen(
    as_employer: WebClient, session: Session, north: Region
) -> None:
    driver = _concept(session, f"{BASE}/occupation/forklift-driver")
    operative = _concept(session, f"{BASE}/occupation/warehouse-operative")
    pallets = str(_concept(session, f"{BASE}/skill/pallets"))
    page = _as_rendered(
        _text(
            as_employer.post(
                NEW,
                _form(
                    north,
                    occupation_words="forklift driver",
                    occupation_id=str(driver),
                    action="find-occupation",
                ),
            )
        )
    )
    page[next(k for k, v in page.items() if v == pallets).replace("concept_id", "need")] = (
        "optional"
    )
    changing = as_employer.post(
        NEW, {**page, "occupation_words": "warehouse operative", "action": "change-occupation"}
    )
    assert 'name="occupation_choice"' in _text(changing)
    page = _as_rendered(_text(changing))
    assert _proposed(page)[pallets] == "optional"  # kept while the new one is chosen
    chosen = as_employer.post(
        NEW, {**page, "occupation_choice": str(operative), "action": "confirm"}
    )
    assert _proposed(_as_rendered(_text(chosen))) == {
        str(_concept(session, f"{BASE}/skill/{key}")): need
        for key, need in (
            ("orders", "essential"),
            ("scanner", "essential"),
            ("loads", "essential"),
            ("forklift", "no"),
        )
    }


@pytest.mark.usefixtures("stored_taxonomy")
def test_the_occupation_may_stay_in_the_employer_s_words(
    as_employer: WebClient, session: Session, north: Region
) -> None:
    found = as_employer.post(
        NEW, _form(north, occupation_words="forklift", action="find-occupation")
    )
    page = {**_as_rendered(_text(found)), "occupation_choice": "none", "action": "confirm"}
    kept = as_employer.post(NEW, page)
    assert "No occupation from our list: your words are kept." in _text(kept)
    assert (
        as_employer.post(NEW, {**_as_rendered(_text(kept)), "action": "draft"}).status_code == 302
    )
    vacancy = session.scalars(select(Vacancy)).one()
    assert (vacancy.occupation_words, vacancy.occupation_uri) == ("forklift", None)


@pytest.mark.usefixtures("stored_taxonomy")
def test_skills_in_own_words_are_confirmed_or_kept_as_words(
    as_employer: WebClient, session: Session, north: Region
) -> None:
    forklift = _concept(session, f"{BASE}/skill/forklift")
    typed = {"typed-0-words": "forklift driving", "typed-1-words": "zzqx night shifts"}
    response = as_employer.post(NEW, _form(north, **typed))
    assert response.status_code == 400  # words wait for their meaning: nothing saved
    assert _count(session) == 0
    assert 'href="#typed-0-choice">Choose what “forklift driving” means' in _text(response)
    assert f'name="typed-0-choice" id="typed-0-choice-0" value="{forklift}"' in _text(response)
    form = _as_rendered(_text(response))
    form.update({"typed-0-choice": str(forklift), "typed-0-relation": "optional"})
    if form.get("typed-1-confirming") == "1":
        form["typed-1-choice"] = "none"
    response = as_employer.post(NEW, {**form, "action": "submit"})
    assert response.status_code == 302, _text(response)
    skills = session.scalars(select(Vacancy)).one().skills
    assert [(s.words, s.concept_uri, s.relation, s.source) for s in skills] == [
        ("forklift driving", f"{BASE}/skill/forklift", RelationType.OPTIONAL, SkillSource.TYPED),
        ("zzqx night shifts", None, RelationType.ESSENTIAL, SkillSource.TYPED),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"positions": "0"}, "positions", "Positions must be a whole number from 1 to 10,000."),
        ({"positions": "10001"}, "positions", "Positions must be a whole number from 1 to 10,000."),
        ({"positions": "twelve"}, "positions", "Positions must be a whole number"),
        (
            {"end_date": (NEXT_MONTH - timedelta(days=1)).isoformat()},
            "end_date",
            "The end date must be on or after the start date.",
        ),
        ({"pay_amount": "-1"}, "pay_amount", "Pay cannot be below zero."),
        ({"pay_currency": "XYZ"}, "pay_currency", "“XYZ” is not a currency code we know"),
        ({"other_currency": "QQQ"}, "other_currency", "“QQQ” is not a currency code we know"),
        ({"region_id": "999999"}, "region_id", "Choose one of the regions listed."),
        ({"region_id": ""}, "region_id", "Choose the region of the workplace."),
        ({"title": ""}, "title", "Give the vacancy a title."),
        ({"start_date": "31/12/2026"}, "start_date", "Enter a date like 2026-12-31."),
        ({"hours_per_week": "100"}, "hours_per_week", "Hours per week must be more than 0"),
        ({"no_fee_pledge": None}, "no_fee_pledge", "no pledge, no publication"),
    ],
)
def test_each_bad_field_comes_back_with_its_message_and_the_input_kept(
    as_employer: WebClient, session: Session, north: Region, changes, field, message
) -> None:
    response = as_employer.post(NEW, _form(north, **changes))
    assert response.status_code == 400
    html = _text(response)
    error = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', html, re.S)
    assert error and message in error.group(1).replace("&#34;", '"')
    assert f'href="#{field}"' in html  # the summary links to the field
    kept = _as_rendered(html)
    assert kept["description"] == "Night shifts in the cold store."
    assert kept["workplace"] == "Green Farm"
    assert _count(session) == 0


def test_several_bad_fields_each_get_a_message_at_once(
    as_employer: WebClient, north: Region
) -> None:
    response = as_employer.post(NEW, _form(north, positions="0", pay_amount="-3", region_id="9999"))
    html = _text(response)
    for field in ("positions", "pay_amount", "region_id"):
        assert f'id="{field}-error"' in html


def test_no_pledge_no_submission_but_a_draft_may_wait_for_it(
    as_employer: WebClient, session: Session, north: Region
) -> None:
    refused = as_employer.post(NEW, _form(north, no_fee_pledge=None))
    assert refused.status_code == 400 and _count(session) == 0
    assert _as_rendered(_text(refused))["title"] == "Forklift drivers for the harvest"
    saved = as_employer.post(NEW, _form(north, no_fee_pledge=None, action="draft"))
    assert saved.status_code == 302
    vacancy = session.scalars(select(Vacancy)).one()
    assert (vacancy.state, vacancy.no_fee_pledge) == (VacancyState.DRAFT, False)
    page = as_employer.get(saved.headers["Location"])
    assert "No pledge yet" in _text(page)


def test_the_pledge_is_an_unticked_box_with_the_full_text(as_employer: WebClient) -> None:
    html = _text(as_employer.get(NEW))
    assert 'type="checkbox"' in html and 'id="no_fee_pledge"' in html
    assert not re.search(r'<input[^>]*checked[^>]*id="no_fee_pledge"', html)
    assert (
        "no recruitment fees or related costs — travel, visas, medical, training, equipment, "
        "administrative costs — are charged to workers, directly or through a provider" in html
    )


# --- editing, closing, duplicating --------------------------------------------------------------


def test_a_draft_is_edited_and_submitted(
    as_employer: WebClient, session: Session, north: Region, employer: User
) -> None:
    vacancy = vacancies.create_draft(session, employer, _input(north, no_fee_pledge=False))
    url = f"/employer/vacancies/{vacancy.id}/edit"
    form = _as_rendered(_text(as_employer.get(url)))
    assert form["positions"] == "12" and form["pay_amount"] == "14.50"
    form.update({"positions": "20", "no_fee_pledge": "y", "action": "submit"})
    assert as_employer.post(url, form).status_code == 302
    session.refresh(vacancy)
    assert (vacancy.positions, vacancy.state) == (20, VacancyState.SUBMITTED)


def test_a_vacancy_sent_back_shows_the_reason_and_can_be_changed(
    as_employer: WebClient, session: Session, north: Region, employer: User, admin: User
) -> None:
    vacancy = _submitted(session, employer, north)
    vacancies.send_back(session, admin, vacancy.id, "Say where the workers will sleep.")
    url = f"/employer/vacancies/{vacancy.id}/edit"
    page = as_employer.get(url)
    assert "Say where the workers will sleep." in _text(page)
    form = {**_as_rendered(_text(page)), "workplace": "Green Farm, cabins", "action": "submit"}
    assert as_employer.post(url, form).status_code == 302
    session.refresh(vacancy)
    assert (vacancy.workplace, vacancy.state) == ("Green Farm, cabins", VacancyState.SUBMITTED)


@pytest.mark.parametrize("state", ["submitted", "open", "closed"])
def test_only_drafts_and_vacancies_sent_back_can_be_edited(
    as_employer: WebClient,
    session: Session,
    north: Region,
    employer: User,
    admin: User,
    state: str,
) -> None:
    vacancy = _submitted(session, employer, north)
    if state == "open":
        vacancies.approve(session, admin, vacancy.id)
    elif state == "closed":
        vacancies.close(session, employer, vacancy.id)
    url = f"/employer/vacancies/{vacancy.id}/edit"
    response = as_employer.get(url)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/employer/vacancies/{vacancy.id}"
    response = as_employer.post(
        url, _form(north, title="Changed"), page=f"/employer/vacancies/{vacancy.id}"
    )
    assert response.status_code == 302
    session.refresh(vacancy)
    assert vacancy.title == "Forklift drivers for the harvest"


def test_closing_asks_first_then_closes(
    as_employer: WebClient, session: Session, north: Region, employer: User, admin: User
) -> None:
    vacancy = _open(session, employer, admin, north)
    url = f"/employer/vacancies/{vacancy.id}/close"
    confirm = as_employer.get(url)
    assert confirm.status_code == 200 and "cannot be opened again" in _text(confirm)
    session.refresh(vacancy)
    assert vacancy.state is VacancyState.OPEN  # asking changes nothing
    assert as_employer.post(url).status_code == 302
    session.refresh(vacancy)
    assert vacancy.state is VacancyState.CLOSED
    assert as_employer.get(f"/vacancies/{vacancy.id}").status_code == 404


def test_duplicating_makes_a_new_draft_to_edit(
    as_employer: WebClient, session: Session, north: Region, employer: User, admin: User
) -> None:
    vacancy = _open(session, employer, admin, north)
    response = as_employer.post(
        f"/employer/vacancies/{vacancy.id}/duplicate", page=f"/employer/vacancies/{vacancy.id}"
    )
    copy = session.scalars(select(Vacancy).where(Vacancy.id != vacancy.id)).one()
    assert response.headers["Location"] == f"/employer/vacancies/{copy.id}/edit"
    assert (copy.state, copy.title, copy.no_fee_pledge) == (
        VacancyState.DRAFT,
        vacancy.title,
        False,
    )


def test_the_list_shows_states_and_pages(
    as_employer: WebClient, app: Flask, session: Session, north: Region, employer: User
) -> None:
    empty = _text(as_employer.get("/employer/vacancies"))
    assert "You have not posted any vacancies yet." in empty
    app.config["PAGE_SIZE"] = 2
    for number in range(3):
        vacancies.create_draft(session, employer, _input(north, title=f"Job {number}"))
    first = _text(as_employer.get("/employer/vacancies"))
    assert "Page 1 of 2" in first and 'class="badge badge-draft">Draft<' in first
    assert "Job 2" in first and "Job 0" not in first
    assert "Job 0" in _text(as_employer.get("/employer/vacancies?page=2"))


# --- moderation ---------------------------------------------------------------------------------


def test_an_admin_approves_a_vacancy_from_the_queue(
    as_admin: WebClient, session: Session, north: Region, employer: User
) -> None:
    vacancy = _submitted(session, employer, north)
    queue = _text(as_admin.get("/admin/moderation"))
    assert f'href="/admin/moderation/{vacancy.id}"' in queue
    review = f"/admin/moderation/{vacancy.id}"
    assert "Workers pay no recruitment fees" in _text(as_admin.get(review))
    response = as_admin.post(f"{review}/approve", page=review)
    assert response.status_code == 302
    session.refresh(vacancy)
    assert vacancy.state is VacancyState.OPEN
    assert "No vacancy is waiting for moderation." in _text(as_admin.get("/admin/moderation"))


@pytest.mark.parametrize(("what", "state"), [("send-back", "sent-back"), ("reject", "rejected")])
def test_sending_back_or_rejecting_needs_a_reason(
    as_admin: WebClient,
    session: Session,
    north: Region,
    employer: User,
    what: str,
    state: str,
) -> None:
    vacancy = _submitted(session, employer, north)
    review = f"/admin/moderation/{vacancy.id}"
    prefix = what.replace("-", "_")
    refused = as_admin.post(f"{review}/{what}", {f"{prefix}-reason": "  "}, page=review)
    assert refused.status_code == 400
    assert f'id="{prefix}-reason-error"' in _text(refused)
    session.refresh(vacancy)
    assert vacancy.state is VacancyState.SUBMITTED
    done = as_admin.post(f"{review}/{what}", {f"{prefix}-reason": "Pay is missing."}, page=review)
    assert done.status_code == 302
    session.refresh(vacancy)
    assert (vacancy.state.value, vacancy.moderation_note) == (state, "Pay is missing.")


def test_the_employer_reads_why_the_vacancy_was_sent_back(
    as_employer: WebClient, session: Session, north: Region, employer: User, admin: User
) -> None:
    vacancy = _submitted(session, employer, north)
    vacancies.send_back(session, admin, vacancy.id, "Give the hours per week.")
    page = _text(as_employer.get(f"/employer/vacancies/{vacancy.id}"))
    assert "Give the hours per week." in page and "Sent back for changes" in page


def test_an_unverified_organisation_cannot_publish(
    as_admin: WebClient, session: Session, make: Factory, north: Region
) -> None:
    organisation = make.organisation(OrganisationKind.EMPLOYER, verified=False)
    employer = make.user(Role.EMPLOYER, organisation=organisation)
    vacancy = _submitted(session, employer, north)
    review = f"/admin/moderation/{vacancy.id}"
    page = _text(as_admin.get(review))
    assert f"{organisation.name} is not verified" in page
    assert 'href="/admin/organisations"' in page
    assert f'action="{review}/approve"' not in page
    as_admin.post(f"{review}/approve", page=review)
    session.refresh(vacancy)
    assert vacancy.state is VacancyState.SUBMITTED


# --- browsing -----------------------------------------------------------------------------------


@pytest.fixture
def four_open(
    session: Session, stored_taxonomy, employer: User, admin: User, north: Region, south: Region
) -> dict[str, Vacancy]:
    driver = _concept(session, f"{BASE}/occupation/forklift-driver")
    operative = _concept(session, f"{BASE}/occupation/warehouse-operative")
    soon, later = NEXT_MONTH, NEXT_MONTH + timedelta(days=60)
    specs = {
        "drivers north": dict(
            occupation_id=driver, region=north, start_date=soon, accommodation=True
        ),
        "drivers south": dict(occupation_id=driver, region=south, start_date=later),
        "pickers north": dict(occupation_id=operative, region=north, start_date=later),
        "pickers south": dict(occupation_id=operative, region=south, start_date=soon),
    }
    made = {}
    for title, spec in specs.items():
        region = spec.pop("region")
        made[title] = _open(
            session, employer, admin, region, title=title.title(), end_date=None, **spec
        )
    _submitted(session, employer, north, title="Drivers Waiting")  # not open: never listed
    return made


def _titles(response) -> set[str]:
    return set(
        re.findall(r'<h3 class="vacancy-card-title"><a href="[^"]+">([^<]+)</a>', _text(response))
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Drivers North", "Drivers South", "Pickers North", "Pickers South"}),
        ("q=drivers", {"Drivers North", "Drivers South"}),
        ("sector=8", {"Drivers North", "Drivers South"}),
        ("sector=9", {"Pickers North", "Pickers South"}),
        ("region={north}", {"Drivers North", "Pickers North"}),
        ("starts_by={soon}", {"Drivers North", "Pickers South"}),
        ("accommodation=y", {"Drivers North"}),
        ("sector=9&region={south}", {"Pickers South"}),
    ],
)
def test_anyone_finds_open_vacancies_through_the_filters(
    client: WebClient, four_open, north: Region, south: Region, query: str, expected: set[str]
) -> None:
    url = "/vacancies/?" + query.format(north=north.id, south=south.id, soon=NEXT_MONTH.isoformat())
    response = client.get(url)
    assert response.status_code == 200
    assert _titles(response) == expected


def test_the_filters_stay_in_the_pagination_links(
    client: WebClient, app: Flask, four_open, north: Region
) -> None:
    app.config["PAGE_SIZE"] = 1
    first = client.get(f"/vacancies/?region={north.id}&q=north")
    html = _text(first)
    assert "Page 1 of 2" in html
    link = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert f"region={north.id}" in link and "q=north" in link and "page=2" in link
    second = client.get(link)
    assert _titles(first) | _titles(second) == {"Drivers North", "Pickers North"}


@pytest.mark.parametrize("query", ["sector=0", "region=abc", "starts_by=tomorrow"])
def test_a_bad_filter_gets_a_message(client: WebClient, query: str) -> None:
    response = client.get(f"/vacancies/?{query}")
    assert response.status_code == 400
    assert 'class="error-summary"' in _text(response)


def test_the_vacancy_page_says_what_the_job_needs_and_the_pledge(
    client: WebClient, session: Session, stored_taxonomy, employer: User, admin: User, north: Region
) -> None:
    skills = (
        vacancies.SkillWords(
            "operate a forklift",
            _concept(session, f"{BASE}/skill/forklift"),
            RelationType.ESSENTIAL,
            SkillSource.CHECKLIST,
        ),
        vacancies.SkillWords(
            "pallet stacking", _concept(session, f"{BASE}/skill/pallets"), RelationType.OPTIONAL
        ),
        vacancies.SkillWords("cold store work", None, RelationType.OPTIONAL),
    )
    vacancy = _open(session, employer, admin, north, skills=skills, accommodation=True)
    html = _text(client.get(f"/vacancies/{vacancy.id}"))
    assert "Workers pay no recruitment fees" in html
    assert employer.organisation.name in html
    essential = html.split("Essential skills", 1)[1].split("Useful, not essential", 1)
    assert "operate a forklift" in essential[0]
    assert "stack pallets" in essential[1] and "pallet stacking" in essential[1]
    assert "cold store work" in essential[1]
    assert "€14.50" in html and "per hour" in html and "English: at least A2" in html


def test_the_vacancy_page_names_skills_in_the_page_language(
    client: WebClient,
    app: Flask,
    session: Session,
    stored_taxonomy,
    employer: User,
    admin: User,
    north: Region,
) -> None:
    app.config["LANGUAGES"] = ["en", "fr"]
    skill = vacancies.SkillWords(
        "operate a forklift", _concept(session, f"{BASE}/skill/forklift"), RelationType.ESSENTIAL
    )
    vacancy = _open(session, employer, admin, north, skills=(skill,))
    html = _text(client.get(f"/vacancies/{vacancy.id}", headers={"Accept-Language": "fr"}))
    assert "conduire un chariot élévateur" in html


@pytest.mark.parametrize("state", ["draft", "submitted", "sent-back", "rejected", "closed"])
def test_a_vacancy_that_is_not_open_is_not_found_by_the_public(
    client: WebClient, session: Session, employer: User, admin: User, north: Region, state: str
) -> None:
    vacancy = vacancies.create_draft(session, employer, _input(north))
    if state != "draft":
        vacancies.submit(session, employer, vacancy.id)
    if state == "sent-back":
        vacancies.send_back(session, admin, vacancy.id, "Why")
    elif state == "rejected":
        vacancies.reject(session, admin, vacancy.id, "Why")
    elif state == "closed":
        vacancies.close(session, employer, vacancy.id)
    assert client.get(f"/vacancies/{vacancy.id}").status_code == 404


def test_an_expired_vacancy_is_not_listed(
    client: WebClient, session: Session, employer: User, admin: User, north: Region
) -> None:
    vacancy = _open(session, employer, admin, north, apply_by=date.today() + timedelta(days=1))
    vacancy.apply_by = date.today() - timedelta(days=1)  # the window closed since
    session.commit()
    assert client.get(f"/vacancies/{vacancy.id}").status_code == 404
    assert _titles(client.get("/vacancies/")) == set()


# --- who may reach which vacancy ----------------------------------------------------------------


def test_an_employer_cannot_see_or_change_another_organisation_s_drafts(
    as_employer: WebClient, session: Session, make: Factory, north: Region
) -> None:
    theirs = vacancies.create_draft(session, make.user(Role.EMPLOYER), _input(north))
    base = f"/employer/vacancies/{theirs.id}"
    for url in (base, f"{base}/edit", f"{base}/close"):
        assert as_employer.get(url).status_code == 404, url
    for url, data in (
        (f"{base}/edit", _form(north, title="Taken over")),
        (f"{base}/close", {}),
        (f"{base}/duplicate", {}),
    ):
        assert as_employer.post(url, data, page=NEW).status_code == 404, url
    session.refresh(theirs)
    assert (theirs.title, theirs.state) == ("Forklift drivers for the harvest", VacancyState.DRAFT)
    assert _count(session) == 1


@pytest.mark.parametrize("role", [Role.WORKER, Role.PROVIDER, Role.ADMIN])
def test_only_employers_post_vacancies(
    client: WebClient, session: Session, make: Factory, north: Region, role: Role
) -> None:
    client.login(make.user(role).email)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, _form(north), page="/").status_code == 403
    assert _count(session) == 0


def test_the_nav_leads_everyone_to_the_vacancies(client: WebClient) -> None:
    assert 'href="/vacancies/"' in _text(client.get("/"))


# --- the organisation's details -----------------------------------------------------------------


def test_an_employer_gives_the_sector_region_and_contact(
    client: WebClient, session: Session, make: Factory, north: Region
) -> None:
    mine = make.organisation(OrganisationKind.EMPLOYER)
    client.login(make.user(Role.EMPLOYER, organisation=mine).email)
    url = f"/organisations/{mine.id}/edit"
    edit = _text(client.get(url))
    assert ">Elementary occupations<" in edit and "Armed forces" not in edit
    details = {
        "name": mine.name,
        "sector": "6",
        "region_id": str(north.id),
        "contact_email": "jobs@greenfarm.example",
        "contact_phone": "+44 20 7946 0000",
    }
    assert client.post(url, details).status_code == 302
    session.refresh(mine)
    assert (mine.sector, mine.region_id, mine.contact_email, mine.contact_phone) == (
        "6",
        north.id,
        "jobs@greenfarm.example",
        "+44 20 7946 0000",
    )
    shown = _text(client.get(f"/organisations/{mine.id}"))
    assert "Skilled agricultural, forestry and fishery workers" in shown and "North" in shown


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sector": "0"}, "sector"),
        ({"region_id": "999999"}, "region_id"),
        ({"contact_email": "not an email"}, "contact_email"),
        ({"contact_phone": "call me maybe"}, "contact_phone"),
    ],
)
def test_each_bad_organisation_detail_gets_its_message(
    client: WebClient, session: Session, make: Factory, changes: dict[str, str], field: str
) -> None:
    mine = make.organisation(OrganisationKind.EMPLOYER)
    client.login(make.user(Role.EMPLOYER, organisation=mine).email)
    response = client.post(f"/organisations/{mine.id}/edit", {"name": "Green Farm", **changes})
    assert response.status_code == 400
    assert f'id="{field}-error"' in _text(response)
    session.refresh(mine)
    assert mine.name != "Green Farm"
