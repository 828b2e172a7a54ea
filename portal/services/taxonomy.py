"""Taxonomy use cases: store a version, switch the active one, suggest concepts for words,
learn from confirmations, and the data of the browse pages.

The fuzzy index lives in the process (built once per active version, kept in step with learned
labels) so that a suggestion costs a millisecond, not a database scan.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from portal.errors import NotFound, ValidationProblem
from portal.models import (
    Concept,
    ConceptBroader,
    ConceptKind,
    ConceptLabel,
    LearnedLabel,
    LearnedLabelConfirmation,
    OccupationSkillLink,
    SkillRelationLink,
    TaxonomyVersion,
    User,
    WorkerExperience,
    WorkerSkill,
)
from portal.models.base import utcnow
from portal.models.taxonomy import LABEL_MAX
from portal.services._tx import transaction
from portal.taxonomy.model import Label, LabelKind, RelationType, Taxonomy, preferred_label
from portal.taxonomy.resolve import Candidate, LabelEntry, Resolver, normalise

ProgressCallback = Callable[[str, int, int], None]
BATCH = 5_000
SUGGEST_LIMIT_MAX = 50


# --- storing a version ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoreResult:
    version_id: int
    name: str
    outcome: Literal["created", "updated", "unchanged"]
    activated: bool
    counts: dict[str, int]
    seconds: float


def files_hash(paths: Iterable[Path]) -> str:
    """A fingerprint of source files: re-importing the same files is a no-op."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def store_taxonomy(
    session: Session,
    taxonomy: Taxonomy,
    *,
    content_hash: str,
    activate_if_none: bool = True,
    progress: ProgressCallback | None = None,
) -> StoreResult:
    """Store `taxonomy` as the version of its name, in one transaction.

    A version of that name with the same content hash is left as it is; one with another hash is
    replaced in place (same version id, so the active flag stays). Nothing changes on failure.
    """
    started = time.perf_counter()
    existing = session.scalar(select(TaxonomyVersion).where(TaxonomyVersion.name == taxonomy.name))
    if existing is not None and existing.content_hash == content_hash:
        return StoreResult(
            existing.id,
            existing.name,
            "unchanged",
            False,
            _stored_counts(session, existing.id),
            0.0,
        )
    report = progress or (lambda _label, _done, _total: None)
    with transaction(session):
        if existing is None:
            version = TaxonomyVersion(name=taxonomy.name)
            session.add(version)
            outcome: Literal["created", "updated"] = "created"
        else:
            version = existing
            _delete_content(session, version.id)
            outcome = "updated"
        version.source = taxonomy.source[:500]
        version.languages = ",".join(taxonomy.languages)
        version.content_hash = content_hash
        version.imported_at = utcnow()
        session.flush()
        counts = _insert_content(session, version.id, taxonomy, report)
        nothing_active = (
            session.scalar(select(TaxonomyVersion.id).where(TaxonomyVersion.is_active)) is None
        )
        activated = activate_if_none and nothing_active
        if activated:
            version.is_active = True
    return StoreResult(
        version.id, version.name, outcome, activated, counts, time.perf_counter() - started
    )


def _delete_content(session: Session, version_id: int) -> None:
    concept_ids = select(Concept.id).where(Concept.version_id == version_id)
    for table, column in (
        (ConceptLabel, ConceptLabel.concept_id),
        (ConceptBroader, ConceptBroader.concept_id),
        (OccupationSkillLink, OccupationSkillLink.occupation_id),
        (SkillRelationLink, SkillRelationLink.skill_id),
    ):
        session.execute(delete(table).where(column.in_(concept_ids)))
    session.execute(delete(Concept).where(Concept.version_id == version_id))


