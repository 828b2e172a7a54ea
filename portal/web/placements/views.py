"""A worker's matches and offers, an employer's ranked candidates, and the steps of a placement.

Who may take which step is the placement service's rule; these views show the buttons it
allows and turn its refusals into messages.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.errors import Conflict, DomainError, InvalidTransition, ValidationProblem
from portal.models import Placement, PlacementState, Role, User, Worker
from portal.services import matching, placements, workers
from portal.services.placements import PlacementView
from portal.web.forms import EmptyForm, show_problem
from portal.web.placements.forms import AcceptForm, StepForm
from portal.web.security import current_account, roles_required
from portal.web.session import db_session

blueprint = Blueprint("placements", __name__)
WORKER_SIDE = (Role.WORKER, Role.PROVIDER, Role.ADMIN)


def page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


# --- the worker's side --------------------------------------------------------------------------


@blueprint.get("/worker/matches")
@roles_required(Role.WORKER)
def own_matches() -> ResponseReturnValue:
    worker = workers.own_profile(db_session(), current_account())
    if worker is None:
        flash(_("Describe your skills first: matches come from your profile."), "info")
        return redirect(url_for("worker.own_profile"))
    return _matches_page(worker)


@blueprint.get("/workers/<int:worker_id>/matches")
@roles_required(*WORKER_SIDE)
def worker_matches(worker_id: int) -> ResponseReturnValue:
    session, account = db_session(), current_account()
    worker = workers.worker_for(session, account, worker_id)
    workers.record_view(session, account, worker)
    return _matches_page(worker)


def _matches_page(worker: Worker) -> ResponseReturnValue:
    session, account = db_session(), current_account()
    found = matching.worker_matches(session, worker)
    views = placements.worker_placements(session, account, worker)
    return render_template(
        "placements/worker_matches.html",
        worker=worker,
        own=worker.user_id == account.id,
        found=found,
        live=[view for view in views if view.placement.state in _SHOWN_AS_LIVE],
        past=[view for view in views if view.placement.state not in _SHOWN_AS_LIVE],
    )


_SHOWN_AS_LIVE = frozenset(
    {PlacementState.OFFERED, PlacementState.ACCEPTED, PlacementState.STARTED}
)


@blueprint.route("/placements/<int:placement_id>/accept", methods=["GET", "POST"])
@roles_required(*WORKER_SIDE)
def accept(placement_id: int) -> ResponseReturnValue:
    session, account = db_session(), current_account()
    view = placements.placement_view(session, account, placement_id)
    if PlacementState.ACCEPTED not in view.steps:
        flash(_("This offer cannot be accepted any more."), "info")
        return redirect(_back_to(view))
    form = AcceptForm()
    if form.validate_on_submit():
        try:
            placements.accept(
                session,
                account,
                placement_id,
                fee_asked={"yes": True, "no": False}.get(form.fee_asked.data or ""),
                fee_details=form.fee_details.data or "",
            )
        except ValidationProblem as problem:
            show_problem(form, problem)
        except DomainError as refusal:
            flash(refusal.message, "error")
            return redirect(_back_to(view))
        else:
            flash(
                _(
                    "You accepted the job “%(title)s”. The employer is told.",
                    title=view.vacancy.title,
                ),
                "success",
            )
            if form.fee_asked.data == "yes":
                flash(
                    _(
                        "Thank you for telling us about the payment. "
                        "An administrator will look into it."
                    ),
                    "info",
                )
            return redirect(_back_to(view))
    status = 400 if form.is_submitted() else 200
    return render_template("placements/accept.html", view=view, form=form), status


# --- the employer's side ------------------------------------------------------------------------


@blueprint.get("/employer/vacancies/<int:vacancy_id>/candidates")
@roles_required(Role.EMPLOYER, Role.ADMIN)
def candidates(vacancy_id: int) -> ResponseReturnValue:
    session, account = db_session(), current_account()
    vacancy, page = matching.vacancy_candidates(
        session, account, vacancy_id, page=page_number(), size=current_app.config["PAGE_SIZE"]
    )
    views = placements.vacancy_placements(session, account, vacancy.id)
    return render_template(
        "placements/candidates.html",
        vacancy=vacancy,
        page=page,
        live=[view for view in views if view.placement.state in _SHOWN_AS_LIVE],
        offers_open=sum(view.placement.state is PlacementState.OFFERED for view in views),
        form=EmptyForm(),
    )


@blueprint.post("/employer/vacancies/<int:vacancy_id>/candidates/<int:worker_id>/offer")
@roles_required(Role.EMPLOYER, Role.ADMIN)
def offer(vacancy_id: int, worker_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        made = placements.offer(db_session(), current_account(), vacancy_id, worker_id)
    except (Conflict, InvalidTransition) as refusal:  # not found or forbidden: the error page
        flash(refusal.message, "error")
    else:
        flash(
            _("The offer is sent. It holds a position until %(when)s UTC.", when=_when(made)),
            "success",
        )
    return redirect(
        url_for(".candidates", vacancy_id=vacancy_id, page=request.args.get("page", 1, type=int))
    )


def _when(placement: Placement) -> str:
    expires = placement.offer_expires_at
    return format_datetime(expires, "short") if expires is not None else ""


# --- the steps either side may take -------------------------------------------------------------

STEPS: dict[str, tuple[PlacementState, Callable[[Session, User, int, str], Placement]]] = {
    "decline": (PlacementState.DECLINED, placements.decline),
    "withdraw": (PlacementState.WITHDRAWN, placements.withdraw),
    "no-show": (PlacementState.NO_SHOW, placements.no_show),
    "start": (PlacementState.STARTED, lambda s, u, p, _reason: placements.start(s, u, p)),
    "finish": (PlacementState.FINISHED, lambda s, u, p, _reason: placements.finish(s, u, p)),
}


@blueprint.post(
    "/placements/<int:placement_id>/<any(decline, withdraw, 'no-show', start, finish):step>"
)
@roles_required(Role.WORKER, Role.PROVIDER, Role.EMPLOYER, Role.ADMIN)
def take_step(placement_id: int, step: str) -> ResponseReturnValue:
    """One step of a placement, with an optional reason; the service decides who may."""
    session, account = db_session(), current_account()
    view = placements.placement_view(session, account, placement_id)
    form = StepForm()
    if not form.validate_on_submit():
        for message in form.reason.errors:
            flash(str(message), "error")
        return redirect(_back_to(view))
    target, action = STEPS[step]
    try:
        action(session, account, placement_id, form.reason.data or "")
    except DomainError as refusal:
        flash(refusal.message, "error")
    else:
        flash(_("Done: the placement is now %(state)s.", state=_state_name(target)), "success")
    return redirect(_back_to(view))


STATE_NAMES = {
    PlacementState.PROPOSED: _l("proposed"),
    PlacementState.OFFERED: _l("offered"),
    PlacementState.ACCEPTED: _l("accepted"),
    PlacementState.STARTED: _l("started"),
    PlacementState.FINISHED: _l("finished"),
    PlacementState.DECLINED: _l("declined"),
    PlacementState.WITHDRAWN: _l("withdrawn"),
    PlacementState.EXPIRED: _l("expired"),
    PlacementState.NO_SHOW: _l("no-show"),
}


def _state_name(state: PlacementState) -> str:
    return str(STATE_NAMES[state])


def _back_to(view: PlacementView) -> str:
    """Where the person who acted came from: their matches, the candidates, or the board."""
    account = current_account()
    if account.role is Role.ADMIN:
        return url_for("admin_placements.placement", placement_id=view.placement.id)
    if account.role is Role.EMPLOYER:
        return url_for(".candidates", vacancy_id=view.vacancy.id)
    if account.role is Role.WORKER:
        return url_for(".own_matches")
    worker_id = view.placement.worker_id
    return (
        url_for(".worker_matches", worker_id=worker_id)
        if worker_id
        else url_for("public.dashboard")
    )
