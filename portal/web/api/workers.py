"""Workers through the API: a labour provider's own (every one, for an admin), one in full, and
registering one for a provider. Employers never reach a worker here: they see candidates by
reference (`matches.py`), never their sex, age or origin."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for
from flask_babel import gettext as _

from portal.models import LanguageLevel, Role, Sex, Worker
from portal.models.workers import NAME_PART_MAX, PHONE_MAX
from portal.services import provider_workers, workers
from portal.services.placement_export import worker_public_id
from portal.services.workers import MAX_LANGUAGES, AboutYou
from portal.web.api.auth import api_account, token_required
from portal.web.api.blueprint import ID, blueprint
from portal.web.api.input import Body, Problems, Query, json_object
from portal.web.api.output import day, moment, paged
from portal.web.session import db_session
from portal.web.worker.forms import PHONE

SEARCH_MAX = 100
EMAIL_MAX = 254
BIRTH_YEARS = (1900, 2100)  # the column's bounds; the service checks the plausible ones
WORKER_FIELDS = (
    "given_name",
    "family_name",
    "email",
    "phone",
    "sex",
    "birth_year",
    "country_of_origin",
    "nationality",
    "languages",
)
LANGUAGE_FIELDS = ("code", "level")


@blueprint.get("/workers")
@token_required(Role.PROVIDER, Role.ADMIN)
def worker_list() -> dict[str, Any]:
    problems = Problems()
    query = Query(problems)
    page, per_page = query.page()
    search = query.text("q", max_length=SEARCH_MAX)
    problems.raise_any()
    found = provider_workers.list_workers(
        db_session(), api_account(), search=search, page=page, size=per_page
    )
    return paged(found, page, lambda items: [worker_summary(worker) for worker in items])


@blueprint.get(f"/workers/<{ID}:worker_id>")
@token_required(Role.PROVIDER, Role.ADMIN)
def worker(worker_id: int) -> dict[str, Any]:
    session, account = db_session(), api_account()
    found = workers.worker_for(session, account, worker_id)
    workers.record_view(session, account, found)
    return worker_document(found)


@blueprint.post("/workers")
@token_required(Role.PROVIDER)
def register_worker() -> Response:
    """A draft profile that the provider's organisation manages, as its "register a worker"
    page makes (skills and the rest are added on the pages)."""
    about = _about_you(json_object())
    registered = provider_workers.register_worker_for_provider(db_session(), api_account(), about)
    response = jsonify(worker_document(registered))
    response.status_code = 201
    response.headers["Location"] = url_for(".worker", worker_id=registered.id)
    return response


def _about_you(data: dict[str, Any]) -> AboutYou:
    problems = Problems()
    body = Body(data, problems, known=WORKER_FIELDS)
    languages = [
        (
            row.text("code", max_length=3, required=True),
            row.choice("level", LanguageLevel, required=True),
        )
        for row in body.objects("languages", known=LANGUAGE_FIELDS, max_items=MAX_LANGUAGES)
    ]
    about = AboutYou(
        given_name=body.text("given_name", max_length=NAME_PART_MAX, required=True),
        family_name=body.text("family_name", max_length=NAME_PART_MAX),
        email=body.email("email", max_length=EMAIL_MAX),
        phone=body.optional_text("phone", max_length=PHONE_MAX),
        sex=body.choice("sex", Sex),
        birth_year=body.integer("birth_year", minimum=BIRTH_YEARS[0], maximum=BIRTH_YEARS[1]),
        country_of_origin=body.optional_text("country_of_origin", max_length=2),
        nationality=body.optional_text("nationality", max_length=2),
        languages=tuple((code, level) for code, level in languages if level is not None),
    )
    if about.phone and not PHONE.fullmatch(about.phone.strip()):
        problems.add("phone", _("Use digits, spaces and + ( ) - only, like +44 7700 900123."))
    problems.raise_any()
    return about


# --- documents ------------------------------------------------------------------------------------


def worker_summary(worker: Worker) -> dict[str, Any]:
    """A worker in a list."""
    return {
        "id": worker.id,
        "reference": worker_public_id(worker.id, worker.external_id),
        "external_id": worker.external_id,
        "provider_id": worker.provider_id,
        "status": worker.status.value,
        "given_name": worker.given_name,
        "family_name": worker.family_name,
        "email": worker.email,
        "phone": worker.phone,
        "has_login": worker.user_id is not None,
        "created_at": moment(worker.created_at),
        "updated_at": moment(worker.updated_at),
    }


def worker_document(worker: Worker) -> dict[str, Any]:
    """A worker in full, for those who manage them (themself, their provider, admins)."""
    return {
        **worker_summary(worker),
        "sex": worker.sex.value if worker.sex is not None else None,
        "birth_year": worker.birth_year,
        "country_of_origin": worker.country_of_origin,
        "nationality": worker.nationality,
        "languages": [
            {"code": language.code, "level": language.level.value} for language in worker.languages
        ],
        "region_id": worker.region_id,
        "relocate_anywhere": worker.relocate_anywhere,
        "relocation_region_ids": [region.region_id for region in worker.relocation_regions],
        "available_from": day(worker.available_from),
        "available_until": day(worker.available_until),
        "skills": [
            {
                "id": skill.id,
                "words": skill.words,
                "concept_uri": skill.concept_uri,
                "concept_label": skill.concept_label,
                "evidence": skill.evidence.value,
                "source": skill.source.value,
            }
            for skill in worker.skills
        ],
        "experiences": [
            {
                "id": experience.id,
                "words": experience.words,
                "occupation_uri": experience.occupation_uri,
                "occupation_label": experience.occupation_label,
                "years": experience.years,
                "kind": experience.kind.value,
            }
            for experience in worker.experiences
        ],
        "qualifications": [
            {
                "id": qualification.id,
                "title": qualification.title,
                "country": qualification.country,
                "level": qualification.level,
                "recognition": qualification.recognition.value,
            }
            for qualification in worker.qualifications
        ],
    }