def _concept_rows(version_id: int, taxonomy: Taxonomy) -> Iterator[tuple[dict[str, Any], Any]]:
    for group in taxonomy.isco_groups:
        yield (
            _row(
                version_id,
                ConceptKind.ISCO_GROUP,
                group.uri,
                code=group.code,
                description=group.description,
            ),
            group,
        )
    for skill_group in taxonomy.skill_groups:
        yield (
            _row(
                version_id,
                ConceptKind.SKILL_GROUP,
                skill_group.uri,
                code=skill_group.code,
                description=skill_group.description,
            ),
            skill_group,
        )
    for skill in taxonomy.skills:
        yield (
            _row(
                version_id,
                ConceptKind.SKILL,
                skill.uri,
                skill_type=skill.skill_type,
                reuse_level=skill.reuse_level,
                description=skill.description,
            ),
            skill,
        )
    for occupation in taxonomy.occupations:
        yield (
            _row(
                version_id,
                ConceptKind.OCCUPATION,
                occupation.uri,
                code=occupation.code or None,
                isco_code=occupation.isco_code,
                description=occupation.description,
            ),
            occupation,
        )


def _row(version_id: int, kind: ConceptKind, uri: str, **values: Any) -> dict[str, Any]:
    return {
        "version_id": version_id,
        "kind": kind,
        "uri": uri,
        "code": values.get("code"),
        "isco_code": values.get("isco_code"),
        "skill_type": values.get("skill_type"),
        "reuse_level": values.get("reuse_level"),
        "description": values.get("description") or "",
    }


def _batched_insert(
    session: Session,
    model: Any,
    rows: Sequence[dict[str, Any]],
    label: str,
    report: ProgressCallback,
) -> int:
    total = len(rows)
    report(label, 0, total)
    for start in range(0, total, BATCH):
        session.execute(insert(model), list(rows[start : start + BATCH]))
        report(label, min(start + BATCH, total), total)
    return total


def _insert_content(
    session: Session, version_id: int, taxonomy: Taxonomy, report: ProgressCallback
) -> dict[str, int]:
    concepts = list(_concept_rows(version_id, taxonomy))
    _batched_insert(session, Concept, [row for row, _ in concepts], "concepts", report)
    ids = dict(
        session.execute(
            select(Concept.uri, Concept.id).where(Concept.version_id == version_id)
        ).all()
    )
    labels = [
        {
            "concept_id": ids[value.uri],
            "lang": label.lang,
            "kind": label.kind,
            "text": label.text[:LABEL_MAX],
        }
        for _, value in concepts
        for label in value.labels
    ]
    broader = {
        (ids[value.uri], ids[uri])
        for _, value in concepts
        for uri in getattr(value, "broader", ())
        if uri in ids and uri != value.uri
    }
    isco_uri = {group.code: group.uri for group in taxonomy.isco_groups}
    broader |= {
        (ids[group.uri], ids[isco_uri[group.parent_code]])
        for group in taxonomy.isco_groups
        if group.parent_code in isco_uri
    }
    occupation_skills = {
        (ids[link.occupation_uri], ids[link.skill_uri]): link.relation
        for link in taxonomy.occupation_skills
        if link.occupation_uri in ids and link.skill_uri in ids
    }
    skill_relations = {
        (ids[link.skill_uri], ids[link.related_uri]): link.relation
        for link in taxonomy.skill_relations
        if link.skill_uri in ids and link.related_uri in ids and link.skill_uri != link.related_uri
    }
    return {
        "concepts": len(concepts),
        "labels": _batched_insert(session, ConceptLabel, labels, "labels", report),
        "broader relations": _batched_insert(
            session,
            ConceptBroader,
            [{"concept_id": a, "broader_id": b} for a, b in broader],
            "broader relations",
            report,
        ),
        "occupation-skill relations": _batched_insert(
            session,
            OccupationSkillLink,
            [
                {"occupation_id": o, "skill_id": s, "relation": r}
                for (o, s), r in occupation_skills.items()
            ],
            "occupation-skill relations",
            report,
        ),
        "skill-skill relations": _batched_insert(
            session,
            SkillRelationLink,
            [
                {"skill_id": s, "related_id": t, "relation": r}
                for (s, t), r in skill_relations.items()
            ],
            "skill-skill relations",
            report,
        ),
    }


