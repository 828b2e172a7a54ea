"""Everyone's notifications: what happened to their offers, candidates and reports."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from portal.models import Role
from portal.services import notifications
from portal.web.forms import EmptyForm
from portal.web.security import current_account, is_local_path, roles_required
from portal.web.session import db_session

blueprint = Blueprint("notifications", __name__, url_prefix="/notifications")
EVERYONE = (Role.WORKER, Role.PROVIDER, Role.EMPLOYER, Role.ADMIN)


@blueprint.get("/")
@roles_required(*EVERYONE)
def notification_list() -> ResponseReturnValue:
    page = notifications.list_notifications(
        db_session(),
        current_account(),
        page=request.args.get("page", 1, type=int) or 1,
        size=current_app.config["PAGE_SIZE"],
    )
    return render_template("notifications/list.html", page=page, form=EmptyForm())


@blueprint.post("/<int:notification_id>/read")
@roles_required(*EVERYONE)
def mark_read(notification_id: int) -> ResponseReturnValue:
    """Mark one as read and open what it is about (a path inside the portal)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    read = notifications.mark_read(db_session(), current_account(), notification_id)
    if request.form.get("open") and _inside_the_portal(read.link):
        return redirect(read.link)
    return redirect(url_for(".notification_list"))


@blueprint.post("/read-all")
@roles_required(*EVERYONE)
def mark_all_read() -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    notifications.mark_all_read(db_session(), current_account())
    return redirect(url_for(".notification_list"))


def _inside_the_portal(link: str) -> bool:
    """A path on this site: never "//host" or "/\\host", which browsers take as another site."""
    return is_local_path(link)
