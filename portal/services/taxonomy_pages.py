"""What the taxonomy's browse pages and the learned-words admin page show.

Read-only queries that turn the stored taxonomy into plain frozen values, each label with its
language (so that a page can mark text in another language), and long lists capped with a total.
Only concepts of the active version are shown: another version's concept is "not found".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.models import (
    Concept,
    ConceptBroader,
    ConceptKind,
    ConceptLabel,
    LearnedLabel,
    OccupationSkillLink,
    SkillRelationLink,
    TaxonomyVersion,
    User,
)
from portal.services import taxonomy
from portal.services.pages import Page, paginate
from portal.taxonomy.model import LabelKind, RelationType, ReuseLevel, SkillType

FALLBACK_LANG = "en"
LINKS_CAP = 100  # occupations shown on a skill's page, per relation
SKILLS_CAP = 500  # skills shown on an occupation's page, per relation (ESCO: well below)
SEARCH_LIMIT = 50
WORDS_MAX = 200  # the longest text looked up (labels are short; longer is a paste error)
ISCO_LEVELS = 4  # major, sub-major, minor, unit group


@dataclass(frozen=True, slots=True)
class Text:
    """Words together with their language, so that a page can say which language it is."""

    text: str
    lang: str


@dataclass(frozen=True, slots=True)
class ConceptLink:
    id: int
    kind: ConceptKind
    title: Text
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Capped:
    """The first items of a list that may be long, and how many there are in all."""

    items: tuple[ConceptLink, ...]
    total: int

    @property
    def is_cut(self) -> bool:
        return self.total > len(self.items)


@dataclass(frozen=True, slots=True)
class LanguageLabels:
    lang: str
    preferred: tuple[str, ...]
    alternatives: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RelatedSkill:
    skill: ConceptLink
    relation: RelationType


@dataclass(frozen=True, slots=True)
class SkillPage:
    id: int
    uri: str
    title: Text
    description: str
    skill_type: SkillType | None
    reuse_level: ReuseLevel | None
    labels: tuple[LanguageLabels, ...]
    broader: tuple[ConceptLink, ...]  # skill groups and broader skills
    related: tuple[RelatedSkill, ...]
    essential_for: Capped  # occupations for which the skill is essential
    optional_for: Capped
    version_name: str


@dataclass(frozen=True, slots=True)
class IscoStep:
    level: int  # 1 major group, 2 sub-major group, 3 minor group, 4 unit group
    code: str
    title: Text | None  # None when the version lacks the group


@dataclass(frozen=True, slots=True)
class OccupationPage:
    id: int
    uri: str
    code: str | None
    title: Text
    description: str
    labels: tuple[LanguageLabels, ...]
    isco_path: tuple[IscoStep, ...]
    broader: tuple[ConceptLink, ...]  # a broader occupation, where the source nests them
    essential_skills: Capped
    optional_skills: Capped
    version_name: str


@dataclass(frozen=True, slots=True)
class SearchResult:
    concept: ConceptLink
    matched: Text  # the label that matched the words
    score: float
    learned: bool


@dataclass(frozen=True, slots=True)
class SearchResults:
    taxonomy_loaded: bool
    results: tuple[SearchResult, ...]


@dataclass(frozen=True, slots=True)
class LearnedLabelRow:
    id: int
    words: Text
    concept_uri: str
    concept_kind: ConceptKind
    concept: ConceptLink | None  # None when the active version lacks the concept
    confirmations: int
    first_confirmed_by: str | None  # the user's email address
    created_at: datetime
    last_confirmed_at: datetime


# --- the pages ----------------------------------------------------------------------------------


def skill_page(session: Session, concept_id: int, lang: str) -> SkillPage | None:
    """The skill `concept_id` of the active version, or None."""
    found = _active_concept(session, concept_id, ConceptKind.SKILL)
    if found is None:
        return None
    concept, version = found
    labels = _labels(session, concept.id, lang, version.language_list)
    related = [
        RelatedSkill(link, relation)
        for relation in RelationType
        for link in _titles(
            session,
            select(SkillRelationLink.related_id).where(
                SkillRelationLink.skill_id == concept.id, SkillRelationLink.relation == relation
            ),
            lang,
        )
    ]
    return SkillPage(
        id=concept.id,
        uri=concept.uri,
        title=_title(labels, lang, concept.uri),
        description=concept.description,
        skill_type=concept.skill_type,
        reuse_level=concept.reuse_level,
        labels=labels,
        broader=_broader(session, concept.id, lang),
        related=tuple(related),
        essential_for=_occupations_needing(session, concept.id, RelationType.ESSENTIAL, lang),
        optional_for=_occupations_needing(session, concept.id, RelationType.OPTIONAL, lang),
        version_name=version.name,
    )


def occupation_page(session: Session, concept_id: int, lang: str) -> OccupationPage | None:
    """The occupation `concept_id` of the active version, or None."""
    found = _active_concept(session, concept_id, ConceptKind.OCCUPATION)
    if found is None:
        return None
    concept, version = found
    labels = _labels(session, concept.id, lang, version.language_list)
    return OccupationPage(
        id=concept.id,
        uri=concept.uri,
        code=concept.code,
        title=_title(labels, lang, concept.uri),
        description=concept.description,
        labels=labels,
        isco_path=_isco_path(session, version.id, concept.isco_code or "", lang),
        broader=_broader(session, concept.id, lang),
        essential_skills=_skills_of(session, concept.id, RelationType.ESSENTIAL, lang),
        optional_skills=_skills_of(session, concept.id, RelationType.OPTIONAL, lang),
        version_name=version.name,
    )


def search(
    session: Session, kind: ConceptKind, words: str, lang: str, *, limit: int = SEARCH_LIMIT
) -> SearchResults:
    """The resolver's ranking for `words`, each concept titled in `lang` (else English)."""
    if taxonomy.active_version(session) is None:
        return SearchResults(taxonomy_loaded=False, results=())
    if not words.strip():
        return SearchResults(taxonomy_loaded=True, results=())
    suggestions = taxonomy.suggest(session, kind, words, lang=lang, limit=limit)
    links = {link.id: link for link in _titles(session, [s.id for s in suggestions], lang)}
    results = tuple(
        SearchResult(links[s.id], Text(s.label, s.lang), s.score, s.learned)
        for s in suggestions
        if s.id in links
    )
    return SearchResults(taxonomy_loaded=True, results=results)