def _stored_counts(session: Session, version_id: int) -> dict[str, int]:
    concept_ids = select(Concept.id).where(Concept.version_id == version_id)

    def count(model: Any, column: Any) -> int:
        return (
            session.scalar(select(func.count()).select_from(model).where(column.in_(concept_ids)))
            or 0
        )

    return {
        "concepts": session.scalar(
            select(func.count()).select_from(Concept).where(Concept.version_id == version_id)
        )
        or 0,
        "labels": count(ConceptLabel, ConceptLabel.concept_id),
        "broader relations": count(ConceptBroader, ConceptBroader.concept_id),
        "occupation-skill relations": count(OccupationSkillLink, OccupationSkillLink.occupation_id),
        "skill-skill relations": count(SkillRelationLink, SkillRelationLink.skill_id),
    }


# --- versions and the active one ----------------------------------------------------------------


def list_versions(session: Session) -> list[TaxonomyVersion]:
    return list(session.scalars(select(TaxonomyVersion).order_by(TaxonomyVersion.imported_at)))


def concept_counts(session: Session) -> dict[tuple[int, ConceptKind], int]:
    """How many concepts of each kind every stored version has."""
    rows = session.execute(
        select(Concept.version_id, Concept.kind, func.count()).group_by(
            Concept.version_id, Concept.kind
        )
    )
    return {(version_id, kind): count for version_id, kind, count in rows}


def active_version(session: Session) -> TaxonomyVersion | None:
    return session.scalar(select(TaxonomyVersion).where(TaxonomyVersion.is_active))


def find_version(session: Session, name_or_id: str) -> TaxonomyVersion:
    version = session.scalar(select(TaxonomyVersion).where(TaxonomyVersion.name == name_or_id))
    if version is None and name_or_id.isdigit():
        version = session.get(TaxonomyVersion, int(name_or_id))
    if version is None:
        raise NotFound(_("There is no taxonomy called %(name)s.", name=name_or_id))
    return version


@dataclass(frozen=True, slots=True)
class ActivationReport:
    version_id: int
    name: str
    learned_labels_mapped: int
    learned_labels_unmapped: list[str] = field(default_factory=list)  # "words → uri" lines
    references_remapped: int = 0  # workers' skills and occupations found again from their words
    references_unmapped: list[str] = field(default_factory=list)  # words kept, no concept now


def activate(session: Session, version: TaxonomyVersion) -> ActivationReport:
    """Make `version` the one every page and the matcher use.

    Learned labels are keyed by concept URI, so they carry over to any version that has the
    concept; those whose concept the new version lacks are reported (and kept, should the old
    version come back). The switch and the references mapped again are one transaction: a
    failure leaves the old version active and every reference as it was.
    """
    with transaction(session):
        session.execute(
            update(TaxonomyVersion).where(TaxonomyVersion.is_active).values(is_active=False)
        )
        session.flush()
        version.is_active = True
        known = set(session.scalars(select(Concept.uri).where(Concept.version_id == version.id)))
        learned = session.scalars(
            select(LearnedLabel).where(LearnedLabel.removed_at.is_(None))
        ).all()
        unmapped = [
            f"{label.text} → {label.concept_uri}"
            for label in learned
            if label.concept_uri not in known
        ]
        remapped, lost = _re_resolve_references(session, version)
    return ActivationReport(
        version.id, version.name, len(learned) - len(unmapped), unmapped, remapped, lost
    )


# A reference is mapped again automatically only when the words are this close to a label.
AUTO_MAP_SCORE = 80.0


