"""Bulk upload of workers by a labour provider: a CSV or XLSX file → new and updated profiles.

Every row is checked in full first, each problem reported with its line and column; then the
valid rows are written in one transaction and the invalid ones not at all. A row is its worker
by (provider, external_id): uploading the same file again updates, and never duplicates.

On a worker already stored, a filled cell sets that value and an empty cell leaves it as it is
(an upload never erases). The skills of an earlier upload are replaced by the file's; skills added
on the profile pages stay. Experience is added, or its years updated, never removed.

Skill phrases are resolved in one batch, as every upload does (services/_imports.py): a confident
match becomes the concept, otherwise the words are kept unmapped (never dropped) for review.

Consent: the provider confirms (a required box on the page, `--confirm-consent` on the command
line) that the workers in the file agreed; each gets a consent record given by the provider's user
and becomes active once its profile is complete. Without that confirmation workers stay drafts.
A worker who withdrew consent is never re-activated by an upload: their row is rejected.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Table as SqlTable
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.errors import Conflict, Forbidden, ValidationProblem
from portal.imports import values
from portal.imports.tabular import MAX_BYTES, Row, RowProblem, Table, read_table
from portal.models import (
    AuditAction,
    AuditEvent,
    ConsentRecord,
    Evidence,
    ExperienceKind,
    LanguageLevel,
    Organisation,
    OrganisationKind,
    ProfileStatus,
    Role,
    Sex,
    SkillSource,
    User,
    Worker,
    WorkerExperience,
    WorkerLanguage,
    WorkerRelocationRegion,
    WorkerSkill,
)
from portal.models.accounts import EMAIL_MAX
from portal.models.base import utcnow
from portal.models.workers import NAME_PART_MAX, WORDS_MAX
from portal.services import _imports as shared
from portal.services import audit, reference
from portal.services._imports import (
    Concepts,
    ProgressCallback,
    RegionNames,
    ResolvedSkill,
    chunks,
    no_progress,
    repeated_lines,
    sorted_problems,
)
from portal.services._tx import transaction
from portal.services.translation import translate
from portal.services.workers import (
    CONSENT_PURPOSES,
    SUBJECT,
    AboutYou,
    check_about_you,
    missing_for_activation,
)
from portal.taxonomy.resolve import normalise
from portal.text import Text

COLUMNS = (
    "external_id",
    "given_name",
    "family_name",
    "email",
    "phone",
    "sex",
    "birth_year",
    "country_of_origin",
    "region",
    "willing_to_relocate",
    "languages",
    "occupation",
    "experience_years",
    "skills",
    "available_from",
)
COLUMN_HELP = {
    "external_id": _l(
        "Required. Your own reference for the worker, unique in your files; uploading a row "
        "with the same reference again updates that worker."
    ),
    "given_name": _l("Required for a new worker."),
    "family_name": _l("The family name, if any."),
    "email": _l("An email address or a phone number (or both) is required for a new worker."),
    "phone": _l("With the country code, like +40 721 234 567."),
    "sex": _l("female, male, other or prefer not to say (also f or m); may be empty."),
    "birth_year": _l("Four digits, like 1990."),
    "country_of_origin": _l("A two-letter country code (RO, UA, SY …) or the country's name."),
    "region": _l("The region where the worker is now, one of the portal's regions."),
    "willing_to_relocate": _l("yes (anywhere), no, or region names separated by “;”."),
    "languages": _l("Language codes with a level, like en:B1;ro:native (levels A1–C2, native)."),
    "occupation": _l(
        "What the worker did: in words, as a four-digit ISCO code (like 8344), or a taxonomy URI."
    ),
    "experience_years": _l("Years in that occupation, like 3 or 1.5; needs an occupation."),
    "skills": _l(
        "Skills in words or taxonomy URIs, separated by “;”. Words that match no skill are kept "
        "as they are, for review."
    ),
    "available_from": _l("The first day the worker can start: YYYY-MM-DD or DD/MM/YYYY."),
}
EXAMPLE_ROW = {
    "external_id": "W-0001",
    "given_name": "Ana",
    "family_name": "Popescu",
    "email": "ana.popescu@example.org",
    "phone": "+40 721 234 567",
    "sex": "female",
    "birth_year": "1990",
    "country_of_origin": "RO",
    "region": "",
    "willing_to_relocate": "yes",
    "languages": "ro:native;en:B1",
    "occupation": "forklift driver",
    "experience_years": "3",
    "skills": "operate a forklift;stack pallets;first aid",
    "available_from": "2026-03-01",
}

PROVIDER_CONSENT_TEXT_VERSION = "provider-upload-2026-11"
"""The version of the confirmation a provider ticks; recorded on each consent it gives."""

_PHONE = re.compile(r"[+()\d\s./-]+")
_SEX = {
    "female": Sex.FEMALE,
    "f": Sex.FEMALE,
    "male": Sex.MALE,
    "m": Sex.MALE,
    "other": Sex.OTHER,
    "prefer not to say": Sex.NOT_STATED,
    "not stated": Sex.NOT_STATED,
}
_ANYWHERE = frozenset({"yes", "y", "anywhere", "true"})
_NOWHERE = frozenset({"no", "n", "false"})
_ABOUT_COLUMNS = {  # AboutYou field → column (nationality is not in the file)
    "given_name": "given_name",
    "email": "email",
    "phone": "phone",
    "birth_year": "birth_year",
    "country_of_origin": "country_of_origin",
    "nationality": "country_of_origin",
    "languages": "languages",
}


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportReport:
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int  # rows
    problems: tuple[RowProblem, ...]  # every problem of every rejected row, by line
    unmapped_skills: int  # skill phrases kept as words, with no concept
    seconds: float


def read_worker_file(source: bytes | Path, *, max_bytes: int = MAX_BYTES) -> Table:
    """The rows of an uploaded worker file (raises TableProblem for a file that is unusable)."""
    return read_table(source, columns=COLUMNS, max_bytes=max_bytes)


def template_rows() -> tuple[tuple[str, ...], list[list[str]]]:
    """The template's header and its one example row."""
    return COLUMNS, [[EXAMPLE_ROW[column] for column in COLUMNS]]


