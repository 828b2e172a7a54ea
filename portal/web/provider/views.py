"""The labour provider's pages: its workers, registering one on their behalf, invites."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.errors import Conflict, Forbidden, ValidationProblem
from portal.models import Region, Role
from portal.services import outbox, provider_workers, reference, workers
from portal.web.forms import EmptyForm, show_problem
from portal.web.provider.forms import WorkerSearchForm
from portal.web.security import current_account, roles_required
from portal.web.session import db_session
from portal.web.taxonomy.languages import page_language
from portal.web.worker.forms import AboutForm

blueprint = Blueprint("provider", __name__, url_prefix="/provider")

UPLOAD_URL = "/provider/workers/upload"  # the bulk upload pages


def profile_step_url(worker_id: int, step: str) -> str:
    """Where a worker's profile is edited, step by step (by the worker or for them)."""
    return f"/workers/{worker_id}/profile/{step}"


@blueprint.context_processor
def _links() -> dict[str, object]:
    return {"profile_step_url": profile_step_url, "upload_url": UPLOAD_URL}


@blueprint.get("/")
@roles_required(Role.PROVIDER)
def dashboard() -> ResponseReturnValue:
    account = current_account()
    return render_template(
        "provider/dashboard.html",
        account=account,
        organisation=account.organisation,
        counts=provider_workers.count_provider_workers(db_session(), account)
        if account.organisation is not None
        else None,
    )


@blueprint.get("/workers")
@roles_required(Role.PROVIDER)
def worker_list() -> ResponseReturnValue:
    account = current_account()
    form = WorkerSearchForm(request.args)
    if not form.validate():
        return render_template(
            "provider/workers.html", form=form, search="", page=None, account=account
        ), 400
    search = (form.q.data or "").strip()
    page = provider_workers.list_provider_workers(
        db_session(),
        account,
        search=search,
        page=request.args.get("page", 1, type=int) or 1,
        size=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "provider/workers.html", form=form, search=search, page=page, account=account
    )


@blueprint.route("/workers/new", methods=["GET", "POST"])
@roles_required(Role.PROVIDER)
def register_worker() -> ResponseReturnValue:
    account = current_account()
    organisation = account.organisation
    if organisation is None or not organisation.is_verified:
        return render_template(
            "provider/worker_new.html", form=None, organisation=organisation
        ), 403
    language = page_language()
    form = AboutForm(
        countries=reference.countries(language), languages=reference.languages(language)
    )
    if form.validate_on_submit():
        try:
            worker = provider_workers.register_worker_for_provider(
                db_session(), account, form.about_you()
            )
        except ValidationProblem as problem:
            if problem.field == "languages":  # the rows have no single field to carry it
                form.form_errors.append(problem.message)
            else:
                show_problem(form, problem)
        else:
            flash(
                _("%(name)s is registered. Now add what they can do.", name=worker.full_name),
                "success",
            )
            return redirect(profile_step_url(worker.id, "skills"))
    status = 400 if form.is_submitted() else 200
    return render_template("provider/worker_new.html", form=form, organisation=organisation), status


@blueprint.get("/workers/<int:worker_id>")
@roles_required(Role.PROVIDER)
def worker_summary(worker_id: int) -> ResponseReturnValue:
    session = db_session()
    account = current_account()
    worker = workers.worker_for(session, account, worker_id)
    workers.record_view(session, account, worker)
    language = page_language()
    invite = provider_workers.latest_invite(session, worker)
    return render_template(
        "provider/worker.html",
        worker=worker,
        organisation=account.organisation,
        invite=invite,
        invite_works=invite is not None and provider_workers.invite_works(invite),
        missing=workers.missing_for_activation(worker),
        region=session.get(Region, worker.region_id) if worker.region_id else None,
        country_of_origin=reference.country_name(worker.country_of_origin, language),
        nationality=reference.country_name(worker.nationality, language),
        language_name=lambda code: reference.language_name(code, language),
        form=EmptyForm(),
    )


@blueprint.post("/workers/<int:worker_id>/invite")
@roles_required(Role.PROVIDER)
def invite_worker(worker_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    session = db_session()
    try:
        provider_workers.invite_worker(
            session,
            current_account(),
            worker_id,
            link_for=lambda token: url_for("invites.accept", token=token, _external=True),
        )
    except (Conflict, Forbidden) as refusal:  # NotFound: the 404 page, as for any other id
        flash(refusal.message, "error")
    else:
        outbox.deliver_pending(session, outbox.transport_from_settings(current_app.config))
        flash(
            _(
                "The invite is sent. The link works once, for %(days)d days.",
                days=provider_workers.INVITE_TTL.days,
            ),
            "success",
        )
    return redirect(url_for("provider.worker_summary", worker_id=worker_id))
