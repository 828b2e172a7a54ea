"""Vacancies through the API: an employer's own (every state), every one for an admin, the open
ones for anyone else; one vacancy; a new draft for an employer (the pledge and publication
follow on the pages, as moderation does)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import Response, jsonify, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal.models import (
    LanguageLevel,
    Organisation,
    OrganisationKind,
    PayPeriod,
    Role,
    User,
    Vacancy,
)
from portal.models.vacancies import POSITIONS_MAX, TITLE_MAX
from portal.models.workers import WORDS_MAX
from portal.services import regions, vacancies
from portal.services.placement_export import vacancy_public_id
from portal.services.vacancies import DESCRIPTION_MAX, MAX_HOURS_PER_WEEK, SkillWords, VacancyInput
from portal.services.vacancy_pages import sector_of, vacancy_rows
from portal.taxonomy.model import RelationType
from portal.web.api.auth import api_account, token_required
from portal.web.api.blueprint import ID, blueprint
from portal.web.api.input import Body, Problems, Query, json_object
from portal.web.api.output import day, moment, paged
from portal.web.employer.forms import MAX_LANGUAGES, MAX_TYPED_SKILLS, PAY_MAX
from portal.web.session import db_session
from portal.web.taxonomy.languages import page_language

WORKPLACE_MAX = 200
CENT = Decimal("0.01")
VACANCY_FIELDS = (
    "organisation_id",
    "title",
    "positions",
    "region_id",
    "start_date",
    "end_date",
    "apply_by",
    "occupation_id",
    "occupation_words",
    "description",
    "skills",
    "workplace",
    "hours_per_week",
    "pay_amount",
    "pay_currency",
    "pay_period",
    "accommodation",
    "transport",
    "languages",
    "no_fee_pledge",
)
SKILL_FIELDS = ("words", "concept_id", "relation")
LANGUAGE_FIELDS = ("code", "min_level")


@blueprint.get("/vacancies")
@token_required()
def vacancy_list() -> dict[str, Any]:
    problems = Problems()
    page, per_page = Query(problems).page()
    problems.raise_any()
    session = db_session()
    found = vacancies.vacancy_list(session, api_account(), page=page, size=per_page)
    return paged(found, page, lambda items: _summaries(session, list(items)))


@blueprint.get(f"/vacancies/<{ID}:vacancy_id>")
@token_required()
def vacancy(vacancy_id: int) -> dict[str, Any]:
    session, account = db_session(), api_account()
    found = vacancies.readable_vacancy(session, account, vacancy_id)
    return vacancy_document(session, account, found)


@blueprint.post("/vacancies")
@token_required(Role.EMPLOYER, Role.ADMIN)
def create_vacancy() -> Response:
    """A draft for the employer's organisation (an admin names an employer organisation)."""
    session, account = db_session(), api_account()
    data, organisation = _vacancy_input(json_object(), account)
    draft = vacancies.create_draft(session, account, data, organisation=organisation)
    response = jsonify(vacancy_document(session, account, draft))
    response.status_code = 201
    response.headers["Location"] = url_for(".vacancy", vacancy_id=draft.id)
    return response


def _vacancy_input(data: dict[str, Any], account: User) -> tuple[VacancyInput, Organisation | None]:
    problems = Problems()
    body = Body(data, problems, known=VACANCY_FIELDS)
    organisation = _organisation(body, account)
    region_id = body.identifier("region_id", required=True)
    known_regions = {region.id for region in regions.list_regions(db_session())}
    if region_id is not None and region_id not in known_regions:
        problems.add("region_id", _("Choose one of the regions."))
    skills = [
        SkillWords(
            words=row.text("words", max_length=WORDS_MAX, required=True),
            concept_id=row.identifier("concept_id"),
            relation=row.choice("relation", RelationType) or RelationType.ESSENTIAL,
        )
        for row in body.objects("skills", known=SKILL_FIELDS, max_items=MAX_TYPED_SKILLS)
    ]
    languages = [
        (
            row.text("code", max_length=3, required=True),
            row.choice("min_level", LanguageLevel, required=True),
        )
        for row in body.objects("languages", known=LANGUAGE_FIELDS, max_items=MAX_LANGUAGES)
    ]
    pay_amount = _pay_amount(body)
    pay_currency = body.optional_text("pay_currency", max_length=3)
    if pay_currency is not None and pay_currency.upper() not in vacancies.currency_codes():
        problems.add(
            "pay_currency",
            _(
                "“%(code)s” is not a currency code we know (like EUR, GBP, PLN).",
                code=pay_currency,
            ),
        )
    found = VacancyInput(
        title=body.text("title", max_length=TITLE_MAX, required=True),
        positions=body.integer("positions", minimum=1, maximum=POSITIONS_MAX, required=True) or 1,
        region_id=region_id,
        start_date=body.day("start_date", required=True),
        occupation_id=body.identifier("occupation_id"),
        occupation_words=body.text("occupation_words", max_length=WORDS_MAX),
        description=body.text("description", max_length=DESCRIPTION_MAX),
        skills=tuple(skills),
        workplace=body.text("workplace", max_length=WORKPLACE_MAX),
        end_date=body.day("end_date"),
        apply_by=body.day("apply_by"),
        hours_per_week=body.number("hours_per_week", minimum=0, maximum=MAX_HOURS_PER_WEEK),
        pay_amount=pay_amount,
        pay_currency=pay_currency,
        pay_period=body.choice("pay_period", PayPeriod),
        accommodation=body.boolean("accommodation"),
        transport=body.boolean("transport"),
        languages=tuple((code, level) for code, level in languages if level is not None),
        no_fee_pledge=body.boolean("no_fee_pledge"),
        lang=page_language(),
    )
    problems.raise_any()
    return found, organisation


