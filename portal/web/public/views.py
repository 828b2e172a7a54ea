"""The home page for every audience, and the door to each role's dashboard."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from portal.models import Role

blueprint = Blueprint("public", __name__)

DASHBOARD_OF_ROLE = {
    Role.WORKER: "worker.dashboard",
    Role.PROVIDER: "provider.dashboard",
    Role.EMPLOYER: "employer.dashboard",
    Role.ADMIN: "admin.dashboard",
}


@blueprint.get("/")
def home() -> ResponseReturnValue:
    return render_template("public/home.html")


@blueprint.get("/dashboard")
@login_required
def dashboard() -> ResponseReturnValue:
    return redirect(url_for(DASHBOARD_OF_ROLE[current_user.role]))
