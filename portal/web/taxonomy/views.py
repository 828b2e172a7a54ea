"""Browse the active taxonomy: search skills and occupations, and read one of each. Public."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from portal.models import ConceptKind
from portal.services import taxonomy_pages
from portal.web.session import db_session
from portal.web.taxonomy.forms import SearchForm
from portal.web.taxonomy.languages import language_name, page_language

blueprint = Blueprint("taxonomy", __name__, url_prefix="/taxonomy")


@blueprint.context_processor
def _helpers() -> dict[str, object]:
    return {"language_name": language_name}


@blueprint.get("/")
def search() -> ResponseReturnValue:
    form = SearchForm(request.args)
    words = (form.q.data or "").strip()
    if not form.validate():
        return render_template("taxonomy/search.html", form=form, words=words, results=None), 400
    results = taxonomy_pages.search(
        db_session(), ConceptKind(form.kind.data), words, page_language()
    )
    return render_template("taxonomy/search.html", form=form, words=words, results=results)


@blueprint.get("/skills/<int:concept_id>")
def skill(concept_id: int) -> ResponseReturnValue:
    page = taxonomy_pages.skill_page(db_session(), concept_id, page_language())
    if page is None:
        abort(404)
    return render_template("taxonomy/skill.html", skill=page)


@blueprint.get("/occupations/<int:concept_id>")
def occupation(concept_id: int) -> ResponseReturnValue:
    page = taxonomy_pages.occupation_page(db_session(), concept_id, page_language())
    if page is None:
        abort(404)
    return render_template("taxonomy/occupation.html", occupation=page)
