"""What the worker and the vacancy uploads share once a file is read: parsing the cells both have
(languages, skill lists, occupations), finding regions with "did you mean", resolving occupation
and skill phrases to taxonomy concepts in batches, and ordering the problems for the report.

Skill and occupation phrases are resolved in one batch: the top candidate with a score of at least
`CONFIDENT_SCORE` becomes the concept, otherwise the words are kept unmapped (never dropped) for
review. Uploads do not teach the resolver: nobody confirmed these matches.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import ValidationProblem
from portal.imports import values
from portal.imports.tabular import RowProblem
from portal.models import Concept, ConceptKind, LanguageLevel
from portal.models.workers import WORDS_MAX
from portal.services import reference, regions, taxonomy
from portal.services.translation import translate
from portal.taxonomy.resolve import normalise

ProgressCallback = Callable[[str, int, int], None]

CONFIDENT_SCORE = 80.0
MAX_SKILLS_PER_ROW = 50
PROGRESS_EVERY = 500
CHUNK = 1_000  # ids per IN (...) query, rows per flush

URI = re.compile(r"https?://\S+", re.IGNORECASE)
ISCO = re.compile(r"(?:isco[\s-]*(?:08)?[\s:-]*)?(\d{1,4})", re.IGNORECASE)
LEVELS = {level.value.casefold(): level for level in LanguageLevel}


def no_progress(_stage: str, _done: int, _total: int) -> None:
    """The progress callback when nobody watches."""


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def translated(problems: Iterable[RowProblem]) -> list[RowProblem]:
    """The problems the file reader found (formulas, cells outside the header), in the reader's
    language, as every problem of an upload's report is."""
    return [
        replace(problem, column=translate(problem.column), message=translate(problem.message))
        for problem in problems
    ]


def sorted_problems(
    problems: Iterable[RowProblem], columns: Sequence[str]
) -> tuple[RowProblem, ...]:
    """Problems by line, then in the order of the file's columns."""
    return tuple(
        sorted(
            problems,
            key=lambda p: (p.line, columns.index(p.column) if p.column in columns else 99),
        )
    )


def repeated_lines(lines_and_ids: Iterable[tuple[int, str]]) -> dict[int, str]:
    """For each line whose external_id is on other lines too: those other lines, as "3, 7"."""
    lines_by_id: dict[str, list[int]] = defaultdict(list)
    for line, external_id in lines_and_ids:
        if external_id:
            lines_by_id[external_id].append(line)
    return {
        line: ", ".join(str(other) for other in lines if other != line)
        for lines in lines_by_id.values()
        if len(lines) > 1
        for line in lines
    }


# --- cells both files have -------------------------------------------------------------------


@lru_cache(maxsize=1)
def _language_names() -> dict[str, str]:
    return {name.casefold(): code for code, name in reference.languages("en")}


def languages(text: str) -> tuple[tuple[str, LanguageLevel], ...]:
    """ "en:B1;ro:native" (a language's English name instead of its code is fine)."""
    names = _language_names()
    pairs = []
    for entry in values.split_list(text):
        try:
            code, level = values.split_pair(entry)
        except values.ValueProblem:
            raise values.ValueProblem(
                _("Write each language as code:level, like en:B1;ro:native.")
            ) from None
        if level.casefold() not in LEVELS:
            raise values.ValueProblem(
                _(
                    "“%(level)s” is not a level; use A1, A2, B1, B2, C1, C2 or native.",
                    level=level,
                )
            )
        pairs.append((names.get(code.casefold(), code.lower()), LEVELS[level.casefold()]))
    return tuple(pairs)


def skill_texts(text: str, *, too_many: str) -> tuple[str, ...]:
    """The ";"-separated skills of a cell, each once; `too_many` says so when there are more
    than MAX_SKILLS_PER_ROW."""
    entries = values.split_list(text)
    if len(entries) > MAX_SKILLS_PER_ROW:
        raise values.ValueProblem(too_many)
    unique: dict[str, str] = {}
    for entry in entries:
        words = " ".join(entry.split())
        if len(words) > WORDS_MAX:
            raise values.ValueProblem(
                _(
                    "“%(words)s…” is too long: describe a skill in at most %(max)d characters.",
                    words=words[:30],
                    max=WORDS_MAX,
                )
            )
        unique.setdefault(words if URI.fullmatch(words) else normalise(words) or words, words)
    return tuple(unique.values())


