"""Step 4, availability: the region where the worker is, where they would move, and when they
can work."""

from __future__ import annotations

from typing import Any

from flask import flash, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.errors import ValidationProblem
from portal.models import Worker
from portal.services import regions, workers
from portal.web.forms import show_problem
from portal.web.security import current_account, roles_required
from portal.web.session import db_session
from portal.web.worker.forms import AvailabilityForm
from portal.web.worker.profile import (
    GO_BACK,
    MANAGERS,
    managed_worker,
    move_on,
    render_step,
    requested_move,
)

SLUG = "availability"


def _saved(worker: Worker) -> dict[str, Any]:
    return {
        "region_id": str(worker.region_id) if worker.region_id else "",
        "relocate_anywhere": worker.relocate_anywhere,
        "relocation_region_ids": [str(choice.region_id) for choice in worker.relocation_regions],
        "available_from": worker.available_from,
        "available_until": worker.available_until,
    }


def _availability(form: AvailabilityForm) -> workers.Availability:
    return workers.Availability(
        region_id=int(form.region_id.data),
        relocate_anywhere=bool(form.relocate_anywhere.data),
        relocation_region_ids=tuple(int(value) for value in form.relocation_region_ids.data or []),
        available_from=form.available_from.data,
        available_until=form.available_until.data,
    )


@roles_required(*MANAGERS)
def availability(worker_id: int) -> ResponseReturnValue:
    worker = managed_worker(worker_id)
    known = [(region.id, region.name) for region in regions.list_regions(db_session())]
    posted = request.method == "POST"
    form = AvailabilityForm(data=None if posted else _saved(worker), regions=known)
    go = requested_move()
    if posted and go == GO_BACK and form.is_blank():
        return move_on(worker, SLUG, go)  # nothing typed: nothing to keep
    if form.validate_on_submit():
        try:
            workers.save_availability(db_session(), current_account(), worker, _availability(form))
        except ValidationProblem as problem:
            show_problem(form, problem)
        else:
            flash(_("Saved."), "success")
            return move_on(worker, SLUG, go)
    status = 400 if posted else 200
    return render_step(SLUG, "worker/availability.html", worker, status, form=form, regions=known)
