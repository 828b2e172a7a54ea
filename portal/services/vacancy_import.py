"""Bulk upload of vacancies by an employer (or an admin for one): a CSV or XLSX file → new and
updated vacancies.

The same rules as the worker upload: every row is checked in full first, each problem reported
with its line and column; then the valid rows are written in one transaction and the invalid ones
not at all. A row is its vacancy by (organisation, external_id): uploading the same file again
updates, and never duplicates. A row replaces the whole content of its vacancy (an empty cell
empties that field), as saving the vacancy's form does.

States: a new vacancy or a draft with the no-fee pledge opens at once when the organisation is
verified; without the pledge, or before verification, it is saved as a draft and the summary says
why. A vacancy sent back by a moderator is updated and stays sent back (the employer submits it
again). An open vacancy is updated in place and stays open; its pledge cannot be withdrawn by an
upload, nor its positions set below those already taken. Submitted, filled, closed, expired and
rejected vacancies are not changed: their rows are rejected.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.errors import Conflict, Forbidden, ValidationProblem
from portal.imports import values
from portal.imports.tabular import MAX_BYTES, Row, RowProblem, Table, read_table
from portal.models import (
    LanguageLevel,
    Organisation,
    OrganisationKind,
    PayPeriod,
    Role,
    SkillSource,
    User,
    Vacancy,
    VacancyState,
)
from portal.models.vacancies import EDITABLE_STATES
from portal.services import _imports as shared
from portal.services import vacancies
from portal.services._imports import Concepts, ProgressCallback, RegionNames, chunks
from portal.services._tx import transaction
from portal.services.translation import translate
from portal.taxonomy.model import RelationType
from portal.text import Text

COLUMNS = (
    "external_id",
    "title",
    "occupation",
    "description",
    "essential_skills",
    "optional_skills",
    "positions",
    "region",
    "start_date",
    "end_date",
    "hours_per_week",
    "pay_amount",
    "pay_currency",
    "pay_period",
    "accommodation",
    "transport",
    "languages",
    "no_fee_pledge",
)
COLUMN_HELP = {
    "external_id": _l(
        "Required. Your own reference for the vacancy, unique in your files; uploading a row "
        "with the same reference again updates that vacancy."
    ),
    "title": _l("Required. What the job is called, like “Forklift drivers for the night shift”."),
    "occupation": _l("In words, as a four-digit ISCO code (like 8344), or a taxonomy URI."),
    "description": _l("What the work is, in plain words."),
    "essential_skills": _l(
        "Skills the workers must have, in words or taxonomy URIs, separated by “;”. Words that "
        "match no skill are kept as they are."
    ),
    "optional_skills": _l("Skills that help, written like essential_skills."),
    "positions": _l("Required. How many workers: a whole number from 1 to 10,000."),
    "region": _l("Required. The region of the workplace, one of the portal's regions."),
    "start_date": _l("Required. The first day of work: YYYY-MM-DD or DD/MM/YYYY."),
    "end_date": _l("The last day of work, if the job ends; on or after the start date."),
    "hours_per_week": _l("Like 40 or 37.5."),
    "pay_amount": _l("The pay before tax, like 12.50; not below zero."),
    "pay_currency": _l("A three-letter currency code, like EUR, GBP or PLN; needed with a pay."),
    "pay_period": _l("hour, day, week, month, year or piece; needed with a pay."),
    "accommodation": _l("yes if you offer accommodation; no or empty if not."),
    "transport": _l("yes if you offer transport; no or empty if not."),
    "languages": _l("Languages required with a minimum level, like en:B1;de:A2."),
    "no_fee_pledge": _l(
        "yes: you confirm that workers pay no recruitment fees or related costs (travel, visas, "
        "medical, training, equipment, administrative costs), directly or through a provider. "
        "Without it the vacancy is saved as a draft and not published."
    ),
}
EXAMPLE_ROW = {
    "external_id": "V-0001",
    "title": "Forklift drivers, night shift",
    "occupation": "forklift driver",
    "description": "Loading and unloading lorries in our distribution warehouse.",
    "essential_skills": "operate a forklift;follow health and safety rules",
    "optional_skills": "stack pallets",
    "positions": "12",
    "region": "",
    "start_date": "2026-03-01",
    "end_date": "2026-09-30",
    "hours_per_week": "40",
    "pay_amount": "14.50",
    "pay_currency": "EUR",
    "pay_period": "hour",
    "accommodation": "yes",
    "transport": "no",
    "languages": "en:A2",
    "no_fee_pledge": "yes",
}
NO_PLEDGE = _l(
    "Saved as a draft: no pledge. Write yes in no_fee_pledge to publish it (workers pay no fees)."
)
NOT_VERIFIED = _l(
    "Saved as a draft: the organisation is not verified yet; it can be published once it is."
)
SENT_BACK = _l(
    "Updated; a moderator sent it back, so it waits until you submit it again from its page."
)
_FIELD_COLUMNS = {  # VacancyInput field (as check_vacancy names it) → column
    "region_id": "region",
    "skills": "essential_skills",
}
_NEUTRAL: dict[str, dict[str, Any]] = {  # a value check_vacancy accepts, field by field
    "title": {"title": "-"},
    "description": {"description": ""},
    "positions": {"positions": 1},
    "region_id": {"region_id": -1},
    "start_date": {"start_date": date(2000, 1, 1), "end_date": None},
    "end_date": {"end_date": None},
    "apply_by": {"apply_by": None},
    "hours_per_week": {"hours_per_week": None},
    "pay_amount": {"pay_amount": Decimal(0)},
    "pay_currency": {"pay_currency": "EUR"},
    "pay_period": {"pay_period": PayPeriod.HOUR},
    "languages": {"languages": ()},
    "skills": {"skills": ()},
}
_PERIODS = {period.value: period for period in PayPeriod}


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportReport:
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int  # stored already exactly as the row says: nothing written
    opened: int  # of those created or updated, how many are open now
    drafts: int  # saved (or kept) as drafts, each with a note saying why
    rejected: int  # rows
    problems: tuple[RowProblem, ...]  # every problem of every rejected row, by line
    notes: tuple[RowProblem, ...]  # why a stored row is not open ("saved as a draft: no pledge")
    unmapped_skills: int  # skill phrases kept as words, with no concept
    seconds: float


def read_vacancy_file(source: bytes | Path, *, max_bytes: int = MAX_BYTES) -> Table:
    """The rows of an uploaded vacancy file (raises TableProblem for a file that is unusable).
    A cell may be as long as a description; check_vacancy limits the other fields."""
    return read_table(
        source, columns=COLUMNS, max_bytes=max_bytes, max_cell=vacancies.DESCRIPTION_MAX
    )


def template_rows() -> tuple[tuple[str, ...], list[list[str]]]:
    """The template's header and its one example row."""
    return COLUMNS, [[EXAMPLE_ROW[column] for column in COLUMNS]]


