"""`portal workers import FILE --provider ORG_NAME`: counts, rejected lines, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Organisation, OrganisationKind, ProfileStatus, Worker
from portal.services import regions
from tests.conftest import Factory
from tests.services.test_worker_import import csv_file, worker_row


@pytest.fixture
def provider(session: Session, make: Factory, stored_taxonomy) -> Organisation:
    regions.add_regions(session, ["North", "South"])
    return make.organisation(OrganisationKind.PROVIDER)


@pytest.fixture
def mixed_file(tmp_path: Path) -> Path:
    path = tmp_path / "workers.csv"
    path.write_bytes(
        csv_file(worker_row("W1"), worker_row("W2", birth_year="19x0"), worker_row("W3"))
    )
    return path


def external_ids(session: Session) -> list[str]:
    return sorted(session.scalars(select(Worker.external_id)))


def test_import_prints_the_counts_and_rejected_lines_and_exits_1(
    runner: FlaskCliRunner, session: Session, provider: Organisation, mixed_file: Path
) -> None:
    result = runner.invoke(args=["workers", "import", str(mixed_file), "--provider", provider.name])
    assert result.exit_code == 1, result.output
    assert f"Imported workers.csv for {provider.name}." in result.output
    lines = result.output.splitlines()
    assert "  created          2" in lines
    assert "  rejected         1" in lines
    assert (
        "  line 3, birth_year “19x0”: “19x0” is not a year; write four digits, like 1990." in lines
    )
    assert external_ids(session) == ["W1", "W3"]


def test_a_dry_run_stores_nothing(
    runner: FlaskCliRunner, session: Session, provider: Organisation, mixed_file: Path
) -> None:
    result = runner.invoke(
        args=["workers", "import", str(mixed_file), "--provider", provider.name, "--dry-run"]
    )
    assert result.exit_code == 1
    assert "dry run: nothing was stored" in result.output
    assert "  would be created        2" in result.output.splitlines()
    assert external_ids(session) == []


def test_a_clean_file_exits_0_and_importing_it_again_changes_nothing(
    runner: FlaskCliRunner, session: Session, provider: Organisation, tmp_path: Path
) -> None:
    path = tmp_path / "good.csv"
    path.write_bytes(csv_file(worker_row("W1"), worker_row("W2")))
    args = ["workers", "import", str(path), "--provider", provider.name.upper()]
    first = runner.invoke(args=args)
    second = runner.invoke(args=args)
    assert (first.exit_code, second.exit_code) == (0, 0), first.output
    assert "  unchanged        2" in second.output.splitlines()
    assert external_ids(session) == ["W1", "W2"]


def test_confirmed_consent_makes_complete_profiles_active(
    runner: FlaskCliRunner, session: Session, provider: Organisation, tmp_path: Path
) -> None:
    path = tmp_path / "good.csv"
    path.write_bytes(csv_file(worker_row("W1")))
    result = runner.invoke(
        args=["workers", "import", str(path), "--provider", provider.name, "--confirm-consent"]
    )
    assert result.exit_code == 0, result.output
    worker = session.scalars(select(Worker)).one()
    assert worker.status is ProfileStatus.ACTIVE
    assert {consent.given_by_id for consent in worker.consents} == {None}  # the command line


def test_the_report_option_writes_the_rejected_rows(
    runner: FlaskCliRunner, provider: Organisation, mixed_file: Path, tmp_path: Path
) -> None:
    report = tmp_path / "rejected.csv"
    args = ["workers", "import", str(mixed_file), "--provider", provider.name]
    runner.invoke(args=[*args, "--report", str(report)])
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "line,column,value,problem"
    assert lines[1].startswith("3,birth_year,19x0,")


def test_a_file_that_cannot_be_used_is_refused_and_nothing_stored(
    runner: FlaskCliRunner, session: Session, provider: Organisation, tmp_path: Path
) -> None:
    path = tmp_path / "wrong.csv"
    path.write_bytes("external_id;given_name;Straße\r\nW1;Jörg;x\r\n".encode("latin-1"))
    result = runner.invoke(args=["workers", "import", str(path), "--provider", provider.name])
    assert result.exit_code == 1
    assert "wrong.csv: The file is not in UTF-8" in result.output
    assert "Nothing was stored." in result.output
    assert "Traceback" not in result.output
    assert external_ids(session) == []


def test_an_unknown_provider_is_refused_with_the_closest_names(
    runner: FlaskCliRunner, provider: Organisation, mixed_file: Path
) -> None:
    result = runner.invoke(
        args=["workers", "import", str(mixed_file), "--provider", provider.name + "x"]
    )
    assert result.exit_code == 1
    assert f"There is no labour provider called '{provider.name}x'." in result.output
    assert f"Did you mean: {provider.name}?" in result.output


def test_an_unverified_provider_is_refused(
    runner: FlaskCliRunner, session: Session, make: Factory, mixed_file: Path, stored_taxonomy
) -> None:
    organisation = make.organisation(OrganisationKind.PROVIDER, verified=False)
    result = runner.invoke(
        args=["workers", "import", str(mixed_file), "--provider", organisation.name]
    )
    assert result.exit_code == 1
    assert "is not verified yet" in result.output
    assert external_ids(session) == []


def test_big_files_show_progress_on_standard_error(
    runner: FlaskCliRunner, session: Session, provider: Organisation, tmp_path: Path
) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(
        csv_file(*(worker_row(f"W{n:04d}", email=f"w{n}@example.org") for n in range(1_000)))
    )
    result = runner.invoke(args=["workers", "import", str(path), "--provider", provider.name])
    assert result.exit_code == 0, result.output
    assert "checking rows" in result.stderr and "saving" in result.stderr
    assert "checking rows" not in result.stdout
    assert len(external_ids(session)) == 1_000
