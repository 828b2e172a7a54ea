"""Admins review the words no skill was found for, and say which skill they mean: every worker
who used the same words gets that skill, and the resolver learns the words."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import NotFound
from portal.models import AuditAction, User, WorkerSkill
from portal.services import audit, taxonomy
from portal.services._tx import transaction
from portal.services.pages import Page
from portal.services.workers import SUBJECT, _skill_concept
from portal.taxonomy.resolve import normalise

# A skill an administrator confirmed is as certain as one ticked from a checklist.
CONFIRMED_SCORE = 100.0


def same_words_key(words: str) -> str:
    """Words count as the same regardless of case and spacing."""
    return " ".join(words.split()).casefold()


@dataclass(frozen=True, slots=True)
class UnmappedWords:
    words: str  # as first typed
    workers: int  # how many workers used these words
    first_used: datetime
    last_used: datetime


def unmapped_words(session: Session, *, page: int, size: int) -> Page[UnmappedWords]:
    """The words waiting for review, the most used first.

    Grouped in Python: SQLite's lower() only knows ASCII, and words come in every script.
    """
    rows = session.execute(
        select(WorkerSkill.words, WorkerSkill.worker_id, WorkerSkill.created_at)
        .where(WorkerSkill.concept_uri.is_(None))
        .order_by(WorkerSkill.created_at, WorkerSkill.id)
    ).all()
    first_words: dict[str, str] = {}
    workers: dict[str, set[int]] = defaultdict(set)
    times: dict[str, list[datetime]] = defaultdict(list)
    for words, worker_id, created_at in rows:
        key = same_words_key(words)
        first_words.setdefault(key, words)
        workers[key].add(worker_id)
        times[key].append(created_at)
    items = sorted(
        (
            UnmappedWords(first_words[key], len(workers[key]), min(times[key]), max(times[key]))
            for key in first_words
        ),
        key=lambda item: (-item.workers, item.words.casefold()),
    )
    last_page = max(1, -(-len(items) // size))
    number = min(max(1, page), last_page)
    shown = items[(number - 1) * size : number * size]
    return Page(items=shown, number=number, size=size, total=len(items))


def unmapped_with_words(session: Session, words: str) -> list[WorkerSkill]:
    """Every unmapped worker skill with the same words."""
    key = same_words_key(words)
    rows = session.execute(
        select(WorkerSkill.id, WorkerSkill.words).where(WorkerSkill.concept_uri.is_(None))
    ).all()
    ids = [skill_id for skill_id, typed in rows if same_words_key(typed) == key]
    if not ids:
        return []
    return list(
        session.scalars(select(WorkerSkill).where(WorkerSkill.id.in_(ids)).order_by(WorkerSkill.id))
    )


def map_unmapped_words(
    session: Session, admin: User, words: str, concept_id: int, *, lang: str = "en"
) -> int:
    """Give every worker skill with these unmapped words the concept; returns how many.

    Each worker touched gets a CHANGED event; the resolver learns the words (in `lang`).
    """
    concept = _skill_concept(session, concept_id)  # a skill of the active taxonomy
    skills = unmapped_with_words(session, words)
    if not skills:
        raise NotFound(_("No worker skill with these words is waiting for review."))
    label = taxonomy.preferred_labels(session, [concept.id], lang).get(concept.id)
    with transaction(session):
        for skill in skills:
            skill.concept_uri = concept.uri
            skill.concept_label = label
            skill.score = CONFIRMED_SCORE
        for worker_id in sorted({skill.worker_id for skill in skills}):
            audit.record(session, admin, AuditAction.CHANGED, SUBJECT, worker_id, "skills reviewed")
        if normalise(skills[0].words):  # words of punctuation alone teach nothing
            taxonomy.record_learned_words(session, admin, concept.id, skills[0].words, lang)
    return len(skills)
