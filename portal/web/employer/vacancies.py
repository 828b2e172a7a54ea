"""An employer's vacancies: the list, one vacancy with what can be done with it, closing and
duplicating. Posting and editing are in posting.py."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.errors import InvalidTransition
from portal.models import Role
from portal.models.vacancies import EDITABLE_STATES
from portal.services import vacancies
from portal.services.vacancy_pages import vacancy_page, vacancy_rows
from portal.web.forms import EmptyForm
from portal.web.security import current_account, roles_required
from portal.web.session import db_session
from portal.web.taxonomy.languages import page_language


def page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


@roles_required(Role.EMPLOYER)
def vacancy_list() -> ResponseReturnValue:
    session = db_session()
    page = vacancies.organisation_vacancies(
        session, current_account(), page=page_number(), size=current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "employer/vacancies.html",
        page=page,
        rows=vacancy_rows(session, page.items, page_language()),
        organisation=current_account().organisation,
    )


@roles_required(Role.EMPLOYER)
def vacancy(vacancy_id: int) -> ResponseReturnValue:
    session = db_session()
    found = vacancies.vacancy_for(session, current_account(), vacancy_id)
    return render_template(
        "employer/vacancy.html",
        page=vacancy_page(session, found, page_language()),
        editable=found.state in EDITABLE_STATES,
        closable=found.state in vacancies.CLOSABLE,
        form=EmptyForm(),
    )


@roles_required(Role.EMPLOYER)
def confirm_close(vacancy_id: int) -> ResponseReturnValue:
    found = vacancies.vacancy_for(db_session(), current_account(), vacancy_id)
    if found.state not in vacancies.CLOSABLE:
        flash(
            _(
                "This vacancy is already in the state “%(state)s”.",
                state=vacancies.state_label(found.state),
            ),
            "info",
        )
        return redirect(url_for("employer.vacancy", vacancy_id=found.id))
    return render_template("employer/vacancy_close.html", vacancy=found, form=EmptyForm())


@roles_required(Role.EMPLOYER)
def close_vacancy(vacancy_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        closed = vacancies.close(db_session(), current_account(), vacancy_id)
    except InvalidTransition as refusal:
        flash(refusal.message, "info")
    else:
        flash(_("“%(title)s” is closed.", title=closed.title), "success")
    return redirect(url_for("employer.vacancy", vacancy_id=vacancy_id))


@roles_required(Role.EMPLOYER)
def duplicate_vacancy(vacancy_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    copy = vacancies.duplicate(db_session(), current_account(), vacancy_id)
    flash(
        _(
            "This is a new draft copied from “%(title)s”. Check the dates, confirm the pledge "
            "again, and save it.",
            title=copy.title,
        ),
        "success",
    )
    return redirect(url_for("employer.edit_vacancy", vacancy_id=copy.id))