def column_help() -> list[tuple[str, str]]:
    return [(column, str(COLUMN_HELP[column])) for column in COLUMNS]


# --- what a row asks for -----------------------------------------------------------------------


_Skill = ResolvedSkill


@dataclass(frozen=True, slots=True)
class _Experience:
    words: str
    occupation_uri: str | None
    occupation_label: str | None
    years: float


@dataclass
class _Parsed:
    """A row's cells as values (None: the cell was empty), before the database is consulted."""

    line: int
    cells: Mapping[str, str]  # as in the file, for the problems' "value"
    external_id: str
    problems: list[RowProblem]
    about: dict[str, Any] = field(default_factory=dict)  # Worker attribute → value
    languages: tuple[tuple[str, LanguageLevel], ...] | None = None
    region: str | None = None
    relocation: bool | tuple[str, ...] | None = None  # anywhere, nowhere, or region names
    occupation: str | None = None
    years: float | None = None
    skills: tuple[str, ...] | None = None
    available_from: date | None = None

    def problem(self, column: str, value: str, message: Text) -> None:
        self.problems.append(RowProblem(self.line, column, value, translate(message)))


@dataclass(frozen=True, slots=True)
class _Wanted:
    """A valid row: what its worker looks like after the upload (None: leave as it is)."""

    line: int
    external_id: str
    about: dict[str, Any]
    languages: tuple[tuple[str, LanguageLevel], ...] | None
    region_id: int | None
    relocation: tuple[bool, frozenset[int]] | None
    experience: _Experience | None
    skills: tuple[_Skill, ...] | None
    available_from: date | None


@dataclass(frozen=True, slots=True)
class _StoredSkill:
    id: int
    words: str
    concept_uri: str | None
    source: SkillSource

    @property
    def key(self) -> str:
        return self.concept_uri or normalise(self.words)


@dataclass(frozen=True, slots=True)
class _StoredExperience:
    id: int
    words: str
    occupation_uri: str | None
    years: float


@dataclass
class _Stored:
    """A stored worker of the provider, read in bulk (10,000 ORM objects would be slow)."""

    id: int
    status: ProfileStatus
    about: dict[str, Any]  # the ABOUT attributes
    region_id: int | None
    relocate_anywhere: bool
    available_from: date | None
    languages: dict[str, LanguageLevel] = field(default_factory=dict)
    relocation: set[int] = field(default_factory=set)
    skills: list[_StoredSkill] = field(default_factory=list)
    experiences: list[_StoredExperience] = field(default_factory=list)
    has_consent: bool = False


_ABOUT = (
    "given_name",
    "family_name",
    "email",
    "phone",
    "sex",
    "birth_year",
    "country_of_origin",
    "nationality",
)


@dataclass
class _Lookups:
    """Everything the rows refer to, fetched in a few batched queries."""

    regions: RegionNames
    concepts: Concepts
    existing: dict[str, _Stored]


# --- the use case ------------------------------------------------------------------------------