def _pay_amount(body: Body) -> Decimal | None:
    """The pay in cents, as the column keeps it."""
    amount = body.number("pay_amount", minimum=0, maximum=float(PAY_MAX))
    if amount is None:
        return None
    cents = Decimal(str(amount)).quantize(CENT, ROUND_HALF_UP)
    if cents > PAY_MAX:
        body.problems.add(
            "pay_amount", _("Give a number from %(min)s to %(max)s.", min=0, max=PAY_MAX)
        )
        return None
    return cents


def _organisation(body: Body, account: User) -> Organisation | None:
    """The employer organisation an admin posts for; employers post for their own."""
    organisation_id = body.identifier("organisation_id", required=account.role is Role.ADMIN)
    if organisation_id is None or account.role is not Role.ADMIN:
        if organisation_id not in (None, account.organisation_id):
            body.problems.add("organisation_id", _("You post vacancies for your own organisation."))
        return None
    organisation = db_session().get(Organisation, organisation_id)
    if organisation is None or organisation.kind is not OrganisationKind.EMPLOYER:
        body.problems.add("organisation_id", _("Choose an employer organisation."))
        return None
    return organisation


# --- documents ------------------------------------------------------------------------------------


def _summaries(session: Session, found: list[Vacancy]) -> list[dict[str, Any]]:
    return [
        {
            "id": row.vacancy.id,
            "reference": vacancy_public_id(row.vacancy.id, row.vacancy.external_id),
            "state": row.vacancy.state.value,
            "title": row.vacancy.title,
            "organisation": {"id": row.vacancy.organisation_id, "name": row.organisation},
            "occupation": row.occupation,
            "region": {"id": row.vacancy.region_id, "name": row.region},
            "positions": row.vacancy.positions,
            "positions_left": row.vacancy.positions_left,
            "start_date": day(row.vacancy.start_date),
            "apply_by": day(row.vacancy.apply_by),
            "published_at": moment(row.vacancy.published_at),
            "updated_at": moment(row.vacancy.updated_at),
        }
        for row in vacancy_rows(session, found, page_language())
    ]


def vacancy_document(session: Session, account: User, vacancy: Vacancy) -> dict[str, Any]:
    """A vacancy in full; its organisation's members and admins also read the moderator's note."""
    document = _summaries(session, [vacancy])[0]
    document.update(
        {
            "external_id": vacancy.external_id,
            "occupation_uri": vacancy.occupation_uri,
            "occupation_words": vacancy.occupation_words,
            "isco_code": vacancy.isco_code,
            "sector": sector_of(vacancy.isco_code),
            "description": vacancy.description,
            "workplace": vacancy.workplace,
            "end_date": day(vacancy.end_date),
            "hours_per_week": vacancy.hours_per_week,
            "pay": _pay(vacancy),
            "accommodation": vacancy.accommodation,
            "transport": vacancy.transport,
            "no_fee_pledge": vacancy.no_fee_pledge,
            "languages": [
                {"code": language.code, "min_level": language.min_level.value}
                for language in vacancy.languages
            ],
            "skills": _skills(vacancy.skills),
            "created_at": moment(vacancy.created_at),
        }
    )
    if account.role is Role.ADMIN or account.organisation_id == vacancy.organisation_id:
        document["moderation_note"] = vacancy.moderation_note
    return document


def _pay(vacancy: Vacancy) -> dict[str, Any] | None:
    if vacancy.pay_amount is None:
        return None
    return {
        "amount": str(Decimal(vacancy.pay_amount).quantize(CENT)),
        "currency": vacancy.pay_currency,
        "period": vacancy.pay_period.value if vacancy.pay_period is not None else None,
    }


def _skills(skills: Iterable[Any]) -> list[dict[str, Any]]:
    return [
        {
            "relation": skill.relation.value,
            "words": skill.words,
            "concept_uri": skill.concept_uri,
            "concept_label": skill.concept_label,
        }
        for skill in skills
    ]