def learned_labels_page(
    session: Session, lang: str, *, number: int, size: int
) -> Page[LearnedLabelRow]:
    """Learned words in use, most confirmed first."""
    page = paginate(
        session,
        select(LearnedLabel)
        .where(LearnedLabel.removed_at.is_(None))
        .order_by(LearnedLabel.confirmations.desc(), LearnedLabel.id),
        number,
        size,
    )
    return Page(_learned_rows(session, page.items, lang), page.number, page.size, page.total)


def learned_label_row(session: Session, label_id: int, lang: str) -> LearnedLabelRow | None:
    """One learned word in use, or None (unknown or already removed)."""
    label = session.get(LearnedLabel, label_id)
    if label is None or label.removed_at is not None:
        return None
    return _learned_rows(session, [label], lang)[0]


# --- pieces -------------------------------------------------------------------------------------


def _active_concept(
    session: Session, concept_id: int, kind: ConceptKind
) -> tuple[Concept, TaxonomyVersion] | None:
    row = session.execute(
        select(Concept, TaxonomyVersion)
        .join(TaxonomyVersion, TaxonomyVersion.id == Concept.version_id)
        .where(Concept.id == concept_id, Concept.kind == kind, TaxonomyVersion.is_active)
    ).first()
    return None if row is None else (row[0], row[1])


def _labels(
    session: Session, concept_id: int, lang: str, version_languages: Sequence[str]
) -> tuple[LanguageLabels, ...]:
    """Preferred and alternative labels by language: the page's first, then the version's order.

    Hidden labels (misspellings, obsolete or offensive terms) help the resolver but are not shown.
    """
    rows = session.execute(
        select(ConceptLabel.lang, ConceptLabel.kind, ConceptLabel.text)
        .where(
            ConceptLabel.concept_id == concept_id,
            ConceptLabel.kind.in_((LabelKind.PREFERRED, LabelKind.ALTERNATIVE)),
        )
        .order_by(ConceptLabel.text)
    )
    by_language: dict[str, dict[LabelKind, list[str]]] = defaultdict(lambda: defaultdict(list))
    for label_lang, kind, text in rows:
        by_language[label_lang][kind].append(text)
    order = {code: rank for rank, code in enumerate([lang, *version_languages])}
    languages = sorted(by_language, key=lambda code: (order.get(code, len(order)), code))
    return tuple(
        LanguageLabels(
            code,
            tuple(by_language[code][LabelKind.PREFERRED]),
            tuple(by_language[code][LabelKind.ALTERNATIVE]),
        )
        for code in languages
    )


def _title(labels: Iterable[LanguageLabels], lang: str, fallback: str) -> Text:
    preferred = {entry.lang: entry.preferred[0] for entry in labels if entry.preferred}
    for code in (lang, FALLBACK_LANG):
        if code in preferred:
            return Text(preferred[code], code)
    any_language = next(iter(preferred.items()), None)
    return Text(any_language[1], any_language[0]) if any_language else Text(fallback, "")


