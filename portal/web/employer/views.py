"""The employer's pages: the dashboard here; vacancies in posting.py and vacancies.py."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from portal.models import Role
from portal.services import vacancies
from portal.services.vacancy_pages import vacancy_rows
from portal.web.employer import posting
from portal.web.employer import vacancies as vacancy_views
from portal.web.security import current_account, roles_required
from portal.web.session import db_session
from portal.web.taxonomy.languages import page_language

blueprint = Blueprint("employer", __name__, url_prefix="/employer")
RECENT = 5

blueprint.add_url_rule("/vacancies", view_func=vacancy_views.vacancy_list)
blueprint.add_url_rule("/vacancies/new", view_func=posting.new_vacancy, methods=["GET", "POST"])
blueprint.add_url_rule("/vacancies/<int:vacancy_id>", view_func=vacancy_views.vacancy)
blueprint.add_url_rule(
    "/vacancies/<int:vacancy_id>/edit", view_func=posting.edit_vacancy, methods=["GET", "POST"]
)
blueprint.add_url_rule("/vacancies/<int:vacancy_id>/close", view_func=vacancy_views.confirm_close)
blueprint.add_url_rule(
    "/vacancies/<int:vacancy_id>/close", view_func=vacancy_views.close_vacancy, methods=["POST"]
)
blueprint.add_url_rule(
    "/vacancies/<int:vacancy_id>/duplicate",
    view_func=vacancy_views.duplicate_vacancy,
    methods=["POST"],
)


@blueprint.get("/")
@roles_required(Role.EMPLOYER)
def dashboard() -> ResponseReturnValue:
    account = current_account()
    recent = None
    if account.organisation_id is not None:
        recent = vacancies.organisation_vacancies(db_session(), account, page=1, size=RECENT)
    return render_template(
        "employer/dashboard.html",
        account=account,
        organisation=account.organisation,
        recent=recent,
        rows=vacancy_rows(db_session(), recent.items, page_language()) if recent else [],
    )
