"""The labour provider's pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from portal.models import Role
from portal.web.security import current_account, roles_required

blueprint = Blueprint("provider", __name__, url_prefix="/provider")


@blueprint.get("/")
@roles_required(Role.PROVIDER)
def dashboard() -> ResponseReturnValue:
    account = current_account()
    return render_template(
        "provider/dashboard.html", account=account, organisation=account.organisation
    )
