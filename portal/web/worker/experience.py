"""Step 3, experience and qualifications. Work done is described in the worker's words and
resolved to an occupation as skills are (type-ahead, or the suggestion page); informal and
unpaid work count. Qualifications carry their recognition status."""

from __future__ import annotations

from flask import flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.errors import ValidationProblem
from portal.models import ConceptKind, ExperienceKind, Recognition, Worker
from portal.services import reference, workers
from portal.web.forms import EmptyForm, show_problem
from portal.web.security import current_account, roles_required
from portal.web.session import db_session
from portal.web.taxonomy.languages import page_language
from portal.web.worker.forms import EXPERIENCE_KIND_CHOICES, RECOGNITION_CHOICES, ExperienceForm
from portal.web.worker.profile import (
    GO_STAY,
    MANAGERS,
    Candidates,
    form_meaning,
    managed_worker,
    move_on,
    render_candidates,
    render_step,
    requested_move,
    step_url,
)

SLUG = "experience"


def _form() -> ExperienceForm:
    countries = reference.countries(page_language())
    if request.method == "POST":
        return ExperienceForm(countries=countries)
    return ExperienceForm(formdata=None, countries=countries)


def _page(worker: Worker, form: ExperienceForm, status: int = 200) -> ResponseReturnValue:
    return render_step(
        SLUG,
        "worker/experience.html",
        worker,
        status,
        form=form,
        country_name=lambda code: reference.country_name(code, page_language()),
        kind_names={choice.value: choice.label for choice in EXPERIENCE_KIND_CHOICES},
        recognition_names={choice.value: choice.label for choice in RECOGNITION_CHOICES},
    )


@roles_required(*MANAGERS)
def experience(worker_id: int) -> ResponseReturnValue:
    worker = managed_worker(worker_id)
    form = _form()
    if request.method == "GET":
        return _page(worker, form)
    go = requested_move()
    if not form.validate_on_submit():
        return _page(worker, form, 400)
    if not form.has_experience and not form.has_qualification:
        if go != GO_STAY:
            return move_on(worker, SLUG, go)
        form.form_errors.append(_("Fill in work you have done or a qualification, then add it."))
        return _page(worker, form, 400)
    try:
        if form.has_qualification:
            _add_qualification(worker, form)
        if form.has_experience:
            return _add_experience(worker, form, go)
    except ValidationProblem as problem:
        show_problem(form, problem)
        return _page(worker, form, 400)
    return move_on(worker, SLUG, go)


def _add_qualification(worker: Worker, form: ExperienceForm) -> None:
    qualification = workers.add_qualification(
        db_session(),
        current_account(),
        worker,
        title=form.title.data or "",
        country=form.country.data or None,
        level=form.level.data or "",
        recognition=Recognition(form.recognition.data),
    )
    flash(_("Added the qualification “%(title)s”.", title=qualification.title), "success")


def _add_experience(worker: Worker, form: ExperienceForm, go: str) -> ResponseReturnValue:
    words = " ".join((form.words.data or "").split())
    meaning = form_meaning(ConceptKind.OCCUPATION, words, form, form.occupation_id.data)
    if isinstance(meaning, Candidates):
        return render_candidates(
            SLUG, "worker/experience_suggestions.html", worker, words, meaning, form=form, go=go
        )
    experience = workers.add_experience(
        db_session(),
        current_account(),
        worker,
        words,
        occupation_id=meaning.concept_id,
        years=form.years_number(),
        kind=ExperienceKind(form.kind.data),
        lang=page_language(),
    )
    if experience.occupation_label:
        flash(
            _(
                "Added “%(words)s” as “%(occupation)s”.",
                words=words,
                occupation=experience.occupation_label,
            ),
            "success",
        )
    else:
        flash(_("Added “%(words)s”, in your words.", words=words), "success")
    return move_on(worker, SLUG, go)


@roles_required(*MANAGERS)
def remove_experience(worker_id: int, experience_id: int) -> ResponseReturnValue:
    worker = managed_worker(worker_id)
    if _confirmed():
        workers.remove_experience(db_session(), current_account(), worker, experience_id)
        flash(_("Removed the work."), "success")
    return redirect(step_url(worker, SLUG))


@roles_required(*MANAGERS)
def remove_qualification(worker_id: int, qualification_id: int) -> ResponseReturnValue:
    worker = managed_worker(worker_id)
    if _confirmed():
        workers.remove_qualification(db_session(), current_account(), worker, qualification_id)
        flash(_("Removed the qualification."), "success")
    return redirect(step_url(worker, SLUG))


def _confirmed() -> bool:
    return bool(EmptyForm().validate_on_submit())