def occupation_text(text: str) -> str:
    """An occupation cell: words, a four-digit ISCO code or a URI (resolved later)."""
    text = " ".join(text.split())
    if len(text) > WORDS_MAX:
        raise values.ValueProblem(_("Use at most %(max)d characters.", max=WORDS_MAX))
    code = ISCO.fullmatch(text)
    if code and len(code.group(1)) < 4:
        raise values.ValueProblem(
            _("Give a four-digit ISCO code (a unit group, like 8344), or the occupation in words.")
        )
    return text


# --- regions ---------------------------------------------------------------------------------


class RegionNames:
    """The regions a file names, each looked up once (a file names the same few again and again)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._ids = {region.name.casefold(): region.id for region in regions.list_regions(session)}
        self._problems: dict[str, str] = {}

    def region_id(self, name: str) -> int:
        """The region's id, or ValueProblem naming the closest regions."""
        key = name.casefold()
        if key in self._ids:
            return self._ids[key]
        if key not in self._problems:
            try:
                region = regions.find_region(self._session, name)
            except ValidationProblem as problem:
                self._problems[key] = problem.message
            else:
                self._ids[key] = region.id
                return region.id
        raise values.ValueProblem(self._problems[key])


# --- taxonomy concepts -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResolvedSkill:
    words: str
    concept_uri: str | None
    concept_label: str | None
    score: float | None

    @property
    def key(self) -> str:
        return self.concept_uri or normalise(self.words)


@dataclass(frozen=True, slots=True)
class ResolvedOccupation:
    words: str
    uri: str | None
    label: str | None


