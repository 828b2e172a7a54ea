"""Posting and editing a vacancy: one form on one page.

Without JavaScript, the in-between steps (choose the occupation among suggestions, see and sort
its usual skills, choose what typed skills mean) are the same form sent back with everything
typed kept; with it, the type-ahead (static/js/typeahead.js) fills the concept ids as the
employer types. Only "Save draft" and "Submit for publication" store anything, and only when
nothing is waiting for a choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from babel.numbers import get_currency_name
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import Field

from portal.errors import ValidationProblem
from portal.models import ConceptKind, Role, SkillSource, Vacancy
from portal.models.vacancies import EDITABLE_STATES
from portal.services import reference, regions, taxonomy, vacancies
from portal.services.taxonomy import OccupationSkillItem
from portal.services.vacancy_pages import active_concept_ids
from portal.taxonomy.model import RelationType
from portal.web.employer.forms import COMMON_CURRENCIES, NOT_NEEDED, VacancyForm
from portal.web.forms import show_problem
from portal.web.security import current_account, roles_required
from portal.web.session import db_session
from portal.web.taxonomy.languages import page_language
from portal.web.worker.forms import NONE_OF_THESE, whole_number
from portal.web.worker.profile import Candidates, host_labels, meaning_of

SAVE_DRAFT = "draft"
SUBMIT = "submit"
FIND_OCCUPATION = "find-occupation"
CHANGE_OCCUPATION = "change-occupation"  # these and other actions only show the form again
FORM_LEVEL_FIELDS = ("languages", "skills", "occupation_id")


@dataclass
class Pending:
    """Words still waiting for the employer to say what they mean."""

    occupation: Candidates | None = None
    skills: dict[int, Candidates] = field(default_factory=dict)  # by row of `typed`

    def __bool__(self) -> bool:
        return self.occupation is not None or bool(self.skills)


@roles_required(Role.EMPLOYER)
def new_vacancy() -> ResponseReturnValue:
    if current_account().organisation_id is None:
        abort(404)
    form = VacancyForm(**_lists())
    if request.method == "POST":
        return _posted(form, None)
    return _page(form, None, Pending())


@roles_required(Role.EMPLOYER)
def edit_vacancy(vacancy_id: int) -> ResponseReturnValue:
    vacancy = vacancies.vacancy_for(db_session(), current_account(), vacancy_id)
    if vacancy.state not in EDITABLE_STATES:
        flash(_("Only drafts and vacancies sent back for changes can be edited."), "error")
        return redirect(url_for("employer.vacancy", vacancy_id=vacancy.id))
    form = VacancyForm(data=None if request.method == "POST" else _saved(vacancy), **_lists())
    if request.method == "POST":
        return _posted(form, vacancy)
    return _page(form, vacancy, Pending())


def _lists() -> dict[str, Any]:
    lang = page_language()
    return {
        "regions": [(region.id, region.name) for region in regions.list_regions(db_session())],
        "languages": reference.languages(lang),
        "currencies": [(code, get_currency_name(code, locale=lang)) for code in COMMON_CURRENCIES],
    }


# --- a post: settle the words, then save or show the form again ---------------------------------


def _posted(form: VacancyForm, vacancy: Vacancy | None) -> ResponseReturnValue:
    action = request.form.get("action", "")
    saving = action in (SAVE_DRAFT, SUBMIT)
    pending = Pending(
        occupation=_settle_occupation(form, again=_again(action, form), strict=saving),
        skills={
            index: found
            for index, row in enumerate(form.typed)
            if (found := _settle_skill(row.form, strict=saving)) is not None
        },
    )
    proposal_changed = _follow_occupation(form, choosing=pending.occupation is not None)
    form.add_blank_rows()
    if not saving:
        return _page(form, vacancy, pending)
    valid = form.validate()
    if action == SUBMIT:
        valid = form.require_pledge() and valid
    _mark_pending(form, pending)
    if proposal_changed:
        return _page(form, vacancy, pending, notice=True, status=200 if valid else 400)
    if pending or not valid:
        return _page(form, vacancy, pending, status=400)
    return _save(form, vacancy, submit=action == SUBMIT)


def _again(action: str, form: VacancyForm) -> bool:
    """Look the occupation up afresh: asked for, or asked for its skills when none is chosen
    (a concept picked by the type-ahead is kept)."""
    picked = whole_number(form.occupation_id.data) is not None
    return action == CHANGE_OCCUPATION or (action == FIND_OCCUPATION and not picked)


def _mark_pending(form: VacancyForm, pending: Pending) -> None:
    """A message on each choice still to make, so that the error summary links to it."""
    if pending.occupation is not None:
        form.occupation_choice.errors = [_("Choose the occupation you mean, or keep your words.")]
    for index in pending.skills:
        row = form.typed[index].form
        row.choice.errors = [
            _(
                "Choose what “%(words)s” means, or keep your words.",
                words=(row.words.data or "").strip(),
            )
        ]
    if pending.skills:
        form.typed.errors = [entry.errors for entry in form.typed]


def _settle_occupation(form: VacancyForm, *, again: bool, strict: bool) -> Candidates | None:
    words = (form.occupation_words.data or "").strip()
    if not words:
        form.occupation_id.data = form.occupation_confirming.data = ""
        return None
    picked = "" if again else (form.occupation_id.data or "")
    confirming = not again and form.occupation_confirming.data == "1"
    if picked == NONE_OF_THESE and not confirming:
        return None
    meaning = meaning_of(
        ConceptKind.OCCUPATION,
        words,
        picked=picked,
        choice=form.occupation_choice.data,
        confirming=confirming,
    )
    return _settle(meaning, form.occupation_id, form.occupation_confirming, strict)


def _settle_skill(row: Any, *, strict: bool) -> Candidates | None:
    words = (row.words.data or "").strip()
    if not words:
        row.concept_id.data = row.confirming.data = ""
        return None
    picked = row.concept_id.data or ""
    confirming = row.confirming.data == "1"
    if picked == NONE_OF_THESE and not confirming:
        return None
    meaning = meaning_of(
        ConceptKind.SKILL, words, picked=picked, choice=row.choice.data, confirming=confirming
    )
    return _settle(meaning, row.concept_id, row.confirming, strict)


def _settle(meaning: Any, concept_id: Field, confirming: Field, strict: bool) -> Candidates | None:
    """Note the concept the words mean ("none": the words alone), or the candidates to show;
    "choose one" is said only when the employer tried to save."""
    if isinstance(meaning, Candidates):
        concept_id.data, confirming.data = "", "1"
        return meaning if strict else Candidates(meaning.suggestions)
    concept_id.data = NONE_OF_THESE if meaning.concept_id is None else str(meaning.concept_id)
    confirming.data = ""
    return None


def _follow_occupation(form: VacancyForm, *, choosing: bool) -> bool:
    """Propose the chosen occupation's skills (essential ones as essential, optional ones not
    needed) when the occupation changed; otherwise (or while another one is being chosen) keep
    the employer's sorting. True if the proposal changed."""
    occupation_id = whole_number(form.occupation_id.data)
    if choosing or occupation_id == whole_number(form.proposed_for.data):
        proposal = _proposal(whole_number(form.proposed_for.data))
        kept = [
            {"concept_id": row.form.concept_id.data, "need": row.form.need.data}
            for row in form.proposed
            if whole_number(row.form.concept_id.data) in proposal
        ]
        _set_proposed(form, kept)
        return False
    proposal = _proposal(occupation_id)
    had_rows = len(form.proposed) > 0
    _set_proposed(
        form,
        [
            {
                "concept_id": str(concept_id),
                "need": RelationType.ESSENTIAL.value
                if item.relation is RelationType.ESSENTIAL
                else NOT_NEEDED,
            }
            for concept_id, item in proposal.items()
        ],
    )
    form.proposed_for.data = str(occupation_id) if occupation_id else ""
    return bool(proposal) or had_rows


