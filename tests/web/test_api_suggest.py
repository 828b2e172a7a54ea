"""The public suggest API: free text in any language → ranked skills or occupations, as JSON."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.models import Role
from portal.services.taxonomy import store_taxonomy
from portal.taxonomy.model import Taxonomy
from tests.conftest import Factory, WebClient, small_taxonomy

BASE = "https://skills-portal.example/test"
SKILLS = "/api/v1/skills/suggest"
OCCUPATIONS = "/api/v1/occupations/suggest"


def _suggest(client: WebClient, url: str, **params: Any) -> dict[str, Any]:
    response = client.get(url, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json  # type: ignore[no-any-return]


def test_misspelt_english_words_suggest_the_skill_first_with_every_field(
    client: WebClient, stored_taxonomy: Taxonomy
) -> None:
    body = _suggest(client, SKILLS, q="opperate a forklfit", lang="en")

    best = body["candidates"][0]
    assert set(best) == {"id", "uri", "label", "lang", "score", "preferred_label"}
    assert best["uri"] == f"{BASE}/skill/forklift"
    assert (best["label"], best["lang"]) == ("operate a forklift", "en")
    assert best["preferred_label"] == "operate a forklift"
    assert isinstance(best["id"], int) and 60 <= best["score"] < 100


def test_russian_words_match_the_russian_label_and_name_it_in_russian(
    client: WebClient, stored_taxonomy: Taxonomy
) -> None:
    body = _suggest(client, SKILLS, q="погрузчиком", lang="ru")

    best = body["candidates"][0]
    assert best["uri"] == f"{BASE}/skill/forklift"
    assert (best["label"], best["lang"]) == ("управлять погрузчиком", "ru")
    assert best["preferred_label"] == "управлять погрузчиком"


def test_arabic_words_match_the_arabic_label_and_name_it_in_the_asked_language(
    client: WebClient, stored_taxonomy: Taxonomy
) -> None:
    body = _suggest(client, SKILLS, q="رافعة شوكية", lang="en")

    best = body["candidates"][0]
    assert best["uri"] == f"{BASE}/skill/forklift"
    assert (best["label"], best["lang"]) == ("تشغيل رافعة شوكية", "ar")
    assert best["preferred_label"] == "operate a forklift"


def test_occupation_suggest_finds_occupations_not_skills(
    client: WebClient, stored_taxonomy: Taxonomy
) -> None:
    body = _suggest(client, OCCUPATIONS, q="forklift drivr", lang="fr")

    uris = [candidate["uri"] for candidate in body["candidates"]]
    assert uris[0] == f"{BASE}/occupation/forklift-driver"
    assert all("/occupation/" in uri for uri in uris)
    assert body["candidates"][0]["preferred_label"] == "cariste"


def test_the_answer_echoes_the_query_and_language(
    client: WebClient, stored_taxonomy: Taxonomy
) -> None:
    body = _suggest(client, SKILLS, q="forklift driving", lang="UK")

    assert (body["query"], body["lang"]) == ("forklift driving", "uk")
    assert "message" not in body


def test_the_language_defaults_to_the_page_language(
    client: WebClient, stored_taxonomy: Taxonomy
) -> None:
    assert _suggest(client, SKILLS, q="forklift driving")["lang"] == "en"


def test_words_close_to_nothing_get_no_candidates(
    client: WebClient, stored_taxonomy: Taxonomy
) -> None:
    assert _suggest(client, SKILLS, q="zzzzqqq xxyyzz")["candidates"] == []


def test_limit_caps_the_number_of_candidates(client: WebClient, stored_taxonomy: Taxonomy) -> None:
    query = "forklift driver warehouse operative"
    assert len(_suggest(client, OCCUPATIONS, q=query)["candidates"]) == 2

    assert len(_suggest(client, OCCUPATIONS, q=query, limit=1)["candidates"]) == 1


def test_anonymous_answers_may_be_cached_for_a_minute(
    client: WebClient, stored_taxonomy: Taxonomy
) -> None:
    response = client.get(SKILLS, query_string={"q": "forklift driving"})

    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Accept-Language" in response.headers["Vary"]


def test_answers_to_a_logged_in_user_are_not_stored(
    client: WebClient, make: Factory, stored_taxonomy: Taxonomy
) -> None:
    client.login(make.user(Role.WORKER).email)

    response = client.get(SKILLS, query_string={"q": "forklift driving"})

    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("params", "words_in_message"),
    [
        ({}, "q parameter"),
        ({"q": "   "}, "q parameter"),
        ({"q": "x" * 201}, "200"),
        ({"q": "forklift", "limit": "ten"}, "limit"),
        ({"q": "forklift", "limit": "0"}, "limit"),
        ({"q": "forklift", "limit": "51"}, "limit"),
        ({"q": "forklift", "limit": "-1"}, "limit"),
        ({"q": "forklift", "limit": "2.5"}, "limit"),
        ({"q": "forklift", "lang": "e"}, "lang"),
        ({"q": "forklift", "lang": "abcdefghi"}, "lang"),
        ({"q": "forklift", "lang": "en-GB"}, "lang"),
        ({"q": "forklift", "lang": "e1"}, "lang"),
    ],
    ids=[
        "no-q",
        "blank-q",
        "long-q",
        "limit-word",
        "limit-0",
        "limit-51",
        "limit-negative",
        "limit-fraction",
        "lang-1-letter",
        "lang-9-letters",
        "lang-region",
        "lang-digit",
    ],
)
@pytest.mark.parametrize("url", [SKILLS, OCCUPATIONS], ids=["skills", "occupations"])
def test_bad_parameters_get_422_with_a_json_error_saying_what_is_wrong(
    client: WebClient,
    stored_taxonomy: Taxonomy,
    url: str,
    params: dict[str, str],
    words_in_message: str,
) -> None:
    response = client.get(url, query_string=params)

    assert response.status_code == 422
    assert response.is_json
    error = response.json["error"]
    assert set(error) == {"status", "code", "message", "fields"}
    assert (error["status"], error["code"]) == (422, "invalid")
    assert words_in_message in error["message"]
    wrong = next((name for name in ("limit", "lang") if name in params), "q")
    assert list(error["fields"]) == [wrong]


def test_words_of_exactly_the_maximum_length_are_accepted(
    client: WebClient, stored_taxonomy: Taxonomy
) -> None:
    body = _suggest(client, SKILLS, q="forklift " + "x" * 191, limit=50, lang="abcdefgh")

    assert body["lang"] == "abcdefgh"


def test_without_a_taxonomy_the_answer_is_empty_with_a_message(client: WebClient) -> None:
    body = _suggest(client, SKILLS, q="forklift")

    assert body["candidates"] == []
    assert "No taxonomy" in body["message"]


def test_a_stored_but_inactive_taxonomy_suggests_nothing(
    client: WebClient, session: Session
) -> None:
    store_taxonomy(session, small_taxonomy(), content_hash="small-1", activate_if_none=False)

    body = _suggest(client, OCCUPATIONS, q="forklift driver")

    assert body["candidates"] == [] and body["message"]
