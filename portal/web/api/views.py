"""The JSON API, version 1: suggestions of skills and occupations for free text.

Public, because anonymous people need type-ahead while they register. Errors answer in the
API's one shape (see portal.web.api.errors).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _

from portal.errors import ValidationProblem
from portal.models import ConceptKind
from portal.services import taxonomy
from portal.services.taxonomy import SUGGEST_LIMIT_MAX
from portal.services.taxonomy_pages import WORDS_MAX
from portal.web.api.blueprint import blueprint
from portal.web.session import db_session
from portal.web.taxonomy.languages import page_language

DEFAULT_LIMIT = 10
LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,8}")
WHOLE_NUMBER = re.compile(r"[0-9]{1,6}")
PUBLIC_CACHE = "public, max-age=60"


@blueprint.get("/skills/suggest")
def suggest_skills() -> Response:
    return _suggest(ConceptKind.SKILL)


@blueprint.get("/occupations/suggest")
def suggest_occupations() -> Response:
    return _suggest(ConceptKind.OCCUPATION)


def _suggest(kind: ConceptKind) -> Response:
    query, lang, limit = _query(), _language(), _limit()
    session = db_session()
    suggestions = taxonomy.suggest(session, kind, query, lang=lang, limit=limit)
    body: dict[str, Any] = {
        "query": query,
        "lang": lang,
        "candidates": [
            {
                "id": suggestion.id,
                "uri": suggestion.uri,
                "label": suggestion.label,
                "lang": suggestion.lang,
                "score": suggestion.score,
                "preferred_label": suggestion.preferred_label,
            }
            for suggestion in suggestions
        ],
    }
    if not suggestions and taxonomy.active_version(session) is None:
        body["message"] = _("No taxonomy is loaded yet, so there is nothing to suggest.")
    response = jsonify(body)
    response.headers["Cache-Control"] = PUBLIC_CACHE
    response.vary.add("Accept-Language")  # the default `lang`
    return response


def _query() -> str:
    query = request.args.get("q", "")
    if not query.strip():
        raise ValidationProblem("q", _("Give the words to look up in the q parameter."))
    if len(query) > WORDS_MAX:
        raise ValidationProblem(
            "q", _("The q parameter has at most %(max)d characters.", max=WORDS_MAX)
        )
    return query


def _language() -> str:
    lang = request.args.get("lang")
    if lang is None:
        return page_language()
    if not LANGUAGE_CODE.fullmatch(lang):
        raise ValidationProblem(
            "lang", _("The lang parameter is a language code of 2 to 8 letters, like en or ar.")
        )
    return lang.lower()


def _limit() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= SUGGEST_LIMIT_MAX:
        raise ValidationProblem(
            "limit",
            _("The limit parameter is a whole number from 1 to %(max)d.", max=SUGGEST_LIMIT_MAX),
        )
    return int(raw)
