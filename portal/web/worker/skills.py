"""Step 2, skills: in the worker's own words, confirmed as a taxonomy concept or kept as they are;
how each is shown (evidence); and an occupation's usual skills as a checklist.

Without JavaScript, words go through a suggestion page (radio buttons of candidates); with it,
the type-ahead (static/js/typeahead.js) fills `concept_id` and the same form posts straight here.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.errors import ValidationProblem
from portal.models import ConceptKind, Evidence, Worker, WorkerSkill
from portal.services import taxonomy_pages, workers
from portal.web.forms import EmptyForm, show_problem
from portal.web.security import current_account, roles_required
from portal.web.session import db_session
from portal.web.taxonomy.languages import page_language
from portal.web.worker.forms import ChecklistForm, EvidenceForm, OccupationForm, SkillForm
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

SLUG = "skills"


def _skills_page(
    worker: Worker,
    *,
    form: SkillForm | None = None,
    occupation_form: OccupationForm | None = None,
    evidence_form: tuple[int, EvidenceForm] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    evidence_forms = {
        skill.id: EvidenceForm(prefix=f"skill-{skill.id}", data={"evidence": skill.evidence.value})
        for skill in worker.skills
    }
    if evidence_form is not None:
        evidence_forms[evidence_form[0]] = evidence_form[1]
    return render_step(
        SLUG,
        "worker/skills.html",
        worker,
        status,
        form=form or SkillForm(formdata=None),
        occupation_form=occupation_form or OccupationForm(formdata=None),
        evidence_forms=evidence_forms,
    )


@roles_required(*MANAGERS)
def skills(worker_id: int) -> ResponseReturnValue:
    worker = managed_worker(worker_id)
    if request.method == "GET":
        return _skills_page(worker)
    form, go = SkillForm(), requested_move()
    if not form.validate_on_submit():
        return _skills_page(worker, form=form, status=400)
    words = " ".join((form.words.data or "").split())
    if not words:
        if go != GO_STAY:
            return move_on(worker, SLUG, go)
        form.words.errors = [_("Describe the skill in a few words.")]
        return _skills_page(worker, form=form, status=400)
    meaning = form_meaning(ConceptKind.SKILL, words, form, form.concept_id.data)
    if isinstance(meaning, Candidates):
        return render_candidates(
            SLUG,
            "worker/skill_suggestions.html",
            worker,
            words,
            meaning,
            form=SkillForm(formdata=None, data={"words": words}),
            go=go,
        )
    try:
        skill = workers.add_skill(
            db_session(),
            current_account(),
            worker,
            words,
            concept_id=meaning.concept_id,
            score=meaning.score,
            lang=page_language(),
        )
    except ValidationProblem as problem:
        show_problem(form, problem)
        return _skills_page(worker, form=form, status=400)
    if skill.concept_label:
        flash(
            _("Added “%(words)s” as “%(skill)s”.", words=words, skill=skill.concept_label),
            "success",
        )
    else:
        flash(
            _(
                "Added “%(words)s”. It is not matched to our list yet: an administrator will "
                "review it.",
                words=words,
            ),
            "success",
        )
    return move_on(worker, SLUG, go)


@roles_required(*MANAGERS)
def skill_evidence(worker_id: int, skill_id: int) -> ResponseReturnValue:
    worker = managed_worker(worker_id)
    skill = _skill_of(worker, skill_id)
    form = EvidenceForm(prefix=f"skill-{skill.id}")
    if not form.validate_on_submit():
        return _skills_page(worker, evidence_form=(skill.id, form), status=400)
    workers.set_skill_evidence(
        db_session(), current_account(), worker, skill.id, Evidence(form.evidence.data)
    )
    flash(_("Saved how “%(words)s” can be shown.", words=skill.words), "success")
    return redirect(f"{step_url(worker, SLUG)}#skill-{skill.id}")


@roles_required(*MANAGERS)
def remove_skill(worker_id: int, skill_id: int) -> ResponseReturnValue:
    worker = managed_worker(worker_id)
    skill = _skill_of(worker, skill_id)
    words = skill.words
    if EmptyForm().validate_on_submit():
        workers.remove_skill(db_session(), current_account(), worker, skill.id)
        flash(_("Removed “%(words)s”.", words=words), "success")
    return redirect(step_url(worker, SLUG))


def _skill_of(worker: Worker, skill_id: int) -> WorkerSkill:
    for skill in worker.skills:
        if skill.id == skill_id:
            return skill
    abort(404)


# --- an occupation's usual skills ---------------------------------------------------------------


@roles_required(*MANAGERS)
def find_occupation(worker_id: int) -> ResponseReturnValue:
    """Occupation words → (the suggestion step →) the occupation's checklist."""
    worker = managed_worker(worker_id)
    form = OccupationForm()
    if not form.validate_on_submit():
        return _skills_page(worker, occupation_form=form, status=400)
    words = " ".join((form.occupation_words.data or "").split())
    if not words:
        form.occupation_words.errors = [_("Type an occupation, like “warehouse worker”.")]
        return _skills_page(worker, occupation_form=form, status=400)
    meaning = form_meaning(ConceptKind.OCCUPATION, words, form, form.occupation_id.data)
    if isinstance(meaning, Candidates):
        return render_candidates(
            SLUG,
            "worker/occupation_suggestions.html",
            worker,
            words,
            meaning,
            form=OccupationForm(formdata=None, data={"occupation_words": words}),
        )
    if meaning.concept_id is None:
        form.occupation_words.errors = [
            _("We found no occupation like “%(words)s”. Try other words.", words=words)
        ]
        return _skills_page(worker, occupation_form=form, status=400)
    return redirect(
        url_for("worker.checklist", worker_id=worker.id, occupation_id=meaning.concept_id)
    )


@roles_required(*MANAGERS)
def checklist(worker_id: int, occupation_id: int) -> ResponseReturnValue:
    worker = managed_worker(worker_id)
    lang = page_language()
    occupation = taxonomy_pages.occupation_page(db_session(), occupation_id, lang)
    if occupation is None:
        abort(404)
    items = workers.occupation_checklist(db_session(), worker, occupation_id, lang)
    offered = [item for item in items if not item.already_listed]
    # those listed meanwhile are accepted (and skipped): the form sent twice is no mistake
    form = ChecklistForm(offered=[item.concept_id for item in items])
    form.skill_ids.choices = [(str(item.concept_id), item.label) for item in offered]
    if form.validate_on_submit():
        try:
            added = workers.add_checklist_skills(
                db_session(), current_account(), worker, form.chosen_ids(), lang
            )
        except ValidationProblem as problem:
            form.skill_ids.errors = [problem.message]
        else:
            flash(ngettext("%(num)d skill added.", "%(num)d skills added.", added), "success")
            return redirect(step_url(worker, SLUG))
    return render_step(
        SLUG,
        "worker/checklist.html",
        worker,
        400 if form.is_submitted() else 200,
        form=form,
        occupation=occupation,
        listed=[item for item in items if item.already_listed],
    )
