"""Administrators: the deployment's regions, and adding one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal.errors import ValidationProblem
from portal.models import Role
from portal.models.regions import REGION_NAME_MAX
from portal.services import regions
from portal.web.forms import PortalForm, show_problem
from portal.web.security import roles_required
from portal.web.session import db_session

blueprint = Blueprint("admin_regions", __name__, url_prefix="/admin/regions")


def _tidy(value: str | None) -> str | None:
    return " ".join(value.split()) if value is not None else None


class RegionForm(PortalForm):
    name = StringField(
        _l("Name of the region"),
        filters=[_tidy],
        validators=[
            DataRequired(_l("Enter the region's name.")),
            Length(
                max=REGION_NAME_MAX,
                message=_l("A region name has at most %(max)d characters."),
            ),
        ],
        description=_l("As people in the country say it, for example “North” or “Capital”."),
        render_kw={"autocomplete": "off"},
    )


@blueprint.route("", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def region_list() -> ResponseReturnValue:
    session = db_session()
    form = RegionForm()
    status = 200
    if form.validate_on_submit():
        name = form.name.data or ""
        try:
            added = regions.add_regions(session, [name])
        except ValidationProblem as problem:
            show_problem(form, problem)
            status = 400
        else:
            if added:
                flash(_("%(name)s is added.", name=name), "success")
                return redirect(url_for(".region_list"))
            form.name.errors = [_("“%(name)s” is already in the list.", name=name)]
            status = 400
    elif form.is_submitted():
        status = 400
    return render_template(
        "admin/regions.html", form=form, regions=regions.list_regions(session)
    ), status