def _set_proposed(form: VacancyForm, rows: list[dict[str, Any]]) -> None:
    while len(form.proposed):
        form.proposed.pop_entry()
    for row in rows[: form.proposed.max_entries]:
        form.proposed.append_entry(row)


def _proposal(occupation_id: int | None) -> dict[int, OccupationSkillItem]:
    if occupation_id is None:
        return {}
    items = taxonomy.occupation_skills(db_session(), occupation_id, page_language())
    return {item.concept_id: item for item in items}


# --- saving -------------------------------------------------------------------------------------


def _save(form: VacancyForm, vacancy: Vacancy | None, *, submit: bool) -> ResponseReturnValue:
    session, account = db_session(), current_account()
    data = _vacancy_input(form)
    try:
        if vacancy is None:
            vacancy = vacancies.create_draft(session, account, data)
        else:
            vacancies.update_draft(session, account, vacancy.id, data)
        if submit and vacancy.state in EDITABLE_STATES:  # else the same post was sent already
            vacancies.submit(session, account, vacancy.id)
    except ValidationProblem as problem:
        if problem.field in FORM_LEVEL_FIELDS:
            form.form_errors.append(problem.message)
        else:
            show_problem(form, problem)
        return _page(form, vacancy, Pending(), status=400)
    if submit:
        flash(
            _("Sent for publication. An administrator checks it before it is shown to workers."),
            "success",
        )
    else:
        flash(_("Saved as a draft. Only your organisation can see it."), "success")
    return redirect(url_for("employer.vacancy", vacancy_id=vacancy.id))


