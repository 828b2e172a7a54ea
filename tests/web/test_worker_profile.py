"""The worker's registration steps through the test client: each step saves, comes back with
one message per field when something is wrong (input kept), works without JavaScript, and is
open only to those who may manage the profile."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    AuditAction,
    AuditEvent,
    Concept,
    ConceptKind,
    Evidence,
    ExperienceKind,
    LanguageLevel,
    OrganisationKind,
    ProfileStatus,
    Recognition,
    Role,
    Sex,
    SkillSource,
    User,
    Worker,
)
from portal.services import regions, taxonomy, workers
from portal.services.workers import CONSENT_TEXT_VERSION, OLDEST_BIRTH_YEAR, YOUNGEST_AGE
from portal.taxonomy.model import Taxonomy
from tests.conftest import Factory, WebClient

BASE = "https://skills-portal.example/test"
STEPS = ("about", "skills", "experience", "availability", "review")
ABOUT = {
    "given_name": "Olena",
    "family_name": "Petrenko",
    "email": "olena@example.org",
    "phone": "+380 44 123 4567",
    "sex": "female",
    "birth_year": "1990",
    "country_of_origin": "UA",
    "nationality": "UA",
    "languages-0-code": "uk",
    "languages-0-level": "native",
    "languages-1-code": "en",
    "languages-1-level": "B1",
    "go": "next",
}


def _start(client: WebClient, make: Factory) -> tuple[User, int]:
    """A worker logs in and opens their profile: the draft is created, they land on step 1."""
    user = make.user(Role.WORKER)
    client.login(user.email)
    response = client.get("/worker/profile")
    assert response.status_code == 302
    match = re.search(r"/workers/(\d+)/profile/about$", response.headers["Location"])
    assert match, response.headers["Location"]
    return user, int(match.group(1))


def _url(worker_id: int, step: str) -> str:
    return f"/workers/{worker_id}/profile/{step}"


def _worker(session: Session, worker_id: int) -> Worker:
    session.expire_all()
    worker = session.get(Worker, worker_id)
    assert worker is not None
    return worker


def _text(response) -> str:
    return response.get_data(as_text=True)


def _concept_id(session: Session, uri: str) -> int:
    version = taxonomy.active_version(session)
    assert version is not None
    concept_id = session.scalar(
        select(Concept.id).where(Concept.uri == uri, Concept.version_id == version.id)
    )
    assert concept_id is not None
    return concept_id


# --- the way in ----------------------------------------------------------------------------------


def test_a_new_worker_starts_at_step_one_with_the_account_details_filled_in(
    client: WebClient, make: Factory
) -> None:
    user, worker_id = _start(client, make)
    page = _text(client.get(_url(worker_id, "about")))
    assert "Step 1 of 5" in page
    assert re.search(r'<li class="steps-current" aria-current="step">About you</li>', page)
    assert f'value="{user.email}"' in page
    assert 'value="Worker"' in page


@pytest.mark.parametrize("number,step", list(enumerate(STEPS, start=1)), ids=list(STEPS))
def test_each_step_shows_its_place_in_the_progress_list(
    client: WebClient, make: Factory, number: int, step: str
) -> None:
    _user, worker_id = _start(client, make)
    page = _text(client.get(_url(worker_id, step)))
    assert f"Step {number} of 5" in page
    assert page.count('aria-current="step"') == 1


def test_a_returning_worker_is_sent_to_the_next_unfinished_step(
    client: WebClient, make: Factory
) -> None:
    _user, worker_id = _start(client, make)
    client.post(_url(worker_id, "about"), ABOUT)
    response = client.get("/worker/profile")
    assert response.headers["Location"].endswith(_url(worker_id, "skills"))


def test_the_dashboard_offers_to_start_then_to_continue_the_profile(
    client: WebClient, make: Factory
) -> None:
    user = make.user(Role.WORKER)
    client.login(user.email)
    assert "Start your profile" in _text(client.get("/worker/"))
    client.get("/worker/profile")
    page = _text(client.get("/worker/"))
    assert "Continue your registration" in page
    assert "Your profile is not finished yet" in page


# --- step 1: about you ---------------------------------------------------------------------------


def test_about_you_is_saved_and_continues_to_the_skills(
    client: WebClient, make: Factory, session: Session
) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(_url(worker_id, "about"), ABOUT)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(_url(worker_id, "skills"))
    worker = _worker(session, worker_id)
    assert (worker.given_name, worker.family_name, worker.sex, worker.birth_year) == (
        "Olena",
        "Petrenko",
        Sex.FEMALE,
        1990,
    )
    assert (worker.country_of_origin, worker.phone) == ("UA", "+380 44 123 4567")
    assert {(language.code, language.level) for language in worker.languages} == {
        ("uk", LanguageLevel.NATIVE),
        ("en", LanguageLevel.B1),
    }


def test_going_back_to_about_you_shows_what_was_saved(client: WebClient, make: Factory) -> None:
    _user, worker_id = _start(client, make)
    client.post(_url(worker_id, "about"), ABOUT)
    page = _text(client.get(_url(worker_id, "about")))
    assert 'value="Petrenko"' in page
    assert re.search(r'<input checked id="sex-0"[^>]*value="female"', page)
    assert re.search(r'<option selected value="UA">', page)
    assert re.search(r'<option selected value="uk">', page)
    assert re.search(r'<option selected value="B1">', page)


def test_back_on_the_first_step_saves_and_returns_to_the_dashboard(
    client: WebClient, make: Factory, session: Session
) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(_url(worker_id, "about"), {**ABOUT, "go": "back"})
    assert response.headers["Location"] == "/worker/"
    assert _worker(session, worker_id).family_name == "Petrenko"


def test_nothing_is_pre_selected_for_sex(client: WebClient, make: Factory) -> None:
    _user, worker_id = _start(client, make)
    page = _text(client.get(_url(worker_id, "about")))
    radios = re.findall(r'<input[^>]*name="sex"[^>]*>', page)
    assert len(radios) == 4
    assert not any("checked" in radio for radio in radios)


def test_a_birth_year_out_of_range_comes_back_with_a_message_and_the_input_kept(
    client: WebClient, make: Factory, session: Session
) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(_url(worker_id, "about"), {**ABOUT, "birth_year": "1850"})
    assert response.status_code == 400
    page = _text(response)
    last = date.today().year - YOUNGEST_AGE
    assert f"The birth year must be between {OLDEST_BIRTH_YEAR} and {last}." in page
    assert 'value="1850"' in page
    assert 'value="Petrenko"' in page
    assert 'aria-describedby="birth_year-hint birth_year-error"' in page
    assert _worker(session, worker_id).birth_year is None


def test_without_email_and_phone_the_step_asks_for_one_of_them(
    client: WebClient, make: Factory
) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(_url(worker_id, "about"), {**ABOUT, "email": "", "phone": ""})
    assert response.status_code == 400
    assert "Give an email address or a phone number, or both." in _text(response)


def test_an_unknown_country_code_posted_by_hand_is_named(client: WebClient, make: Factory) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(_url(worker_id, "about"), {**ABOUT, "country_of_origin": "QQ"})
    assert response.status_code == 400
    assert "“QQ” is not a country code we know." in _text(response)


def test_typed_values_quoted_in_messages_are_escaped(client: WebClient, make: Factory) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(
        _url(worker_id, "about"), {**ABOUT, "nationality": "<b>x</b>", "languages-0-code": "<i>"}
    )
    page = _text(response)
    assert "“&lt;b&gt;x&lt;/b&gt;” is not a country code we know." in page
    assert "“&lt;i&gt;” is not a language code we know." in page
    assert "<b>x</b>" not in page


def test_several_problems_are_shown_together_one_message_per_field(
    client: WebClient, make: Factory
) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(
        _url(worker_id, "about"),
        {**ABOUT, "birth_year": "1850", "email": "", "phone": "", "nationality": "QQ"},
    )
    page = _text(response)
    for field_id in ("birth_year", "email", "nationality"):
        assert page.count(f'id="{field_id}-error"') == 1
        assert f'href="#{field_id}"' in page


def test_a_language_without_a_level_is_refused_on_its_row(client: WebClient, make: Factory) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(_url(worker_id, "about"), {**ABOUT, "languages-1-level": ""})
    assert response.status_code == 400
    page = _text(response)
    assert "Choose how well you know this language." in page
    assert 'href="#languages-1-level"' in page


def test_the_same_language_twice_is_refused(client: WebClient, make: Factory) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(_url(worker_id, "about"), {**ABOUT, "languages-1-code": "uk"})
    assert response.status_code == 400
    assert "Each language once, please." in _text(response)


# --- step 2: skills ------------------------------------------------------------------------------


def _candidate_value(page: str, label: str) -> str:
    match = re.search(
        r'<input type="radio" name="choice" id="choice-\d+" value="(\d+)">\s*<label[^>]*>\s*'
        rf'<span class="candidate-name">{re.escape(label)}</span>',
        page,
    )
    assert match, f"no candidate {label!r}"
    return match.group(1)


def test_without_javascript_words_lead_to_a_suggestion_step_and_the_choice_is_stored(
    client: WebClient, make: Factory, session: Session, stored_taxonomy: Taxonomy
) -> None:
    _user, worker_id = _start(client, make)
    suggestions = client.post(_url(worker_id, "skills"), {"words": "fork lift", "go": "stay"})
    assert suggestions.status_code == 200
    page = _text(suggestions)
    assert "Which skill do you mean?" in page
    assert "None of these — keep my words as they are" in page
    choice = _candidate_value(page, "operate a forklift")
    [expected] = [
        suggestion
        for suggestion in taxonomy.suggest(session, ConceptKind.SKILL, "fork lift")
        if str(suggestion.id) == choice
    ]
    response = client.post(
        _url(worker_id, "skills"),
        {"words": "fork lift", "confirming": "1", "choice": choice, "go": "stay"},
    )
    assert response.status_code == 302
    [skill] = _worker(session, worker_id).skills
    assert (skill.words, skill.concept_uri, skill.concept_label) == (
        "fork lift",
        f"{BASE}/skill/forklift",
        "operate a forklift",
    )
    assert skill.score == expected.score
    assert skill.source is SkillSource.TYPED


def test_none_of_these_keeps_the_words_unmapped_and_says_so(
    client: WebClient, make: Factory, session: Session, stored_taxonomy: Taxonomy
) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(
        _url(worker_id, "skills"),
        {"words": "fork lift", "confirming": "1", "choice": "none", "go": "stay"},
    )
    assert response.status_code == 302
    [skill] = _worker(session, worker_id).skills
    assert (skill.words, skill.concept_uri, skill.score) == ("fork lift", None, None)
    page = _text(client.get(_url(worker_id, "skills")))
    assert "Not matched yet — an administrator will review it." in page


def test_confirming_without_a_choice_asks_again_with_the_words_kept(
    client: WebClient, make: Factory, session: Session, stored_taxonomy: Taxonomy
) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(
        _url(worker_id, "skills"), {"words": "fork lift", "confirming": "1", "go": "stay"}
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Choose one of the answers, then press Confirm." in page
    assert 'name="words" value="fork lift"' in page
    assert _worker(session, worker_id).skills == []


def test_the_suggestions_show_the_host_language_beside_the_workers(
    app: Flask, client: WebClient, make: Factory, stored_taxonomy: Taxonomy
) -> None:
    """Two languages on one screen: the worker's words, and the host country's beside them."""
    _user, worker_id = _start(client, make)
    client.post("/language", {"language": "uk", "next": "/"}, page="/")
    page = _text(client.post(_url(worker_id, "skills"), {"words": "навантажувач", "go": "stay"}))
    _candidate_value(page, "керувати навантажувачем")
    assert '<span class="candidate-host" lang="en">(operate a forklift)</span>' in page

    app.config["HOST_LANGUAGE"] = "fr"
    client.post("/language", {"language": "en", "next": "/"}, page="/")
    page = _text(client.post(_url(worker_id, "skills"), {"words": "forklift", "go": "stay"}))
    _candidate_value(page, "operate a forklift")
    assert '<span class="candidate-host" lang="fr">(conduire un chariot élévateur)</span>' in page


def test_a_concept_picked_by_the_type_ahead_is_stored_without_the_suggestion_step(
    client: WebClient, make: Factory, session: Session, stored_taxonomy: Taxonomy
) -> None:
    _user, worker_id = _start(client, make)
    forklift = _concept_id(session, f"{BASE}/skill/forklift")
    response = client.post(
        _url(worker_id, "skills"), {"words": "fork lift", "concept_id": str(forklift)}
    )
    assert response.status_code == 302
    [skill] = _worker(session, worker_id).skills
    assert (skill.words, skill.concept_uri) == ("fork lift", f"{BASE}/skill/forklift")


def test_a_concept_unrelated_to_the_words_is_not_stored_but_offers_the_suggestions(
    client: WebClient, make: Factory, session: Session, stored_taxonomy: Taxonomy
) -> None:
    _user, worker_id = _start(client, make)
    elderly = _concept_id(session, f"{BASE}/skill/elderly")
    response = client.post(
        _url(worker_id, "skills"), {"words": "fork lift", "concept_id": str(elderly)}
    )
    assert response.status_code == 200
    assert "Which skill do you mean?" in _text(response)
    assert _worker(session, worker_id).skills == []


def test_words_with_no_candidate_are_kept_as_they_are(
    client: WebClient, make: Factory, session: Session, stored_taxonomy: Taxonomy
) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(_url(worker_id, "skills"), {"words": "zqxj wvvk"})
    assert response.status_code == 302
    [skill] = _worker(session, worker_id).skills
    assert (skill.words, skill.concept_uri) == ("zqxj wvvk", None)


def test_empty_words_ask_for_a_skill_but_continue_moves_on(
    client: WebClient, make: Factory
) -> None:
    _user, worker_id = _start(client, make)
    refused = client.post(_url(worker_id, "skills"), {"words": " ", "go": "stay"})
    assert refused.status_code == 400
    assert "Describe the skill in a few words." in _text(refused)
    moved = client.post(_url(worker_id, "skills"), {"words": "", "go": "next"})
    assert moved.headers["Location"].endswith(_url(worker_id, "experience"))


def test_words_typed_before_save_and_continue_are_not_lost(
    client: WebClient, make: Factory, session: Session, stored_taxonomy: Taxonomy
) -> None:
    _user, worker_id = _start(client, make)
    page = _text(client.post(_url(worker_id, "skills"), {"words": "fork lift", "go": "next"}))
    choice = _candidate_value(page, "operate a forklift")
    assert '<button type="submit" class="button" name="go" value="next">' in page
    response = client.post(
        _url(worker_id, "skills"),
        {"words": "fork lift", "confirming": "1", "choice": choice, "go": "next"},
    )
    assert response.headers["Location"].endswith(_url(worker_id, "experience"))
    assert len(_worker(session, worker_id).skills) == 1


def test_the_evidence_of_a_skill_can_be_changed(
    client: WebClient, make: Factory, session: Session
) -> None:
    user, worker_id = _start(client, make)
    skill = workers.add_skill(session, user, _worker(session, worker_id), "sewing", concept_id=None)
    response = client.post(
        f"{_url(worker_id, 'skills')}/{skill.id}/evidence",
        {f"skill-{skill.id}-evidence": "certificate"},
        page=_url(worker_id, "skills"),
    )
    assert response.status_code == 302
    assert _worker(session, worker_id).skills[0].evidence is Evidence.CERTIFICATE


def test_a_skill_can_be_removed(client: WebClient, make: Factory, session: Session) -> None:
    user, worker_id = _start(client, make)
    skill = workers.add_skill(session, user, _worker(session, worker_id), "sewing", concept_id=None)
    response = client.post(
        f"{_url(worker_id, 'skills')}/{skill.id}/remove", page=_url(worker_id, "skills")
    )
    assert response.status_code == 302
    assert _worker(session, worker_id).skills == []


def test_another_profiles_skill_cannot_be_removed_through_this_profile(
    client: WebClient, make: Factory, session: Session, app: Flask
) -> None:
    _user, worker_id = _start(client, make)
    other = WebClient(app.test_client())
    other_user, other_id = _start(other, make)
    skill = workers.add_skill(
        session, other_user, _worker(session, other_id), "sewing", concept_id=None
    )
    response = client.post(
        f"{_url(worker_id, 'skills')}/{skill.id}/remove", page=_url(worker_id, "skills")
    )
    assert response.status_code == 404
    assert len(_worker(session, other_id).skills) == 1


def test_an_occupation_checklist_adds_its_essential_skills(
    client: WebClient, make: Factory, session: Session, stored_taxonomy: Taxonomy
) -> None:
    user, worker_id = _start(client, make)
    workers.add_skill(
        session,
        user,
        _worker(session, worker_id),
        "order picking",
        concept_id=_concept_id(session, f"{BASE}/skill/orders"),
    )
    find = f"{_url(worker_id, 'skills')}/occupation"
    page = _text(
        client.post(find, {"occupation_words": "warehouse"}, page=_url(worker_id, "skills"))
    )
    choice = _candidate_value(page, "warehouse operative")
    chosen = client.post(
        find,
        {"occupation_words": "warehouse", "confirming": "1", "choice": choice},
        page=_url(worker_id, "skills"),
    )
    assert chosen.status_code == 302
    checklist = chosen.headers["Location"]
    page = _text(client.get(checklist))
    assert "already on the profile" in page
    offered = dict(
        (label, value)
        for value, label in re.findall(
            r'name="skill_ids" type="checkbox" value="(\d+)"> <label[^>]*>([^<]+)</label>', page
        )
    )
    assert set(offered) == {"use a handheld scanner", "load and unload goods"}
    response = client.post(checklist, {"skill_ids": list(offered.values())})
    assert response.status_code == 302
    skills = _worker(session, worker_id).skills
    assert sorted(skill.concept_label for skill in skills) == [
        "load and unload goods",
        "pick orders",
        "use a handheld scanner",
    ]
    assert {skill.source for skill in skills[1:]} == {SkillSource.CHECKLIST}


def test_an_occupation_with_no_candidate_is_named_on_the_skills_page(
    client: WebClient, make: Factory, stored_taxonomy: Taxonomy
) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(
        f"{_url(worker_id, 'skills')}/occupation",
        {"occupation_words": "zqxj wvvk"},
        page=_url(worker_id, "skills"),
    )
    assert response.status_code == 400
    assert "We found no occupation like “zqxj wvvk”. Try other words." in _text(response)


# --- step 3: experience and qualifications -----------------------------------------------------


def test_experience_is_resolved_through_the_occupation_suggestions(
    client: WebClient, make: Factory, session: Session, stored_taxonomy: Taxonomy
) -> None:
    _user, worker_id = _start(client, make)
    work = {"words": "forklift driving", "years": "2,5", "kind": "informal", "go": "stay"}
    page = _text(client.post(_url(worker_id, "experience"), work))
    assert "Which occupation is closest?" in page
    choice = _candidate_value(page, "forklift driver")
    response = client.post(
        _url(worker_id, "experience"), {**work, "confirming": "1", "choice": choice}
    )
    assert response.status_code == 302
    [experience] = _worker(session, worker_id).experiences
    assert (experience.words, experience.years, experience.kind) == (
        "forklift driving",
        2.5,
        ExperienceKind.INFORMAL,
    )
    assert experience.occupation_uri == f"{BASE}/occupation/forklift-driver"


def test_the_experience_step_says_that_informal_and_unpaid_work_count(
    client: WebClient, make: Factory
) -> None:
    _user, worker_id = _start(client, make)
    page = _text(client.get(_url(worker_id, "experience")))
    assert "Informal and unpaid work count too" in page
    assert not re.search(r'<input checked[^>]*name="kind"', page)


def test_experience_with_impossible_years_comes_back_with_messages(
    client: WebClient, make: Factory, session: Session
) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(
        _url(worker_id, "experience"), {"words": "cleaning", "years": "80", "go": "stay"}
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Years must be a number between 0 and 70, like 2 or 0.5." in page
    assert "Choose the kind of work." in page
    assert 'value="cleaning"' in page
    assert _worker(session, worker_id).experiences == []


def test_a_qualification_is_added_and_removed(
    client: WebClient, make: Factory, session: Session
) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(
        _url(worker_id, "experience"),
        {
            "title": "Welding certificate",
            "country": "RO",
            "level": "vocational",
            "recognition": "requested",
            "go": "next",
        },
    )
    assert response.headers["Location"].endswith(_url(worker_id, "availability"))
    [qualification] = _worker(session, worker_id).qualifications
    assert (qualification.title, qualification.country, qualification.recognition) == (
        "Welding certificate",
        "RO",
        Recognition.REQUESTED,
    )
    removed = client.post(
        f"/workers/{worker_id}/profile/qualifications/{qualification.id}/remove",
        page=_url(worker_id, "experience"),
    )
    assert removed.status_code == 302
    assert _worker(session, worker_id).qualifications == []


def test_a_qualification_without_a_title_is_refused(client: WebClient, make: Factory) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(
        _url(worker_id, "experience"), {"level": "university", "recognition": "not-requested"}
    )
    assert response.status_code == 400
    assert 'href="#title">Enter the qualification' in _text(response)


# --- step 4: availability ------------------------------------------------------------------------


@pytest.fixture
def two_regions(session: Session) -> list[int]:
    return [region.id for region in regions.add_regions(session, ["North", "South"])]


def test_availability_is_saved_and_going_back_shows_it(
    client: WebClient, make: Factory, session: Session, two_regions: list[int]
) -> None:
    _user, worker_id = _start(client, make)
    north, south = two_regions
    response = client.post(
        _url(worker_id, "availability"),
        {
            "region_id": str(north),
            "relocation_region_ids": [str(south)],
            "available_from": "2026-12-01",
            "available_until": "",
            "go": "next",
        },
    )
    assert response.headers["Location"].endswith(_url(worker_id, "review"))
    worker = _worker(session, worker_id)
    assert (worker.region_id, worker.available_from) == (north, date(2026, 12, 1))
    assert [choice.region_id for choice in worker.relocation_regions] == [south]
    page = _text(client.get(_url(worker_id, "availability")))
    assert f'<option selected value="{north}">' in page
    assert 'value="2026-12-01"' in page
    assert re.search(rf'<input checked id="relocation_region_ids-\d"[^>]*value="{south}"', page)


def test_an_end_before_the_start_is_refused_with_the_input_kept(
    client: WebClient, make: Factory, session: Session, two_regions: list[int]
) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(
        _url(worker_id, "availability"),
        {
            "region_id": str(two_regions[0]),
            "available_from": "2026-12-01",
            "available_until": "2026-11-01",
            "go": "next",
        },
    )
    assert response.status_code == 400
    page = _text(response)
    assert "The last day must be on or after the first day." in page
    assert 'value="2026-11-01"' in page
    assert _worker(session, worker_id).available_from is None


def test_availability_needs_a_region_and_a_first_day(
    client: WebClient, make: Factory, two_regions: list[int]
) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(
        _url(worker_id, "availability"),
        {"region_id": "999999", "available_from": "not a day", "go": "next"},
    )
    page = _text(response)
    assert "Choose one of the regions listed." in page
    assert "Enter a date like 2026-12-31." in page


def test_without_regions_the_step_says_an_administrator_must_add_them(
    client: WebClient, make: Factory
) -> None:
    _user, worker_id = _start(client, make)
    page = _text(client.get(_url(worker_id, "availability")))
    assert "An administrator must add the regions first" in page


def test_back_from_an_untouched_availability_step_goes_back_without_complaint(
    client: WebClient, make: Factory
) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(_url(worker_id, "availability"), {"go": "back"})
    assert response.headers["Location"].endswith(_url(worker_id, "experience"))


# --- step 5: review and consent -----------------------------------------------------------------


def _complete(session: Session, user: User, worker_id: int) -> None:
    worker = _worker(session, worker_id)
    [region] = regions.add_regions(session, ["Capital"])
    workers.add_skill(session, user, worker, "sewing", concept_id=None)
    workers.save_availability(
        session,
        user,
        worker,
        workers.Availability(region_id=region.id, available_from=date(2026, 12, 1)),
    )


def test_no_consent_box_is_ticked_before_the_worker_ticks_it(
    client: WebClient, make: Factory, session: Session
) -> None:
    user, worker_id = _start(client, make)
    _complete(session, user, worker_id)
    page = _text(client.get(_url(worker_id, "review")))
    boxes = re.findall(r'<input type="checkbox" id="consent_[a-z]+"[^>]*>', page)
    assert len(boxes) == 2
    assert not any("checked" in box for box in boxes)
    assert CONSENT_TEXT_VERSION in page


def test_the_review_lists_what_is_missing_with_links(client: WebClient, make: Factory) -> None:
    _user, worker_id = _start(client, make)
    page = _text(client.get(_url(worker_id, "review")))
    assert f'<a href="{_url(worker_id, "skills")}">At least one skill</a>' in page
    assert f'href="{_url(worker_id, "availability")}"' in page


def test_consent_without_the_matching_box_is_refused(
    client: WebClient, make: Factory, session: Session
) -> None:
    user, worker_id = _start(client, make)
    _complete(session, user, worker_id)
    response = client.post(_url(worker_id, "review"), {"consent_contact": "y"})
    assert response.status_code == 400
    page = _text(response)
    assert "Without this consent we cannot show your profile to employers." in page
    assert re.search(r'<input type="checkbox" id="consent_contact"[^>]* checked', page)
    worker = _worker(session, worker_id)
    assert (worker.status, worker.consents) == (ProfileStatus.DRAFT, [])


def test_consent_makes_the_profile_active_and_the_dashboard_says_so(
    client: WebClient, make: Factory, session: Session
) -> None:
    user, worker_id = _start(client, make)
    _complete(session, user, worker_id)
    response = client.post(
        _url(worker_id, "review"), {"consent_matching": "y", "consent_contact": "y"}
    )
    assert response.headers["Location"] == "/worker/"
    worker = _worker(session, worker_id)
    assert worker.status is ProfileStatus.ACTIVE
    assert {(c.purpose, c.text_version) for c in worker.consents} == {
        ("matching", CONSENT_TEXT_VERSION),
        ("contact-after-offer", CONSENT_TEXT_VERSION),
    }
    assert "Your profile is active" in _text(client.get("/worker/"))


def test_consent_before_the_profile_is_complete_is_refused(
    client: WebClient, make: Factory, session: Session
) -> None:
    _user, worker_id = _start(client, make)
    response = client.post(_url(worker_id, "review"), {"consent_matching": "y"})
    assert response.status_code == 400
    assert "Finish the steps marked as incomplete first." in _text(response)
    assert _worker(session, worker_id).status is ProfileStatus.DRAFT


# --- who may open a profile ----------------------------------------------------------------------


def _profile_of_someone_else(session: Session, make: Factory) -> Worker:
    user = make.user(Role.WORKER)
    return workers.start_own_profile(session, user)


def test_a_worker_cannot_open_another_workers_steps(
    client: WebClient, make: Factory, session: Session
) -> None:
    _start(client, make)
    other = _profile_of_someone_else(session, make)
    for step in STEPS:
        assert client.get(_url(other.id, step)).status_code == 404, step


def test_a_worker_cannot_change_another_workers_profile(
    client: WebClient, make: Factory, session: Session
) -> None:
    _user, worker_id = _start(client, make)
    other = _profile_of_someone_else(session, make)
    response = client.post(_url(other.id, "about"), ABOUT, page=_url(worker_id, "about"))
    assert response.status_code == 404
    assert _worker(session, other.id).family_name != "Petrenko"


def test_an_employer_cannot_open_worker_steps(
    client: WebClient, make: Factory, session: Session
) -> None:
    other = _profile_of_someone_else(session, make)
    client.login(make.user(Role.EMPLOYER).email)
    for step in STEPS:
        assert client.get(_url(other.id, step)).status_code in (403, 404), step


def test_a_provider_opens_only_the_workers_it_registered(
    client: WebClient, make: Factory, session: Session
) -> None:
    organisation = make.organisation(OrganisationKind.PROVIDER)
    provider = make.user(Role.PROVIDER, organisation=organisation)
    theirs = Worker(provider_id=organisation.id, given_name="Ion", email="ion@example.org")
    session.add(theirs)
    session.commit()
    someone_else = _profile_of_someone_else(session, make)
    client.login(provider.email)
    for step in STEPS:
        assert client.get(_url(theirs.id, step)).status_code == 200, step
        assert client.get(_url(someone_else.id, step)).status_code == 404, step


def test_an_admin_opens_any_profile_and_each_view_is_audited(
    client: WebClient, make: Factory, session: Session
) -> None:
    other = _profile_of_someone_else(session, make)
    admin = make.user(Role.ADMIN)
    client.login(admin.email)
    for step in STEPS:
        assert client.get(_url(other.id, step)).status_code == 200, step
    views = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == AuditAction.VIEWED,
            AuditEvent.subject_type == "worker",
            AuditEvent.subject_id == other.id,
        )
    ).all()
    assert len(views) == len(STEPS)
    assert {event.actor_id for event in views} == {admin.id}


def test_a_worker_reading_their_own_profile_leaves_no_view_in_the_audit_trail(
    client: WebClient, make: Factory, session: Session
) -> None:
    _user, worker_id = _start(client, make)
    client.get(_url(worker_id, "about"))
    viewed = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == AuditAction.VIEWED, AuditEvent.subject_id == worker_id
        )
    ).all()
    assert viewed == []
