"""What every registration step shares: the list of steps, whose profile it is, where Back and
Save-and-continue lead, and turning a person's words into a taxonomy concept (or not)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal.models import ConceptKind, Role, Worker
from portal.services import taxonomy, workers
from portal.services.taxonomy import SUGGEST_LIMIT_MAX, Suggestion
from portal.web.security import current_account
from portal.web.session import db_session
from portal.web.taxonomy.languages import page_language
from portal.web.worker.forms import NONE_OF_THESE, SuggestionStepForm, whole_number

# Who may open a profile's steps; which profiles each may open is workers.may_manage's answer.
MANAGERS = (Role.WORKER, Role.PROVIDER, Role.ADMIN)
SHOWN_CANDIDATES = 6
GO_BACK, GO_NEXT, GO_STAY = "back", "next", "stay"


@dataclass(frozen=True, slots=True)
class Step:
    slug: str
    endpoint: str
    title: Any  # a lazy string


STEPS = (
    Step("about", "worker.about", _l("About you")),
    Step("skills", "worker.skills", _l("Skills")),
    Step("experience", "worker.experience", _l("Experience and qualifications")),
    Step("availability", "worker.availability", _l("Availability")),
    Step("review", "worker.review", _l("Review and consent")),
)
STEP_OF = {step.slug: step for step in STEPS}

# missing_for_activation's names → the step where each is given
MISSING = {
    "contact": ("about", _l("An email address or a phone number")),
    "skills": ("skills", _l("At least one skill")),
    "availability": ("availability", _l("Where you are now and the first day you can start")),
}


def managed_worker(worker_id: int) -> Worker:
    """The worker whose profile this is, if the logged-in user may manage it (else 404)."""
    return workers.worker_for(db_session(), current_account(), worker_id)


def step_url(worker: Worker, slug: str) -> str:
    return url_for(STEP_OF[slug].endpoint, worker_id=worker.id)


def dashboard_url(worker: Worker) -> str:
    """Where the first step's Back leads: the worker's dashboard, or the helper's own."""
    if worker.user_id == current_account().id:
        return url_for("worker.dashboard")
    return url_for("public.dashboard")


def requested_move() -> str:
    """Which button was pressed: Back, Save and continue, or an add button (stay)."""
    go = request.form.get("go", GO_STAY)
    return go if go in (GO_BACK, GO_NEXT) else GO_STAY


def move_on(worker: Worker, slug: str, go: str) -> Response:
    """After a save: the previous step, the next one, or the same one again."""
    index = [step.slug for step in STEPS].index(slug)
    if go == GO_BACK:
        return redirect(step_url(worker, STEPS[index - 1].slug) if index else dashboard_url(worker))
    if go == GO_NEXT and index + 1 < len(STEPS):
        return redirect(step_url(worker, STEPS[index + 1].slug))
    return redirect(step_url(worker, slug))


def render_step(
    slug: str, template: str, worker: Worker, status: int = 200, **context: Any
) -> ResponseReturnValue:
    """A step's page, with the progress list; GET views by anyone but the worker are audited."""
    if request.method == "GET":
        workers.record_view(db_session(), current_account(), worker)
    index = [step.slug for step in STEPS].index(slug)
    page = render_template(
        template,
        worker=worker,
        steps=STEPS,
        step=STEPS[index],
        step_number=index + 1,
        for_self=worker.user_id == current_account().id,
        lang=page_language(),
        **context,
    )
    return page, status


def next_unfinished_step(worker: Worker, *, new: bool) -> str:
    """The step a person returning to their profile most likely wants."""
    if new:
        return "about"
    for missing in workers.missing_for_activation(worker):
        if missing in MISSING:
            return MISSING[missing][0]
    return "review"


# --- words → concept ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Meaning:
    """What the person's words mean: a concept (with the resolver's score), or their words as
    they are (concept_id None)."""

    concept_id: int | None
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Candidates:
    """The words need a choice among these first (the suggestion step)."""

    suggestions: list[Suggestion]
    problem: str | None = None


def meaning_of(
    kind: ConceptKind, words: str, *, picked: str | None, choice: str | None, confirming: bool
) -> Meaning | Candidates:
    """Resolve `words` as the person confirmed: `picked` by the type-ahead, `choice` on the
    suggestion step. A concept is accepted only if it is among the candidates for the words, so
    a hand-made request cannot tie words to an unrelated concept."""
    candidates = taxonomy.suggest(
        db_session(), kind, words, lang=page_language(), limit=SUGGEST_LIMIT_MAX
    )
    by_id = {candidate.id: candidate for candidate in candidates}
    if confirming and choice == NONE_OF_THESE:
        return Meaning(None)
    chosen = by_id.get(whole_number(choice if confirming else picked) or -1)
    if chosen is not None:
        return Meaning(chosen.id, chosen.score)
    if not candidates:
        return Meaning(None)
    shown = candidates[:SHOWN_CANDIDATES]
    if confirming:
        return Candidates(shown, str(_l("Choose one of the answers, then press Confirm.")))
    return Candidates(shown)


def form_meaning(
    kind: ConceptKind, words: str, form: SuggestionStepForm, picked: str | None
) -> Meaning | Candidates:
    """meaning_of, with the answers a words form carries."""
    return meaning_of(
        kind, words, picked=picked, choice=form.choice.data, confirming=form.is_confirming
    )


def render_candidates(
    slug: str, template: str, worker: Worker, words: str, found: Candidates, **context: Any
) -> ResponseReturnValue:
    """The suggestion page: which of these concepts do the words mean?"""
    return render_step(
        slug,
        template,
        worker,
        400 if found.problem else 200,
        words=words,
        suggestions=found.suggestions,
        host_labels=host_labels(found.suggestions),
        problem=found.problem,
        **context,
    )


def host_labels(suggestions: list[Suggestion]) -> dict[int, str]:
    """The candidates' names in the host country's language, shown beside them on pages in
    another language: two languages on one screen, so the worker and the employer (or a
    provider's caseworker) read the same skill."""
    host = current_app.config["HOST_LANGUAGE"]
    if page_language() == host:
        return {}
    return taxonomy.preferred_labels(db_session(), [s.id for s in suggestions], host)