def _vacancy_input(form: VacancyForm) -> vacancies.VacancyInput:
    proposal = _proposal(whole_number(form.proposed_for.data))
    skills = [
        vacancies.SkillWords(
            proposal[concept_id].label,
            concept_id,
            RelationType(row.form.need.data),
            SkillSource.CHECKLIST,
        )
        for row in form.proposed
        if (concept_id := whole_number(row.form.concept_id.data)) in proposal
        and row.form.need.data in set(RelationType)
    ]
    skills += [
        vacancies.SkillWords(
            row.form.words.data.strip(),
            whole_number(row.form.concept_id.data),
            RelationType(row.form.relation.data)
            if row.form.relation.data in set(RelationType)
            else RelationType.ESSENTIAL,
            SkillSource.TYPED,
        )
        for row in form.typed
        if (row.form.words.data or "").strip()
    ]
    amount, currency, period = form.pay()
    return vacancies.VacancyInput(
        title=form.title.data or "",
        positions=form.positions_number(),
        region_id=int(form.region_id.data),
        start_date=form.start_date.data,
        occupation_id=whole_number(form.occupation_id.data),
        occupation_words=form.occupation_words.data or "",
        description=form.description.data or "",
        skills=tuple(skills),
        workplace=form.workplace.data or "",
        end_date=form.end_date.data,
        apply_by=form.apply_by.data,
        hours_per_week=form.hours_number(),
        pay_amount=amount,
        pay_currency=currency,
        pay_period=period,
        accommodation=bool(form.accommodation.data),
        transport=bool(form.transport.data),
        languages=form.chosen_languages(),
        no_fee_pledge=bool(form.no_fee_pledge.data),
        lang=page_language(),
    )


def _saved(vacancy: Vacancy) -> dict[str, Any]:
    """A stored vacancy as the form's data: skills of its occupation as the sorted proposal,
    the others as typed rows."""
    ids = active_concept_ids(
        db_session(), [vacancy.occupation_uri, *(skill.concept_uri for skill in vacancy.skills)]
    )
    occupation_id = ids.get(vacancy.occupation_uri or "")
    proposal = _proposal(occupation_id)
    chosen = {skill.concept_uri: skill.relation.value for skill in vacancy.skills}
    proposed_uris = {item.uri for item in proposal.values()}
    currency = vacancy.pay_currency or ""
    return {
        "title": vacancy.title,
        "occupation_words": vacancy.occupation_words or vacancy.occupation_label or "",
        "occupation_id": str(occupation_id)
        if occupation_id
        else ("" if vacancy.occupation_uri else NONE_OF_THESE),
        "proposed_for": str(occupation_id) if occupation_id else "",
        "proposed": [
            {"concept_id": str(concept_id), "need": chosen.get(item.uri, NOT_NEEDED)}
            for concept_id, item in proposal.items()
        ],
        "typed": [
            {
                "words": skill.words,
                "concept_id": str(ids[skill.concept_uri])
                if skill.concept_uri in ids
                else ("" if skill.concept_uri else NONE_OF_THESE),
                "relation": skill.relation.value,
            }
            for skill in vacancy.skills
            if skill.concept_uri not in proposed_uris
        ],
        "positions": str(vacancy.positions),
        "region_id": str(vacancy.region_id),
        "workplace": vacancy.workplace,
        "start_date": vacancy.start_date,
        "end_date": vacancy.end_date,
        "apply_by": vacancy.apply_by,
        "hours_per_week": f"{vacancy.hours_per_week:g}" if vacancy.hours_per_week else "",
        "pay_amount": str(vacancy.pay_amount) if vacancy.pay_amount is not None else "",
        "pay_currency": currency if currency in COMMON_CURRENCIES else "",
        "other_currency": "" if currency in COMMON_CURRENCIES else currency,
        "pay_period": vacancy.pay_period.value if vacancy.pay_period else "",
        "accommodation": vacancy.accommodation,
        "transport": vacancy.transport,
        "languages": [
            {"code": language.code, "level": language.min_level.value}
            for language in vacancy.languages
        ],
        "description": vacancy.description,
        "no_fee_pledge": vacancy.no_fee_pledge,
    }


# --- the page -----------------------------------------------------------------------------------


def _page(
    form: VacancyForm,
    vacancy: Vacancy | None,
    pending: Pending,
    *,
    status: int = 200,
    notice: bool = False,
) -> ResponseReturnValue:
    session, lang = db_session(), page_language()
    occupation_id = whole_number(form.occupation_id.data)
    chosen_ids = [
        concept_id
        for row in form.typed
        if (concept_id := whole_number(row.form.concept_id.data)) is not None
    ]
    names = taxonomy.preferred_labels(
        session, [*chosen_ids, *([occupation_id] if occupation_id else [])], lang
    )
    suggestions = [
        *(pending.occupation.suggestions if pending.occupation else []),
        *(s for found in pending.skills.values() for s in found.suggestions),
    ]
    account = current_account()
    return (
        render_template(
            "employer/vacancy_form.html",
            form=form,
            vacancy=vacancy,
            pending=pending,
            proposal={
                str(concept_id): item
                for concept_id, item in _proposal(whole_number(form.proposed_for.data)).items()
            },
            names={str(concept_id): name for concept_id, name in names.items()},
            host_labels=host_labels(suggestions),
            notice=notice,
            lang=lang,
            organisation=account.organisation,
            none_of_these=NONE_OF_THESE,
        ),
        status,
    )
