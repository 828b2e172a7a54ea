"""A worker's data rights: see and download everything held about them, withdraw consent, and
delete the account. The worker, their labour provider and admins may see and download; only the
worker or an admin may delete."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import logout_user
from wtforms import Field, StringField
from wtforms.validators import InputRequired, ValidationError

from portal.models import ProfileStatus, Role, Worker
from portal.services import data_rights, reference, workers
from portal.web.forms import EmptyForm, PortalForm
from portal.web.security import current_account, roles_required
from portal.web.session import db_session

blueprint = Blueprint("worker_rights", __name__, url_prefix="/workers/<int:worker_id>/data")

MANAGERS = (Role.WORKER, Role.PROVIDER, Role.ADMIN)
ERASERS = (Role.WORKER, Role.ADMIN)
CONFIRMATION_WORD = "DELETE"


def _typed_the_word(_form: PortalForm, field: Field) -> None:
    if (field.data or "").strip().upper() != CONFIRMATION_WORD:
        raise ValidationError(_l("Type DELETE in capital letters to confirm."))


class ErasureForm(PortalForm):
    confirmation = StringField(
        _l("Type DELETE to confirm"),
        validators=[InputRequired(_l("Type DELETE to confirm.")), _typed_the_word],
        description=_l("This cannot be undone."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


@blueprint.context_processor
def _helpers() -> dict[str, object]:
    return {"country_name": reference.country_name, "language_name": reference.language_name}


def _worker(worker_id: int) -> Worker:
    return workers.worker_for(db_session(), current_account(), worker_id)


@blueprint.get("")
@roles_required(*MANAGERS)
def show(worker_id: int) -> ResponseReturnValue:
    worker = _worker(worker_id)
    data = data_rights.export_worker_data(db_session(), current_account(), worker, form="page")
    return render_template(
        "worker/rights/show.html",
        worker=worker,
        data=data,
        may_erase=data_rights.may_erase(current_account(), worker),
    )


@blueprint.get("/data.json")
@roles_required(*MANAGERS)
def download(worker_id: int) -> ResponseReturnValue:
    worker = _worker(worker_id)
    data = data_rights.export_worker_data(db_session(), current_account(), worker, form="json")
    return Response(
        data_rights.as_json(data),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="worker-{worker.id}-data.json"'},
    )


@blueprint.get("/withdraw-consent")
@roles_required(*MANAGERS)
def confirm_withdrawal(worker_id: int) -> ResponseReturnValue:
    worker = _worker(worker_id)
    live = [consent for consent in worker.consents if consent.withdrawn_at is None]
    return render_template(
        "worker/rights/confirm_withdrawal.html", worker=worker, live=live, form=EmptyForm()
    )


@blueprint.post("/withdraw-consent")
@roles_required(*MANAGERS)
def withdraw_consent(worker_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    worker = _worker(worker_id)
    if worker.status is not ProfileStatus.ACTIVE and all(c.withdrawn_at for c in worker.consents):
        flash(_("There is no consent to withdraw."), "info")
    else:
        workers.withdraw_consent(db_session(), current_account(), worker)
        flash(_("Consent is withdrawn: employers no longer see this profile."), "success")
    return redirect(url_for(".show", worker_id=worker.id))


def _erasable(worker_id: int) -> Worker:
    worker = _worker(worker_id)
    if not data_rights.may_erase(current_account(), worker):
        abort(403)
    return worker


def _render_confirmation(worker: Worker, form: ErasureForm) -> str:
    return render_template(
        "worker/rights/confirm_erasure.html",
        worker=worker,
        form=form,
        facts=data_rights.tally_facts(db_session(), worker),
        own=worker.user_id == current_account().id,
    )


@blueprint.get("/delete")
@roles_required(*ERASERS)
def confirm_erasure(worker_id: int) -> ResponseReturnValue:
    return _render_confirmation(_erasable(worker_id), ErasureForm())


@blueprint.post("/delete")
@roles_required(*ERASERS)
def erase(worker_id: int) -> ResponseReturnValue:
    worker = _erasable(worker_id)
    form = ErasureForm()
    if not form.validate_on_submit():
        return _render_confirmation(worker, form), 400
    actor = current_account()
    own = worker.user_id == actor.id
    data_rights.erase_worker(db_session(), actor, worker)
    if own:  # their login is gone: end the browser session and say what happened
        logout_user()
        session.clear()
        return render_template("worker/rights/erased.html")
    flash(_("The worker's personal data is erased."), "success")
    return redirect(url_for("admin_audit.worker_trail", worker_id=worker_id))