def column_help() -> list[tuple[str, str]]:
    return [(column, str(COLUMN_HELP[column])) for column in COLUMNS]


# --- a row -------------------------------------------------------------------------------------


@dataclass
class _Parsed:
    """A row's cells as values, before the database is consulted (None: the cell was empty)."""

    line: int
    cells: dict[str, str]
    external_id: str
    problems: list[RowProblem]
    title: str = ""
    occupation: str | None = None
    description: str = ""
    skills: dict[RelationType, tuple[str, ...]] = field(default_factory=dict)
    positions: int = 0
    region: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    hours_per_week: float | None = None
    pay_amount: Decimal | None = None
    pay_currency: str | None = None
    pay_period: PayPeriod | None = None
    accommodation: bool = False
    transport: bool = False
    languages: tuple[tuple[str, LanguageLevel], ...] = ()
    no_fee_pledge: bool = False

    def problem(self, column: str, value: str, message: Text) -> None:
        self.problems.append(RowProblem(self.line, column, value, translate(message)))

    @property
    def columns_with_problems(self) -> set[Text]:
        return {problem.column for problem in self.problems}


@dataclass(frozen=True, slots=True)
class _Plan:
    line: int
    data: vacancies.VacancyInput
    stored: Vacancy | None
    unmapped: int
    changes: bool = True  # False: the stored vacancy is already as the row says


# --- the use case ------------------------------------------------------------------------------