def _re_resolve_references(session: Session, version: TaxonomyVersion) -> tuple[int, list[str]]:
    """Map every skill and occupation people gave to the new version, from their own words,
    in the caller's transaction.

    References whose concept exists in the new version stay as they are; the others are
    resolved again from the words (always kept); words with no close concept become unmapped,
    listed for review, and are resolved again at the next switch.
    """
    index = taxonomy_index(session)
    if index is None:  # cannot happen right after activation; nothing to map against
        return 0, []
    in_version = select(Concept.uri).where(Concept.version_id == version.id)
    remapped = 0
    lost: list[str] = []
    for model, uri_column, label_column, kind in (
        (WorkerSkill, WorkerSkill.concept_uri, WorkerSkill.concept_label, ConceptKind.SKILL),
        (
            WorkerExperience,
            WorkerExperience.occupation_uri,
            WorkerExperience.occupation_label,
            ConceptKind.OCCUPATION,
        ),
    ):
        stale = session.scalars(
            select(model).where(uri_column.is_not(None), uri_column.not_in(in_version))
        ).all()
        words = sorted({row.words for row in stale})
        best = dict(zip(words, index.resolver(kind).suggest_many(words, limit=1), strict=True))
        labels = preferred_labels(
            session, [index.concept_ids[c[0].uri] for c in best.values() if c], "en"
        )
        for row in stale:
            found = best[row.words]
            if found and found[0].score >= AUTO_MAP_SCORE:
                setattr(row, uri_column.key, found[0].uri)
                setattr(row, label_column.key, labels.get(index.concept_ids[found[0].uri]))
                if isinstance(row, WorkerSkill):
                    row.score = round(found[0].score, 1)
                remapped += 1
            else:
                setattr(row, uri_column.key, None)
                setattr(row, label_column.key, None)
                lost.append(row.words)
    return remapped, sorted(set(lost))


# --- the per-process index ----------------------------------------------------------------------


@dataclass
class TaxonomyIndex:
    """Fuzzy indexes of the active version's skills and occupations, for one process."""

    version_id: int
    content_hash: str  # a version re-imported in place keeps its id but not its hash
    languages: tuple[str, ...]
    skills: Resolver
    occupations: Resolver
    concept_ids: dict[str, int]
    preferred: dict[str, dict[str, str]]  # uri → language → preferred label
    learned_state: tuple[Any, ...]
    learned: set[tuple[str, str, str, ConceptKind]]  # (uri, text, lang, kind) now in the index

    def resolver(self, kind: ConceptKind) -> Resolver:
        return self.occupations if kind is ConceptKind.OCCUPATION else self.skills


_indexes: dict[str, TaxonomyIndex] = {}
_index_lock = threading.Lock()


def _learned_state(session: Session) -> tuple[Any, ...]:
    """Changes whenever a learned label is added, confirmed again or removed, in any process."""
    return tuple(
        session.execute(
            select(
                func.count(LearnedLabel.id),
                func.max(LearnedLabel.id),
                func.max(LearnedLabel.removed_at),
            )
        ).one()
    )


def taxonomy_index(session: Session) -> TaxonomyIndex | None:
    """The index of the active version, built on first use and rebuilt when the version changes."""
    version = active_version(session)
    if version is None:
        return None
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    state = _learned_state(session)
    with _index_lock:
        index = _indexes.get(key)
        if index is None or (index.version_id, index.content_hash) != (
            version.id,
            version.content_hash,
        ):
            index = _build_index(session, version)
            _indexes[key] = index
        if index.learned_state != state:
            _sync_learned(session, index)
            index.learned_state = state
        return index


def forget_indexes() -> None:
    """Drop every built index (tests, and after an import in this process)."""
    with _index_lock:
        _indexes.clear()


def _build_index(session: Session, version: TaxonomyVersion) -> TaxonomyIndex:
    rows = session.execute(
        select(Concept.uri, Concept.kind, ConceptLabel.text, ConceptLabel.lang, ConceptLabel.kind)
        .join(ConceptLabel, ConceptLabel.concept_id == Concept.id)
        .where(
            Concept.version_id == version.id,
            Concept.kind.in_((ConceptKind.SKILL, ConceptKind.OCCUPATION)),
        )
    ).all()
    entries: dict[ConceptKind, list[LabelEntry]] = defaultdict(list)
    preferred: dict[str, dict[str, str]] = defaultdict(dict)
    for uri, concept_kind, text, lang, label_kind in rows:
        entries[concept_kind].append(LabelEntry(uri, text, lang, label_kind))
        if label_kind is LabelKind.PREFERRED:
            preferred[uri].setdefault(lang, text)
    concept_ids = dict(
        session.execute(
            select(Concept.uri, Concept.id).where(
                Concept.version_id == version.id,
                Concept.kind.in_((ConceptKind.SKILL, ConceptKind.OCCUPATION)),
            )
        ).all()
    )
    return TaxonomyIndex(
        version_id=version.id,
        content_hash=version.content_hash,
        languages=tuple(version.language_list),
        skills=Resolver.build(entries[ConceptKind.SKILL]),
        occupations=Resolver.build(entries[ConceptKind.OCCUPATION]),
        concept_ids=concept_ids,
        preferred=dict(preferred),
        learned_state=(),
        learned=set(),
    )


