"""Bulk upload of workers: good rows stored, bad rows reported by line and column and not stored,
re-uploads update, and files that cannot be used are refused before anything is stored."""

from __future__ import annotations

import csv
import io
import time
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.errors import Forbidden
from portal.imports.tabular import TableProblem
from portal.models import (
    AuditAction,
    AuditEvent,
    ConsentRecord,
    Evidence,
    OrganisationKind,
    ProfileStatus,
    Role,
    Sex,
    SkillSource,
    User,
    Worker,
    WorkerSkill,
)
from portal.services import regions, workers
from portal.services.worker_import import (
    COLUMNS,
    ImportReport,
    import_workers,
    read_worker_file,
)
from tests.conftest import Factory

BASE = "https://skills-portal.example/test"
FORKLIFT = f"{BASE}/skill/forklift"
PALLETS = f"{BASE}/skill/pallets"
FORKLIFT_DRIVER = f"{BASE}/occupation/forklift-driver"
WAREHOUSE_OPERATIVE = f"{BASE}/occupation/warehouse-operative"


def worker_row(external_id: str = "W1", **cells: str) -> dict[str, str]:
    row = {
        "external_id": external_id,
        "given_name": "Ana",
        "family_name": "Popescu",
        "email": f"{external_id.lower()}@example.org",
        "phone": "+40 721 234 567",
        "sex": "female",
        "birth_year": "1990",
        "country_of_origin": "RO",
        "region": "North",
        "willing_to_relocate": "South",
        "languages": "ro:native;en:B1",
        "occupation": "forklift driver",
        "experience_years": "3",
        "skills": "forklift driving;stack pallets",
        "available_from": "2026-03-01",
    }
    row.update(cells)
    return row


def csv_file(*rows: dict[str, str], delimiter: str = ",", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(column, "") for column in COLUMNS])
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode()


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
def provider_user(make: Factory, session: Session, stored_taxonomy) -> User:
    regions.add_regions(session, ["North", "South", "Capital"])
    return make.user(Role.PROVIDER)


def upload(
    session: Session, user: User, data: bytes, *, dry_run: bool = False, consent: bool = False
) -> ImportReport:
    table = read_worker_file(data)
    return import_workers(
        session,
        user,
        user.organisation,
        table.rows,
        dry_run=dry_run,
        consent_confirmed=consent,
    )


def stored(session: Session, user: User) -> dict[str, Worker]:
    workers_ = session.scalars(select(Worker).where(Worker.provider_id == user.organisation_id))
    return {worker.external_id: worker for worker in workers_}


