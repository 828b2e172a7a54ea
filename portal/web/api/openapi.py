"""The OpenAPI 3.1 document of API v1, served at /api/v1/openapi.json.

Built from small helpers as a plain dict: every path, parameter, request body and answer of the
API, the one error shape and the bearer token scheme. A test fails when a route of the API is
missing here, or this describes one that does not exist; another checks the document with
openapi-spec-validator, and schemathesis fuzzes the API against it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from flask import Response, jsonify

from portal.models import LanguageLevel, PayPeriod, PlacementState, Sex
from portal.models.vacancies import POSITIONS_MAX, TITLE_MAX, VacancyState
from portal.models.workers import (
    NAME_PART_MAX,
    PHONE_MAX,
    WORDS_MAX,
    Evidence,
    ExperienceKind,
    ProfileStatus,
    Recognition,
    SkillSource,
)
from portal.reporting.disclosure import DEFAULT_K, MIN_K
from portal.reporting.indicators import DIMENSIONS, FILTER_DIMENSIONS
from portal.services.placements import FEE_DETAILS_MAX, REASON_MAX
from portal.services.taxonomy import SUGGEST_LIMIT_MAX
from portal.services.taxonomy_pages import WORDS_MAX as SUGGEST_WORDS_MAX
from portal.services.vacancies import DESCRIPTION_MAX, MAX_HOURS_PER_WEEK
from portal.services.workers import MAX_LANGUAGES as WORKER_LANGUAGES_MAX
from portal.taxonomy.model import RelationType
from portal.web.api.blueprint import ID_MAX, blueprint
from portal.web.api.errors import CODES
from portal.web.api.input import PER_PAGE_MAX
from portal.web.api.placements import Action
from portal.web.api.statistics import BY_MAX, FILTER_MAX, K_MAX
from portal.web.api.vacancies import VACANCY_FIELDS, WORKPLACE_MAX
from portal.web.api.workers import BIRTH_YEARS, EMAIL_MAX, SEARCH_MAX, WORKER_FIELDS
from portal.web.employer.forms import MAX_LANGUAGES, MAX_TYPED_SKILLS, PAY_MAX

Schema = dict[str, Any]
PREFIX = "/api/v1"
BEARER = "bearerAuth"
ERROR_CODES = sorted({*CODES.values(), "invalid_token", "invalid_transition", "no_data"})
WHO_MAKES_THEM = "administrators, employers and labour providers"
NEW_VACANCY_REQUIRED = ("title", "positions", "region_id", "start_date")


@blueprint.get("/openapi.json")
def openapi() -> Response:
    """The document (public: it describes, it holds nothing)."""
    response = jsonify(document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# --- helpers --------------------------------------------------------------------------------------


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def text(max_length: int | None = None, **extra: Any) -> Schema:
    schema: Schema = {"type": "string", **extra}
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def integer(minimum: int | None = None, maximum: int | None = None, **extra: Any) -> Schema:
    schema: Schema = {"type": "integer", **extra}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def number(**extra: Any) -> Schema:
    return {"type": "number", **extra}


def boolean(**extra: Any) -> Schema:
    return {"type": "boolean", **extra}


def identifier(**extra: Any) -> Schema:
    return integer(1, ID_MAX, **extra)


def choice(values: Iterable[Any], **extra: Any) -> Schema:
    return {"type": "string", "enum": [str(getattr(v, "value", v)) for v in values], **extra}


def moment() -> Schema:
    return {"type": "string", "format": "date-time"}


def day() -> Schema:
    return {"type": "string", "format": "date"}


def nullable(schema: Schema) -> Schema:
    """The schema, or null. Simple types name null among their types; others take anyOf."""
    kind = schema.get("type")
    if isinstance(kind, str) and "enum" not in schema:
        return {**schema, "type": [kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def array(items: Schema, **extra: Any) -> Schema:
    return {"type": "array", "items": items, **extra}


def obj(
    properties: Mapping[str, Schema],
    *,
    optional: Iterable[str] = (),
    description: str | None = None,
) -> Schema:
    """An object with exactly these properties, all present but the `optional` ones."""
    absent = set(optional)
    schema: Schema = {
        "type": "object",
        "properties": dict(properties),
        "required": [name for name in properties if name not in absent],
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def page_of(item: str) -> Schema:
    return obj(
        {
            "items": array(ref(item)),
            "page": integer(1, description="The page asked for (an empty one past the last)."),
            "per_page": integer(1, PER_PAGE_MAX),
            "total": integer(0, description="How many there are on every page together."),
        }
    )


def json_content(schema: Schema) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def answer(description: str, schema: Schema, headers: Mapping[str, Any] | None = None) -> Schema:
    found: Schema = {"description": description, "content": json_content(schema)}
    if headers:
        found["headers"] = dict(headers)
    return found


ERROR_ANSWERS: Mapping[int, str] = {
    400: "The body is not a JSON object.",
    401: "No token, or a token that is unknown, revoked or expired, or whose account is closed.",
    403: "The token's account may not do this (its role, or only another party may).",
    404: "There is no such thing, or the token's account may not see it.",
    409: "Not possible now: the state forbids this step, or someone acted first.",
    413: "The body is too large.",
    422: "Some values are not acceptable: `fields` says why, field by field.",
    500: "Something went wrong on the portal's side (it is logged).",
}


def errors(*statuses: int) -> dict[str, Schema]:
    """The error answers of an operation, each the Error schema (components/responses)."""
    return {
        str(status): {"$ref": f"#/components/responses/Error{status}"}
        for status in sorted(set(statuses))
    }


def parameter(name: str, where: str, schema: Schema, description: str, **extra: Any) -> Schema:
    return {"name": name, "in": where, "schema": schema, "description": description, **extra}


def path_id(name: str, what: str) -> Schema:
    return parameter(name, "path", identifier(), f"The {what}'s id.", required=True)


PAGE_PARAMETERS = [
    parameter("page", "query", integer(1, ID_MAX, default=1), "The page, from 1."),
    parameter(
        "per_page",
        "query",
        integer(1, PER_PAGE_MAX, default=25),
        f"How many on a page, at most {PER_PAGE_MAX} (default: the portal's page size).",
    ),
]


def operation(
    summary: str,
    *,
    tag: str,
    answers: Mapping[str, Schema],
    description: str = "",
    parameters: Iterable[Schema] = (),
    body: Schema | None = None,
    public: bool = False,
    operation_id: str,
) -> Schema:
    found: Schema = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "responses": dict(answers),
        "security": [] if public else [{BEARER: []}],
    }
    if description:
        found["description"] = description
    parameters = list(parameters)
    if parameters:
        found["parameters"] = parameters
    if body is not None:
        found["requestBody"] = {"required": True, "content": json_content(body)}
    return found


def with_token(*statuses: int) -> dict[str, Schema]:
    return errors(401, 403, 500, *statuses)


# --- schemas --------------------------------------------------------------------------------------


def _error_schema() -> Schema:
    return obj(
        {
            "error": obj(
                {
                    "status": integer(400, 599),
                    "code": choice(ERROR_CODES),
                    "message": text(),
                    "fields": {
                        "type": "object",
                        "description": 'Refused fields ("languages[0].code" for one in a '
                        "list), each with its messages.",
                        "additionalProperties": array(text()),
                    },
                },
                optional=["fields"],
            )
        }
    )


def _language(level_name: str) -> Schema:
    return obj({"code": text(3, minLength=1), level_name: choice(LanguageLevel)})


def _worker_schemas() -> dict[str, Schema]:
    summary = {
        "id": identifier(),
        "reference": text(description="The provider's id for the worker, or a stable one."),
        "external_id": nullable(text()),
        "provider_id": nullable(identifier()),
        "status": choice(ProfileStatus),
        "given_name": text(),
        "family_name": text(),
        "email": nullable(text()),
        "phone": nullable(text()),
        "has_login": boolean(),
        "created_at": moment(),
        "updated_at": moment(),
    }
    return {
        "WorkerSummary": obj(summary),
        "Worker": obj(
            {
                **summary,
                "sex": nullable(choice(Sex)),
                "birth_year": nullable(integer()),
                "country_of_origin": nullable(text()),
                "nationality": nullable(text()),
                "languages": array(_language("level")),
                "region_id": nullable(identifier()),
                "relocate_anywhere": boolean(),
                "relocation_region_ids": array(identifier()),
                "available_from": nullable(day()),
                "available_until": nullable(day()),
                "skills": array(
                    obj(
                        {
                            "id": identifier(),
                            "words": text(),
                            "concept_uri": nullable(text()),
                            "concept_label": nullable(text()),
                            "evidence": choice(Evidence),
                            "source": choice(SkillSource),
                        }
                    )
                ),
                "experiences": array(
                    obj(
                        {
                            "id": identifier(),
                            "words": text(),
                            "occupation_uri": nullable(text()),
                            "occupation_label": nullable(text()),
                            "years": number(),
                            "kind": choice(ExperienceKind),
                        }
                    )
                ),
                "qualifications": array(
                    obj(
                        {
                            "id": identifier(),
                            "title": text(),
                            "country": nullable(text()),
                            "level": text(),
                            "recognition": choice(Recognition),
                        }
                    )
                ),
            },
            description="A worker in full, for their labour provider and admins only.",
        ),
        "NewWorker": obj(
            {
                "given_name": text(NAME_PART_MAX, minLength=1),
                "family_name": text(NAME_PART_MAX),
                "email": nullable(text(EMAIL_MAX, format="email")),
                "phone": nullable(text(PHONE_MAX, description="Like +44 7700 900123.")),
                "sex": nullable(choice(Sex)),
                "birth_year": nullable(integer(*BIRTH_YEARS)),
                "country_of_origin": nullable(text(2, description="ISO 3166-1 alpha-2.")),
                "nationality": nullable(text(2, description="ISO 3166-1 alpha-2.")),
                "languages": array(_language("level"), maxItems=WORKER_LANGUAGES_MAX),
            },
            optional=[name for name in WORKER_FIELDS if name != "given_name"],
            description="A worker registered by a labour provider: an email or a phone is "
            "needed. Sex, birth year and origin are for statistics only.",
        ),
    }


def _vacancy_schemas() -> dict[str, Schema]:
    named = obj({"id": identifier(), "name": text()})
    summary = {
        "id": identifier(),
        "reference": text(),
        "state": choice(VacancyState),
        "title": text(),
        "organisation": named,
        "occupation": nullable(text(description="In the language asked for, if known.")),
        "region": named,
        "positions": integer(1),
        "positions_left": integer(0),
        "start_date": day(),
        "apply_by": nullable(day()),
        "published_at": nullable(moment()),
        "updated_at": moment(),
    }
    skill = obj(
        {
            "relation": choice(RelationType),
            "words": text(),
            "concept_uri": nullable(text()),
            "concept_label": nullable(text()),
        }
    )
    return {
        "VacancySummary": obj(summary),
        "Vacancy": obj(
            {
                **summary,
                "external_id": nullable(text()),
                "occupation_uri": nullable(text()),
                "occupation_words": text(),
                "isco_code": nullable(text()),
                "sector": nullable(text()),
                "description": text(),
                "workplace": text(),
                "end_date": nullable(day()),
                "hours_per_week": nullable(number()),
                "pay": nullable(
                    obj(
                        {
                            "amount": text(pattern=r"^[0-9]+\.[0-9]{2}$"),
                            "currency": nullable(text()),
                            "period": nullable(choice(PayPeriod)),
                        }
                    )
                ),
                "accommodation": boolean(),
                "transport": boolean(),
                "no_fee_pledge": boolean(),
                "languages": array(_language("min_level")),
                "skills": array(skill),
                "created_at": moment(),
                "moderation_note": text(
                    description="For the organisation's members and admins only."
                ),
            },
            optional=["moderation_note"],
        ),
        "NewVacancy": obj(
            {
                "organisation_id": identifier(
                    description="The employer organisation: required of admins; employers "
                    "post for their own."
                ),
                "title": text(TITLE_MAX, minLength=1),
                "positions": integer(1, POSITIONS_MAX),
                "region_id": identifier(),
                "start_date": day(),
                "end_date": nullable(day()),
                "apply_by": nullable(day()),
                "occupation_id": nullable(
                    identifier(description="An occupation of the active taxonomy.")
                ),
                "occupation_words": text(WORDS_MAX),
                "description": text(DESCRIPTION_MAX),
                "skills": array(
                    obj(
                        {
                            "words": text(WORDS_MAX, minLength=1),
                            "concept_id": nullable(
                                identifier(description="A skill of the active taxonomy.")
                            ),
                            "relation": choice(RelationType, default="essential"),
                        },
                        optional=["concept_id", "relation"],
                    ),
                    maxItems=MAX_TYPED_SKILLS,
                ),
                "workplace": text(WORKPLACE_MAX),
                "hours_per_week": nullable(number(exclusiveMinimum=0, maximum=MAX_HOURS_PER_WEEK)),
                "pay_amount": nullable(
                    number(minimum=0, maximum=float(PAY_MAX), description="Rounded to cents.")
                ),
                "pay_currency": nullable(text(3, description="ISO 4217, like EUR.")),
                "pay_period": nullable(choice(PayPeriod)),
                "accommodation": boolean(default=False),
                "transport": boolean(default=False),
                "languages": array(_language("min_level"), maxItems=MAX_LANGUAGES),
                "no_fee_pledge": boolean(
                    default=False,
                    description="That workers pay no recruitment fees or related costs: no "
                    "pledge, no publication.",
                ),
            },
            optional=[name for name in VACANCY_FIELDS if name not in NEW_VACANCY_REQUIRED],
            description="A draft vacancy; it is submitted and published on the pages.",
        ),
    }


def _match_schemas() -> dict[str, Schema]:
    skill = obj({"uri": text(), "label": text()})
    matched = obj(
        {
            "wanted": skill,
            "offered": skill,
            "link": choice(["exact", "narrower", "broader", "related", "same-group"]),
            "credit": number(minimum=0, maximum=1),
        }
    )
    placement = nullable(obj({"id": identifier(), "state": choice(PlacementState)}))
    explanation = obj(
        {
            "essential_matched": array(matched),
            "essential_missing": array(skill),
            "optional_matched": array(matched),
            "optional_missing": array(skill),
            "experience": nullable(
                obj(
                    {
                        "occupation_uri": text(),
                        "label": text(),
                        "years": number(),
                        "proximity": text(),
                        "credit": number(),
                    }
                )
            ),
            "languages": array(
                obj(
                    {
                        "code": text(),
                        "required": text(),
                        "held": nullable(text()),
                        "met": boolean(),
                    }
                )
            ),
            "gates": array(obj({"gate": text(), "passed": boolean(), "reason": text()})),
            "parts": obj(
                {
                    "essential": number(),
                    "optional": nullable(number()),
                    "experience": number(),
                    "languages": nullable(number()),
                    "weights": {"type": "object", "additionalProperties": number()},
                    "demotion": number(),
                }
            ),
            "no_skills_listed": boolean(),
        },
        description="Why a score is what it is, in codes a client words in its language.",
    )
    return {
        "Skill": skill,
        "Explanation": explanation,
        "WorkerMatches": obj(
            {
                "worker_id": identifier(),
                "computed_at": nullable(moment()),
                "items": array(
                    obj(
                        {
                            "vacancy": obj(
                                {"id": identifier(), "reference": text(), "title": text()}
                            ),
                            "score": number(minimum=0, maximum=100),
                            "essential_coverage": number(minimum=0, maximum=1),
                            "eligible": boolean(),
                            "explanation": ref("Explanation"),
                            "placement": placement,
                        }
                    ),
                    description="The best matches on open vacancies, at most 50.",
                ),
                "skill_gaps": array(
                    obj({"skill": ref("Skill"), "unlocks": integer(0), "wanted_by": integer(0)})
                ),
                "no_proposal": nullable(
                    obj(
                        {
                            "reason": text(),
                            "vacancy_id": nullable(identifier()),
                            "vacancy_title": text(),
                            "positions": integer(0),
                            "winners_covered": integer(0),
                            "covered": integer(0),
                            "essential_total": integer(0),
                            "missing": array(ref("Skill")),
                        }
                    )
                ),
            }
        ),
        "Candidate": obj(
            {
                "rank": integer(1),
                "reference": text(description="Never a name: that comes once they accept."),
                "score": number(minimum=0, maximum=100),
                "essential_coverage": number(minimum=0, maximum=1),
                "explanation": ref("Explanation"),
                "placement": placement,
            }
        ),
    }


def _placement_schemas() -> dict[str, Schema]:
    placement = {
        "id": identifier(),
        "state": choice(PlacementState),
        "score": nullable(number()),
        "vacancy": obj({"id": identifier(), "title": text(), "employer": text()}),
        "worker": obj(
            {
                "reference": nullable(text(description="None once the worker's data is erased.")),
                "name": nullable(
                    text(description="For an employer, only once the worker has accepted.")
                ),
            }
        ),
        "actions": array(choice(Action), description="The steps the token's account may take now."),
        "offer_expires_at": nullable(moment()),
        "created_at": moment(),
        "updated_at": moment(),
        "fee_asked": nullable(boolean(description="For admins only.")),
        "fee_details": text(description="For admins only."),
    }
    admin_only = ["fee_asked", "fee_details"]
    event = obj(
        {
            "at": moment(),
            "from_state": nullable(choice(PlacementState)),
            "to_state": choice(PlacementState),
            "actor": text(
                description="Who acted: named to admins, otherwise only the kind of party "
                "(worker, provider, employer, admin, system)."
            ),
            "reason": text(),
        }
    )
    return {
        "PlacementSummary": obj(placement, optional=admin_only),
        "Placement": obj({**placement, "events": array(event)}, optional=admin_only),
        "Transition": obj(
            {
                "action": choice(Action),
                "reason": text(REASON_MAX, description="Kept with decline, withdraw, no-show."),
                "fee_asked": boolean(
                    description='With accept, required: "Were you asked to pay anything to get '
                    'this job?"'
                ),
                "fee_details": text(FEE_DETAILS_MAX, description="With accept: who, how much."),
            },
            optional=["reason", "fee_asked", "fee_details"],
        ),
    }


def _statistics_schema() -> Schema:
    shown = {"type": ["integer", "number", "string"]}
    words = {"type": "object", "additionalProperties": text()}
    return obj(
        {
            "metadata": obj(
                {
                    "generated_at": moment(),
                    "taxonomy_version": text(),
                    "k": integer(MIN_K),
                    "suppression_rule": text(),
                    "suppressed_marker": text(),
                    "filters": words,
                    "definitions": words,
                }
            ),
            "tables": array(
                obj(
                    {
                        "name": text(),
                        "title": text(),
                        "definition": text(),
                        "row_dimension": text(),
                        "column_dimension": text(),
                        "rows": array(text()),
                        "columns": array(text()),
                        "cells": array(array(shown)),
                        "row_totals": array(shown),
                        "column_totals": array(shown),
                        "total": shown,
                    }
                )
            ),
        },
        description="The JSON export: withheld figures are the suppressed marker, figures "
        "that do not exist are empty text.",
    )


def _suggestions_schema() -> Schema:
    return obj(
        {
            "query": text(),
            "lang": text(),
            "candidates": array(
                obj(
                    {
                        "id": identifier(),
                        "uri": text(),
                        "label": text(),
                        "lang": text(),
                        "score": number(),
                        "preferred_label": text(),
                    }
                )
            ),
            "message": text(description="Why there is nothing to suggest (no taxonomy)."),
        },
        optional=["message"],
    )


# --- paths ----------------------------------------------------------------------------------------


def _worker_paths() -> dict[str, Schema]:
    return {
        "/workers": {
            "get": operation(
                "A labour provider's workers (every worker, for an admin)",
                tag="workers",
                operation_id="listWorkers",
                parameters=[
                    *PAGE_PARAMETERS,
                    parameter(
                        "q",
                        "query",
                        text(SEARCH_MAX),
                        "Words that the name, email or provider's id must contain.",
                    ),
                ],
                answers={
                    "200": answer("The workers, by family name.", page_of("WorkerSummary")),
                    **with_token(422),
                },
            ),
            "post": operation(
                "Register a worker for the labour provider",
                tag="workers",
                operation_id="registerWorker",
                description="Labour providers only, once an admin has verified their "
                "organisation. The profile is a draft; skills and consent follow on the pages.",
                body=ref("NewWorker"),
                answers={
                    "201": answer(
                        "The worker registered.",
                        ref("Worker"),
                        {"Location": {"schema": text(), "required": True}},
                    ),
                    **with_token(400, 413, 422),
                },
            ),
        },
        "/workers/{worker_id}": {
            "get": operation(
                "One worker in full",
                tag="workers",
                operation_id="getWorker",
                description="The provider's own workers, any for an admin. The view is kept "
                "in the audit trail.",
                parameters=[path_id("worker_id", "worker")],
                answers={"200": answer("The worker.", ref("Worker")), **with_token(404)},
            )
        },
        "/workers/{worker_id}/matches": {
            "get": operation(
                "A worker's matches, explained",
                tag="matches",
                operation_id="getWorkerMatches",
                parameters=[path_id("worker_id", "worker")],
                answers={
                    "200": answer("Matches, skill gaps and why no proposal.", ref("WorkerMatches")),
                    **with_token(404),
                },
            )
        },
    }


def _vacancy_paths() -> dict[str, Schema]:
    return {
        "/vacancies": {
            "get": operation(
                "Vacancies",
                tag="vacancies",
                operation_id="listVacancies",
                description="An employer's own in every state, every one for an admin, the "
                "open ones for labour providers.",
                parameters=PAGE_PARAMETERS,
                answers={
                    "200": answer("The vacancies.", page_of("VacancySummary")),
                    **with_token(422),
                },
            ),
            "post": operation(
                "Create a draft vacancy",
                tag="vacancies",
                operation_id="createVacancy",
                body=ref("NewVacancy"),
                answers={
                    "201": answer(
                        "The draft.",
                        ref("Vacancy"),
                        {"Location": {"schema": text(), "required": True}},
                    ),
                    **with_token(400, 404, 413, 422),
                },
            ),
        },
        "/vacancies/{vacancy_id}": {
            "get": operation(
                "One vacancy",
                tag="vacancies",
                operation_id="getVacancy",
                description="One of the employer's own (any, for an admin) in any state; "
                "otherwise an open one.",
                parameters=[path_id("vacancy_id", "vacancy")],
                answers={"200": answer("The vacancy.", ref("Vacancy")), **with_token(404)},
            )
        },
        "/vacancies/{vacancy_id}/candidates": {
            "get": operation(
                "A vacancy's ranked candidates",
                tag="matches",
                operation_id="listCandidates",
                description="For the vacancy's employer and admins: by reference, with the "
                "explanation of each score; never a name, sex, age or origin.",
                parameters=[path_id("vacancy_id", "vacancy"), *PAGE_PARAMETERS],
                answers={
                    "200": answer("The candidates, best first.", page_of("Candidate")),
                    **with_token(404, 422),
                },
            )
        },
    }


def _placement_paths() -> dict[str, Schema]:
    return {
        "/placements": {
            "get": operation(
                "Placements the token's account is a party to (every one, for an admin)",
                tag="placements",
                operation_id="listPlacements",
                parameters=[
                    *PAGE_PARAMETERS,
                    parameter("state", "query", choice(PlacementState), "Only in this state."),
                ],
                answers={
                    "200": answer("The placements, newest first.", page_of("PlacementSummary")),
                    **with_token(422),
                },
            )
        },
        "/placements/{placement_id}": {
            "get": operation(
                "One placement with its history",
                tag="placements",
                operation_id="getPlacement",
                parameters=[path_id("placement_id", "placement")],
                answers={"200": answer("The placement.", ref("Placement")), **with_token(404)},
            )
        },
        "/placements/{placement_id}/transitions": {
            "post": operation(
                "Take a step: offer, accept, decline, withdraw, start, finish, no-show",
                tag="placements",
                operation_id="takeStep",
                description="The same rules as the pages: a step the state does not allow is "
                "409 (invalid_transition); one that only another party may take is 403.",
                parameters=[path_id("placement_id", "placement")],
                body=ref("Transition"),
                answers={
                    "200": answer("The placement after the step.", ref("Placement")),
                    **with_token(400, 404, 409, 413, 422),
                },
            )
        },
    }


def _other_paths() -> dict[str, Schema]:
    suggest_parameters = [
        parameter(
            "q",
            "query",
            text(SUGGEST_WORDS_MAX, minLength=1),
            "Free text in any language.",
            required=True,
        ),
        parameter(
            "lang",
            "query",
            text(pattern="^[A-Za-z]{2,8}$"),
            "The language to name concepts in (default: Accept-Language).",
        ),
        parameter("limit", "query", integer(1, SUGGEST_LIMIT_MAX, default=10), "How many at most."),
    ]
    suggestions = {
        "200": answer("Candidates, best first.", ref("Suggestions")),
        **errors(422, 500),
    }
    statistics_parameters = [
        parameter(
            "by",
            "query",
            text(BY_MAX),
            f"Dimensions of the rows, comma-separated: {', '.join(DIMENSIONS)} (sex is always "
            "the columns). Empty: tables by sex alone.",
        ),
        parameter("from", "query", text(pattern=r"^[0-9]{4}-[0-9]{2}$"), "First month, YYYY-MM."),
        parameter("to", "query", text(pattern=r"^[0-9]{4}-[0-9]{2}$"), "Last month, YYYY-MM."),
        parameter(
            "k",
            "query",
            integer(MIN_K, K_MAX, default=DEFAULT_K),
            "Counts from 1 to k-1 are withheld (with secondary suppression).",
        ),
        *(
            parameter(name, "query", text(FILTER_MAX), f"Only workers of this {name}.")
            for name in FILTER_DIMENSIONS
        ),
    ]
    return {
        "/statistics": {
            "get": operation(
                "Statistics by sex, small counts withheld (admins)",
                tag="statistics",
                operation_id="getStatistics",
                description="Exactly the JSON export of the dashboard and of `portal stats "
                "export --format json`. 404 (no_data) when nobody registered in the period.",
                parameters=statistics_parameters,
                answers={
                    "200": answer("The tables and their metadata.", ref("Statistics")),
                    **with_token(404, 422),
                },
            )
        },
        "/skills/suggest": {
            "get": operation(
                "Skills for free text",
                tag="taxonomy",
                operation_id="suggestSkills",
                public=True,
                parameters=suggest_parameters,
                answers=suggestions,
            )
        },
        "/occupations/suggest": {
            "get": operation(
                "Occupations for free text",
                tag="taxonomy",
                operation_id="suggestOccupations",
                public=True,
                parameters=suggest_parameters,
                answers=suggestions,
            )
        },
        "/openapi.json": {
            "get": operation(
                "This document",
                tag="documentation",
                operation_id="getOpenApi",
                public=True,
                answers={
                    "200": answer("The OpenAPI document.", {"type": "object"}),
                    **errors(500),
                },
            )
        },
    }


# --- the document ---------------------------------------------------------------------------------


@cache
def document() -> dict[str, Any]:
    paths = {
        **_worker_paths(),
        **_vacancy_paths(),
        **_placement_paths(),
        **_other_paths(),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Skills portal API",
            "version": "1.0.0",
            "description": "For public employment services and the systems of employers and "
            f"labour providers. Every call but the suggestions carries a token ({WHO_MAKES_THEM} "
            "make them under Account → API tokens) and acts as its creator, with the same rights "
            "as on the pages. Lists are paged: ?page=&per_page= (at most "
            f"{PER_PAGE_MAX}). Every failure answers with the Error schema; messages follow "
            "Accept-Language.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "paths": {f"{PREFIX}{path}": item for path, item in paths.items()},
        "components": {
            "securitySchemes": {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Authorization: Bearer <token>; the token acts as the "
                    f"user who made it ({WHO_MAKES_THEM}).",
                }
            },
            "responses": {
                f"Error{status}": _error_answer(status, words)
                for status, words in ERROR_ANSWERS.items()
            },
            "schemas": {
                "Error": _error_schema(),
                **_worker_schemas(),
                **_vacancy_schemas(),
                **_match_schemas(),
                **_placement_schemas(),
                "Statistics": _statistics_schema(),
                "Suggestions": _suggestions_schema(),
            },
        },
    }


def _error_answer(status: int, words: str) -> Schema:
    headers = None
    if status == 401:
        headers = {"WWW-Authenticate": {"schema": text(), "required": True}}
    return answer(words, ref("Error"), headers)
