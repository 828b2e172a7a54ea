"""An organisation's page, for its members (and admins)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from portal.errors import ValidationProblem
from portal.models import OrganisationKind, Role
from portal.services import organisations
from portal.web.forms import show_problem
from portal.web.organisation.forms import OrganisationForm
from portal.web.security import current_account, roles_required
from portal.web.session import db_session

blueprint = Blueprint("organisation", __name__, url_prefix="/organisations")


@blueprint.get("/<int:organisation_id>")
@login_required
def show(organisation_id: int) -> ResponseReturnValue:
    organisation = organisations.organisation_for(db_session(), current_account(), organisation_id)
    return render_template("organisation/show.html", organisation=organisation)


@blueprint.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@roles_required(Role.PROVIDER, Role.EMPLOYER)
def edit(organisation_id: int) -> ResponseReturnValue:
    organisation = organisations.organisation_for(db_session(), current_account(), organisation_id)
    form = OrganisationForm(obj=organisation)
    if organisation.kind is not OrganisationKind.PROVIDER:
        del form.licence_number
    if form.validate_on_submit():
        try:
            organisations.update_organisation(
                db_session(),
                current_account(),
                organisation_id,
                name=form.name.data or "",
                licence_number=form.licence_number.data if "licence_number" in form else None,
            )
        except ValidationProblem as problem:
            show_problem(form, problem)
        else:
            flash(_("The organisation's details are saved."), "success")
            return redirect(url_for("organisation.show", organisation_id=organisation_id))
    status = 400 if form.is_submitted() else 200
    return (
        render_template("organisation/edit.html", form=form, organisation=organisation),
        status,
    )