def count(session: Session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def problems_of(report: ImportReport) -> set[tuple[int, str]]:
    return {(problem.line, problem.column) for problem in report.problems}


# --- rows ----------------------------------------------------------------------------------------


def test_good_rows_are_stored_and_bad_rows_are_reported_by_line_and_column(
    session: Session, provider_user: User
) -> None:
    data = csv_file(
        worker_row("W1"),
        worker_row("W2", birth_year="19x0"),
        worker_row("W3", given_name="Olena", region="Nowhere"),
        worker_row("W4", country_of_origin="XX", languages="en-B1"),
    )
    report = upload(session, provider_user, data)
    assert (report.created, report.updated, report.rejected) == (1, 0, 3)
    assert problems_of(report) == {
        (3, "birth_year"),
        (4, "region"),
        (5, "country_of_origin"),
        (5, "languages"),
    }
    messages = {(p.line, p.column): (p.value, p.message) for p in report.problems}
    assert messages[(3, "birth_year")] == (
        "19x0",
        "“19x0” is not a year; write four digits, like 1990.",
    )
    assert messages[(4, "region")][1].startswith("Unknown region “Nowhere”.")
    assert list(stored(session, provider_user)) == ["W1"]


def test_a_stored_row_has_every_column_in_its_place(session: Session, provider_user: User) -> None:
    upload(
        session, provider_user, csv_file(worker_row("W1", skills="forklift driving;basket weaving"))
    )
    worker = stored(session, provider_user)["W1"]
    assert (worker.given_name, worker.family_name, worker.email, worker.phone) == (
        "Ana",
        "Popescu",
        "w1@example.org",
        "+40 721 234 567",
    )
    assert (worker.sex, worker.birth_year, worker.country_of_origin) == (Sex.FEMALE, 1990, "RO")
    assert worker.region_id == regions.find_region(session, "North").id
    assert [r.region_id for r in worker.relocation_regions] == [
        regions.find_region(session, "South").id
    ]
    assert not worker.relocate_anywhere
    assert sorted((lang.code, lang.level.value) for lang in worker.languages) == [
        ("en", "B1"),
        ("ro", "native"),
    ]
    assert worker.available_from == date(2026, 3, 1)
    [experience] = worker.experiences
    assert (experience.words, experience.occupation_uri, experience.years) == (
        "forklift driver",
        FORKLIFT_DRIVER,
        3.0,
    )
    skills = {skill.words: skill for skill in worker.skills}
    assert skills["forklift driving"].concept_uri == FORKLIFT
    assert skills["forklift driving"].concept_label == "operate a forklift"
    assert skills["basket weaving"].concept_uri is None  # kept as the words, unmapped
    assert {skill.source for skill in worker.skills} == {SkillSource.UPLOAD}
    assert {skill.evidence for skill in worker.skills} == {Evidence.SELF_DECLARED}


def test_a_row_reports_all_its_problems_each_with_its_column(
    session: Session, provider_user: User
) -> None:
    bad = worker_row(
        "W1",
        given_name="",
        email="not-an-email",
        phone="call me",
        sex="sometimes",
        birth_year="1850",
        experience_years="200",
        available_from="31/31/2026",
        willing_to_relocate="Atlantis",
        skills=f"{BASE}/skill/no-such-skill",
    )
    report = upload(session, provider_user, csv_file(bad))
    assert report.rejected == 1
    assert {column for _line, column in problems_of(report)} == {
        "given_name",
        "email",
        "phone",
        "sex",
        "birth_year",
        "experience_years",
        "available_from",
        "willing_to_relocate",
        "skills",
    }
    assert stored(session, provider_user) == {}


def test_skills_are_phrases_or_uris_and_phrases_without_a_match_are_kept(
    session: Session, provider_user: User
) -> None:
    row = worker_row("W1", skills=f"{PALLETS}; order picking ;underwater welding;Order Picking")
    report = upload(session, provider_user, csv_file(row))
    assert report.unmapped_skills == 1
    skills = {(s.words, s.concept_uri) for s in stored(session, provider_user)["W1"].skills}
    assert skills == {
        ("stack pallets", PALLETS),
        ("order picking", f"{BASE}/skill/orders"),
        ("underwater welding", None),
    }


@pytest.mark.parametrize(
    ("cell", "uri", "words"),
    [
        ("warehouse", WAREHOUSE_OPERATIVE, "warehouse"),
        ("8344", FORKLIFT_DRIVER, "8344"),
        ("ISCO 9333", WAREHOUSE_OPERATIVE, "ISCO 9333"),
        (FORKLIFT_DRIVER, FORKLIFT_DRIVER, "forklift driver"),
        ("beekeeper", None, "beekeeper"),
    ],
)
def test_an_occupation_is_words_an_isco_code_or_a_uri(
    session: Session, provider_user: User, cell: str, uri: str | None, words: str
) -> None:
    upload(session, provider_user, csv_file(worker_row("W1", occupation=cell)))
    [experience] = stored(session, provider_user)["W1"].experiences
    assert (experience.occupation_uri, experience.words) == (uri, words)


@pytest.mark.parametrize("cell", ["1234", "83", f"{BASE}/occupation/astronaut"])
def test_an_unknown_isco_code_or_uri_is_a_problem_of_the_occupation(
    session: Session, provider_user: User, cell: str
) -> None:
    report = upload(session, provider_user, csv_file(worker_row("W1", occupation=cell)))
    assert problems_of(report) == {(2, "occupation")}


def test_years_and_occupation_go_together(session: Session, provider_user: User) -> None:
    report = upload(
        session,
        provider_user,
        csv_file(
            worker_row("W1", occupation="", experience_years="2"),
            worker_row("W2", experience_years=""),
            worker_row("W3", occupation="", experience_years=""),
        ),
    )
    assert problems_of(report) == {(2, "experience_years"), (3, "experience_years")}
    assert stored(session, provider_user)["W3"].experiences == []


def test_the_same_external_id_twice_in_a_file_rejects_both_rows(
    session: Session, provider_user: User
) -> None:
    report = upload(
        session, provider_user, csv_file(worker_row("W1"), worker_row("W2"), worker_row("W1"))
    )
    assert problems_of(report) == {(2, "external_id"), (4, "external_id")}
    assert list(stored(session, provider_user)) == ["W2"]


def test_a_row_needs_an_external_id_a_name_and_a_contact(
    session: Session, provider_user: User
) -> None:
    report = upload(
        session,
        provider_user,
        csv_file(
            worker_row("", given_name="", email="ana@example.org"),
            worker_row("W2", email="", phone=""),
        ),
    )
    assert problems_of(report) == {(2, "external_id"), (2, "given_name"), (3, "email")}


@pytest.mark.parametrize(
    ("cell", "anywhere", "names"),
    [
        ("yes", True, []),
        ("anywhere", True, []),
        ("no", False, []),
        ("South;capital", False, ["Capital", "South"]),
    ],
)
def test_willingness_to_relocate(
    session: Session, provider_user: User, cell: str, anywhere: bool, names: list[str]
) -> None:
    upload(session, provider_user, csv_file(worker_row("W1", willing_to_relocate=cell)))
    worker = stored(session, provider_user)["W1"]
    ids = {regions.find_region(session, name).id for name in names}
    assert worker.relocate_anywhere is anywhere
    assert {r.region_id for r in worker.relocation_regions} == ids


@pytest.mark.parametrize(
    ("cell", "sex"),
    [("F", Sex.FEMALE), ("m", Sex.MALE), ("Prefer not to say", Sex.NOT_STATED), ("", None)],
)
def test_sex_may_be_spelt_short_or_left_empty(
    session: Session, provider_user: User, cell: str, sex: Sex | None
) -> None:
    upload(session, provider_user, csv_file(worker_row("W1", sex=cell)))
    assert stored(session, provider_user)["W1"].sex is sex


def test_dates_in_day_month_year_order_are_read(session: Session, provider_user: User) -> None:
    upload(session, provider_user, csv_file(worker_row("W1", available_from="05/04/2026")))
    assert stored(session, provider_user)["W1"].available_from == date(2026, 4, 5)


# --- uploading again -----------------------------------------------------------------------------


def test_uploading_the_same_file_again_creates_no_duplicates(
    session: Session, provider_user: User
) -> None:
    data = csv_file(worker_row("W1"), worker_row("W2"), worker_row("W3"))
    first = upload(session, provider_user, data)
    skills_before = count(session, WorkerSkill)
    second = upload(session, provider_user, data)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert count(session, Worker) == 3
    assert count(session, WorkerSkill) == skills_before


def test_a_changed_row_updates_its_worker(session: Session, provider_user: User) -> None:
    upload(session, provider_user, csv_file(worker_row("W1"), worker_row("W2")))
    changed = worker_row(
        "W2", phone="+40 700 000 001", skills="order picking", experience_years="4"
    )
    report = upload(session, provider_user, csv_file(worker_row("W1"), changed))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    worker = stored(session, provider_user)["W2"]
    session.refresh(worker)
    assert worker.phone == "+40 700 000 001"
    assert [skill.words for skill in worker.skills] == ["order picking"]
    assert [experience.years for experience in worker.experiences] == [4.0]
    assert count(session, Worker) == 2


def test_an_empty_cell_leaves_the_stored_value(session: Session, provider_user: User) -> None:
    upload(session, provider_user, csv_file(worker_row("W1")))
    sparse = {"external_id": "W1", "birth_year": "1991"}
    report = upload(session, provider_user, csv_file(sparse))
    assert report.updated == 1
    worker = stored(session, provider_user)["W1"]
    session.refresh(worker)
    assert (worker.given_name, worker.birth_year, worker.email) == ("Ana", 1991, "w1@example.org")
    assert len(worker.skills) == 2 and len(worker.languages) == 2


def test_skills_added_on_the_profile_survive_a_re_upload(
    session: Session, provider_user: User
) -> None:
    upload(session, provider_user, csv_file(worker_row("W1")))
    worker = stored(session, provider_user)["W1"]
    workers.add_skill(session, provider_user, worker, "caring for children", concept_id=None)
    upload(session, provider_user, csv_file(worker_row("W1", skills="order picking")))
    session.refresh(worker)
    assert sorted(skill.words for skill in worker.skills) == [
        "caring for children",
        "order picking",
    ]


def test_another_providers_external_ids_do_not_collide(
    session: Session, provider_user: User, make: Factory
) -> None:
    other = make.user(Role.PROVIDER)
    upload(session, provider_user, csv_file(worker_row("W1")))
    report = upload(session, other, csv_file(worker_row("W1", given_name="Olena")))
    assert report.created == 1
    assert stored(session, provider_user)["W1"].given_name == "Ana"
    assert stored(session, other)["W1"].given_name == "Olena"


# --- consent, audit, access ----------------------------------------------------------------------


def test_confirmed_consent_is_recorded_and_complete_profiles_become_active(
    session: Session, provider_user: User
) -> None:
    data = csv_file(
        worker_row("W1"), worker_row("W2", skills="", region="", willing_to_relocate="")
    )
    upload(session, provider_user, data, consent=True)
    found = stored(session, provider_user)
    assert found["W1"].status is ProfileStatus.ACTIVE
    assert found["W2"].status is ProfileStatus.DRAFT  # no skills, no region yet
    consents = session.scalars(
        select(ConsentRecord).where(ConsentRecord.worker_id == found["W1"].id)
    )
    assert {(c.purpose, c.given_by_id) for c in consents} == {
        ("matching", provider_user.id),
        ("contact-after-offer", provider_user.id),
    }


def test_without_confirmed_consent_workers_stay_drafts(
    session: Session, provider_user: User
) -> None:
    upload(session, provider_user, csv_file(worker_row("W1")))
    worker = stored(session, provider_user)["W1"]
    assert worker.status is ProfileStatus.DRAFT and worker.consents == []
    report = upload(session, provider_user, csv_file(worker_row("W1")), consent=True)
    assert report.updated == 1
    session.refresh(worker)
    assert worker.status is ProfileStatus.ACTIVE


def test_a_worker_who_withdrew_consent_is_not_changed_by_an_upload(
    session: Session, provider_user: User
) -> None:
    upload(session, provider_user, csv_file(worker_row("W1")), consent=True)
    worker = stored(session, provider_user)["W1"]
    workers.withdraw_consent(session, provider_user, worker)
    report = upload(
        session, provider_user, csv_file(worker_row("W1", phone="+40 700 000 009")), consent=True
    )
    assert problems_of(report) == {(2, "external_id")}
    session.refresh(worker)
    assert worker.status is ProfileStatus.CONSENT_WITHDRAWN
    assert worker.phone == "+40 721 234 567"


def test_each_imported_worker_gets_one_audit_event(session: Session, provider_user: User) -> None:
    data = csv_file(worker_row("W1"), worker_row("W2"))
    upload(session, provider_user, data)
    upload(session, provider_user, data)  # unchanged: no new events
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.IMPORTED)
    ).all()
    assert len(events) == 2
    assert {event.actor_id for event in events} == {provider_user.id}


