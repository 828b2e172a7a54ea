"""Read the official ESCO CSV distribution (v1.1.x) straight from its two zips.

ESCO publishes, per language, a *classification* zip (``skills_en.csv``, ``occupations_en.csv``,
``ISCOGroups_en.csv``, ``skillGroups_en.csv``, ``skillsHierarchy_en.csv`` and collections) and a
language-independent *relations* zip (``occupationSkillRelations.csv``,
``skillSkillRelations.csv``, ``broaderRelationsSkillPillar.csv``,
``broaderRelationsOccPillar.csv``). :func:`read_esco` streams the CSV records out of both zips
(nothing is extracted to disk) and returns one :class:`~portal.taxonomy.model.Taxonomy`.

Pure Python: no Flask, no SQLAlchemy. See :func:`read_esco_report` for what is an error and
what is skipped and counted.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, TypeVar, cast

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

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "ANOMALY_KEYS",
    "PROGRESS_EVERY_ROWS",
    "EscoRead",
    "ProgressCallback",
    "read_esco",
    "read_esco_report",
    "summarise",
]

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int, int], None]
"""``progress(file_label, bytes_done, bytes_total)``; see :func:`read_esco_report`."""

PROGRESS_EVERY_ROWS = 5000

#: The keys of :attr:`EscoRead.anomalies`, always all present (zero when nothing happened).
ANOMALY_KEYS: tuple[str, ...] = (
    "skills_without_skill_type",
    "skills_without_reuse_level",
    "concepts_without_preferred_label",
    "duplicate_labels_dropped",
    "skill_groups_from_hierarchy",
    "skill_broader_dangling",
    "occupation_broader_dangling",
    "isco_broader_rows_ignored",
    "occupation_skills_dangling",
    "skill_relations_dangling",
    "skill_relations_self",
    "duplicate_relations",
)

_VERSION_RE = re.compile(r"esco-v(\d+\.\d+\.\d+)", re.IGNORECASE)
_MEMBER_RE = re.compile(
    r"^(?P<base>[A-Za-z]+)(?:_(?P<lang>[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?))?\.csv$"
)

# What a damaged zip raises while a member is opened or read: BadZipFile (bad CRC, bad local
# header), zlib.error (corrupt deflate stream), EOFError (truncated stream), OSError (I/O,
# bz2/lzma), NotImplementedError (unsupported compression), RuntimeError (encrypted member).
_ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError)
_ZIP_OPEN_ERRORS = (*_ZIP_READ_ERRORS, NotImplementedError, RuntimeError, ValueError)

_SKILL_TYPES = {member.value: member for member in SkillType}
_REUSE_LEVELS = {member.value: member for member in ReuseLevel}
_RELATION_TYPES = {member.value: member for member in RelationType}

_HIERARCHY_LEVELS = 4  # "Level 0" .. "Level 3" in skillsHierarchy_<lang>.csv

_E = TypeVar("_E", SkillType, ReuseLevel)
_C = TypeVar("_C", SkillGroup, Skill, Occupation)


@dataclass(frozen=True, slots=True)
class EscoRead:
    """What :func:`read_esco_report` returns: the taxonomy, its counts and the data anomalies."""

    taxonomy: Taxonomy
    counts: Mapping[str, int]  # summarise(taxonomy)
    anomalies: Mapping[str, int]  # every key of ANOMALY_KEYS, skipped/odd rows counted


def read_esco(
    classification_zip: Path,
    relations_zip: Path,
    *,
    progress: ProgressCallback | None = None,
) -> Taxonomy:
    """Read an ESCO release from its two official CSV zips; see :func:`read_esco_report`."""
    return read_esco_report(classification_zip, relations_zip, progress=progress).taxonomy


def read_esco_report(
    classification_zip: Path,
    relations_zip: Path,
    *,
    progress: ProgressCallback | None = None,
) -> EscoRead:
    """Read an ESCO release from its two official CSV zips, with counts and anomalies.

    Files are found by base name anywhere in the zip (a subfolder is fine), first in the zip
    they belong in, then in the other one (so an all-in-one zip can be passed twice). Concept
    files must carry a language suffix (``skills_en.csv``); it becomes the labels' language.
    Required: ``ISCOGroups``, ``skillGroups``, ``skills``, ``occupations`` (classification) and
    ``broaderRelationsSkillPillar``, ``broaderRelationsOccPillar``, ``occupationSkillRelations``,
    ``skillSkillRelations`` (relations). Optional: ``skillsHierarchy``.

    All or nothing: any problem below raises :class:`TaxonomyFileError` whose ``file`` is
    ``"<zip name>"`` or ``"<zip name>:<member path>"`` and whose ``line`` is the 1-based physical
    line where the offending CSV record starts (records span several lines when a quoted cell
    holds line breaks), or ``None`` where no line applies.

    Errors (fatal):
      - a zip that is missing, unreadable, not a zip, truncated or corrupt (bad CRC, broken
        deflate stream, unexpected end of data), also when detected half-way through a member;
      - a required file that is missing, or found more than once (e.g. two languages);
        concept files in different languages; zip names with different ESCO versions;
      - a missing required column (checked on the header, line 1);
      - a malformed record: bad CSV quoting, invalid UTF-8 (the line of the bad byte), a record
        with a different number of fields than the header (``skillsHierarchy`` alone may omit
        trailing empty fields, as the official file does), an empty URI (``conceptUri``, a
        relation's endpoints), an empty ISCO ``code`` or one seen twice, a ``conceptUri``
        seen twice in a file or used by both a skill and a skill group, a non-empty
        ``skillType``/``reuseLevel`` outside the model's enums, a ``relationType`` that is not
        essential/optional, an occupation whose ``iscoGroup`` is empty or is no ISCO group of
        the release (every occupation needs its unit group).

    Skipped and counted (``EscoRead.anomalies``, also logged):
      - relations (occupation-skill, skill-skill, broader) with an endpoint that is not a
        concept of the release (or a concept broader than itself): ``*_dangling``; a skill
        related to itself: ``skill_relations_self``; a relation repeated (an essential and an
        optional link of the same pair keep *essential*): ``duplicate_relations``;
      - ISCO rows of ``broaderRelationsOccPillar`` (group to group, occupation to group):
        ``isco_broader_rows_ignored``, since the ISCO hierarchy follows from the codes and an
        occupation's group from its ``iscoGroup`` column;
      - alternative/hidden labels equal (after stripping) to another label of the same concept,
        kept once with the strongest kind (preferred > alternative > hidden):
        ``duplicate_labels_dropped``; ESCO repeats the preferred label among ``altLabels``;
      - an empty ``preferredLabel`` (the concept keeps its other labels), an empty
        ``skillType``/``reuseLevel`` (stored as ``None``).
    ``skillsHierarchy`` adds the skill groups that it names and ``skillGroups`` lacks (label,
    code, description; counted as ``skill_groups_from_hierarchy``) and fills empty group codes;
    the ``skillType`` columns of the relation files, ``status`` and ``conceptType`` are not
    used (types come from the concept files, where a URI is found).

    ``progress(file_label, bytes_done, bytes_total)`` is called per file with ``(0, total)``
    when it is opened, every ``PROGRESS_EVERY_ROWS`` records, and ``(total, total)`` when it is
    done; bytes are uncompressed bytes pulled from the member (``ZipInfo.file_size``), counted
    under the read buffer, so ``bytes_done`` runs a little ahead of the parser.
    """
    reader = _EscoReader(Path(classification_zip), Path(relations_zip), progress)
    taxonomy = reader.read()
    anomalies = {key: reader.anomalies.get(key, 0) for key in ANOMALY_KEYS}
    noted = {key: value for key, value in anomalies.items() if value}
    log.info("read %s from %s; anomalies: %s", taxonomy.name, taxonomy.source, noted or "none")
    return EscoRead(taxonomy=taxonomy, counts=summarise(taxonomy), anomalies=anomalies)


def summarise(taxonomy: Taxonomy) -> dict[str, int]:
    """Counts of a taxonomy's concepts, labels and relations (for logs, CLI output and tests)."""
    skill_broader = sum(len(skill.broader) for skill in taxonomy.skills)
    group_broader = sum(len(group.broader) for group in taxonomy.skill_groups)
    occupation_broader = sum(len(occupation.broader) for occupation in taxonomy.occupations)
    labels = sum(
        len(concept.labels)
        for concepts in (
            taxonomy.isco_groups,
            taxonomy.skill_groups,
            taxonomy.skills,
            taxonomy.occupations,
        )
        for concept in concepts
    )
    return {
        "isco_groups": len(taxonomy.isco_groups),
        "skill_groups": len(taxonomy.skill_groups),
        "skills": len(taxonomy.skills),
        "occupations": len(taxonomy.occupations),
        "labels": labels,
        "occupation_skills": len(taxonomy.occupation_skills),
        "skill_relations": len(taxonomy.skill_relations),
        "broader_relations": skill_broader + group_broader + occupation_broader,
        "skill_broader": skill_broader,
        "skill_group_broader": group_broader,
        "occupation_broader": occupation_broader,
    }


# --------------------------------------------------------------------------------------------
# Zip members and CSV records


@dataclass(frozen=True, slots=True)
class _Member:
    archive: zipfile.ZipFile
    info: zipfile.ZipInfo
    label: str  # "<zip name>:<member path>", for errors and progress
    lang: str | None


class _CountingRaw(io.RawIOBase):
    """A raw stream over a zip member that counts the uncompressed bytes read."""

    def __init__(self, inner: IO[bytes]) -> None:
        super().__init__()
        self._inner = cast(io.BufferedIOBase, inner)  # a zipfile.ZipExtFile
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        count = self._inner.readinto(buffer)
        self.done += count
        return count


def _decoded_lines(stream: Iterable[bytes], label: str) -> Iterator[str]:
    """The member's physical lines as text (BOM dropped); zip and UTF-8 errors become ours."""
    line_no = 0
    try:
        for raw in stream:
            line_no += 1
            if line_no == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise TaxonomyFileError(
                    label, line_no, f"not valid UTF-8 (byte {exc.start + 1} of the line)"
                ) from None
    except _ZIP_READ_ERRORS as exc:
        raise TaxonomyFileError(label, None, f"corrupt or truncated zip data: {exc}") from exc


def _records(
    member: _Member,
    required: Sequence[str],
    optional: Sequence[str] = (),
    *,
    progress: ProgressCallback | None,
    pad_short_rows: bool = False,
) -> Generator[tuple[int, list[str]], None, None]:
    """Yield ``(start line, fields)``, fields ordered as ``required + optional`` ("" if absent)."""
    label = member.label
    total = member.info.file_size
    try:
        inner = member.archive.open(member.info)
    except _ZIP_OPEN_ERRORS as exc:
        raise TaxonomyFileError(label, None, f"cannot open in the zip: {exc}") from exc
    counter = _CountingRaw(inner)
    with inner, counter, io.BufferedReader(counter, buffer_size=1 << 16) as stream:
        lines = _decoded_lines(stream, label)
        reader = csv.reader(lines, strict=True)
        if progress:
            progress(label, 0, total)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise TaxonomyFileError(label, None, "empty file: no header row") from None
        except csv.Error as exc:
            raise TaxonomyFileError(label, 1, f"malformed header row: {exc}") from None
        missing = [name for name in required if name not in header]
        if missing:
            raise TaxonomyFileError(
                label,
                1,
                f"missing required column(s) {', '.join(missing)}; "
                f"the header has: {', '.join(header)}",
            )
        width = len(header)
        # Absent optional columns read the "" appended to every record at index `width`.
        positions = [header.index(name) if name in header else width for name in required]
        positions += [header.index(name) if name in header else width for name in optional]
        pad = [""] * width
        rows = 0
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise TaxonomyFileError(label, start, f"malformed CSV record: {exc}") from None
            if not row:
                continue  # a blank line
            if len(row) != width:
                if not (pad_short_rows and len(row) < width):
                    raise TaxonomyFileError(
                        label,
                        start,
                        f"record has {len(row)} fields, the header has {width}",
                    )
                row += pad[len(row) :]
            row.append("")
            rows += 1
            if progress and rows % PROGRESS_EVERY_ROWS == 0:
                progress(label, min(counter.done, total), total)
            yield start, [row[position] for position in positions]
        if progress:
            progress(label, total, total)


def _check_intact(member: _Member) -> None:
    """Read the member to its end: raise a corruption error if its data or CRC are bad."""
    try:
        with member.archive.open(member.info) as stream:
            while stream.read(1 << 20):
                pass
    except _ZIP_OPEN_ERRORS as exc:
        raise TaxonomyFileError(
            member.label, None, f"corrupt or truncated zip data: {exc}"
        ) from exc


class _Archive:
    """One opened zip and its CSV members by lower-cased base name."""

    def __init__(self, path: Path, stack: ExitStack) -> None:
        self.name = path.name
        try:
            archive = stack.enter_context(zipfile.ZipFile(path))
            infos = archive.infolist()
        except FileNotFoundError:
            raise TaxonomyFileError(self.name, None, f"file not found: {path}") from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise TaxonomyFileError(
                self.name, None, f"not a readable zip (truncated or corrupt?): {exc}"
            ) from exc
        self.members: dict[str, list[_Member]] = {}
        for info in infos:
            path_in_zip = PurePosixPath(info.filename)
            if info.is_dir() or "__MACOSX" in path_in_zip.parts:
                continue
            match = _MEMBER_RE.match(path_in_zip.name)
            if match is None:
                continue
            member = _Member(archive, info, f"{self.name}:{info.filename}", match["lang"])
            self.members.setdefault(match["base"].casefold(), []).append(member)

    def find(self, base: str) -> _Member | None:
        found = self.members.get(base.casefold(), [])
        if len(found) > 1:
            names = ", ".join(member.info.filename for member in found)
            raise TaxonomyFileError(
                self.name, None, f"{base}: several files match ({names}); expected one"
            )
        return found[0] if found else None


class _Anomalies(dict[str, int]):
    def note(self, key: str, count: int = 1) -> None:
        self[key] = self.get(key, 0) + count


class _EscoReader:
    """One read of a release: collects concepts first, then relations, then builds values."""

    def __init__(
        self, classification: Path, relations: Path, progress: ProgressCallback | None
    ) -> None:
        self.classification = classification
        self.relations = relations
        self.progress = progress
        self.anomalies = _Anomalies()
        self.lang = ""
        # Concepts as read, keyed by URI (dicts keep file order).
        self.isco_groups: dict[str, IscoGroup] = {}
        self.isco_by_code: dict[str, str] = {}
        self.skill_groups: dict[str, SkillGroup] = {}
        self.skills: dict[str, Skill] = {}
        self.occupations: dict[str, Occupation] = {}
        # Broader links by concept URI; relations by (from, to).
        self.broader: dict[str, list[str]] = {}
        self.occupation_skills: dict[tuple[str, str], RelationType] = {}
        self.skill_relations: dict[tuple[str, str], RelationType] = {}

    # -- driver ----------------------------------------------------------------------------

    def read(self) -> Taxonomy:
        name, source = self._name_and_source()
        with ExitStack() as stack:
            classification = _Archive(self.classification, stack)
            relations = _Archive(self.relations, stack)

            def find(base: str, home: _Archive, other: _Archive) -> _Member | None:
                return home.find(base) or other.find(base)

            def require(base: str, home: _Archive, other: _Archive) -> _Member:
                member = find(base, home, other)
                if member is None:
                    pattern = f"{base}_<lang>.csv" if home is classification else f"{base}.csv"
                    raise TaxonomyFileError(
                        home.name, None, f"required file {pattern} missing (in neither zip)"
                    )
                return member

            concept_files = {
                base: require(base, classification, relations)
                for base in ("ISCOGroups", "skillGroups", "skills", "occupations")
            }
            hierarchy = find("skillsHierarchy", classification, relations)
            relation_files = {
                base: require(base, relations, classification)
                for base in (
                    "broaderRelationsSkillPillar",
                    "broaderRelationsOccPillar",
                    "occupationSkillRelations",
                    "skillSkillRelations",
                )
            }
            self.lang = self._language(
                [*concept_files.values(), *([hierarchy] if hierarchy else [])]
            )
            self._read_isco_groups(concept_files["ISCOGroups"])
            self._read_skill_groups(concept_files["skillGroups"])
            self._read_skills(concept_files["skills"])
            if hierarchy is not None:
                self._read_hierarchy(hierarchy)
            self._read_occupations(concept_files["occupations"])
            self._read_skill_broader(relation_files["broaderRelationsSkillPillar"])
            self._read_occupation_broader(relation_files["broaderRelationsOccPillar"])
            self._read_occupation_skills(relation_files["occupationSkillRelations"])
            self._read_skill_relations(relation_files["skillSkillRelations"])
        return self._build(name, source)

    def _name_and_source(self) -> tuple[str, str]:
        versions = {}
        for path in (self.classification, self.relations):
            match = _VERSION_RE.search(path.name)
            if match:
                versions[path.name] = match[1]
        if len(set(versions.values())) > 1:
            raise TaxonomyFileError(
                self.relations.name,
                None,
                "the zips come from different ESCO versions: "
                + ", ".join(f"{file} is v{version}" for file, version in versions.items()),
            )
        version = versions.get(self.classification.name) or next(iter(versions.values()), "")
        name = f"ESCO v{version}" if version else "ESCO"
        return name, f"{self.classification.name}, {self.relations.name}"

    def _language(self, members: Iterable[_Member]) -> str:
        langs: dict[str, str] = {}
        for member in members:
            if not member.lang:
                raise TaxonomyFileError(
                    member.label, None, "no language suffix in the file name (e.g. _en)"
                )
            langs.setdefault(member.lang.lower(), member.label)
        if len(langs) != 1:
            raise TaxonomyFileError(
                self.classification.name,
                None,
                "concept files in different languages: " + ", ".join(langs.values()),
            )
        return next(iter(langs))

    @contextmanager
    def _rows(
        self,
        member: _Member,
        required: Sequence[str],
        optional: Sequence[str] = (),
        *,
        pad_short_rows: bool = False,
    ) -> Iterator[Iterator[tuple[int, list[str]]]]:
        """The member's records; a record error in a corrupt member is reported as corruption."""
        records = _records(
            member, required, optional, progress=self.progress, pad_short_rows=pad_short_rows
        )
        try:
            yield records
        except TaxonomyFileError as error:
            if error.line is not None:
                _check_intact(member)  # a damaged member can look like a malformed record
            raise
        finally:
            records.close()

    # -- concepts --------------------------------------------------------------------------

    def _labels(self, preferred: str, alternative: str, hidden: str) -> tuple[Label, ...]:
        lang = self.lang
        labels: list[Label] = []
        seen: set[str] = set()
        text = preferred.strip()
        if text:
            seen.add(text)
            labels.append(Label(text, lang, LabelKind.PREFERRED))
        else:
            self.anomalies.note("concepts_without_preferred_label")
        dropped = 0
        for cell, kind in ((alternative, LabelKind.ALTERNATIVE), (hidden, LabelKind.HIDDEN)):
            if not cell:
                continue
            for line in cell.split("\n"):
                text = line.strip()
                if not text:
                    continue
                if text in seen:
                    dropped += 1
                    continue
                seen.add(text)
                labels.append(Label(text, lang, kind))
        if dropped:
            self.anomalies.note("duplicate_labels_dropped", dropped)
        return tuple(labels)

    @staticmethod
    def _uri(label: str, line: int, value: str, column: str) -> str:
        uri = value.strip()
        if not uri:
            raise TaxonomyFileError(label, line, f"empty {column}")
        return uri

    @staticmethod
    def _new(label: str, line: int, uri: str, *registries: Mapping[str, object]) -> None:
        for registry in registries:
            if uri in registry:
                raise TaxonomyFileError(label, line, f"conceptUri {uri} defined twice")

    def _read_isco_groups(self, member: _Member) -> None:
        required = ("conceptUri", "code", "preferredLabel", "altLabels")
        with self._rows(member, required, ("hiddenLabels", "description")) as rows:
            for line, (uri, code, preferred, alt, hidden, description) in rows:
                uri = self._uri(member.label, line, uri, "conceptUri")
                self._new(member.label, line, uri, self.isco_groups)
                code = code.strip()
                if not code:
                    raise TaxonomyFileError(member.label, line, "empty ISCO code")
                if code in self.isco_by_code:
                    raise TaxonomyFileError(member.label, line, f"ISCO code {code} defined twice")
                self.isco_groups[uri] = IscoGroup(
                    uri=uri,
                    code=code,
                    labels=self._labels(preferred, alt, hidden),
                    description=_text(description),
                )
                self.isco_by_code[code] = code

    def _read_skill_groups(self, member: _Member) -> None:
        required = ("conceptUri", "preferredLabel", "altLabels")
        optional = ("hiddenLabels", "description", "code")
        with self._rows(member, required, optional) as rows:
            for line, (uri, preferred, alt, hidden, description, code) in rows:
                uri = self._uri(member.label, line, uri, "conceptUri")
                self._new(member.label, line, uri, self.skill_groups)
                self.skill_groups[uri] = SkillGroup(
                    uri=uri,
                    code=code.strip(),
                    labels=self._labels(preferred, alt, hidden),
                    description=_text(description),
                )

    def _read_skills(self, member: _Member) -> None:
        required = ("conceptUri", "skillType", "reuseLevel", "preferredLabel", "altLabels")
        optional = ("hiddenLabels", "description")
        with self._rows(member, required, optional) as rows:
            for line, (uri, skill_type, reuse, preferred, alt, hidden, description) in rows:
                uri = self._uri(member.label, line, uri, "conceptUri")
                self._new(member.label, line, uri, self.skills, self.skill_groups)
                self.skills[uri] = Skill(
                    uri=uri,
                    labels=self._labels(preferred, alt, hidden),
                    skill_type=self._enum(
                        member.label, line, skill_type, _SKILL_TYPES, "skillType"
                    ),
                    reuse_level=self._enum(member.label, line, reuse, _REUSE_LEVELS, "reuseLevel"),
                    description=_text(description),
                )

    def _enum(
        self, label: str, line: int, value: str, allowed: Mapping[str, _E], column: str
    ) -> _E | None:
        value = value.strip()
        if not value:
            missing = {"skillType": "skills_without_skill_type"}
            self.anomalies.note(missing.get(column, "skills_without_reuse_level"))
            return None
        try:
            return allowed[value]
        except KeyError:
            raise TaxonomyFileError(
                label,
                line,
                f"unknown {column} {value!r} (expected one of: {', '.join(allowed)})",
            ) from None

    def _read_hierarchy(self, member: _Member) -> None:
        required = ("Level 0 URI", "Level 0 preferred term")
        optional = ["Description", "Level 0 code"]
        for level in range(1, _HIERARCHY_LEVELS):
            optional += [
                f"Level {level} URI",
                f"Level {level} preferred term",
                f"Level {level} code",
            ]
        added: dict[str, SkillGroup] = {}
        with self._rows(member, required, optional, pad_short_rows=True) as rows:
            for line, fields in rows:
                # (URI, preferred term, code) per level, from the root down.
                path = [(fields[0], fields[1], fields[3])]
                path += [
                    (fields[i], fields[i + 1], fields[i + 2]) for i in range(4, len(fields), 3)
                ]
                path = [(uri.strip(), term, code.strip()) for uri, term, code in path]
                if not path[0][0]:
                    raise TaxonomyFileError(member.label, line, "empty Level 0 URI")
                deepest = max(depth for depth, (uri, _, _) in enumerate(path) if uri)
                for depth, (uri, term, code) in enumerate(path):
                    if not uri or uri in self.skills:
                        continue
                    known = self.skill_groups.get(uri)
                    if known is not None:
                        if code and not known.code:
                            self.skill_groups[uri] = replace(known, code=code)
                        continue
                    group = added.get(uri) or SkillGroup(uri, "", self._labels(term, "", ""))
                    if code and not group.code:
                        group = replace(group, code=code)
                    if depth == deepest and not group.description:
                        group = replace(group, description=_text(fields[2]))
                    added[uri] = group
        self.skill_groups.update(added)
        self.anomalies.note("skill_groups_from_hierarchy", len(added))

    def _read_occupations(self, member: _Member) -> None:
        required = ("conceptUri", "iscoGroup", "preferredLabel", "altLabels")
        optional = ("hiddenLabels", "description", "code")
        isco_by_uri = {uri: group.code for uri, group in self.isco_groups.items()}
        with self._rows(member, required, optional) as rows:
            for line, (uri, isco, preferred, alt, hidden, description, code) in rows:
                uri = self._uri(member.label, line, uri, "conceptUri")
                self._new(member.label, line, uri, self.occupations)
                isco = isco.strip()
                if not isco:
                    raise TaxonomyFileError(member.label, line, "empty iscoGroup")
                isco_code = self.isco_by_code.get(isco) or isco_by_uri.get(isco)
                if isco_code is None:
                    raise TaxonomyFileError(
                        member.label, line, f"iscoGroup {isco} is not an ISCO group of the release"
                    )
                self.occupations[uri] = Occupation(
                    uri=uri,
                    isco_code=isco_code,
                    labels=self._labels(preferred, alt, hidden),
                    code=code.strip(),
                    description=_text(description),
                )

    # -- relations -------------------------------------------------------------------------

    def _add_broader(self, uri: str, broader: str) -> None:
        links = self.broader.setdefault(uri, [])
        if broader in links:
            self.anomalies.note("duplicate_relations")
        else:
            links.append(broader)

    def _read_skill_broader(self, member: _Member) -> None:
        skills, groups = self.skills, self.skill_groups
        with self._rows(member, ("conceptUri", "broaderUri")) as rows:
            for line, (uri, broader) in rows:
                uri = self._uri(member.label, line, uri, "conceptUri")
                broader = self._uri(member.label, line, broader, "broaderUri")
                concept = skills.get(uri) or groups.get(uri)
                parent = skills.get(broader) or groups.get(broader)
                if concept is None or parent is None or concept is parent:
                    self.anomalies.note("skill_broader_dangling")
                    continue
                self._add_broader(concept.uri, parent.uri)

    def _read_occupation_broader(self, member: _Member) -> None:
        occupations, isco = self.occupations, self.isco_groups
        with self._rows(member, ("conceptUri", "broaderUri")) as rows:
            for line, (uri, broader) in rows:
                uri = self._uri(member.label, line, uri, "conceptUri")
                broader = self._uri(member.label, line, broader, "broaderUri")
                concept = occupations.get(uri)
                parent = occupations.get(broader)
                if concept is not None and parent is not None and concept is not parent:
                    self._add_broader(concept.uri, parent.uri)
                elif (concept is not None or uri in isco) and broader in isco:
                    self.anomalies.note("isco_broader_rows_ignored")
                else:
                    self.anomalies.note("occupation_broader_dangling")

    def _relation_type(self, label: str, line: int, value: str) -> RelationType:
        try:
            return _RELATION_TYPES[value.strip()]
        except KeyError:
            raise TaxonomyFileError(
                label,
                line,
                f"unknown relationType {value.strip()!r} "
                f"(expected one of: {', '.join(_RELATION_TYPES)})",
            ) from None

    def _add_relation(
        self,
        relations: dict[tuple[str, str], RelationType],
        key: tuple[str, str],
        kind: RelationType,
    ) -> None:
        known = relations.get(key)
        if known is None:
            relations[key] = kind
            return
        self.anomalies.note("duplicate_relations")
        if kind is RelationType.ESSENTIAL:
            relations[key] = kind

    def _read_occupation_skills(self, member: _Member) -> None:
        occupations, skills = self.occupations, self.skills
        required = ("occupationUri", "relationType", "skillUri")
        with self._rows(member, required) as rows:
            for line, (occupation_uri, relation, skill_uri) in rows:
                occupation_uri = self._uri(member.label, line, occupation_uri, "occupationUri")
                skill_uri = self._uri(member.label, line, skill_uri, "skillUri")
                kind = self._relation_type(member.label, line, relation)
                occupation = occupations.get(occupation_uri)
                skill = skills.get(skill_uri)
                if occupation is None or skill is None:
                    self.anomalies.note("occupation_skills_dangling")
                    continue
                self._add_relation(self.occupation_skills, (occupation.uri, skill.uri), kind)

    def _read_skill_relations(self, member: _Member) -> None:
        skills = self.skills
        required = ("originalSkillUri", "relationType", "relatedSkillUri")
        with self._rows(member, required) as rows:
            for line, (skill_uri, relation, related_uri) in rows:
                skill_uri = self._uri(member.label, line, skill_uri, "originalSkillUri")
                related_uri = self._uri(member.label, line, related_uri, "relatedSkillUri")
                kind = self._relation_type(member.label, line, relation)
                skill = skills.get(skill_uri)
                related = skills.get(related_uri)
                if skill is None or related is None:
                    self.anomalies.note("skill_relations_dangling")
                elif skill is related:
                    self.anomalies.note("skill_relations_self")
                else:
                    self._add_relation(self.skill_relations, (skill.uri, related.uri), kind)

    # -- result ----------------------------------------------------------------------------

    def _build(self, name: str, source: str) -> Taxonomy:
        broader = self.broader

        def with_broader(concepts: Iterable[_C]) -> tuple[_C, ...]:
            return tuple(
                replace(concept, broader=tuple(broader[concept.uri]))
                if concept.uri in broader
                else concept
                for concept in concepts
            )

        return Taxonomy(
            name=name,
            source=source,
            languages=(self.lang,),
            isco_groups=tuple(self.isco_groups.values()),
            skill_groups=with_broader(self.skill_groups.values()),
            skills=with_broader(self.skills.values()),
            occupations=with_broader(self.occupations.values()),
            occupation_skills=tuple(
                OccupationSkill(occupation, skill, kind)
                for (occupation, skill), kind in self.occupation_skills.items()
            ),
            skill_relations=tuple(
                SkillRelation(skill, related, kind)
                for (skill, related), kind in self.skill_relations.items()
            ),
        )


def _text(value: str) -> str:
    """A free-text cell: line endings normalised to \\n, outer whitespace stripped."""
    return value.replace("\r\n", "\n").strip()
