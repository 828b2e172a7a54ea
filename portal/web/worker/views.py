"""The worker's own pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from portal.models import Role
from portal.web.security import current_account, roles_required

blueprint = Blueprint("worker", __name__, url_prefix="/worker")


@blueprint.get("/")
@roles_required(Role.WORKER)
def dashboard() -> ResponseReturnValue:
    return render_template("worker/dashboard.html", account=current_account())
