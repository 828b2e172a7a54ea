"""Administrators: the placement board by state, one placement's history with the override of a
proposal, and the matching page (settings, runs, and the button that starts one)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from portal.errors import DomainError, ValidationProblem
from portal.models import MatchRunState, PlacementState, Role
from portal.services import matching, placements
from portal.services.matching_settings import BOUNDS, current_settings, update_settings
from portal.web.forms import EmptyForm, show_problem
from portal.web.placements.forms import OverrideForm, SettingsForm
from portal.web.security import current_account, roles_required
from portal.web.session import db_session

blueprint = Blueprint("admin_placements", __name__, url_prefix="/admin")
OVERRIDE_CHOICES = 50  # the best candidates offered in the override list


@blueprint.get("/placements")
@roles_required(Role.ADMIN)
def board() -> ResponseReturnValue:
    session = db_session()
    state_name = request.args.get("state", "")
    state = PlacementState(state_name) if state_name in PlacementState._value2member_map_ else None
    page = placements.placement_board(
        session,
        current_account(),
        state,
        page=request.args.get("page", 1, type=int) or 1,
        size=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "placements/board.html",
        page=page,
        state=state,
        counts=placements.board_counts(session),
    )


@blueprint.route("/placements/<int:placement_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def placement(placement_id: int) -> ResponseReturnValue:
    session, admin = db_session(), current_account()
    view = placements.placement_view(session, admin, placement_id)
    form = OverrideForm()
    form.new_worker_id.choices = _override_choices(view)
    if view.placement.state is PlacementState.PROPOSED and form.validate_on_submit():
        try:
            new = placements.override_proposal(
                session, admin, placement_id, form.new_worker_id.data, form.reason.data
            )
        except ValidationProblem as problem:
            show_problem(form, problem)
        except DomainError as refusal:
            flash(refusal.message, "error")
        else:
            flash(_("The proposal is replaced; the original stays in the history."), "success")
            return redirect(url_for(".placement", placement_id=new.id))
    elif request.method == "POST" and view.placement.state is not PlacementState.PROPOSED:
        flash(_("Only a proposal can be replaced."), "info")
        return redirect(url_for(".placement", placement_id=placement_id))
    status = 400 if form.is_submitted() else 200
    return (
        render_template(
            "placements/admin_placement.html",
            view=view,
            events=placements.placement_events(session, admin, placement_id),
            form=form,
        ),
        status,
    )


def _override_choices(view: placements.PlacementView) -> list[SelectChoice]:
    """The vacancy's best other candidates, by reference and score."""
    return [
        SelectChoice(worker_id, f"{reference} – {score:.0f}")
        for worker_id, reference, score in matching.other_candidates(
            db_session(), view.vacancy.id, view.placement.worker_id, OVERRIDE_CHOICES
        )
    ]


# --- matching runs and settings -----------------------------------------------------------------


@blueprint.route("/matching", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def matching_page() -> ResponseReturnValue:
    session, admin = db_session(), current_account()
    settings = current_settings(session)
    form = SettingsForm(obj=settings)
    if form.validate_on_submit():
        try:
            update_settings(session, admin, **{name: getattr(form, name).data for name in BOUNDS})
        except ValidationProblem as problem:
            show_problem(form, problem)
        else:
            flash(_("The matching settings are saved. The next run uses them."), "success")
            return redirect(url_for(".matching_page"))
    runs = matching.recent_runs(session)
    return (
        render_template(
            "placements/matching.html",
            form=form,
            run_form=EmptyForm(),
            runs=runs,
            running=any(run.state is MatchRunState.RUNNING for run in runs),
        ),
        400 if form.is_submitted() else 200,
    )


@blueprint.post("/matching/run")
@roles_required(Role.ADMIN)
def run_matching() -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    admin = current_account()
    try:
        if current_app.config["MATCHING_IN_BACKGROUND"]:
            database = current_app.extensions["portal.db"]
            matching.run_in_background(database.session_scope, admin.id)
            flash(_("Matching has started. This page shows when it is done."), "success")
        else:
            report = matching.run_matching(db_session(), admin)
            flash(
                _(
                    "Matching is done: %(matches)d matches, %(proposals)d proposals.",
                    matches=report.matches,
                    proposals=report.proposals,
                ),
                "success",
            )
    except DomainError as refusal:
        flash(refusal.message, "info")
    return redirect(url_for(".matching_page"))