def _sync_learned(session: Session, index: TaxonomyIndex) -> None:
    rows = session.execute(
        select(
            LearnedLabel.concept_uri,
            LearnedLabel.text,
            LearnedLabel.lang,
            LearnedLabel.concept_kind,
        ).where(LearnedLabel.removed_at.is_(None))
    ).all()
    wanted = {row for row in rows if row[0] in index.concept_ids}
    for uri, text, lang, kind in index.learned - wanted:
        index.resolver(kind).remove_label(uri, text, lang)
    for uri, text, lang, kind in wanted - index.learned:
        index.resolver(kind).add_label(LabelEntry(uri, text, lang, LabelKind.LEARNED))
    index.learned = wanted


# --- suggestions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: int
    uri: str
    label: str  # the label that matched
    lang: str  # its language
    score: float
    preferred_label: str  # in the language asked for (or English)
    learned: bool


def suggest(
    session: Session, kind: ConceptKind, text: str, *, lang: str = "en", limit: int = 10
) -> list[Suggestion]:
    """Concepts of `kind` for the words `text`, best first (none when nothing is close)."""
    if kind not in (ConceptKind.SKILL, ConceptKind.OCCUPATION):
        raise ValidationProblem("kind", _("Suggestions are for skills and occupations."))
    index = taxonomy_index(session)
    if index is None or not text.strip():
        return []
    limit = max(1, min(limit, SUGGEST_LIMIT_MAX))
    candidates = index.resolver(kind).suggest(text[:LABEL_MAX], lang=lang, limit=limit)
    return _with_preferred_labels(index, candidates, lang)


def suggest_many(
    session: Session, kind: ConceptKind, texts: Sequence[str], *, lang: str = "en", limit: int = 5
) -> list[list[Suggestion]]:
    index = taxonomy_index(session)
    if index is None:
        return [[] for _ in texts]
    batches = index.resolver(kind).suggest_many(
        [text[:LABEL_MAX] for text in texts], lang=lang, limit=max(1, min(limit, SUGGEST_LIMIT_MAX))
    )
    return [_with_preferred_labels(index, batch, lang) for batch in batches]


def _with_preferred_labels(
    index: TaxonomyIndex, candidates: list[Candidate], lang: str
) -> list[Suggestion]:
    """Each candidate named by its preferred label in `lang`, else English, else any (as
    `preferred_labels`, from the index: a type-ahead asks once per word typed)."""
    suggestions = []
    for c in candidates:
        if c.uri not in index.concept_ids:
            continue
        labels = index.preferred.get(c.uri, {})
        suggestions.append(
            Suggestion(
                id=index.concept_ids[c.uri],
                uri=c.uri,
                label=c.label,
                lang=c.lang,
                score=round(c.score, 1),
                preferred_label=(
                    labels.get(lang) or labels.get("en") or next(iter(labels.values()), c.label)
                ),
                learned=c.kind is LabelKind.LEARNED,
            )
        )
    return suggestions


@dataclass(frozen=True, slots=True)
class OccupationSkillItem:
    concept_id: int
    uri: str
    label: str
    relation: RelationType


