"""Administrators: the words people taught the portal, and removing the wrong ones."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.errors import NotFound
from portal.models import Role
from portal.services import taxonomy, taxonomy_pages
from portal.web.forms import EmptyForm
from portal.web.security import current_account, roles_required
from portal.web.session import db_session
from portal.web.taxonomy.languages import language_name, page_language

blueprint = Blueprint("admin_learned", __name__, url_prefix="/admin/learned-labels")


@blueprint.context_processor
def _helpers() -> dict[str, object]:
    return {"language_name": language_name}


@blueprint.get("")
@roles_required(Role.ADMIN)
def label_list() -> ResponseReturnValue:
    page = taxonomy_pages.learned_labels_page(
        db_session(),
        page_language(),
        number=request.args.get("page", 1, type=int) or 1,
        size=current_app.config["PAGE_SIZE"],
    )
    return render_template("admin/learned_labels.html", page=page)


@blueprint.get("/<int:label_id>/remove")
@roles_required(Role.ADMIN)
def confirm_removal(label_id: int) -> ResponseReturnValue:
    row = taxonomy_pages.learned_label_row(db_session(), label_id, page_language())
    if row is None:
        abort(404)
    return render_template("admin/learned_label_remove.html", row=row, form=EmptyForm())


@blueprint.post("/<int:label_id>/remove")
@roles_required(Role.ADMIN)
def remove(label_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        label = taxonomy.remove_learned_label(db_session(), current_account(), label_id)
    except NotFound as refusal:
        flash(refusal.message, "info")
    else:
        flash(_("“%(words)s” no longer points to its concept.", words=label.text), "success")
    return redirect(url_for("admin_learned.label_list"))
