"""Step 5, review and consent: everything on one page with a way back to each step, what is
still missing, and the consent that makes the profile active."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.errors import ValidationProblem
from portal.models import Worker
from portal.services import reference, regions, workers
from portal.web.forms import show_problem
from portal.web.security import current_account, roles_required
from portal.web.session import db_session
from portal.web.taxonomy.languages import page_language
from portal.web.worker.forms import (
    EVIDENCE_CHOICES,
    EXPERIENCE_KIND_CHOICES,
    LEVEL_CHOICES,
    RECOGNITION_CHOICES,
    SEX_CHOICES,
    ConsentForm,
    choice_names,
)
from portal.web.worker.profile import MANAGERS, MISSING, managed_worker, render_step, step_url

SLUG = "review"


def _purposes(form: ConsentForm) -> tuple[str, ...]:
    ticked = (
        ("matching", form.consent_matching.data),
        ("contact-after-offer", form.consent_contact.data),
    )
    return tuple(purpose for purpose, yes in ticked if yes)


@roles_required(*MANAGERS)
def review(worker_id: int) -> ResponseReturnValue:
    worker = managed_worker(worker_id)
    form = ConsentForm()
    if form.validate_on_submit():
        try:
            workers.give_consent(db_session(), current_account(), worker, _purposes(form))
        except ValidationProblem as problem:
            show_problem(form, problem)
        else:
            if worker.user_id == current_account().id:
                flash(_("Thank you. Your profile is active: employers can find you."), "success")
                return redirect(url_for("worker.dashboard"))
            flash(_("The consent is recorded and the profile is active."), "success")
            return redirect(step_url(worker, SLUG))
    return _page(worker, form, 400 if form.is_submitted() else 200)


def _page(worker: Worker, form: ConsentForm, status: int) -> ResponseReturnValue:
    lang = page_language()
    region_names = {region.id: region.name for region in regions.list_regions(db_session())}
    return render_step(
        SLUG,
        "worker/review.html",
        worker,
        status,
        form=form,
        missing=[
            (MISSING[name][0], MISSING[name][1]) if name in MISSING else (SLUG, name)
            for name in workers.missing_for_activation(worker)
        ],
        consents=[consent for consent in worker.consents if consent.withdrawn_at is None],
        consent_version=workers.CONSENT_TEXT_VERSION,
        country_name=lambda code: reference.country_name(code, lang),
        language_name=lambda code: reference.language_name(code, lang),
        region_names=region_names,
        names={
            "sex": choice_names(SEX_CHOICES),
            "level": choice_names(LEVEL_CHOICES),
            "evidence": choice_names(EVIDENCE_CHOICES),
            "kind": choice_names(EXPERIENCE_KIND_CHOICES),
            "recognition": choice_names(RECOGNITION_CHOICES),
        },
    )
