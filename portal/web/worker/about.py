"""Step 1, about you: name, contact, and what statistics need (sex, birth year, origin), with
the languages the worker speaks."""

from __future__ import annotations

from typing import Any

from flask import flash, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.errors import ValidationProblem
from portal.models import Worker
from portal.services import reference, workers
from portal.web.forms import show_problem
from portal.web.security import current_account, roles_required
from portal.web.session import db_session
from portal.web.taxonomy.languages import page_language
from portal.web.worker.forms import AboutForm
from portal.web.worker.profile import MANAGERS, managed_worker, move_on, render_step, requested_move

SLUG = "about"


def _saved(worker: Worker) -> dict[str, Any]:
    return {
        "given_name": worker.given_name,
        "family_name": worker.family_name,
        "email": worker.email,
        "phone": worker.phone,
        "sex": worker.sex.value if worker.sex else None,
        "birth_year": str(worker.birth_year) if worker.birth_year else "",
        "country_of_origin": worker.country_of_origin or "",
        "nationality": worker.nationality or "",
        "languages": [
            {"code": language.code, "level": language.level.value} for language in worker.languages
        ],
    }


@roles_required(*MANAGERS)
def about(worker_id: int) -> ResponseReturnValue:
    worker = managed_worker(worker_id)
    lang = page_language()
    lists = {"countries": reference.countries(lang), "languages": reference.languages(lang)}
    form = AboutForm(data=None if request.method == "POST" else _saved(worker), **lists)
    if form.validate_on_submit():
        try:
            workers.save_about_you(db_session(), current_account(), worker, form.about_you())
        except ValidationProblem as problem:
            if problem.field == "languages":
                form.form_errors.append(problem.message)
            else:
                show_problem(form, problem)
        else:
            flash(_("Saved."), "success")
            return move_on(worker, SLUG, requested_move())
    status = 400 if form.is_submitted() else 200
    return render_step(SLUG, "worker/about.html", worker, status, form=form)