def import_vacancies(
    session: Session,
    actor: User | None,
    organisation: Organisation,
    rows: Iterable[Row],
    *,
    dry_run: bool,
    lang: str = "en",
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Check every row, then (unless `dry_run`) store the valid ones; report what happened.

    `actor` is an employer of `organisation` or an admin; None on the command line.
    """
    started = time.perf_counter()
    _check_may_import(actor, organisation)
    report = progress or shared.no_progress
    rows = list(rows)
    parsed = _parse_rows(rows)
    report("checking rows", len(rows), len(rows))
    region_names = RegionNames(session)
    concepts = shared.look_up_concepts(
        session,
        {text for item in parsed for texts in item.skills.values() for text in texts},
        {item.occupation for item in parsed if item.occupation},
        lang=lang,
        report=report,
    )
    existing = _existing(session, organisation, [item.external_id for item in parsed])
    plans = [
        plan
        for item in parsed
        if (plan := _plan(item, region_names, concepts, existing.get(item.external_id)))
    ]
    plans = [
        replace(plan, changes=vacancies.import_changes(session, organisation, plan.data, stored))
        if (stored := plan.stored) is not None
        else plan
        for plan in plans
    ]
    notes = [note for plan in plans if (note := _draft_note(plan, organisation))]
    changed = [plan for plan in plans if plan.changes]
    if not dry_run and changed:
        _write(session, actor, organisation, changed, report)
    problems = shared.sorted_problems(
        (problem for item in parsed for problem in item.problems), COLUMNS
    )
    created = sum(1 for plan in plans if plan.stored is None)
    return ImportReport(
        dry_run=dry_run,
        rows=len(rows),
        created=created,
        updated=len(changed) - created,
        unchanged=len(plans) - len(changed),
        opened=sum(1 for plan in plans if _open_after(plan, organisation)),
        drafts=sum(1 for note in notes if note.column == "no_fee_pledge"),
        rejected=len({problem.line for problem in problems}),
        problems=problems,
        notes=tuple(notes),
        unmapped_skills=sum(plan.unmapped for plan in plans),
        seconds=time.perf_counter() - started,
    )


def _check_may_import(actor: User | None, organisation: Organisation) -> None:
    if organisation.kind is not OrganisationKind.EMPLOYER:
        raise Forbidden(_("Vacancies can be uploaded only for an employer."))
    if actor is None or actor.role is Role.ADMIN:
        return
    if actor.role is not Role.EMPLOYER or actor.organisation_id != organisation.id:
        raise Forbidden(_("You can upload vacancies only for your own organisation."))


def _open_after(plan: _Plan, organisation: Organisation) -> bool:
    if plan.stored is not None and plan.stored.state is VacancyState.OPEN:
        return True
    return vacancies.opens_on_import(
        plan.stored.state if plan.stored else None,
        plan.data.no_fee_pledge,
        organisation.is_verified,
    )


def _draft_note(plan: _Plan, organisation: Organisation) -> RowProblem | None:
    """Why a stored row is not open, on its no_fee_pledge cell; None if it is open."""
    state = plan.stored.state if plan.stored else VacancyState.DRAFT
    if _open_after(plan, organisation):
        return None
    if state is VacancyState.SENT_BACK:
        return RowProblem(plan.line, "external_id", plan.data.external_id or "", str(SENT_BACK))
    if not plan.data.no_fee_pledge:
        return RowProblem(plan.line, "no_fee_pledge", "", str(NO_PLEDGE))
    return RowProblem(plan.line, "no_fee_pledge", "yes", str(NOT_VERIFIED))


# --- pass 1: cells → values -------------------------------------------------------------------


def _parse_rows(rows: list[Row]) -> list[_Parsed]:
    parsed = [_parse(row) for row in rows]
    repeated = shared.repeated_lines((item.line, item.external_id) for item in parsed)
    for item in parsed:
        if item.line in repeated:
            item.problem(
                "external_id",
                item.external_id,
                _(
                    "The same external_id is on line(s) %(lines)s too; each vacancy once, please.",
                    lines=repeated[item.line],
                ),
            )
    return parsed


def _parse(row: Row) -> _Parsed:
    problems = shared.translated(row.problems)
    broken = {problem.column for problem in problems}

    def cell(column: str) -> str:
        return "" if column in broken else row[column]

    item = _Parsed(row.line, dict(row.cells), cell("external_id"), problems)
    if not item.external_id and "external_id" not in broken:
        item.problem(
            "external_id", "", _("Give each vacancy an external_id (your own reference for it).")
        )
    elif len(item.external_id) > 100:
        item.problem("external_id", item.external_id, _("Use at most 100 characters."))
    for column, parse in _PARSERS:
        text = cell(column)
        try:
            if text:
                parse(item, text)
            elif column in _REQUIRED and column not in broken:
                raise values.ValueProblem(str(_REQUIRED[column]))
        except values.ValueProblem as problem:
            item.problem(column, text, problem.message)
    return item


def _title(item: _Parsed, text: str) -> None:
    item.title = " ".join(text.split())


def _occupation(item: _Parsed, text: str) -> None:
    item.occupation = shared.occupation_text(text)


def _description(item: _Parsed, text: str) -> None:
    item.description = text


def _skill_list(relation: RelationType) -> Callable[[_Parsed, str], None]:
    def parse(item: _Parsed, text: str) -> None:
        item.skills[relation] = shared.skill_texts(
            text,
            too_many=_("List at most %(n)d skills per vacancy.", n=shared.MAX_SKILLS_PER_ROW),
        )

    return parse


def _positions(item: _Parsed, text: str) -> None:
    try:
        item.positions = values.whole_number(text)
    except values.ValueProblem:
        item.positions = 0  # check_vacancy says how many are possible


def _region(item: _Parsed, text: str) -> None:
    item.region = " ".join(text.split())


def _start_date(item: _Parsed, text: str) -> None:
    item.start_date = values.day(text)


def _end_date(item: _Parsed, text: str) -> None:
    item.end_date = values.day(text)


def _hours(item: _Parsed, text: str) -> None:
    try:
        item.hours_per_week = values.decimal(text)
    except values.ValueProblem:
        raise values.ValueProblem(_("Write the hours per week as a number, like 40.")) from None


def _pay_amount(item: _Parsed, text: str) -> None:
    try:
        values.decimal(text)
        amount = Decimal(text.strip().replace(",", "."))
    except (values.ValueProblem, InvalidOperation):
        raise values.ValueProblem(_("Write the pay as a number, like 12.50.")) from None
    if amount >= Decimal("10000000000"):
        raise values.ValueProblem(_("This pay is too large; check the number."))
    item.pay_amount = amount.quantize(Decimal("0.01"))


def _pay_currency(item: _Parsed, text: str) -> None:
    code = text.strip().upper()
    if code not in vacancies.currency_codes():
        raise values.ValueProblem(
            _("“%(code)s” is not a currency code we know (like EUR, GBP, PLN).", code=text)
        )
    item.pay_currency = code


def _pay_period(item: _Parsed, text: str) -> None:
    item.pay_period = values.choice(text, _PERIODS)


def _flag(name: str) -> Callable[[_Parsed, str], None]:
    def parse(item: _Parsed, text: str) -> None:
        try:
            setattr(item, name, values.yes_no(text))
        except values.ValueProblem:
            raise values.ValueProblem(_("Write yes or no.")) from None

    return parse


def _languages(item: _Parsed, text: str) -> None:
    item.languages = shared.languages(text)


_PARSERS: tuple[tuple[str, Callable[[_Parsed, str], None]], ...] = (
    ("title", _title),
    ("occupation", _occupation),
    ("description", _description),
    ("essential_skills", _skill_list(RelationType.ESSENTIAL)),
    ("optional_skills", _skill_list(RelationType.OPTIONAL)),
    ("positions", _positions),
    ("region", _region),
    ("start_date", _start_date),
    ("end_date", _end_date),
    ("hours_per_week", _hours),
    ("pay_amount", _pay_amount),
    ("pay_currency", _pay_currency),
    ("pay_period", _pay_period),
    ("accommodation", _flag("accommodation")),
    ("transport", _flag("transport")),
    ("languages", _languages),
    ("no_fee_pledge", _flag("no_fee_pledge")),
)
_REQUIRED = {
    "title": _l("Give the vacancy a title."),
    "positions": _l("Give the number of positions, a whole number from 1 to 10,000."),
    "region": _l("Give the region of the workplace."),
    "start_date": _l("Give the start date."),
}


# --- pass 2: references resolved, the row checked as a whole ---------------------------------


def _existing(
    session: Session, organisation: Organisation, external_ids: list[str]
) -> dict[str, Vacancy]:
    wanted = sorted({external_id for external_id in external_ids if external_id})
    found: dict[str, Vacancy] = {}
    for chunk in chunks(wanted):
        for vacancy in session.scalars(
            select(Vacancy).where(
                Vacancy.organisation_id == organisation.id, Vacancy.external_id.in_(chunk)
            )
        ):
            found[vacancy.external_id or ""] = vacancy
    return found


def _plan(
    item: _Parsed, region_names: RegionNames, concepts: Concepts, stored: Vacancy | None
) -> _Plan | None:
    """What the row's vacancy becomes; None (and problems on the row) if it cannot."""
    region_id = None
    if item.region:
        try:
            region_id = region_names.region_id(item.region)
        except values.ValueProblem as problem:
            item.problem("region", item.region, problem.message)
    occupation_id, occupation_words = _occupation_wanted(item, concepts)
    skills, unmapped = _skills_wanted(item, concepts)
    data = vacancies.VacancyInput(
        title=item.title,
        positions=item.positions,
        region_id=region_id,
        start_date=item.start_date,
        occupation_id=occupation_id,
        occupation_words=occupation_words,
        description=item.description,
        skills=skills,
        end_date=item.end_date,
        hours_per_week=item.hours_per_week,
        pay_amount=item.pay_amount,
        pay_currency=item.pay_currency,
        pay_period=item.pay_period,
        accommodation=item.accommodation,
        transport=item.transport,
        languages=item.languages,
        no_fee_pledge=item.no_fee_pledge,
        external_id=item.external_id or None,
    )
    _check(item, data)
    if stored is not None:
        _check_state(item, stored)
    if item.problems:
        return None
    return _Plan(item.line, data, stored, unmapped)


def _occupation_wanted(item: _Parsed, concepts: Concepts) -> tuple[int | None, str]:
    if item.occupation is None:
        return None, ""
    try:
        occupation = concepts.occupation(item.occupation)
    except values.ValueProblem as problem:
        item.problem("occupation", item.occupation, problem.message)
        return None, ""
    return (concepts.ids.get(occupation.uri) if occupation.uri else None), occupation.words


def _skills_wanted(
    item: _Parsed, concepts: Concepts
) -> tuple[tuple[vacancies.SkillWords, ...], int]:
    skills: list[vacancies.SkillWords] = []
    unmapped = 0
    for relation, column in (
        (RelationType.ESSENTIAL, "essential_skills"),
        (RelationType.OPTIONAL, "optional_skills"),
    ):
        for text in item.skills.get(relation, ()):
            try:
                skill = concepts.skill(text)
            except values.ValueProblem as problem:
                item.problem(column, text, problem.message)
                continue
            concept_id = concepts.ids.get(skill.concept_uri) if skill.concept_uri else None
            unmapped += concept_id is None
            skills.append(
                vacancies.SkillWords(skill.words, concept_id, relation, SkillSource.UPLOAD)
            )
    return tuple(skills), unmapped


def _check(item: _Parsed, data: vacancies.VacancyInput) -> None:
    """The vacancy's own rules (check_vacancy): every problem, except on columns that already
    have one."""
    for _attempt in range(len(_NEUTRAL)):
        try:
            vacancies.check_vacancy(data)
            return
        except ValidationProblem as problem:
            column = _FIELD_COLUMNS.get(problem.field, problem.field)
            if column not in item.columns_with_problems:
                item.problem(column, item.cells.get(column, ""), problem.message)
            data = replace(data, **_NEUTRAL[problem.field])


def _check_state(item: _Parsed, stored: Vacancy) -> None:
    if stored.state in EDITABLE_STATES:
        return
    if stored.state is not VacancyState.OPEN:
        item.problem(
            "external_id",
            item.external_id,
            _(
                "This vacancy is in the state “%(state)s”, so an upload cannot change it. Remove "
                "the row, or give a new external_id for a new vacancy.",
                state=vacancies.state_label(stored.state),
            ),
        )
        return
    if not item.no_fee_pledge and "no_fee_pledge" not in item.columns_with_problems:
        item.problem(
            "no_fee_pledge",
            item.cells.get("no_fee_pledge", ""),
            _(
                "This vacancy is open, and an open vacancy keeps its pledge: write yes. To stop "
                "publishing it, close it on its page."
            ),
        )
    if item.positions and item.positions < stored.positions_taken:
        item.problem(
            "positions",
            item.cells.get("positions", ""),
            _(
                "%(taken)d positions of this vacancy are already taken; give at least that many.",
                taken=stored.positions_taken,
            ),
        )


# --- pass 3: writing ---------------------------------------------------------------------------


def _write(
    session: Session,
    actor: User | None,
    organisation: Organisation,
    plans: list[_Plan],
    report: ProgressCallback,
) -> None:
    try:
        with transaction(session):
            for done, plan in enumerate(plans, start=1):
                vacancies.save_imported(session, actor, organisation, plan.data, plan.stored)
                if done % shared.PROGRESS_EVERY == 0 or done == len(plans):
                    report("saving", done, len(plans))
    except IntegrityError:
        raise Conflict(
            _(
                "Another upload changed the same vacancies at the same time, so nothing was "
                "stored. Upload the file again."
            )
        ) from None
