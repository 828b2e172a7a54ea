"""Browsing the taxonomy (search, a skill, an occupation) and the admin's learned words."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Concept, LearnedLabel, OccupationSkillLink, Role, TaxonomyVersion
from portal.services import taxonomy_pages
from portal.services.taxonomy import learn_words, store_taxonomy
from portal.taxonomy.model import RelationType, Taxonomy
from tests.conftest import Factory, WebClient, small_taxonomy

BASE = "https://skills-portal.example/test"
FORKLIFT = f"{BASE}/skill/forklift"
PALLETS = f"{BASE}/skill/pallets"
SAFETY = f"{BASE}/skill/safety"
FORKLIFT_DRIVER = f"{BASE}/occupation/forklift-driver"
WAREHOUSE_OPERATIVE = f"{BASE}/occupation/warehouse-operative"


def _id(session: Session, uri: str, version: str = "Small test taxonomy") -> int:
    concept_id = session.scalar(
        select(Concept.id)
        .join(TaxonomyVersion)
        .where(Concept.uri == uri, TaxonomyVersion.name == version)
    )
    assert concept_id is not None, uri
    return concept_id


def _page(client: WebClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def _between(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end, page.index(start))]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- search -------------------------------------------------------------------------------------


def test_search_page_first_shows_the_form_and_invites_words(
    client: WebClient, stored_taxonomy: Taxonomy
) -> None:
    page = _page(client, "/taxonomy/")

    assert 'method="get"' in page and 'name="q"' in page
    assert 'type="radio" value="skill"' in page and 'value="occupation"' in page
    assert "Type a few words above" in page


def test_search_ranks_skills_for_misspelt_words_with_scores(
    client: WebClient, session: Session, stored_taxonomy: Taxonomy
) -> None:
    page = _page(client, "/taxonomy/?q=opperate+a+forklfit&kind=skill")

    results = _between(page, "<tbody>", "</tbody>")
    first_row = _between(results, "<tr>", "</tr>")
    assert f'href="/taxonomy/skills/{_id(session, FORKLIFT)}"' in first_row
    assert "operate a forklift" in first_row
    assert re.search(r'class="number">\d+(\.\d)?</td>', first_row)


def test_search_shows_the_matched_label_in_its_language_when_it_is_not_the_name(
    client: WebClient, stored_taxonomy: Taxonomy
) -> None:
    page = _page(client, "/taxonomy/?q=رافعة+شوكية")

    first_row = _between(_between(page, "<tbody>", "</tbody>"), "<tr>", "</tr>")
    assert "operate a forklift" in first_row
    assert '<span lang="ar" dir="auto">تشغيل رافعة شوكية</span>' in first_row


def test_search_for_occupations_links_to_occupation_pages(
    client: WebClient, session: Session, stored_taxonomy: Taxonomy
) -> None:
    page = _page(client, "/taxonomy/?q=cariste&kind=occupation")

    assert "Occupations for “<bdi>cariste</bdi>”" in page
    assert f'href="/taxonomy/occupations/{_id(session, FORKLIFT_DRIVER)}"' in page


def test_search_that_finds_nothing_says_so(client: WebClient, stored_taxonomy: Taxonomy) -> None:
    page = _page(client, "/taxonomy/?q=zzzzqqq+xxyyzz")

    assert "Nothing close to “<bdi>zzzzqqq xxyyzz</bdi>” was found" in page
    assert "<table" not in page


def test_search_words_are_shown_as_text_not_markup(
    client: WebClient, stored_taxonomy: Taxonomy
) -> None:
    page = _page(client, "/taxonomy/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")

    assert "<script>alert(1)" not in page
    assert "<bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>" in page


def test_search_without_a_taxonomy_says_none_is_loaded(client: WebClient) -> None:
    page = _page(client, "/taxonomy/?q=forklift")

    assert "No list of skills and occupations is loaded yet" in page


def test_search_with_too_many_characters_shows_the_problem(
    client: WebClient, stored_taxonomy: Taxonomy
) -> None:
    page = _page(client, "/taxonomy/?q=" + "x" * 201, status=400)

    assert 'class="error-summary"' in page and 'href="#q"' in page
    assert "at most 200 characters" in page


# --- a skill ------------------------------------------------------------------------------------


def test_skill_page_shows_its_names_in_five_languages(
    client: WebClient, session: Session, stored_taxonomy: Taxonomy
) -> None:
    page = _page(client, f"/taxonomy/skills/{_id(session, FORKLIFT)}")

    names = _between(page, 'id="names"', "</section>")
    for language in ("English", "French", "Russian", "Ukrainian", "Arabic"):
        assert f"<dt>{language}" in names
    assert '<span lang="fr" dir="auto">conduire un chariot élévateur</span>' in names
    assert '<span lang="ru" dir="auto">управлять погрузчиком</span>' in names
    assert '<span lang="uk" dir="auto">керувати навантажувачем</span>' in names
    assert '<span lang="ar" dir="auto">تشغيل رافعة شوكية</span>' in names
    assert "<h1>operate a forklift</h1>" in page
    assert "forklift driving" in names and "fork-lift truck" in names


def test_skill_page_splits_the_occupations_needing_it_into_essential_and_optional(
    client: WebClient, session: Session, stored_taxonomy: Taxonomy
) -> None:
    page = _page(client, f"/taxonomy/skills/{_id(session, FORKLIFT)}")

    essential = _between(page, 'id="essential-for"', 'id="optional-for"')
    optional = _between(page, 'id="optional-for"', "</section>")
    assert "(1)" in essential and "(1)" in optional
    assert f'href="/taxonomy/occupations/{_id(session, FORKLIFT_DRIVER)}">forklift driver' in (
        essential
    )
    assert "warehouse operative" not in essential
    assert f'href="/taxonomy/occupations/{_id(session, WAREHOUSE_OPERATIVE)}"' in optional


def test_skill_page_shows_type_reuse_level_group_and_related_skills(
    client: WebClient, session: Session, stored_taxonomy: Taxonomy
) -> None:
    page = _page(client, f"/taxonomy/skills/{_id(session, FORKLIFT)}")

    assert "Skill or competence" in page and "Specific to one sector" in page
    assert "warehousing and logistics" in _between(page, 'id="broader"', "</section>")
    related = _between(page, 'id="related"', "</section>")
    assert f'href="/taxonomy/skills/{_id(session, PALLETS)}">stack pallets' in related


def test_skill_page_shows_the_first_occupations_and_the_count_when_there_are_many(
    client: WebClient,
    session: Session,
    stored_taxonomy: Taxonomy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session.add(
        OccupationSkillLink(
            occupation_id=_id(session, WAREHOUSE_OPERATIVE),
            skill_id=_id(session, SAFETY),
            relation=RelationType.ESSENTIAL,
        )
    )
    session.flush()
    monkeypatch.setattr(taxonomy_pages, "LINKS_CAP", 1)

    page = _page(client, f"/taxonomy/skills/{_id(session, SAFETY)}")

    essential = _text(_between(page, 'id="essential-for"', 'id="optional-for"'))
    assert "(2)" in essential and "Showing the first 1 of 2." in essential
    assert ("forklift driver" in essential) != ("warehouse operative" in essential)


# --- an occupation ------------------------------------------------------------------------------


def test_occupation_page_shows_the_isco_path_from_major_to_unit_group(
    client: WebClient, session: Session, stored_taxonomy: Taxonomy
) -> None:
    page = _page(client, f"/taxonomy/occupations/{_id(session, FORKLIFT_DRIVER)}")

    path = _text(_between(page, '<ol class="isco-path">', "</ol>"))
    assert path == (
        "Major group 8 Plant and machine operators, and assemblers "
        "Sub-major group 83 Drivers and mobile plant operators "
        "Minor group 834 Mobile plant operators "
        "Unit group 8344 Lifting truck operators"
    )


def test_occupation_page_shows_its_essential_and_optional_skills(
    client: WebClient, session: Session, stored_taxonomy: Taxonomy
) -> None:
    page = _page(client, f"/taxonomy/occupations/{_id(session, FORKLIFT_DRIVER)}")

    essential = _between(page, 'id="essential-skills"', 'id="optional-skills"')
    optional = _between(page, 'id="optional-skills"', "</section>")
    assert f'href="/taxonomy/skills/{_id(session, FORKLIFT)}">operate a forklift' in essential
    assert f'href="/taxonomy/skills/{_id(session, SAFETY)}">follow health' in essential
    assert "stack pallets" not in essential
    assert f'href="/taxonomy/skills/{_id(session, PALLETS)}">stack pallets' in optional
    assert '<span lang="ar" dir="auto">سائق رافعة شوكية</span>' in page


def test_a_skill_id_on_the_occupation_page_and_the_reverse_are_not_found(
    client: WebClient, session: Session, stored_taxonomy: Taxonomy
) -> None:
    _page(client, f"/taxonomy/occupations/{_id(session, FORKLIFT)}", status=404)
    _page(client, f"/taxonomy/skills/{_id(session, FORKLIFT_DRIVER)}", status=404)


def test_unknown_concepts_are_not_found(client: WebClient, stored_taxonomy: Taxonomy) -> None:
    _page(client, "/taxonomy/skills/999999", status=404)
    _page(client, "/taxonomy/occupations/999999", status=404)


def test_concepts_of_an_inactive_version_are_not_found(
    client: WebClient, session: Session, stored_taxonomy: Taxonomy
) -> None:
    store_taxonomy(session, small_taxonomy("Older list"), content_hash="older-1")

    _page(client, f"/taxonomy/skills/{_id(session, FORKLIFT, 'Older list')}", status=404)
    _page(
        client, f"/taxonomy/occupations/{_id(session, FORKLIFT_DRIVER, 'Older list')}", status=404
    )


def test_everyone_finds_the_browse_link_in_the_navigation(client: WebClient) -> None:
    assert 'href="/taxonomy/">Browse skills</a>' in _page(client, "/")


# --- learned words (admin) ----------------------------------------------------------------------


@pytest.fixture
def admin(client: WebClient, make: Factory) -> WebClient:
    client.login(make.user(Role.ADMIN).email)
    return client


def _first_skill(client: WebClient, words: str) -> str:
    response = client.get("/api/v1/skills/suggest", query_string={"q": words, "lang": "en"})
    return response.json["candidates"][0]["uri"]  # type: ignore[no-any-return]


def test_admin_list_shows_learned_words_with_their_concept_and_who_taught_them(
    admin: WebClient, session: Session, make: Factory, stored_taxonomy: Taxonomy
) -> None:
    worker = make.user(Role.WORKER, email="teacher@example.org")
    learn_words(session, worker, _id(session, FORKLIFT), "driving the lifter", "en")

    page = _page(admin, "/admin/learned-labels")

    row = _between(_between(page, "<tbody>", "</tbody>"), "<tr>", "</tr>")
    assert "driving the lifter" in row and "English" in row
    assert f'href="/taxonomy/skills/{_id(session, FORKLIFT)}">operate a forklift' in row
    assert "teacher@example.org" in row
    assert re.search(r'class="number">1</td>', row)
    assert 'href="/admin/learned-labels/' in row
    assert 'href="/admin/learned-labels">Learned words</a>' in page


def test_admin_list_without_learned_words_says_so(admin: WebClient) -> None:
    assert "Nobody has taught the portal any words yet." in _page(admin, "/admin/learned-labels")


def test_confirmation_page_shows_what_will_be_removed(
    admin: WebClient, session: Session, stored_taxonomy: Taxonomy
) -> None:
    label = learn_words(session, None, _id(session, FORKLIFT), "погрузчик водить", "ru")

    page = _page(admin, f"/admin/learned-labels/{label.id}/remove")

    assert '<span lang="ru" dir="auto">погрузчик водить</span>' in page
    assert "operate a forklift" in page and "Russian" in page
    assert f'action="/admin/learned-labels/{label.id}/remove"' in page
    assert 'name="csrf_token"' in page


def test_removing_learned_words_stops_them_ranking_their_concept_first(
    admin: WebClient, session: Session, stored_taxonomy: Taxonomy
) -> None:
    label = learn_words(session, None, _id(session, FORKLIFT), "stack pallets", "en")
    assert _first_skill(admin, "stack pallets") == FORKLIFT

    response = admin.post(f"/admin/learned-labels/{label.id}/remove", follow_redirects=True)

    assert response.status_code == 200
    assert "“stack pallets” no longer points to its concept." in response.get_data(as_text=True)
    session.refresh(label)
    assert label.removed_at is not None
    assert _first_skill(admin, "stack pallets") == PALLETS
    assert "stack pallets" not in _page(admin, "/admin/learned-labels")


def test_removing_words_already_removed_says_so(
    admin: WebClient, session: Session, stored_taxonomy: Taxonomy
) -> None:
    label = learn_words(session, None, _id(session, FORKLIFT), "lifter work", "en")
    url = f"/admin/learned-labels/{label.id}/remove"
    token_page = "/admin/learned-labels"
    admin.post(url, page=url)

    response = admin.post(url, page=token_page, follow_redirects=True)

    assert "There is no such learned label." in response.get_data(as_text=True)
    _page(admin, url, status=404)


def test_a_worker_may_not_see_or_remove_learned_words(
    client: WebClient, session: Session, make: Factory, stored_taxonomy: Taxonomy
) -> None:
    label = learn_words(session, None, _id(session, FORKLIFT), "stack pallets", "en")
    client.login(make.user(Role.WORKER).email)
    url = f"/admin/learned-labels/{label.id}/remove"

    assert client.get("/admin/learned-labels").status_code == 403
    assert client.get(url).status_code == 403
    assert client.post(url, page="/").status_code == 403
    session.refresh(label)
    assert label.removed_at is None


def test_anonymous_visitors_are_sent_to_log_in_for_learned_words(
    client: WebClient, session: Session, app: Flask, stored_taxonomy: Taxonomy
) -> None:
    label = learn_words(session, None, _id(session, FORKLIFT), "stack pallets", "en")
    url = f"/admin/learned-labels/{label.id}/remove"

    for response in (
        client.get("/admin/learned-labels"),
        client.get(url),
        client.post(url, page="/login"),
    ):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    assert session.get(LearnedLabel, label.id).removed_at is None  # type: ignore[union-attr]
