"""Administrators: the queue of vacancies waiting for moderation, and approving, sending back or
rejecting one (a reason is required for the last two: the employer reads it)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from portal.errors import Conflict, InvalidTransition, ValidationProblem
from portal.models import Role, VacancyState
from portal.services import vacancies
from portal.services.vacancy_pages import vacancy_page, vacancy_rows
from portal.web.forms import EmptyForm, PortalForm, show_problem
from portal.web.security import current_account, roles_required
from portal.web.session import db_session
from portal.web.taxonomy.languages import page_language

blueprint = Blueprint("admin_moderation", __name__, url_prefix="/admin/moderation")
REASON_MAX = 1000


class ReasonForm(PortalForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Say why, so that the employer can act on it.")),
            Length(max=REASON_MAX, message=_l("Use at most %(max)d characters.")),
        ],
        description=_l("The employer reads this. Say what to change, in plain words."),
        render_kw={"rows": "3"},
    )


REASON_LABELS = {
    "send_back": _l("What should the employer change?"),
    "reject": _l("Why is it rejected?"),
}


def _reason_forms(**posted: ReasonForm) -> dict[str, ReasonForm]:
    forms = {what: ReasonForm(prefix=what, formdata=None) for what in REASON_LABELS}
    forms.update(posted)
    for what, form in forms.items():
        form.reason.label.text = REASON_LABELS[what]
    return forms


@blueprint.get("")
@roles_required(Role.ADMIN)
def queue() -> ResponseReturnValue:
    session = db_session()
    page = vacancies.moderation_queue(
        session,
        page=request.args.get("page", 1, type=int) or 1,
        size=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "admin/moderation_queue.html",
        page=page,
        rows=vacancy_rows(session, page.items, page_language()),
    )


@blueprint.get("/<int:vacancy_id>")
@roles_required(Role.ADMIN)
def review(vacancy_id: int) -> ResponseReturnValue:
    return _review_page(vacancy_id, _reason_forms())


def _review_page(
    vacancy_id: int, forms: dict[str, ReasonForm], status: int = 200
) -> ResponseReturnValue:
    session = db_session()
    found = vacancies.vacancy_for(session, current_account(), vacancy_id)
    context: dict[str, Any] = {
        "page": vacancy_page(session, found, page_language()),
        "waiting": found.state is VacancyState.SUBMITTED,
        "approve_form": EmptyForm(),
        "forms": forms,
    }
    return render_template("admin/moderation_review.html", **context), status


@blueprint.post("/<int:vacancy_id>/approve")
@roles_required(Role.ADMIN)
def approve(vacancy_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        approved = vacancies.approve(db_session(), current_account(), vacancy_id)
    except Conflict as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("admin_moderation.review", vacancy_id=vacancy_id))
    except InvalidTransition as refusal:
        flash(refusal.message, "info")
    else:
        flash(_("“%(title)s” is published.", title=approved.title), "success")
    return redirect(url_for("admin_moderation.queue"))


@blueprint.post("/<int:vacancy_id>/send-back")
@roles_required(Role.ADMIN)
def send_back(vacancy_id: int) -> ResponseReturnValue:
    return _moderate(vacancy_id, "send_back")


@blueprint.post("/<int:vacancy_id>/reject")
@roles_required(Role.ADMIN)
def reject(vacancy_id: int) -> ResponseReturnValue:
    return _moderate(vacancy_id, "reject")


def _moderate(vacancy_id: int, what: str) -> ResponseReturnValue:
    form = ReasonForm(prefix=what)
    if form.validate_on_submit():
        decide = vacancies.send_back if what == "send_back" else vacancies.reject
        try:
            decided = decide(db_session(), current_account(), vacancy_id, form.reason.data or "")
        except ValidationProblem as problem:
            show_problem(form, problem)
        except InvalidTransition as refusal:
            flash(refusal.message, "info")
            return redirect(url_for("admin_moderation.queue"))
        else:
            if what == "send_back":
                message = _("“%(title)s” is sent back to the employer.", title=decided.title)
            else:
                message = _("“%(title)s” is rejected.", title=decided.title)
            flash(message, "success")
            return redirect(url_for("admin_moderation.queue"))
    return _review_page(vacancy_id, _reason_forms(**{what: form}), status=400)