def occupation_skills(
    session: Session, occupation_id: int, lang: str, relation: RelationType | None = None
) -> list[OccupationSkillItem]:
    """The skills an occupation needs (essential first), labelled in `lang`, for checklists."""
    statement = (
        select(OccupationSkillLink.skill_id, Concept.uri, OccupationSkillLink.relation)
        .join(Concept, Concept.id == OccupationSkillLink.skill_id)
        .where(OccupationSkillLink.occupation_id == occupation_id)
    )
    if relation is not None:
        statement = statement.where(OccupationSkillLink.relation == relation)
    rows = session.execute(statement).all()
    labels = preferred_labels(session, [row[0] for row in rows], lang)
    items = [OccupationSkillItem(sid, uri, labels.get(sid, uri), rel) for sid, uri, rel in rows]
    order = {RelationType.ESSENTIAL: 0, RelationType.OPTIONAL: 1}
    return sorted(items, key=lambda item: (order[item.relation], item.label.casefold()))


def preferred_labels(session: Session, concept_ids: Iterable[int], lang: str) -> dict[int, str]:
    """Each concept's preferred label in `lang`, else English, else any."""
    ids = list(concept_ids)
    if not ids:
        return {}
    by_concept: dict[int, list[Label]] = defaultdict(list)
    rows = session.execute(
        select(
            ConceptLabel.concept_id, ConceptLabel.text, ConceptLabel.lang, ConceptLabel.kind
        ).where(ConceptLabel.concept_id.in_(ids), ConceptLabel.kind == LabelKind.PREFERRED)
    ).all()
    for concept_id, text, label_lang, kind in rows:
        by_concept[concept_id].append(Label(text, label_lang, kind))
    return {concept_id: preferred_label(labels, lang) for concept_id, labels in by_concept.items()}


# --- learned labels -----------------------------------------------------------------------------


def learn_words(
    session: Session, user: User | None, concept_id: int, words: str, lang: str
) -> LearnedLabel | None:
    """Record that `words` (in `lang`) mean the concept: next time it ranks first for them.

    Words that already are one of the concept's own labels teach nothing and are not stored.
    """
    with transaction(session):
        return record_learned_words(session, user, concept_id, words, lang)


def record_learned_words(
    session: Session, user: User | None, concept_id: int, words: str, lang: str
) -> LearnedLabel | None:
    """`learn_words` in the caller's transaction (the caller commits), for a use case that
    learns from the words it stores: both are kept, or neither."""
    concept = session.get(Concept, concept_id)
    if concept is None or concept.kind not in (ConceptKind.SKILL, ConceptKind.OCCUPATION):
        raise NotFound(_("There is no such skill or occupation."))
    text = " ".join(words.split())[:LABEL_MAX]
    key = normalise(text)[:LABEL_MAX]
    if not key:
        raise ValidationProblem("words", _("Type a few words first."))
    if key in {normalise(label.text) for label in concept.labels}:
        return None
    now = utcnow()
    label = session.scalar(
        select(LearnedLabel).where(
            LearnedLabel.concept_uri == concept.uri,
            LearnedLabel.lang == lang,
            LearnedLabel.normalised == key,
        )
    )
    if label is None:
        label = LearnedLabel(
            concept_uri=concept.uri,
            concept_kind=concept.kind,
            lang=lang,
            text=text,
            normalised=key,
            first_confirmed_by_id=user.id if user else None,
            created_at=now,
            last_confirmed_at=now,
            confirmations=0,
        )
        session.add(label)
    label.confirmations += 1
    label.last_confirmed_at = now
    label.removed_at = None
    label.removed_by_id = None
    session.flush()
    session.add(
        LearnedLabelConfirmation(
            learned_label_id=label.id, user_id=user.id if user else None, at=now
        )
    )
    return label


def remove_learned_label(session: Session, admin: User, learned_label_id: int) -> LearnedLabel:
    label = session.get(LearnedLabel, learned_label_id)
    if label is None or label.removed_at is not None:
        raise NotFound(_("There is no such learned label."))
    with transaction(session):
        label.removed_at = utcnow()
        label.removed_by_id = admin.id
    return label


def list_learned_labels(session: Session) -> list[LearnedLabel]:
    return list(
        session.scalars(
            select(LearnedLabel)
            .where(LearnedLabel.removed_at.is_(None))
            .order_by(LearnedLabel.confirmations.desc(), LearnedLabel.id)
        )
    )
