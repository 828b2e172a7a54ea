"""Read a taxonomy the project writes itself: a folder of CSV files (taxonomies/essential-work).

The folder holds ``taxonomy.json`` and seven CSV files (UTF-8, a header row, one row per
concept or link); ``taxonomies/README.md`` describes every file and column. The loader checks
what it reads and stops at the first problem with a :class:`TaxonomyFileError` naming the file
and the 1-based line: a missing file or column, a duplicate id, an unknown skill type, a link
to a concept that does not exist, and so on.

Identifiers are slugs (``operate-forklift``) or, for ISCO groups, the ISCO-08 code; each
concept's URI is the ``base_uri`` of taxonomy.json followed by its kind and id, for example
``<base_uri>/skill/operate-forklift`` or ``<base_uri>/isco/C8344``.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TextIO

from portal.taxonomy.model import (
    IscoGroup,
    Label,
    LabelKind,
    Occupation,
    OccupationSkill,
    RelationType,
    ReuseLevel,
    Skill,
    SkillGroup,
    SkillRelation,
    SkillType,
    Taxonomy,
    TaxonomyFileError,
)

# <repo>/portal/taxonomy/loaders/authored.py -> <repo>/taxonomies/essential-work
BUILTIN_TAXONOMY_DIR = Path(__file__).resolve().parents[3] / "taxonomies" / "essential-work"

MANIFEST_FILE = "taxonomy.json"
ISCO_GROUPS_FILE = "isco_groups.csv"
SKILL_GROUPS_FILE = "skill_groups.csv"
SKILLS_FILE = "skills.csv"
OCCUPATIONS_FILE = "occupations.csv"
OCCUPATION_SKILLS_FILE = "occupation_skills.csv"
SKILL_RELATIONS_FILE = "skill_relations.csv"
ALTERNATIVE_LABELS_FILE = "alternative_labels.csv"

# The kinds of concept, as they appear in URIs and in the "concept" column of the labels file.
ISCO_KIND = "isco"
SKILL_GROUP_KIND = "skill-group"
SKILL_KIND = "skill"
OCCUPATION_KIND = "occupation"

LIST_SEPARATOR = ";"
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ISCO_CODE = re.compile(r"[0-9]{1,4}")
_LANG = re.compile(r"[a-z]{2,3}")
_EXTRA_LABEL_KINDS = {LabelKind.ALTERNATIVE.value, LabelKind.HIDDEN.value}


@dataclass(frozen=True, slots=True)
class _Manifest:
    name: str
    version: str
    languages: tuple[str, ...]
    base_uri: str


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")


def load_authored(directory: Path) -> Taxonomy:
    """Read the taxonomy in `directory`; raise TaxonomyFileError at the first problem."""
    return _Loader(Path(directory)).load()


def concept_uri(base_uri: str, kind: str, identifier: str) -> str:
    """The URI of a concept: ``<base_uri>/<kind>/<id>``, with ``C<code>`` for an ISCO group."""
    if kind == ISCO_KIND:
        return f"{base_uri}/{ISCO_KIND}/C{identifier}"
    return f"{base_uri}/{kind}/{identifier}"


class _Loader:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.manifest = self._read_manifest()
        self.label_columns = tuple(f"label_{lang}" for lang in self.manifest.languages)
        # Concept key ("skill/operate-forklift") -> its labels, preferred first.
        self.labels: dict[str, list[Label]] = {}

    # -- the whole folder

    def load(self) -> Taxonomy:
        isco_rows = self._isco_groups()
        group_rows = self._skill_groups()
        skill_rows = self._skills(set(group_rows))
        occupation_rows = self._occupations(isco_rows)
        occupation_skills = self._occupation_skills(set(occupation_rows), set(skill_rows))
        skill_relations = self._skill_relations(set(skill_rows))
        self._alternative_labels()
        manifest = self.manifest
        return Taxonomy(
            name=f"{manifest.name} v{manifest.version}",
            source=self.directory.name,
            languages=manifest.languages,
            isco_groups=tuple(
                IscoGroup(
                    uri=self._uri(ISCO_KIND, code),
                    code=code,
                    labels=self._labels_of(ISCO_KIND, code),
                    description=row["description"],
                )
                for code, row in isco_rows.items()
            ),
            skill_groups=tuple(
                SkillGroup(
                    uri=self._uri(SKILL_GROUP_KIND, group_id),
                    code=group_id,
                    labels=self._labels_of(SKILL_GROUP_KIND, group_id),
                    broader=tuple(
                        self._uri(SKILL_GROUP_KIND, broader) for broader in _split(row["broader"])
                    ),
                    description=row["description"],
                )
                for group_id, row in group_rows.items()
            ),
            skills=tuple(
                Skill(
                    uri=self._uri(SKILL_KIND, skill_id),
                    labels=self._labels_of(SKILL_KIND, skill_id),
                    skill_type=SkillType(row["skill_type"]),
                    reuse_level=ReuseLevel(row["reuse_level"]),
                    description=row["description"],
                    broader=tuple(
                        self._uri(SKILL_GROUP_KIND, group) for group in _split(row["groups"])
                    ),
                )
                for skill_id, row in skill_rows.items()
            ),
            occupations=tuple(
                Occupation(
                    uri=self._uri(OCCUPATION_KIND, occupation_id),
                    isco_code=row["isco_code"],
                    labels=self._labels_of(OCCUPATION_KIND, occupation_id),
                    description=row["description"],
                )
                for occupation_id, row in occupation_rows.items()
            ),
            occupation_skills=occupation_skills,
            skill_relations=skill_relations,
        )

    # -- taxonomy.json

    def _read_manifest(self) -> _Manifest:
        path = self.directory / MANIFEST_FILE
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise TaxonomyFileError(MANIFEST_FILE, None, f"file not found: {path}") from None
        except UnicodeDecodeError as exc:
            raise TaxonomyFileError(MANIFEST_FILE, None, f"not valid UTF-8: {exc}") from None
        except OSError as exc:
            raise TaxonomyFileError(MANIFEST_FILE, None, f"cannot read: {exc}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TaxonomyFileError(
                MANIFEST_FILE, exc.lineno, f"not valid JSON: {exc.msg}"
            ) from None
        if not isinstance(data, dict):
            raise TaxonomyFileError(MANIFEST_FILE, 1, "expected a JSON object")

        def text_field(key: str) -> str:
            value = data.get(key)
            if not isinstance(value, str) or not value.strip():
                raise TaxonomyFileError(MANIFEST_FILE, None, f'"{key}" must be a non-empty string')
            return value.strip()

        name, version = text_field("name"), text_field("version")
        base_uri = text_field("base_uri").rstrip("/")
        if not re.match(r"https?://[^/\s]+", base_uri):
            raise TaxonomyFileError(
                MANIFEST_FILE, None, f'"base_uri" is not an http(s) URI: {base_uri}'
            )
        languages = data.get("languages")
        if (
            not isinstance(languages, list)
            or not languages
            or not all(isinstance(lang, str) and _LANG.fullmatch(lang) for lang in languages)
        ):
            raise TaxonomyFileError(
                MANIFEST_FILE,
                None,
                '"languages" must be a non-empty list of language codes such as "en"',
            )
        if len(set(languages)) != len(languages):
            raise TaxonomyFileError(MANIFEST_FILE, None, '"languages" lists a language twice')
        return _Manifest(name, version, tuple(languages), base_uri)

    # -- the concept files

    def _isco_groups(self) -> dict[str, _Row]:
        rows: dict[str, _Row] = {}
        for row in self._read(ISCO_GROUPS_FILE, ("code", *self.label_columns), ("description",)):
            code = row["code"]
            if not _ISCO_CODE.fullmatch(code):
                self._fail(ISCO_GROUPS_FILE, row, f"ISCO code must be 1 to 4 digits: {code!r}")
            self._unique(ISCO_GROUPS_FILE, row, code, rows)
            self._preferred_labels(ISCO_GROUPS_FILE, row, ISCO_KIND, code)
            rows[code] = row
        for code, row in rows.items():
            parent = code[:-1]
            if parent and parent not in rows:
                self._fail(
                    ISCO_GROUPS_FILE,
                    row,
                    f"ISCO group {code}: its parent group {parent} is missing",
                )
        return rows

    def _skill_groups(self) -> dict[str, _Row]:
        rows: dict[str, _Row] = {}
        columns = ("id", *self.label_columns)
        for row in self._read(SKILL_GROUPS_FILE, columns, ("broader", "description")):
            group_id = self._identifier(SKILL_GROUPS_FILE, row, "id")
            self._unique(SKILL_GROUPS_FILE, row, group_id, rows)
            self._preferred_labels(SKILL_GROUPS_FILE, row, SKILL_GROUP_KIND, group_id)
            rows[group_id] = row
        for group_id, row in rows.items():
            for broader in _split(row["broader"]):
                if broader not in rows:
                    self._fail(SKILL_GROUPS_FILE, row, f"unknown broader skill group {broader!r}")
                if broader == group_id:
                    self._fail(
                        SKILL_GROUPS_FILE, row, f"skill group {group_id!r} is its own broader"
                    )
        for group_id, row in rows.items():
            if self._in_cycle(group_id, rows):
                self._fail(
                    SKILL_GROUPS_FILE, row, f"skill group {group_id!r} is in a broader cycle"
                )
        return rows

    def _skills(self, groups: set[str]) -> dict[str, _Row]:
        rows: dict[str, _Row] = {}
        columns = ("id", "skill_type", "reuse_level", "groups", *self.label_columns)
        skill_types = {item.value for item in SkillType}
        reuse_levels = {item.value for item in ReuseLevel}
        for row in self._read(SKILLS_FILE, columns, ("description",)):
            skill_id = self._identifier(SKILLS_FILE, row, "id")
            self._unique(SKILLS_FILE, row, skill_id, rows)
            if row["skill_type"] not in skill_types:
                self._fail(
                    SKILLS_FILE,
                    row,
                    f"unknown skill type {row['skill_type']!r}; use one of {_listing(skill_types)}",
                )
            if row["reuse_level"] not in reuse_levels:
                self._fail(
                    SKILLS_FILE,
                    row,
                    f"unknown reuse level {row['reuse_level']!r}; use one of "
                    f"{_listing(reuse_levels)}",
                )
            for group in _split(row["groups"]):
                if group not in groups:
                    self._fail(SKILLS_FILE, row, f"unknown skill group {group!r}")
            self._preferred_labels(SKILLS_FILE, row, SKILL_KIND, skill_id)
            rows[skill_id] = row
        return rows

    def _occupations(self, isco_groups: dict[str, _Row]) -> dict[str, _Row]:
        rows: dict[str, _Row] = {}
        columns = ("id", "isco_code", *self.label_columns)
        for row in self._read(OCCUPATIONS_FILE, columns, ("description",)):
            occupation_id = self._identifier(OCCUPATIONS_FILE, row, "id")
            self._unique(OCCUPATIONS_FILE, row, occupation_id, rows)
            code = row["isco_code"]
            if not re.fullmatch(r"[0-9]{4}", code):
                self._fail(
                    OCCUPATIONS_FILE, row, f"isco_code must be a 4-digit ISCO unit group: {code!r}"
                )
            if code not in isco_groups:
                self._fail(
                    OCCUPATIONS_FILE, row, f"ISCO unit group {code} is not in {ISCO_GROUPS_FILE}"
                )
            self._preferred_labels(OCCUPATIONS_FILE, row, OCCUPATION_KIND, occupation_id)
            rows[occupation_id] = row
        return rows

    # -- the link files

    def _occupation_skills(
        self, occupations: set[str], skills: set[str]
    ) -> tuple[OccupationSkill, ...]:
        links: dict[tuple[str, str], OccupationSkill] = {}
        columns = ("occupation", "skill", "relation")
        for row in self._read(OCCUPATION_SKILLS_FILE, columns):
            occupation, skill = row["occupation"], row["skill"]
            if occupation not in occupations:
                self._fail(OCCUPATION_SKILLS_FILE, row, f"unknown occupation {occupation!r}")
            if skill not in skills:
                self._fail(OCCUPATION_SKILLS_FILE, row, f"unknown skill {skill!r}")
            if (occupation, skill) in links:
                self._fail(
                    OCCUPATION_SKILLS_FILE, row, f"{occupation!r} is linked to {skill!r} twice"
                )
            links[(occupation, skill)] = OccupationSkill(
                occupation_uri=self._uri(OCCUPATION_KIND, occupation),
                skill_uri=self._uri(SKILL_KIND, skill),
                relation=self._relation(OCCUPATION_SKILLS_FILE, row),
            )
        return tuple(links.values())

    def _skill_relations(self, skills: set[str]) -> tuple[SkillRelation, ...]:
        links: dict[tuple[str, str], SkillRelation] = {}
        for row in self._read(SKILL_RELATIONS_FILE, ("skill", "related_skill", "relation")):
            skill, related = row["skill"], row["related_skill"]
            for name in (skill, related):
                if name not in skills:
                    self._fail(SKILL_RELATIONS_FILE, row, f"unknown skill {name!r}")
            if skill == related:
                self._fail(SKILL_RELATIONS_FILE, row, f"skill {skill!r} is related to itself")
            if (skill, related) in links:
                self._fail(SKILL_RELATIONS_FILE, row, f"{skill!r} is related to {related!r} twice")
            links[(skill, related)] = SkillRelation(
                skill_uri=self._uri(SKILL_KIND, skill),
                related_uri=self._uri(SKILL_KIND, related),
                relation=self._relation(SKILL_RELATIONS_FILE, row),
            )
        return tuple(links.values())

    def _alternative_labels(self) -> None:
        languages = set(self.manifest.languages)
        for row in self._read(ALTERNATIVE_LABELS_FILE, ("concept", "lang", "kind", "text")):
            concept, lang, kind, text = row["concept"], row["lang"], row["kind"], row["text"]
            labels = self.labels.get(concept)
            if labels is None:
                self._fail(
                    ALTERNATIVE_LABELS_FILE,
                    row,
                    f"unknown concept {concept!r} (write it as kind/id, for example"
                    " skill/operate-forklift, occupation/cook, skill-group/cleaning or isco/C8344)",
                )
            if lang not in languages:
                self._fail(
                    ALTERNATIVE_LABELS_FILE,
                    row,
                    f"language {lang!r} is not one of the taxonomy's languages "
                    f"({', '.join(self.manifest.languages)})",
                )
            if kind not in _EXTRA_LABEL_KINDS:
                self._fail(
                    ALTERNATIVE_LABELS_FILE,
                    row,
                    f"unknown label kind {kind!r}; use one of {_listing(_EXTRA_LABEL_KINDS)}"
                    " (preferred labels go in the concept's own file)",
                )
            if not text:
                self._fail(ALTERNATIVE_LABELS_FILE, row, "empty label text")
            for label in labels:
                if label.lang == lang and label.text.casefold() == text.casefold():
                    self._fail(
                        ALTERNATIVE_LABELS_FILE,
                        row,
                        f"{concept} already has the {label.kind.value} label {text!r} in {lang}",
                    )
            labels.append(Label(text, lang, LabelKind(kind)))

    # -- helpers

    def _uri(self, kind: str, identifier: str) -> str:
        return concept_uri(self.manifest.base_uri, kind, identifier)

    def _labels_of(self, kind: str, identifier: str) -> tuple[Label, ...]:
        return tuple(self.labels[_concept_key(kind, identifier)])

    def _preferred_labels(self, file: str, row: _Row, kind: str, identifier: str) -> None:
        main_language = self.manifest.languages[0]
        if not row[f"label_{main_language}"]:
            self._fail(file, row, f"no preferred label in {main_language} (label_{main_language})")
        self.labels[_concept_key(kind, identifier)] = [
            Label(row[column], lang, LabelKind.PREFERRED)
            for lang, column in zip(self.manifest.languages, self.label_columns, strict=True)
            if row[column]
        ]

    def _identifier(self, file: str, row: _Row, column: str) -> str:
        value = row[column]
        if not _ID.fullmatch(value):
            self._fail(
                file,
                row,
                f"{column} must be lower-case letters, digits and single hyphens: {value!r}",
            )
        return value

    def _unique(self, file: str, row: _Row, identifier: str, seen: dict[str, _Row]) -> None:
        if identifier in seen:
            self._fail(
                file, row, f"duplicate id {identifier!r} (first on line {seen[identifier].line})"
            )

    def _relation(self, file: str, row: _Row) -> RelationType:
        try:
            return RelationType(row["relation"])
        except ValueError:
            allowed = _listing(item.value for item in RelationType)
            self._fail(file, row, f"unknown relation {row['relation']!r}; use one of {allowed}")

    @staticmethod
    def _in_cycle(start: str, rows: dict[str, _Row]) -> bool:
        seen: set[str] = set()
        todo = list(_split(rows[start]["broader"]))
        while todo:
            current = todo.pop()
            if current == start:
                return True
            if current not in seen and current in rows:
                seen.add(current)
                todo.extend(_split(rows[current]["broader"]))
        return False

    @staticmethod
    def _fail(file: str, row: _Row, message: str) -> NoReturn:
        raise TaxonomyFileError(file, row.line, message)

    def _read(
        self, file: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> list[_Row]:
        """The data rows of a CSV file, cells stripped, blank lines skipped."""
        path = self.directory / file
        try:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                return list(_rows(file, stream, required, optional))
        except FileNotFoundError:
            raise TaxonomyFileError(file, None, f"file not found: {path}") from None
        except UnicodeDecodeError as exc:
            raise TaxonomyFileError(file, None, f"not valid UTF-8: {exc}") from None
        except OSError as exc:
            raise TaxonomyFileError(file, None, f"cannot read: {exc}") from None


def _rows(
    file: str, stream: TextIO, required: tuple[str, ...], optional: tuple[str, ...]
) -> Iterator[_Row]:
    reader = csv.reader(stream)
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise TaxonomyFileError(file, None, "empty file: no header row") from None
    except csv.Error as exc:
        raise TaxonomyFileError(file, 1, f"malformed header row: {exc}") from None
    missing = [column for column in required if column not in header]
    if missing:
        raise TaxonomyFileError(file, 1, f"missing column(s): {', '.join(missing)}")
    unknown = [column for column in header if column not in required and column not in optional]
    if unknown:
        raise TaxonomyFileError(
            file,
            1,
            f"unknown column(s): {', '.join(repr(column) for column in unknown)}; expected "
            f"{', '.join((*required, *optional))}",
        )
    repeated = sorted({column for column in header if header.count(column) > 1})
    if repeated:
        raise TaxonomyFileError(file, 1, f"column(s) named twice: {', '.join(repeated)}")
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TaxonomyFileError(file, start, f"malformed CSV record: {exc}") from None
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(cells) != len(header):
            raise TaxonomyFileError(
                file,
                start,
                f"{len(cells)} fields where the header has {len(header)}"
                " (a missing or extra comma? quote cells that contain commas)",
            )
        yield _Row(
            start, {column: cell.strip() for column, cell in zip(header, cells, strict=True)}
        )


def _split(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]


def _concept_key(kind: str, identifier: str) -> str:
    return f"{kind}/C{identifier}" if kind == ISCO_KIND else f"{kind}/{identifier}"


def _listing(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))
