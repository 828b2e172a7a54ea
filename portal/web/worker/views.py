"""The worker's pages: the dashboard, and the registration steps of a profile.

The steps live at /workers/<id>/profile/<step> so that the worker, the labour provider that
registered them and admins use the same pages (workers.may_manage decides who may); each step's
views are in their own module and are routed here.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template
from flask.typing import ResponseReturnValue

from portal.models import Role
from portal.services import workers
from portal.web.security import current_account, roles_required
from portal.web.session import db_session
from portal.web.worker import about, availability, experience, review, skills
from portal.web.worker.profile import MISSING, next_unfinished_step, step_url

blueprint = Blueprint("worker", __name__)


@blueprint.get("/worker/")
@roles_required(Role.WORKER)
def dashboard() -> ResponseReturnValue:
    account = current_account()
    worker = workers.own_profile(db_session(), account)
    missing = workers.missing_for_activation(worker) if worker is not None else []
    return render_template(
        "worker/dashboard.html",
        account=account,
        worker=worker,
        missing=[MISSING[name][1] for name in missing if name in MISSING],
    )


@blueprint.get("/worker/profile")
@roles_required(Role.WORKER)
def own_profile() -> ResponseReturnValue:
    """The logged-in worker's profile (created as a draft on first use), at the next step."""
    session, account = db_session(), current_account()
    new = workers.own_profile(session, account) is None
    worker = workers.start_own_profile(session, account)
    return redirect(step_url(worker, next_unfinished_step(worker, new=new)))


PROFILE = "/workers/<int:worker_id>/profile"
EITHER = ["GET", "POST"]
POST = ["POST"]
ROUTES = (
    ("about", f"{PROFILE}/about", about.about, EITHER),
    ("skills", f"{PROFILE}/skills", skills.skills, EITHER),
    (
        "skill_evidence",
        f"{PROFILE}/skills/<int:skill_id>/evidence",
        skills.skill_evidence,
        POST,
    ),
    ("remove_skill", f"{PROFILE}/skills/<int:skill_id>/remove", skills.remove_skill, POST),
    ("find_occupation", f"{PROFILE}/skills/occupation", skills.find_occupation, POST),
    (
        "checklist",
        f"{PROFILE}/skills/occupation/<int:occupation_id>",
        skills.checklist,
        EITHER,
    ),
    ("experience", f"{PROFILE}/experience", experience.experience, EITHER),
    (
        "remove_experience",
        f"{PROFILE}/experience/<int:experience_id>/remove",
        experience.remove_experience,
        POST,
    ),
    (
        "remove_qualification",
        f"{PROFILE}/qualifications/<int:qualification_id>/remove",
        experience.remove_qualification,
        POST,
    ),
    ("availability", f"{PROFILE}/availability", availability.availability, EITHER),
    ("review", f"{PROFILE}/review", review.review, EITHER),
)
for endpoint, rule, view, methods in ROUTES:
    blueprint.add_url_rule(rule, endpoint, view, methods=methods)