def test_a_dry_run_reports_the_same_and_stores_nothing(
    session: Session, provider_user: User
) -> None:
    data = csv_file(worker_row("W1"), worker_row("W2", birth_year="x"))
    dry = upload(session, provider_user, data, dry_run=True, consent=True)
    assert (dry.dry_run, dry.created, dry.rejected) == (True, 1, 1)
    assert count(session, Worker) == 0 and count(session, AuditEvent) == 0
    real = upload(session, provider_user, data, consent=True)
    assert (real.created, real.rejected, real.problems) == (1, 1, dry.problems)


def test_an_unverified_provider_cannot_import(
    session: Session, make: Factory, stored_taxonomy
) -> None:
    organisation = make.organisation(OrganisationKind.PROVIDER, verified=False)
    user = make.user(Role.PROVIDER, organisation=organisation)
    with pytest.raises(Forbidden, match="not verified"):
        upload(session, user, csv_file(worker_row("W1")))
    assert count(session, Worker) == 0


def test_a_provider_cannot_import_for_another_organisation(
    session: Session, provider_user: User, make: Factory
) -> None:
    other = make.organisation(OrganisationKind.PROVIDER)
    table = read_worker_file(csv_file(worker_row("W1")))
    with pytest.raises(Forbidden):
        import_workers(session, provider_user, other, table.rows, dry_run=False)