def import_workers(
    session: Session,
    actor: User | None,
    provider: Organisation,
    rows: Iterable[Row],
    *,
    dry_run: bool,
    consent_confirmed: bool = False,
    lang: str = "en",
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Check every row, then (unless `dry_run`) store the valid ones; report what happened.

    `actor` is the provider's user (or an admin; None on the command line).
    """
    started = time.perf_counter()
    _check_may_import(actor, provider)
    report = progress or no_progress
    rows = list(rows)
    parsed = _parse_rows(rows, report)
    lookups = _look_up(session, provider, parsed, lang, report)
    wanted: list[_Wanted] = []
    for item in parsed:
        result = _resolve(session, item, lookups)
        if result is not None and not item.problems:
            wanted.append(result)
    plans = [
        _plan(item, lookups.existing.get(item.external_id), consent_confirmed) for item in wanted
    ]
    created = sum(1 for plan in plans if plan.stored is None)
    updated = sum(1 for plan in plans if plan.stored is not None and plan.changes)
    unmapped = sum(1 for item in wanted for skill in item.skills or () if skill.concept_uri is None)
    if not dry_run and (created or updated):
        _write(session, actor, provider, plans, consent_confirmed, report)
    problems = sorted_problems((problem for item in parsed for problem in item.problems), COLUMNS)
    return ImportReport(
        dry_run=dry_run,
        rows=len(rows),
        created=created,
        updated=updated,
        unchanged=len(plans) - created - updated,
        rejected=len({problem.line for problem in problems}),
        problems=problems,
        unmapped_skills=unmapped,
        seconds=time.perf_counter() - started,
    )


def _check_may_import(actor: User | None, provider: Organisation) -> None:
    if provider.kind is not OrganisationKind.PROVIDER:
        raise Forbidden(_("Workers can be uploaded only for a labour provider."))
    if actor is not None and actor.role is not Role.ADMIN and actor.organisation_id != provider.id:
        raise Forbidden(_("You can upload workers only for your own organisation."))
    if not provider.is_verified:
        raise Forbidden(
            _(
                "%(name)s is not verified yet. An administrator checks each labour provider "
                "before it can list workers; you can upload once it is verified.",
                name=provider.name,
            )
        )


# --- pass 1: cells → values -------------------------------------------------------------------


def _parse_rows(rows: list[Row], report: ProgressCallback) -> list[_Parsed]:
    parsed = []
    for done, row in enumerate(rows, start=1):
        parsed.append(_parse(row))
        if done % shared.PROGRESS_EVERY == 0 or done == len(rows):
            report("checking rows", done, len(rows))
    repeated = repeated_lines((item.line, item.external_id) for item in parsed)
    for item in parsed:
        if item.line in repeated:
            item.problem(
                "external_id",
                item.external_id,
                _(
                    "The same external_id is on line(s) %(lines)s too; each worker once, please.",
                    lines=repeated[item.line],
                ),
            )
    return parsed


def _parse(row: Row) -> _Parsed:
    problems = shared.translated(row.problems)
    broken = {problem.column for problem in problems}

    def cell(column: str) -> str:
        return "" if column in broken else row[column]

    item = _Parsed(row.line, row.cells, cell("external_id"), problems)
    if not item.external_id and "external_id" not in broken:
        item.problem(
            "external_id", "", _("Give each worker an external_id (your own reference for them).")
        )
    elif len(item.external_id) > 100:
        item.problem("external_id", item.external_id, _("Use at most 100 characters."))
    for column, parse in _PARSERS:
        text = cell(column)
        if text:
            try:
                parse(item, text)
            except values.ValueProblem as problem:
                item.problem(column, text, problem.message)
    broken |= {problem.column for problem in item.problems}
    if item.years is not None and item.occupation is None and "occupation" not in broken:
        item.problem(
            "experience_years",
            row["experience_years"],
            _("Years of experience need an occupation in the occupation column."),
        )
    if item.occupation is not None and item.years is None and "experience_years" not in broken:
        item.problem(
            "experience_years",
            "",
            _("Give the years of experience in this occupation (0 if less than a year)."),
        )
    return item


def _name(column: str) -> Callable[[_Parsed, str], None]:
    def parse(item: _Parsed, text: str) -> None:
        text = " ".join(text.split())
        if len(text) > NAME_PART_MAX:
            raise values.ValueProblem(_("Use at most %(max)d characters.", max=NAME_PART_MAX))
        item.about[column] = text

    return parse


def _email(item: _Parsed, text: str) -> None:
    try:
        if len(text) > EMAIL_MAX:
            raise EmailNotValidError("too long")
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise values.ValueProblem(
            _("This is not an email address; write it like name@example.com.")
        ) from None
    item.about["email"] = text.lower()


def _phone(item: _Parsed, text: str) -> None:
    if not _PHONE.fullmatch(text) or sum(char.isdigit() for char in text) < 6:
        raise values.ValueProblem(
            _("This is not a phone number; write it with the country code, like +40 721 234 567.")
        )
    item.about["phone"] = text


def _sex(item: _Parsed, text: str) -> None:
    try:
        item.about["sex"] = values.choice(text, _SEX)
    except values.ValueProblem:
        raise values.ValueProblem(
            _("Write female, male, other or prefer not to say, or leave it empty.")
        ) from None


def _birth_year(item: _Parsed, text: str) -> None:
    try:
        item.about["birth_year"] = values.whole_number(text)
    except values.ValueProblem:
        raise values.ValueProblem(
            _("“%(value)s” is not a year; write four digits, like 1990.", value=text)
        ) from None


def _country(item: _Parsed, text: str) -> None:
    item.about["country_of_origin"] = _country_names().get(text.casefold(), text.upper())


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    names = {name.casefold(): code for code, name in reference.countries("en")}
    return names | {code.casefold(): code for code in reference.country_codes()}


def _region(item: _Parsed, text: str) -> None:
    item.region = " ".join(text.split())


def _relocation(item: _Parsed, text: str) -> None:
    key = text.strip().casefold()
    if key in _ANYWHERE:
        item.relocation = True
    elif key in _NOWHERE:
        item.relocation = False
    else:
        item.relocation = tuple(" ".join(name.split()) for name in values.split_list(text))


def _languages(item: _Parsed, text: str) -> None:
    item.languages = shared.languages(text)


def _occupation(item: _Parsed, text: str) -> None:
    item.occupation = shared.occupation_text(text)


def _years(item: _Parsed, text: str) -> None:
    try:
        item.years = round(values.decimal(text, low=0, high=70), 1)
    except values.ValueProblem:
        raise values.ValueProblem(_("Years must be a number between 0 and 70.")) from None


def _skills(item: _Parsed, text: str) -> None:
    item.skills = shared.skill_texts(
        text, too_many=_("List at most %(n)d skills per worker.", n=shared.MAX_SKILLS_PER_ROW)
    )


def _available_from(item: _Parsed, text: str) -> None:
    day = values.day(text)
    if day.year > date.today().year + 3:
        raise values.ValueProblem(_("This is more than three years away; check the year."))
    item.available_from = day


_PARSERS: tuple[tuple[str, Callable[[_Parsed, str], None]], ...] = (
    ("given_name", _name("given_name")),
    ("family_name", _name("family_name")),
    ("email", _email),
    ("phone", _phone),
    ("sex", _sex),
    ("birth_year", _birth_year),
    ("country_of_origin", _country),
    ("region", _region),
    ("willing_to_relocate", _relocation),
    ("languages", _languages),
    ("occupation", _occupation),
    ("experience_years", _years),
    ("skills", _skills),
    ("available_from", _available_from),
)


# --- pass 2: what the rows refer to, in batches -----------------------------------------------


def _look_up(
    session: Session,
    provider: Organisation,
    parsed: list[_Parsed],
    lang: str,
    report: ProgressCallback,
) -> _Lookups:
    return _Lookups(
        regions=RegionNames(session),
        concepts=shared.look_up_concepts(
            session,
            {text for item in parsed for text in item.skills or ()},
            {item.occupation for item in parsed if item.occupation},
            lang=lang,
            report=report,
        ),
        existing=_existing_workers(session, provider, [item.external_id for item in parsed]),
    )


def _existing_workers(
    session: Session, provider: Organisation, external_ids: Sequence[str]
) -> dict[str, _Stored]:
    wanted = sorted({external_id for external_id in external_ids if external_id})
    found: dict[str, _Stored] = {}
    columns = [getattr(Worker, name) for name in _ABOUT]
    for chunk in chunks(wanted):
        by_id: dict[int, _Stored] = {}
        for row in session.execute(
            select(
                Worker.external_id,
                Worker.id,
                Worker.status,
                Worker.region_id,
                Worker.relocate_anywhere,
                Worker.available_from,
                *columns,
            ).where(Worker.provider_id == provider.id, Worker.external_id.in_(chunk))
        ):
            external_id, worker_id, status, region_id, anywhere, available_from = row[:6]
            stored = _Stored(
                worker_id,
                status,
                dict(zip(_ABOUT, row[6:], strict=True)),
                region_id,
                anywhere,
                available_from,
            )
            by_id[worker_id] = found[external_id] = stored
        _load_children(session, by_id)
    return found


def _load_children(session: Session, by_id: dict[int, _Stored]) -> None:
    ids = list(by_id)
    if not ids:
        return
    for worker_id, code, level in session.execute(
        select(WorkerLanguage.worker_id, WorkerLanguage.code, WorkerLanguage.level).where(
            WorkerLanguage.worker_id.in_(ids)
        )
    ):
        by_id[worker_id].languages[code] = level
    for worker_id, region_id in session.execute(
        select(WorkerRelocationRegion.worker_id, WorkerRelocationRegion.region_id).where(
            WorkerRelocationRegion.worker_id.in_(ids)
        )
    ):
        by_id[worker_id].relocation.add(region_id)
    for worker_id, skill_id, words, concept_uri, source in session.execute(
        select(
            WorkerSkill.worker_id,
            WorkerSkill.id,
            WorkerSkill.words,
            WorkerSkill.concept_uri,
            WorkerSkill.source,
        )
        .where(WorkerSkill.worker_id.in_(ids))
        .order_by(WorkerSkill.id)
    ):
        by_id[worker_id].skills.append(_StoredSkill(skill_id, words, concept_uri, source))
    for worker_id, experience_id, words, occupation_uri, years in session.execute(
        select(
            WorkerExperience.worker_id,
            WorkerExperience.id,
            WorkerExperience.words,
            WorkerExperience.occupation_uri,
            WorkerExperience.years,
        )
        .where(WorkerExperience.worker_id.in_(ids))
        .order_by(WorkerExperience.id)
    ):
        by_id[worker_id].experiences.append(
            _StoredExperience(experience_id, words, occupation_uri, years)
        )
    for worker_id in session.scalars(
        select(ConsentRecord.worker_id).where(
            ConsentRecord.worker_id.in_(ids),
            ConsentRecord.purpose == "matching",
            ConsentRecord.withdrawn_at.is_(None),
        )
    ):
        by_id[worker_id].has_consent = True


# --- pass 3: a row with its references resolved, checked as a whole ---------------------------


def _resolve(session: Session, item: _Parsed, lookups: _Lookups) -> _Wanted | None:
    existing = lookups.existing.get(item.external_id)
    if existing is not None and existing.status is ProfileStatus.CONSENT_WITHDRAWN:
        item.problem(
            "external_id",
            item.external_id,
            _(
                "This worker withdrew their consent, so an upload cannot change their profile. "
                "Remove the row (or ask the worker to give consent again)."
            ),
        )
    region_id = _region_id(session, item, item.region, "region", lookups)
    relocation = None
    if isinstance(item.relocation, bool):
        relocation = (item.relocation, frozenset[int]())
    elif item.relocation is not None:
        ids = {
            _region_id(session, item, name, "willing_to_relocate", lookups)
            for name in item.relocation
        }
        home = region_id if region_id is not None else (existing.region_id if existing else None)
        relocation = (False, frozenset(i for i in ids if i is not None and i != home))
    experience = _experience(item, lookups)
    skills = _skills_wanted(item, lookups)
    _check_about(item, existing)
    if item.problems:
        return None
    return _Wanted(
        line=item.line,
        external_id=item.external_id,
        about=item.about,
        languages=item.languages,
        region_id=region_id,
        relocation=relocation,
        experience=experience,
        skills=skills,
        available_from=item.available_from,
    )


def _region_id(
    session: Session, item: _Parsed, name: str | None, column: str, lookups: _Lookups
) -> int | None:
    if not name:
        return None
    try:
        return lookups.regions.region_id(name)
    except values.ValueProblem as problem:
        item.problem(column, name, problem.message)
        return None


def _experience(item: _Parsed, lookups: _Lookups) -> _Experience | None:
    if item.occupation is None or item.years is None:
        return None
    try:
        occupation = lookups.concepts.occupation(item.occupation)
    except values.ValueProblem as problem:
        item.problem("occupation", item.occupation, problem.message)
        return None
    return _Experience(occupation.words, occupation.uri, occupation.label, item.years)


def _skills_wanted(item: _Parsed, lookups: _Lookups) -> tuple[_Skill, ...] | None:
    if item.skills is None:
        return None
    skills: dict[str, _Skill] = {}
    for text in item.skills:
        try:
            skill = lookups.concepts.skill(text)
        except values.ValueProblem as problem:
            item.problem("skills", text, problem.message)
            continue
        skills.setdefault(skill.key, skill)
    return tuple(skills.values())


def _check_about(item: _Parsed, existing: _Stored | None) -> None:
    """The worker's details as they will be, checked by the profile's own rules: every problem,
    except on columns that already have one."""
    already = {problem.column for problem in item.problems}

    def value(name: str) -> Any:
        if name in item.about:
            return item.about[name]
        return existing.about[name] if existing is not None else None

    def report(column: str, message: str) -> None:
        if column not in already:
            item.problem(column, item.cells.get(column, ""), message)
            already.add(column)

    languages = item.languages
    if languages is None and existing is not None:
        languages = tuple(existing.languages.items())
    data = AboutYou(
        given_name=value("given_name") or "",
        family_name=value("family_name") or "",
        email=value("email"),
        phone=value("phone"),
        sex=value("sex"),
        birth_year=value("birth_year"),
        country_of_origin=value("country_of_origin"),
        nationality=existing.about["nationality"] if existing is not None else None,
        languages=languages or (),
    )
    if not data.given_name:
        report("given_name", _("Give the worker's given name."))
        data = replace(data, given_name="-")
    if not data.email and not data.phone:
        if not {"email", "phone"} & already:
            report("email", _("Give an email address or a phone number, or both."))
        data = replace(data, phone="000000")
    for _attempt in range(len(_ABOUT_COLUMNS)):
        try:
            check_about_you(data)
            return
        except ValidationProblem as problem:
            report(_ABOUT_COLUMNS.get(problem.field, problem.field), problem.message)
            data = replace(data, **_NEUTRAL[problem.field])


_NEUTRAL: dict[str, dict[str, Any]] = {  # a value check_about_you accepts, field by field
    "given_name": {"given_name": "-"},
    "email": {"phone": "000000"},
    "phone": {"phone": "000000"},
    "birth_year": {"birth_year": None},
    "country_of_origin": {"country_of_origin": None},
    "nationality": {"nationality": None},
    "languages": {"languages": ()},
}


# --- pass 4: what changes, and writing it ------------------------------------------------------


@dataclass
class _Plan:
    wanted: _Wanted
    stored: _Stored | None  # None: a new worker
    changes: list[str]  # what changes (["created"] for a new worker; empty: unchanged)


def _plan(wanted: _Wanted, stored: _Stored | None, consent_confirmed: bool) -> _Plan:
    if stored is None:
        return _Plan(wanted, None, ["created"])
    changed = [name for name, value in wanted.about.items() if stored.about[name] != value]
    if wanted.languages is not None and stored.languages != dict(wanted.languages):
        changed.append("languages")
    if wanted.region_id is not None and stored.region_id != wanted.region_id:
        changed.append("region")
    if wanted.relocation is not None and wanted.relocation != (
        stored.relocate_anywhere,
        frozenset(stored.relocation),
    ):
        changed.append("willing_to_relocate")
    if wanted.available_from is not None and stored.available_from != wanted.available_from:
        changed.append("available_from")
    if wanted.experience is not None:
        match = _matching_experience(stored, wanted.experience)
        if match is None or match.years != wanted.experience.years:
            changed.append("experience")
    if wanted.skills is not None and _uploaded(stored) != _skill_target(stored, wanted.skills):
        changed.append("skills")
    if consent_confirmed and not stored.has_consent:
        changed.append("consent")
    if stored.status is ProfileStatus.DRAFT and _activates(wanted, stored, consent_confirmed):
        changed.append("status")
    return _Plan(wanted, stored, changed)


def _uploaded(stored: _Stored) -> set[tuple[str, str]]:
    return {
        (skill.key, skill.words) for skill in stored.skills if skill.source is SkillSource.UPLOAD
    }


def _skill_target(stored: _Stored | None, wanted: tuple[_Skill, ...]) -> set[tuple[str, str]]:
    """The upload skills the worker should have: the file's, less those the profile already
    lists in another way (typed by the worker, ticked from a checklist)."""
    listed = {
        skill.key
        for skill in (stored.skills if stored else ())
        if skill.source is not SkillSource.UPLOAD
    }
    return {(skill.key, skill.words) for skill in wanted if skill.key not in listed}


def _matching_experience(stored: _Stored, wanted: _Experience) -> _StoredExperience | None:
    for experience in stored.experiences:
        if wanted.occupation_uri is not None:
            if experience.occupation_uri == wanted.occupation_uri:
                return experience
        elif experience.occupation_uri is None and (
            normalise(experience.words) == normalise(wanted.words)
        ):
            return experience
    return None


@dataclass(frozen=True, slots=True)
class _Profile:
    """What `workers.missing_for_activation` reads of a worker, as it will be after the upload."""

    email: str | None
    phone: str | None
    skills: tuple[object, ...]
    region_id: int | None
    available_from: date | None


def _activates(wanted: _Wanted, stored: _Stored | None, consent_confirmed: bool) -> bool:
    """A draft becomes active once consent is given and the profile is complete."""
    if not (consent_confirmed or (stored is not None and stored.has_consent)):
        return False
    about = (stored.about if stored else {}) | wanted.about
    skills: tuple[object, ...] = tuple(stored.skills if stored else ())
    if wanted.skills is not None:
        skills += tuple(wanted.skills)
    profile = _Profile(
        email=about.get("email"),
        phone=about.get("phone"),
        skills=skills,
        region_id=wanted.region_id or (stored.region_id if stored else None),
        available_from=wanted.available_from or (stored.available_from if stored else None),
    )
    return not missing_for_activation(cast(Worker, profile))


@dataclass
class _Writes:
    """The rows one chunk of plans inserts, updates and deletes, executed in a few statements."""

    worker_updates: list[dict[str, Any]] = field(default_factory=list)
    languages: list[dict[str, Any]] = field(default_factory=list)
    relocations: list[dict[str, Any]] = field(default_factory=list)
    skills: list[dict[str, Any]] = field(default_factory=list)
    experiences: list[dict[str, Any]] = field(default_factory=list)
    experience_updates: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    audit_events: list[dict[str, Any]] = field(default_factory=list)
    clear_languages: list[int] = field(default_factory=list)
    clear_relocations: list[int] = field(default_factory=list)
    drop_skills: list[int] = field(default_factory=list)

    def execute(self, session: Session) -> None:
        for model, column, ids in (
            (WorkerLanguage, WorkerLanguage.worker_id, self.clear_languages),
            (WorkerRelocationRegion, WorkerRelocationRegion.worker_id, self.clear_relocations),
            (WorkerSkill, WorkerSkill.id, self.drop_skills),
        ):
            if ids:
                session.execute(delete(model).where(column.in_(ids)))
        inserts: tuple[tuple[Any, list[dict[str, Any]]], ...] = (
            (WorkerLanguage, self.languages),
            (WorkerRelocationRegion, self.relocations),
            (WorkerSkill, self.skills),
            (WorkerExperience, self.experiences),
            (ConsentRecord, self.consents),
            (AuditEvent, self.audit_events),
        )
        for model, rows in inserts:
            if rows:  # a Core executemany: no ORM bookkeeping per row
                session.execute(insert(model.__table__), rows)
        if self.worker_updates:
            session.execute(update(Worker), self.worker_updates)
        if self.experience_updates:
            session.execute(update(WorkerExperience), self.experience_updates)


def _write(
    session: Session,
    actor: User | None,
    provider: Organisation,
    plans: list[_Plan],
    consent_confirmed: bool,
    report: ProgressCallback,
) -> None:
    now = utcnow()
    todo = [plan for plan in plans if plan.changes]
    try:
        with transaction(session):
            done = 0
            for chunk in chunks(todo):
                new = [plan for plan in chunk if plan.stored is None]
                new_ids = _insert_workers(session, provider, new, consent_confirmed, now)
                writes = _Writes()
                for plan in chunk:
                    worker_id = plan.stored.id if plan.stored else new_ids[plan.wanted.external_id]
                    _collect(plan, worker_id, writes, actor, consent_confirmed, now)
                writes.execute(session)
                done += len(chunk)
                report("saving", done, len(todo))
    except IntegrityError:
        raise Conflict(
            _(
                "Another upload changed the same workers at the same time, so nothing was "
                "stored. Upload the file again."
            )
        ) from None


def _insert_workers(
    session: Session, provider: Organisation, plans: list[_Plan], consent_confirmed: bool, now: Any
) -> dict[str, int]:
    """Insert the new workers; their ids by external_id."""
    if not plans:
        return {}
    rows = [
        {
            "provider_id": provider.id,
            "external_id": plan.wanted.external_id,
            "status": ProfileStatus.ACTIVE
            if _activates(plan.wanted, None, consent_confirmed)
            else ProfileStatus.DRAFT,
            "given_name": plan.wanted.about["given_name"],
            "family_name": plan.wanted.about.get("family_name", ""),
            "email": plan.wanted.about.get("email"),
            "phone": plan.wanted.about.get("phone"),
            "sex": plan.wanted.about.get("sex"),
            "birth_year": plan.wanted.about.get("birth_year"),
            "country_of_origin": plan.wanted.about.get("country_of_origin"),
            "region_id": plan.wanted.region_id,
            "relocate_anywhere": bool(plan.wanted.relocation and plan.wanted.relocation[0]),
            "available_from": plan.wanted.available_from,
            "created_at": now,
            "updated_at": now,
        }
        for plan in plans
    ]
    # no RETURNING: in parameter order it costs one statement per row on SQLite
    session.execute(insert(cast(SqlTable, Worker.__table__)), rows)
    return {
        external_id or "": worker_id
        for external_id, worker_id in session.execute(
            select(Worker.external_id, Worker.id).where(
                Worker.provider_id == provider.id,
                Worker.external_id.in_([plan.wanted.external_id for plan in plans]),
            )
        )
    }


def _collect(
    plan: _Plan,
    worker_id: int,
    writes: _Writes,
    actor: User | None,
    consent_confirmed: bool,
    now: Any,
) -> None:
    """Add what `plan` changes on worker `worker_id` to `writes`."""
    wanted, stored = plan.wanted, plan.stored
    changes = set(plan.changes) | (
        {"languages", "willing_to_relocate", "skills", "experience"} if stored is None else set()
    )
    if stored is not None:
        values_changed = {name: wanted.about[name] for name in wanted.about if name in changes}
        if wanted.region_id is not None and "region" in changes:
            values_changed["region_id"] = wanted.region_id
        if wanted.relocation is not None and "willing_to_relocate" in changes:
            values_changed["relocate_anywhere"] = wanted.relocation[0]
        if "available_from" in changes:
            values_changed["available_from"] = wanted.available_from
        if stored.status is ProfileStatus.DRAFT and _activates(wanted, stored, consent_confirmed):
            values_changed["status"] = ProfileStatus.ACTIVE
        writes.worker_updates.append({"id": worker_id, "updated_at": now, **values_changed})
    if wanted.languages is not None and "languages" in changes:
        if stored is not None:
            writes.clear_languages.append(worker_id)
        writes.languages += [
            {"worker_id": worker_id, "code": code, "level": level}
            for code, level in wanted.languages
        ]
    if wanted.relocation is not None and "willing_to_relocate" in changes:
        if stored is not None:
            writes.clear_relocations.append(worker_id)
        writes.relocations += [
            {"worker_id": worker_id, "region_id": region_id}
            for region_id in sorted(wanted.relocation[1])
        ]
    if wanted.skills is not None and "skills" in changes:
        _collect_skills(worker_id, wanted.skills, stored, writes, now)
    if wanted.experience is not None and "experience" in changes:
        match = _matching_experience(stored, wanted.experience) if stored else None
        if match is not None:
            writes.experience_updates.append({"id": match.id, "years": wanted.experience.years})
        else:
            writes.experiences.append(
                {
                    "worker_id": worker_id,
                    "words": wanted.experience.words[:WORDS_MAX],
                    "occupation_uri": wanted.experience.occupation_uri,
                    "occupation_label": wanted.experience.occupation_label,
                    "years": wanted.experience.years,
                    "kind": ExperienceKind.PAID,
                }
            )
    writes.audit_events.append(_audit_event(actor, worker_id, plan, now))
    if consent_confirmed and not (stored is not None and stored.has_consent):
        writes.consents += [
            {
                "worker_id": worker_id,
                "purpose": purpose,
                "text_version": PROVIDER_CONSENT_TEXT_VERSION,
                "given_at": now,
                "given_by_id": actor.id if actor is not None else None,
            }
            for purpose in CONSENT_PURPOSES
        ]


def _audit_event(actor: User | None, worker_id: int, plan: _Plan, now: Any) -> dict[str, Any]:
    """What `audit.record` adds, as a row for a bulk insert (ORM objects cost a statement each
    on SQLite)."""
    return {
        "at": now,
        "actor_id": actor.id if actor is not None else None,
        "actor_label": audit.actor_label(actor),
        "action": AuditAction.IMPORTED,
        "subject_type": SUBJECT,
        "subject_id": worker_id,
        "detail": ("upload: " + ", ".join(plan.changes))[:500],
    }


def _collect_skills(
    worker_id: int,
    wanted: tuple[_Skill, ...],
    stored: _Stored | None,
    writes: _Writes,
    now: Any,
) -> None:
    """Replace the skills of earlier uploads by the file's; keep those added otherwise."""
    target = _skill_target(stored, wanted)
    have = _uploaded(stored) if stored else set()
    if stored is not None:
        writes.drop_skills += [
            skill.id
            for skill in stored.skills
            if skill.source is SkillSource.UPLOAD and (skill.key, skill.words) not in target
        ]
    writes.skills += [
        {
            "worker_id": worker_id,
            "words": skill.words,
            "concept_uri": skill.concept_uri,
            "concept_label": skill.concept_label,
            "score": skill.score,
            "evidence": Evidence.SELF_DECLARED,
            "source": SkillSource.UPLOAD,
            "created_at": now,
        }
        for skill in wanted
        if (skill.key, skill.words) in target - have
    ]
