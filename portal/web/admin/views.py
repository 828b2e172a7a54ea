"""Administrators: the overview, organisations to verify, and the outbox."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.errors import Conflict
from portal.models import OutboxMessage, Role
from portal.services import accounts, organisations, outbox
from portal.web.forms import EmptyForm
from portal.web.security import current_account, roles_required
from portal.web.session import db_session

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


@blueprint.get("/")
@roles_required(Role.ADMIN)
def dashboard() -> ResponseReturnValue:
    session = db_session()
    unverified = organisations.list_organisations(session, unverified_only=True, page=1, size=1)
    return render_template(
        "admin/dashboard.html",
        counts={role.value: n for role, n in accounts.count_by_role(session).items()},
        unverified_total=unverified.total,
        pending_messages=outbox.pending_count(session),
    )


@blueprint.get("/organisations")
@roles_required(Role.ADMIN)
def organisation_list() -> ResponseReturnValue:
    show_all = request.args.get("show") == "all"
    page = organisations.list_organisations(
        db_session(),
        unverified_only=not show_all,
        page=_page_number(),
        size=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "admin/organisations.html", page=page, show_all=show_all, form=EmptyForm()
    )


@blueprint.post("/organisations/<int:organisation_id>/verify")
@roles_required(Role.ADMIN)
def verify_organisation(organisation_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        organisation = organisations.verify_organisation(
            db_session(), current_account(), organisation_id
        )
    except Conflict as refusal:
        flash(refusal.message, "info")
    else:
        flash(_("%(name)s is verified.", name=organisation.name), "success")
    return redirect(url_for("admin.organisation_list"))


@blueprint.get("/outbox")
@roles_required(Role.ADMIN)
def outbox_list() -> ResponseReturnValue:
    page = outbox.list_messages(
        db_session(), page=_page_number(), size=current_app.config["PAGE_SIZE"]
    )
    return render_template("admin/outbox.html", page=page)


@blueprint.get("/outbox/<int:message_id>")
@roles_required(Role.ADMIN)
def outbox_message(message_id: int) -> ResponseReturnValue:
    message = db_session().get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return render_template("admin/outbox_message.html", message=message)