# --- files ---------------------------------------------------------------------------------------


def test_a_semicolon_csv_with_a_bom_is_read(session: Session, provider_user: User) -> None:
    data = csv_file(worker_row("W1", family_name="Łukasiewicz-Müller"), delimiter=";", bom=True)
    report = upload(session, provider_user, data)
    assert report.created == 1
    assert stored(session, provider_user)["W1"].family_name == "Łukasiewicz-Müller"


def test_an_xlsx_file_is_read_with_numbers_and_dates_as_people_see_them(
    session: Session, provider_user: User
) -> None:
    row = worker_row("W1")
    cells: list[object] = [row[column] for column in COLUMNS]
    cells[COLUMNS.index("birth_year")] = 1990
    cells[COLUMNS.index("experience_years")] = 2.5
    cells[COLUMNS.index("available_from")] = date(2026, 5, 1)
    report = upload(session, provider_user, xlsx_file(cells))
    assert report.created == 1, report.problems
    worker = stored(session, provider_user)["W1"]
    assert (worker.birth_year, worker.available_from) == (1990, date(2026, 5, 1))
    assert worker.experiences[0].years == 2.5


def test_formulas_are_problems_of_their_cells_in_csv_and_xlsx(
    session: Session, provider_user: User
) -> None:
    csv_report = upload(
        session,
        provider_user,
        csv_file(
            worker_row("W1", given_name='=HYPERLINK("http://evil.example","x")'), worker_row("W2")
        ),
    )
    assert problems_of(csv_report) == {(2, "given_name")}
    assert "formula" in csv_report.problems[0].message
    row = worker_row("W3")
    cells: list[object] = [row[column] for column in COLUMNS]
    cells[COLUMNS.index("phone")] = "=1+1"
    xlsx_report = upload(session, provider_user, xlsx_file(cells))
    assert problems_of(xlsx_report) == {(2, "phone")}
    assert sorted(stored(session, provider_user)) == ["W2"]


