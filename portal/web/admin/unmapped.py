"""Administrators: words no skill was found for, and saying which skill they mean."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SearchField
from wtforms.validators import InputRequired, Length, ValidationError

from portal.errors import ValidationProblem
from portal.models import ConceptKind, Role
from portal.models.base import ID_MAX
from portal.models.workers import WORDS_MAX
from portal.services import skill_review, taxonomy
from portal.web.forms import PortalForm, show_problem
from portal.web.security import current_account, roles_required
from portal.web.session import db_session
from portal.web.taxonomy.languages import page_language

blueprint = Blueprint("admin_unmapped", __name__, url_prefix="/admin/unmapped-skills")


class PhraseForm(PortalForm):
    """Look up skills for a phrase (GET: nothing changes)."""

    class Meta:
        csrf = False

    words = HiddenField()
    phrase = SearchField(
        _l("Words to look up"),
        validators=[Length(max=WORDS_MAX, message=_l("Type at most %(max)d characters."))],
        description=_l("The worker's words, or your own: in any language, as you would say it."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class MapForm(PortalForm):
    words = HiddenField()
    phrase = HiddenField()
    concept_id = RadioField(
        _l("The skill these words mean"),
        coerce=int,
        validate_choice=False,  # the service checks it is a skill of the active taxonomy
        validators=[InputRequired(_l("Choose the skill these words mean."))],
    )

    def validate_concept_id(self, field: RadioField) -> None:
        if not 1 <= (field.data or 0) <= ID_MAX:  # no id is larger: the database could not say
            raise ValidationError(_l("Choose the skill these words mean."))


@blueprint.get("")
@roles_required(Role.ADMIN)
def skill_list() -> ResponseReturnValue:
    page = skill_review.unmapped_words(
        db_session(),
        page=request.args.get("page", 1, type=int) or 1,
        size=current_app.config["PAGE_SIZE"],
    )
    return render_template("admin/unmapped.html", page=page)


def _render_map_page(words: str, phrase_form: PhraseForm, map_form: MapForm) -> str:
    session = db_session()
    skills = skill_review.unmapped_with_words(session, words)
    if not skills:
        abort(404)
    phrase = (phrase_form.phrase.data or "").strip()
    suggestions = (
        taxonomy.suggest(session, ConceptKind.SKILL, phrase, lang=page_language())
        if phrase and not phrase_form.phrase.errors
        else []
    )
    map_form.words.data = words
    map_form.phrase.data = phrase
    map_form.concept_id.choices = [(s.id, s.preferred_label) for s in suggestions]
    return render_template(
        "admin/unmapped_map.html",
        words=skills[0].words,
        skill_count=len(skills),
        worker_count=len({skill.worker_id for skill in skills}),
        phrase_form=phrase_form,
        map_form=map_form,
        suggestions=suggestions,
    )


@blueprint.get("/map")
@roles_required(Role.ADMIN)
def map_form() -> ResponseReturnValue:
    words = request.args.get("words", "")
    phrase_form = PhraseForm(request.args)
    if phrase_form.phrase.data is None:
        phrase_form.phrase.data = words
    status = 200 if phrase_form.validate() else 400
    return _render_map_page(words, phrase_form, MapForm(formdata=None)), status


@blueprint.post("/map")
@roles_required(Role.ADMIN)
def map_words() -> ResponseReturnValue:
    form = MapForm()
    words = form.words.data or ""
    if form.validate_on_submit():
        try:
            count = skill_review.map_unmapped_words(
                db_session(), current_account(), words, form.concept_id.data, lang=page_language()
            )
        except ValidationProblem as problem:
            show_problem(form, problem)
        else:
            flash(
                _(
                    "“%(words)s” now means the chosen skill, on %(count)d profiles.",
                    words=words,
                    count=count,
                ),
                "success",
            )
            return redirect(url_for(".skill_list"))
    phrase_form = PhraseForm(formdata=None, phrase=form.phrase.data or words)
    return _render_map_page(words, phrase_form, form), 400
