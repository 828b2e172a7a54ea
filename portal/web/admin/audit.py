"""Administrators: the audit trail of who viewed or changed a worker's profile, and when."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from portal.models import Role, Worker
from portal.models.base import ID_MAX
from portal.services import audit
from portal.services.workers import SUBJECT
from portal.web.forms import PortalForm
from portal.web.security import roles_required
from portal.web.session import db_session

blueprint = Blueprint("admin_audit", __name__, url_prefix="/admin/audit")


class TrailFilterForm(PortalForm):
    """Sent with GET: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    worker = IntegerField(
        _l("Worker number"),
        validators=[
            Optional(),
            NumberRange(
                min=1, max=ID_MAX, message=_l("A worker number is a whole number from 1 up.")
            ),
        ],
        description=_l("Leave empty to see the events about every worker."),
        render_kw={"inputmode": "numeric"},
    )


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


@blueprint.get("")
@roles_required(Role.ADMIN)
def event_list() -> ResponseReturnValue:
    form = TrailFilterForm(request.args)
    if not form.validate():
        return render_template("admin/audit.html", form=form, page=None), 400
    page = audit.trail(
        db_session(),
        subject_type=SUBJECT,
        subject_id=form.worker.data,
        page=_page_number(),
        size=current_app.config["PAGE_SIZE"],
    )
    return render_template("admin/audit.html", form=form, page=page)


@blueprint.get("/workers/<int:worker_id>")
@roles_required(Role.ADMIN)
def worker_trail(worker_id: int) -> ResponseReturnValue:
    session = db_session()
    worker = session.get(Worker, worker_id)
    page = audit.trail(
        session,
        subject_type=SUBJECT,
        subject_id=worker_id,
        page=_page_number(),
        size=current_app.config["PAGE_SIZE"],
    )
    if worker is None and page.total == 0:
        abort(404)
    return render_template("admin/audit_worker.html", worker_id=worker_id, worker=worker, page=page)