def _preferred_in(lang: str) -> Any:
    """A concept's preferred label in `lang` (a correlated subquery: one index look-up a row)."""
    return (
        select(func.min(ConceptLabel.text))
        .where(
            ConceptLabel.concept_id == Concept.id,
            ConceptLabel.kind == LabelKind.PREFERRED,
            ConceptLabel.lang == lang,
        )
        .correlate(Concept)
        .scalar_subquery()
    )


def _titles(
    session: Session,
    ids: Select[int] | Sequence[int],
    lang: str,
    limit: int | None = None,
) -> list[ConceptLink]:
    """The concepts `ids`, titled in `lang` (else English, else by URI), in order of title."""
    in_lang = _preferred_in(lang).label("in_lang")
    in_english = _preferred_in(FALLBACK_LANG).label("in_english")
    inner = select(Concept.id, Concept.kind, Concept.code, Concept.uri, in_lang, in_english).where(
        Concept.id.in_(ids)
    )
    rows = inner.subquery()
    statement = (
        select(rows)
        .order_by(func.coalesce(rows.c.in_lang, rows.c.in_english, rows.c.uri), rows.c.id)
        .limit(limit)
    )
    links = []
    for concept_id, kind, code, uri, text_in_lang, text_in_english in session.execute(statement):
        if text_in_lang is not None:
            text = Text(text_in_lang, lang)
        elif text_in_english is not None:
            text = Text(text_in_english, FALLBACK_LANG)
        else:
            text = Text(uri, "")
        links.append(ConceptLink(concept_id, kind, text, code))
    return links


def _capped(session: Session, ids: Select[int], lang: str, cap: int) -> Capped:
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    return Capped(tuple(_titles(session, ids, lang, cap)), total)


def _occupations_needing(
    session: Session, skill_id: int, relation: RelationType, lang: str
) -> Capped:
    ids = select(OccupationSkillLink.occupation_id).where(
        OccupationSkillLink.skill_id == skill_id, OccupationSkillLink.relation == relation
    )
    return _capped(session, ids, lang, LINKS_CAP)


def _skills_of(session: Session, occupation_id: int, relation: RelationType, lang: str) -> Capped:
    ids = select(OccupationSkillLink.skill_id).where(
        OccupationSkillLink.occupation_id == occupation_id, OccupationSkillLink.relation == relation
    )
    return _capped(session, ids, lang, SKILLS_CAP)


def _broader(session: Session, concept_id: int, lang: str) -> tuple[ConceptLink, ...]:
    ids = select(ConceptBroader.broader_id).where(ConceptBroader.concept_id == concept_id)
    return tuple(_titles(session, ids, lang))


def _isco_path(
    session: Session, version_id: int, isco_code: str, lang: str
) -> tuple[IscoStep, ...]:
    """Major group → sub-major → minor → unit group of an ISCO-08 unit group code."""
    codes = [isco_code[:level] for level in range(1, min(len(isco_code), ISCO_LEVELS) + 1)]
    ids = select(Concept.id).where(
        Concept.version_id == version_id,
        Concept.kind == ConceptKind.ISCO_GROUP,
        Concept.code.in_(codes),
    )
    titles = {link.code: link.title for link in _titles(session, ids, lang)}
    return tuple(IscoStep(len(code), code, titles.get(code)) for code in codes)


def _learned_rows(
    session: Session, labels: Sequence[LearnedLabel], lang: str
) -> list[LearnedLabelRow]:
    uris = {label.concept_uri for label in labels}
    user_ids = {label.first_confirmed_by_id for label in labels} - {None}
    emails = dict(session.execute(select(User.id, User.email).where(User.id.in_(user_ids))).all())
    concept_ids = (
        select(Concept.id)
        .join(TaxonomyVersion)
        .where(
            TaxonomyVersion.is_active,
            Concept.uri.in_(uris),
            Concept.kind.in_((ConceptKind.SKILL, ConceptKind.OCCUPATION)),
        )
    )
    uri_of = dict(
        session.execute(select(Concept.id, Concept.uri).where(Concept.id.in_(concept_ids))).all()
    )
    concepts = {uri_of[link.id]: link for link in _titles(session, concept_ids, lang)}
    return [
        LearnedLabelRow(
            id=label.id,
            words=Text(label.text, label.lang),
            concept_uri=label.concept_uri,
            concept_kind=label.concept_kind,
            concept=concepts.get(label.concept_uri),
            confirmations=label.confirmations,
            first_confirmed_by=emails.get(label.first_confirmed_by_id)
            if label.first_confirmed_by_id is not None
            else None,
            created_at=label.created_at,
            last_confirmed_at=label.last_confirmed_at,
        )
        for label in labels
    ]