@dataclass
class Concepts:
    """The concepts a file's skill and occupation cells refer to, fetched in a few queries."""

    has_taxonomy: bool
    skill_uris: set[str] = field(default_factory=set)  # those the active version has
    occupation_uris: set[str] = field(default_factory=set)
    occupation_by_isco: dict[str, str] = field(default_factory=dict)  # code → uri
    suggested: dict[tuple[ConceptKind, str], tuple[str, float]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # uri → preferred label
    ids: dict[str, int] = field(default_factory=dict)  # uri → concept id

    def skill(self, text: str) -> ResolvedSkill:
        """A skill cell's entry as a concept (a URI, or words matched confidently) or as words;
        ValueProblem for a URI the taxonomy does not have."""
        if URI.fullmatch(text):
            if text not in self.skill_uris:
                raise values.ValueProblem(self._no_concept(_("skill")))
            label = self.labels.get(text)
            return ResolvedSkill((label or text)[:WORDS_MAX], text, label, 100.0)
        suggestion = self.suggested.get((ConceptKind.SKILL, text))
        if suggestion is None:
            return ResolvedSkill(text, None, None, None)
        uri, score = suggestion
        return ResolvedSkill(text, uri, self.labels.get(uri), round(score, 1))

    def occupation(self, text: str) -> ResolvedOccupation:
        """An occupation cell as a concept (URI, ISCO code, confident words) or as words."""
        uri: str | None = None
        if URI.fullmatch(text):
            if text not in self.occupation_uris:
                raise values.ValueProblem(self._no_concept(_("occupation")))
            uri = text
            text = self.labels.get(uri, uri)[:WORDS_MAX]
        elif code := ISCO.fullmatch(text):
            uri = self.occupation_by_isco.get(code.group(1))
            if uri is None:
                raise values.ValueProblem(
                    _(
                        "No occupation in the taxonomy has the ISCO code %(code)s; check the "
                        "code, or write the occupation in words.",
                        code=code.group(1),
                    )
                )
        else:
            suggestion = self.suggested.get((ConceptKind.OCCUPATION, text))
            uri = suggestion[0] if suggestion else None
        return ResolvedOccupation(text, uri, self.labels.get(uri) if uri else None)

    def _no_concept(self, what: str) -> str:
        if not self.has_taxonomy:
            return _("No taxonomy is loaded yet, so URIs cannot be used; write it in words.")
        return _(
            "The active taxonomy has no %(what)s with this URI; check it, or write it in words.",
            what=what,
        )


def look_up_concepts(
    session: Session,
    skill_cells: Collection[str],
    occupation_cells: Collection[str],
    *,
    lang: str,
    report: ProgressCallback = no_progress,
) -> Concepts:
    """Resolve every distinct skill and occupation entry of a file at once."""
    skill_uris = sorted(text for text in skill_cells if URI.fullmatch(text))
    occupation_uris = sorted(text for text in occupation_cells if URI.fullmatch(text))
    isco_codes = sorted(
        match.group(1)
        for text in occupation_cells
        if (match := ISCO.fullmatch(text)) and not URI.fullmatch(text)
    )
    phrases = {
        ConceptKind.SKILL: sorted(set(skill_cells).difference(skill_uris)),
        ConceptKind.OCCUPATION: sorted(
            text
            for text in set(occupation_cells)
            if not URI.fullmatch(text) and not ISCO.fullmatch(text)
        ),
    }
    version = taxonomy.active_version(session)
    version_id = version.id if version else -1
    concepts = Concepts(
        has_taxonomy=version is not None,
        skill_uris=set(_concept_ids(session, version_id, ConceptKind.SKILL, skill_uris)),
        occupation_uris=set(
            _concept_ids(session, version_id, ConceptKind.OCCUPATION, occupation_uris)
        ),
        occupation_by_isco=_occupations_by_isco(session, version_id, isco_codes),
    )
    index = taxonomy.taxonomy_index(session)
    if index is not None:
        for kind, texts in phrases.items():
            resolver = index.resolver(kind)
            label = "matching skills" if kind is ConceptKind.SKILL else "matching occupations"
            done = 0
            for chunk in chunks(texts, PROGRESS_EVERY):
                for phrase, candidates in zip(
                    chunk, resolver.suggest_many(chunk, lang=lang, limit=1), strict=True
                ):
                    if candidates and candidates[0].score >= CONFIDENT_SCORE:
                        concepts.suggested[(kind, phrase)] = (
                            candidates[0].uri,
                            candidates[0].score,
                        )
                done += len(chunk)
                report(label, done, len(texts))
    uris = {uri for uri, _score in concepts.suggested.values()}
    uris |= (
        concepts.skill_uris | concepts.occupation_uris | set(concepts.occupation_by_isco.values())
    )
    concepts.ids, concepts.labels = _ids_and_labels(session, version_id, sorted(uris), lang)
    return concepts


def _concept_ids(
    session: Session, version_id: int, kind: ConceptKind, uris: Sequence[str]
) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(uris):
        found.update(
            session.execute(
                select(Concept.uri, Concept.id).where(
                    Concept.version_id == version_id, Concept.kind == kind, Concept.uri.in_(chunk)
                )
            ).all()
        )
    return found


def _occupations_by_isco(session: Session, version_id: int, codes: Sequence[str]) -> dict[str, str]:
    """Each code's first occupation (lowest ESCO code, then URI): the unit group's own."""
    best: dict[str, tuple[bool, str, str]] = {}
    for chunk in chunks(codes):
        rows = session.execute(
            select(Concept.isco_code, Concept.code, Concept.uri).where(
                Concept.version_id == version_id,
                Concept.kind == ConceptKind.OCCUPATION,
                Concept.isco_code.in_(chunk),
            )
        )
        for isco_code, code, uri in rows:
            key = (code is None, code or "", uri)
            if isco_code is not None and (isco_code not in best or key < best[isco_code]):
                best[isco_code] = key
    return {code: key[2] for code, key in best.items()}


def _ids_and_labels(
    session: Session, version_id: int, uris: Sequence[str], lang: str
) -> tuple[dict[str, int], dict[str, str]]:
    ids: dict[str, int] = {}
    for chunk in chunks(uris):
        ids.update(
            session.execute(
                select(Concept.uri, Concept.id).where(
                    Concept.version_id == version_id, Concept.uri.in_(chunk)
                )
            ).all()
        )
    uri_of = {concept_id: uri for uri, concept_id in ids.items()}
    labels: dict[str, str] = {}
    for chunk in chunks(list(uri_of)):
        for concept_id, label in taxonomy.preferred_labels(session, chunk, lang).items():
            labels[uri_of[concept_id]] = label
    return ids, labels
