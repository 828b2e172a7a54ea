"""An organisation's page, for its members (and admins)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from portal.errors import ValidationProblem
from portal.models import Organisation, OrganisationKind, Region, Role
from portal.services import organisations, regions
from portal.web.forms import show_problem
from portal.web.organisation.forms import OrganisationForm
from portal.web.security import current_account, roles_required
from portal.web.session import db_session

blueprint = Blueprint("organisation", __name__, url_prefix="/organisations")


@blueprint.get("/<int:organisation_id>")
@login_required
def show(organisation_id: int) -> ResponseReturnValue:
    organisation = organisations.organisation_for(db_session(), current_account(), organisation_id)
    region = db_session().get(Region, organisation.region_id) if organisation.region_id else None
    return render_template(
        "organisation/show.html",
        organisation=organisation,
        sector=organisations.SECTORS.get(organisation.sector or ""),
        region=region,
    )


def _saved(organisation: Organisation) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "licence_number": organisation.licence_number,
        "sector": organisation.sector or "",
        "region_id": str(organisation.region_id) if organisation.region_id else "",
        "contact_email": organisation.contact_email,
        "contact_phone": organisation.contact_phone,
    }


@blueprint.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@roles_required(Role.PROVIDER, Role.EMPLOYER)
def edit(organisation_id: int) -> ResponseReturnValue:
    session = db_session()
    organisation = organisations.organisation_for(session, current_account(), organisation_id)
    form = OrganisationForm(
        data=None if request.method == "POST" else _saved(organisation),
        regions=[(region.id, region.name) for region in regions.list_regions(session)],
    )
    if organisation.kind is not OrganisationKind.PROVIDER:
        del form.licence_number
    if organisation.kind is not OrganisationKind.EMPLOYER:
        del form.sector
    if form.validate_on_submit():
        try:
            organisations.update_organisation(
                session,
                current_account(),
                organisation_id,
                name=form.name.data or "",
                licence_number=form.licence_number.data if "licence_number" in form else None,
                sector=form.sector.data if "sector" in form else None,
                region_id=form.chosen_region_id(),
                contact_email=form.contact_email.data,
                contact_phone=form.contact_phone.data,
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
