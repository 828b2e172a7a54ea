"""Open vacancies, for everyone: workers, labour providers and the public (no login needed)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue

from portal.services import regions, vacancies
from portal.services.vacancy_pages import vacancy_page, vacancy_rows
from portal.web.session import db_session
from portal.web.taxonomy.languages import page_language
from portal.web.vacancies.forms import BrowseForm

blueprint = Blueprint("vacancies", __name__, url_prefix="/vacancies")


@blueprint.get("/")
def browse() -> ResponseReturnValue:
    session = db_session()
    form = BrowseForm(
        request.args,
        regions=[(region.id, region.name) for region in regions.list_regions(session)],
    )
    if not form.validate():
        return render_template("vacancies/browse.html", form=form, page=None, rows=[]), 400
    page = vacancies.browse(
        session,
        form.filters(),
        page=request.args.get("page", 1, type=int) or 1,
        size=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "vacancies/browse.html",
        form=form,
        page=page,
        rows=vacancy_rows(session, page.items, page_language()),
        query=form.query(),
    )


@blueprint.get("/<int:vacancy_id>")
def show(vacancy_id: int) -> ResponseReturnValue:
    session = db_session()
    found = vacancies.public_vacancy(session, vacancy_id)
    return render_template(
        "vacancies/vacancy.html", page=vacancy_page(session, found, page_language())
    )