def test_a_wrong_header_is_refused_naming_the_columns(provider_user: User) -> None:
    data = b"id,name,email\r\nW1,Ana,ana@example.org\r\n"
    with pytest.raises(TableProblem) as refused:
        read_worker_file(data)
    message = refused.value.message
    assert "Unknown columns: id, name." in message
    assert "Missing columns: external_id, given_name," in message
    assert ", ".join(COLUMNS) in message


def test_a_latin_1_file_is_refused_with_how_to_save_it_as_utf_8(provider_user: User) -> None:
    data = csv_file(worker_row("W1", family_name="Müller")).decode().encode("latin-1")
    with pytest.raises(TableProblem, match=r"not in UTF-8: line 2.*CSV UTF-8"):
        read_worker_file(data)


def test_an_empty_file_is_refused(provider_user: User) -> None:
    with pytest.raises(TableProblem, match="empty"):
        read_worker_file(b"")


def test_a_megabyte_in_one_cell_is_refused_with_line_and_column(provider_user: User) -> None:
    data = csv_file(worker_row("W1"), worker_row("W2", skills="x" * 1_000_000))
    with pytest.raises(
        TableProblem, match="Line 3, column skills: the cell has 1,000,000 characters"
    ):
        read_worker_file(data)


def test_a_file_of_100000_rows_is_refused_before_anything_is_stored(
    session: Session, provider_user: User
) -> None:
    upload(session, provider_user, csv_file(worker_row("W1")))
    lines = [",".join(COLUMNS)] + [f"X{n},Ana,,,+40 721 234 {n % 1000:03d}" for n in range(100_000)]
    with pytest.raises(TableProblem, match="more than 20,000 rows"):
        read_worker_file("\r\n".join(lines).encode())
    assert count(session, Worker) == 1


def test_ten_thousand_rows_are_imported_in_well_under_a_minute(
    session: Session, provider_user: User
) -> None:
    phrases = ["forklift driving", "stack pallets", "order picking", "barcode scanning", "cooking"]
    rows = [
        worker_row(
            f"W{n:05d}",
            email=f"worker{n}@example.org",
            skills=";".join({phrases[n % 5], phrases[(n * 7) % 5], f"skill number {n % 300}"}),
            birth_year=str(1960 + n % 40),
        )
        for n in range(10_000)
    ]
    data = csv_file(*rows)
    started = time.perf_counter()
    report = upload(session, provider_user, data, consent=True)
    seconds = time.perf_counter() - started
    assert (report.created, report.rejected) == (10_000, 0)
    assert count(session, Worker) == 10_000
    assert seconds < 30, f"10,000 rows took {seconds:.1f} s"
