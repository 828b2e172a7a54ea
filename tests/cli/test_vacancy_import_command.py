"""`portal vacancies import FILE --employer ORG_NAME` and `portal vacancies expire`: counts,
rejected lines, drafts, exit codes."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Organisation, OrganisationKind, Vacancy, VacancyState
from portal.services import regions
from tests.conftest import Factory
from tests.services.test_vacancy_import import csv_file, vacancy_row


@pytest.fixture
def employer(session: Session, make: Factory, stored_taxonomy) -> Organisation:
    regions.add_regions(session, ["North", "South"])
    return make.organisation(OrganisationKind.EMPLOYER)


@pytest.fixture
def mixed_file(tmp_path: Path) -> Path:
    path = tmp_path / "jobs.csv"
    path.write_bytes(
        csv_file(
            vacancy_row("V1"),
            vacancy_row("V2", positions="20000"),
            vacancy_row("V3", no_fee_pledge="no"),
        )
    )
    return path


def states(session: Session) -> dict[str, VacancyState]:
    return dict(session.execute(select(Vacancy.external_id, Vacancy.state)).all())


def test_import_prints_the_counts_drafts_and_rejected_lines_and_exits_1(
    runner: FlaskCliRunner, session: Session, employer: Organisation, mixed_file: Path
) -> None:
    result = runner.invoke(
        args=["vacancies", "import", str(mixed_file), "--employer", employer.name]
    )
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert f"Imported jobs.csv for {employer.name}." in lines
    assert "  created          2" in lines
    assert "  open             1" in lines
    assert "  drafts           1" in lines
    assert "  rejected         1" in lines
    assert (
        "  line 3, positions “20000”: Positions must be a whole number from 1 to 10,000." in lines
    )
    assert any(line.startswith("  line 4, no_fee_pledge: Saved as a draft") for line in lines)
    assert states(session) == {"V1": VacancyState.OPEN, "V3": VacancyState.DRAFT}


def test_a_dry_run_stores_nothing(
    runner: FlaskCliRunner, session: Session, employer: Organisation, mixed_file: Path
) -> None:
    result = runner.invoke(
        args=["vacancies", "import", str(mixed_file), "--employer", employer.name, "--dry-run"]
    )
    assert result.exit_code == 1
    assert "dry run: nothing was stored" in result.output
    assert "  would be created        2" in result.output.splitlines()
    assert states(session) == {}


def test_a_clean_file_exits_0_and_importing_it_again_duplicates_nothing(
    runner: FlaskCliRunner, session: Session, employer: Organisation, tmp_path: Path
) -> None:
    path = tmp_path / "good.csv"
    path.write_bytes(csv_file(vacancy_row("V1"), vacancy_row("V2")))
    args = ["vacancies", "import", str(path), "--employer", employer.name.upper()]
    first = runner.invoke(args=args)
    second = runner.invoke(args=args)
    assert (first.exit_code, second.exit_code) == (0, 0), first.output
    assert "  unchanged        2" in second.output.splitlines()
    assert states(session) == {"V1": VacancyState.OPEN, "V2": VacancyState.OPEN}
    assert session.scalars(select(Vacancy.created_by_id)).all() == [None, None]


def test_an_unverified_employer_s_vacancies_are_saved_as_drafts(
    runner: FlaskCliRunner, session: Session, make: Factory, tmp_path: Path, stored_taxonomy
) -> None:
    regions.add_regions(session, ["North"])
    organisation = make.organisation(OrganisationKind.EMPLOYER, verified=False)
    path = tmp_path / "good.csv"
    path.write_bytes(csv_file(vacancy_row("V1")))
    result = runner.invoke(args=["vacancies", "import", str(path), "--employer", organisation.name])
    assert result.exit_code == 0, result.output
    assert "not verified" in result.output
    assert states(session) == {"V1": VacancyState.DRAFT}


def test_an_unknown_employer_is_refused_with_the_closest_names(
    runner: FlaskCliRunner, employer: Organisation, mixed_file: Path
) -> None:
    result = runner.invoke(
        args=["vacancies", "import", str(mixed_file), "--employer", employer.name + "x"]
    )
    assert result.exit_code == 1
    assert f"There is no employer called '{employer.name}x'." in result.output
    assert f"Did you mean: {employer.name}?" in result.output


def test_a_labour_provider_is_not_an_employer(
    runner: FlaskCliRunner, make: Factory, mixed_file: Path, employer: Organisation
) -> None:
    provider = make.organisation(OrganisationKind.PROVIDER)
    result = runner.invoke(
        args=["vacancies", "import", str(mixed_file), "--employer", provider.name]
    )
    assert result.exit_code == 1
    assert "There is no employer called" in result.output


def test_a_file_that_cannot_be_used_is_refused_and_nothing_stored(
    runner: FlaskCliRunner, session: Session, employer: Organisation, tmp_path: Path
) -> None:
    path = tmp_path / "wrong.csv"
    path.write_bytes(b"id,name\r\n1,x\r\n")
    result = runner.invoke(args=["vacancies", "import", str(path), "--employer", employer.name])
    assert result.exit_code == 1
    assert "wrong.csv: Unknown columns: id, name." in result.output
    assert "Traceback" not in result.output
    assert states(session) == {}


def test_expire_marks_ended_open_vacancies_and_says_how_many(
    runner: FlaskCliRunner, session: Session, employer: Organisation, tmp_path: Path
) -> None:
    path = tmp_path / "good.csv"
    path.write_bytes(csv_file(vacancy_row("V1"), vacancy_row("V2")))
    runner.invoke(args=["vacancies", "import", str(path), "--employer", employer.name])
    vacancy = session.scalars(select(Vacancy).where(Vacancy.external_id == "V1")).one()
    vacancy.start_date = date.today() - timedelta(days=30)
    vacancy.end_date = date.today() - timedelta(days=1)
    session.commit()
    result = runner.invoke(args=["vacancies", "expire"])
    assert result.exit_code == 0, result.output
    assert result.output == "1 vacancy expired.\n"
    assert states(session) == {"V1": VacancyState.EXPIRED, "V2": VacancyState.OPEN}
