"""Bulk upload of vacancies: good rows stored, bad rows reported by line and column and not
stored, re-uploads update without duplicates, and the pledge decides whether a vacancy opens."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.errors import Forbidden
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
from portal.services import regions, vacancies
from portal.services.vacancy_import import (
    COLUMNS,
    ImportReport,
    import_vacancies,
    read_vacancy_file,
)
from portal.taxonomy.model import RelationType
from tests.conftest import Factory

BASE = "https://skills-portal.example/test"
FORKLIFT = f"{BASE}/skill/forklift"
SAFETY = f"{BASE}/skill/safety"
PALLETS = f"{BASE}/skill/pallets"
FORKLIFT_DRIVER = f"{BASE}/occupation/forklift-driver"
WAREHOUSE_OPERATIVE = f"{BASE}/occupation/warehouse-operative"
START = date.today() + timedelta(days=30)


def vacancy_row(external_id: str = "V1", **cells: str) -> dict[str, str]:
    row = {
        "external_id": external_id,
        "title": "Forklift drivers, night shift",
        "occupation": "forklift driver",
        "description": "Loading lorries.",
        "essential_skills": "forklift driving;follow health and safety rules",
        "optional_skills": "stack pallets;speaks to customers kindly",
        "positions": "12",
        "region": "North",
        "start_date": START.isoformat(),
        "end_date": (START + timedelta(days=90)).isoformat(),
        "hours_per_week": "40",
        "pay_amount": "14,50",
        "pay_currency": "eur",
        "pay_period": "hour",
        "accommodation": "yes",
        "transport": "no",
        "languages": "en:A2",
        "no_fee_pledge": "yes",
    }
    row.update(cells)
    return row


def csv_file(*rows: dict[str, str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(column, "") for column in COLUMNS])
    return buffer.getvalue().encode()


def xlsx_file(*rows: list[object]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def employer(make: Factory, session: Session, stored_taxonomy) -> User:
    regions.add_regions(session, ["North", "South", "Capital"])
    return make.user(Role.EMPLOYER)  # of a verified organisation


def upload(
    session: Session,
    actor: User | None,
    data: bytes,
    *,
    organisation: Organisation | None = None,
    dry_run: bool = False,
) -> ImportReport:
    table = read_vacancy_file(data)
    return import_vacancies(
        session,
        actor,
        organisation or actor.organisation,
        table.rows,
        dry_run=dry_run,
    )


def stored(session: Session, organisation_id: int) -> dict[str, Vacancy]:
    found = session.scalars(select(Vacancy).where(Vacancy.organisation_id == organisation_id))
    return {vacancy.external_id: vacancy for vacancy in found}


def count_vacancies(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Vacancy))


def problems_of(report: ImportReport) -> set[tuple[int, str]]:
    return {(problem.line, problem.column) for problem in report.problems}


def message(report: ImportReport, line: int, column: str) -> str:
    [found] = [p.message for p in report.problems if (p.line, p.column) == (line, column)]
    return found


# --- rows ----------------------------------------------------------------------------------------


def test_a_good_row_becomes_an_open_vacancy_with_every_field(
    session: Session, employer: User
) -> None:
    report = upload(session, employer, csv_file(vacancy_row()))
    assert (report.created, report.opened, report.drafts, report.rejected) == (1, 1, 0, 0)
    vacancy = stored(session, employer.organisation_id)["V1"]
    assert vacancy.state is VacancyState.OPEN and vacancy.published_at is not None
    assert (vacancy.title, vacancy.positions, vacancy.region_id) == (
        "Forklift drivers, night shift",
        12,
        regions.find_region(session, "North").id,
    )
    assert (vacancy.occupation_uri, vacancy.isco_code) == (FORKLIFT_DRIVER, "8344")
    assert (vacancy.start_date, vacancy.end_date) == (START, START + timedelta(days=90))
    assert (vacancy.pay_amount, vacancy.pay_currency, vacancy.pay_period) == (
        Decimal("14.50"),
        "EUR",
        PayPeriod.HOUR,
    )
    assert (vacancy.accommodation, vacancy.transport, vacancy.hours_per_week) == (
        True,
        False,
        40.0,
    )
    assert [(lang.code, lang.min_level) for lang in vacancy.languages] == [("en", LanguageLevel.A2)]
    assert vacancy.no_fee_pledge and vacancy.pledged_by_id == employer.id
    assert {(s.relation, s.concept_uri, s.words) for s in vacancy.skills} == {
        (RelationType.ESSENTIAL, FORKLIFT, "forklift driving"),
        (RelationType.ESSENTIAL, SAFETY, "follow health and safety rules"),
        (RelationType.OPTIONAL, PALLETS, "stack pallets"),
        (RelationType.OPTIONAL, None, "speaks to customers kindly"),
    }
    assert all(skill.source is SkillSource.UPLOAD for skill in vacancy.skills)
    assert report.unmapped_skills == 1


def test_good_rows_are_kept_and_bad_rows_are_reported_and_not_stored(
    session: Session, employer: User
) -> None:
    data = csv_file(
        vacancy_row("V1"),
        vacancy_row("V2", positions="0"),
        vacancy_row("V3"),
        vacancy_row("V4", region="Nort", pay_amount="-5"),
    )
    report = upload(session, employer, data)
    assert (report.created, report.rejected) == (2, 2)
    assert problems_of(report) == {(3, "positions"), (5, "region"), (5, "pay_amount")}
    assert set(stored(session, employer.organisation_id)) == {"V1", "V3"}


@pytest.mark.parametrize(
    ("cells", "column", "expected"),
    [
        ({"positions": "0"}, "positions", "Positions must be a whole number from 1 to 10,000."),
        ({"positions": "10001"}, "positions", "Positions must be a whole number from 1 to 10,000."),
        ({"positions": "2.5"}, "positions", "Positions must be a whole number from 1 to 10,000."),
        (
            {"end_date": (START - timedelta(days=1)).isoformat()},
            "end_date",
            "The end date must be on or after the start date.",
        ),
        ({"pay_amount": "-1"}, "pay_amount", "Pay cannot be below zero."),
        (
            {"pay_currency": "XYZ"},
            "pay_currency",
            "“XYZ” is not a currency code we know (like EUR, GBP, PLN).",
        ),
        ({"region": "Nort"}, "region", "Unknown region “Nort”. Did you mean: North?"),
        ({"start_date": "31/31/2026"}, "start_date", "“31/31/2026” is not a date in the calendar"),
        ({"title": ""}, "title", "Give the vacancy a title."),
        ({"no_fee_pledge": "maybe"}, "no_fee_pledge", "Write yes or no."),
        (
            {"languages": "en-B1"},
            "languages",
            "Write each language as code:level, like en:B1;ro:native.",
        ),
        (
            {"occupation": "1234"},
            "occupation",
            "No occupation in the taxonomy has the ISCO code 1234; check the code, or write the "
            "occupation in words.",
        ),
        (
            {"essential_skills": f"{BASE}/skill/unknown"},
            "essential_skills",
            "The active taxonomy has no skill with this URI; check it, or write it in words.",
        ),
    ],
)
def test_each_bad_field_gets_a_message_on_its_line_and_column(
    session: Session, employer: User, cells: dict[str, str], column: str, expected: str
) -> None:
    report = upload(session, employer, csv_file(vacancy_row("V1"), vacancy_row("V2", **cells)))
    assert problems_of(report) == {(3, column)}
    assert message(report, 3, column) == expected
    assert set(stored(session, employer.organisation_id)) == {"V1"}


def test_every_problem_of_a_row_is_reported_not_only_the_first(
    session: Session, employer: User
) -> None:
    row = vacancy_row(positions="0", pay_amount="-2", hours_per_week="100", region="")
    report = upload(session, employer, csv_file(row))
    assert problems_of(report) == {
        (2, "positions"),
        (2, "region"),
        (2, "hours_per_week"),
        (2, "pay_amount"),
    }


def test_the_same_external_id_twice_in_a_file_rejects_both_rows(
    session: Session, employer: User
) -> None:
    report = upload(session, employer, csv_file(vacancy_row("V1"), vacancy_row("V1")))
    assert problems_of(report) == {(2, "external_id"), (3, "external_id")}
    assert count_vacancies(session) == 0


def test_a_dry_run_reports_the_same_and_stores_nothing(session: Session, employer: User) -> None:
    data = csv_file(
        vacancy_row("V1"), vacancy_row("V2", no_fee_pledge=""), vacancy_row("V3", positions="x")
    )
    report = upload(session, employer, data, dry_run=True)
    assert (report.created, report.opened, report.drafts, report.rejected) == (2, 1, 1, 1)
    assert count_vacancies(session) == 0


# --- re-upload ---------------------------------------------------------------------------------


def test_uploading_again_updates_by_external_id_and_never_duplicates(
    session: Session, employer: User
) -> None:
    upload(session, employer, csv_file(vacancy_row("V1", no_fee_pledge="no"), vacancy_row("V2")))
    report = upload(
        session,
        employer,
        csv_file(vacancy_row("V1", positions="30", no_fee_pledge="no"), vacancy_row("V2")),
    )
    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 1, 1, 0)
    assert count_vacancies(session) == 2
    assert stored(session, employer.organisation_id)["V1"].positions == 30


def test_an_open_vacancy_is_updated_in_place_and_stays_open(
    session: Session, employer: User
) -> None:
    upload(session, employer, csv_file(vacancy_row("V1")))
    report = upload(session, employer, csv_file(vacancy_row("V1", title="Reach truck drivers")))
    vacancy = stored(session, employer.organisation_id)["V1"]
    assert (report.updated, report.opened) == (1, 1)
    assert (vacancy.title, vacancy.state) == ("Reach truck drivers", VacancyState.OPEN)


def test_an_open_vacancy_keeps_its_pledge(session: Session, employer: User) -> None:
    upload(session, employer, csv_file(vacancy_row("V1")))
    report = upload(session, employer, csv_file(vacancy_row("V1", no_fee_pledge="no")))
    assert problems_of(report) == {(2, "no_fee_pledge")}
    assert stored(session, employer.organisation_id)["V1"].no_fee_pledge


def test_a_closed_vacancy_is_not_changed_by_an_upload(session: Session, employer: User) -> None:
    upload(session, employer, csv_file(vacancy_row("V1")))
    vacancies.close(session, employer, stored(session, employer.organisation_id)["V1"].id)
    report = upload(session, employer, csv_file(vacancy_row("V1", title="Changed")))
    assert problems_of(report) == {(2, "external_id")}
    assert "in the state “Closed”" in message(report, 2, "external_id")
    assert stored(session, employer.organisation_id)["V1"].title != "Changed"


def test_a_draft_given_the_pledge_on_a_second_upload_opens(
    session: Session, employer: User
) -> None:
    upload(session, employer, csv_file(vacancy_row("V1", no_fee_pledge="")))
    assert stored(session, employer.organisation_id)["V1"].state is VacancyState.DRAFT
    upload(session, employer, csv_file(vacancy_row("V1")))
    assert stored(session, employer.organisation_id)["V1"].state is VacancyState.OPEN


# --- the pledge and verification -------------------------------------------------------------


def test_a_row_without_the_pledge_is_saved_as_a_draft_with_a_note(
    session: Session, employer: User
) -> None:
    report = upload(session, employer, csv_file(vacancy_row("V1", no_fee_pledge="no")))
    assert (report.created, report.drafts, report.rejected) == (1, 1, 0)
    [note] = report.notes
    assert (note.line, note.column) == (2, "no_fee_pledge")
    assert note.message.startswith("Saved as a draft: no pledge.")
    assert stored(session, employer.organisation_id)["V1"].state is VacancyState.DRAFT


def test_an_unverified_organisation_s_vacancies_stay_drafts(
    session: Session, make: Factory, stored_taxonomy
) -> None:
    regions.add_regions(session, ["North"])
    organisation = make.organisation(OrganisationKind.EMPLOYER, verified=False)
    employer = make.user(Role.EMPLOYER, organisation=organisation)
    report = upload(session, employer, csv_file(vacancy_row("V1")))
    assert (report.created, report.opened, report.drafts) == (1, 0, 1)
    assert "not verified" in report.notes[0].message
    assert stored(session, organisation.id)["V1"].state is VacancyState.DRAFT


# --- who, and files --------------------------------------------------------------------------


def test_an_employer_cannot_upload_for_another_organisation(
    session: Session, employer: User, make: Factory
) -> None:
    other = make.organisation(OrganisationKind.EMPLOYER)
    with pytest.raises(Forbidden):
        upload(session, employer, csv_file(vacancy_row()), organisation=other)
    assert count_vacancies(session) == 0


def test_an_admin_or_the_command_line_imports_for_an_organisation(
    session: Session, employer: User, make: Factory
) -> None:
    admin = make.user(Role.ADMIN)
    upload(session, admin, csv_file(vacancy_row("V1")), organisation=employer.organisation)
    upload(session, None, csv_file(vacancy_row("V2")), organisation=employer.organisation)
    found = stored(session, employer.organisation_id)
    assert (found["V1"].created_by_id, found["V2"].created_by_id) == (admin.id, None)
    assert found["V2"].state is VacancyState.OPEN


def test_vacancies_are_uploaded_only_for_employers(
    session: Session, employer: User, make: Factory
) -> None:
    provider = make.organisation(OrganisationKind.PROVIDER)
    with pytest.raises(Forbidden):
        upload(session, None, csv_file(vacancy_row()), organisation=provider)


def test_the_same_external_id_in_two_organisations_is_two_vacancies(
    session: Session, employer: User, make: Factory
) -> None:
    other = make.user(Role.EMPLOYER)
    upload(session, employer, csv_file(vacancy_row("V1")))
    upload(session, other, csv_file(vacancy_row("V1", title="Theirs")))
    assert stored(session, employer.organisation_id)["V1"].title != "Theirs"
    assert stored(session, other.organisation_id)["V1"].title == "Theirs"


def test_an_xlsx_file_is_read_with_numbers_and_dates_as_people_see_them(
    session: Session, employer: User
) -> None:
    cells = [vacancy_row()[column] for column in COLUMNS]
    cells[COLUMNS.index("positions")] = 12
    cells[COLUMNS.index("start_date")] = START
    cells[COLUMNS.index("pay_amount")] = 14.5
    cells[COLUMNS.index("occupation")] = 8344
    report = upload(session, employer, xlsx_file(cells))
    assert (report.created, report.rejected) == (1, 0), report.problems
    vacancy = stored(session, employer.organisation_id)["V1"]
    assert (vacancy.positions, vacancy.start_date, vacancy.pay_amount) == (
        12,
        START,
        Decimal("14.50"),
    )
    assert vacancy.occupation_uri == FORKLIFT_DRIVER


def test_a_description_may_be_longer_than_other_cells(session: Session, employer: User) -> None:
    report = upload(session, employer, csv_file(vacancy_row(description="Lifting. " * 400)))
    assert (report.created, report.rejected) == (1, 0)
    assert len(stored(session, employer.organisation_id)["V1"].description) > 3_000
