"""`portal db backup` and `restore` on an SQLite portal: a round trip, a backup taken while a
writer is busy, and refusals that change nothing (a file in the way, a file that is not a
portal database, PostgreSQL, no confirmation, an interrupted copy)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from portal import backups, create_app, schema
from portal.db import current_database, make_engine
from portal.models import Role, User
from portal.services import accounts
from tests.conftest import PASSWORD, test_config


@pytest.fixture
def file_portal(tmp_path: Path) -> Iterator[Flask]:
    """A portal on its own SQLite file (the test fixtures' rolled-back connection would hide
    everything from a backup, which reads the file)."""
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    app = create_app(test_config(url), instance_path=str(tmp_path / "instance"))
    yield app
    app.extensions["portal.db"].dispose()


def _add(app: Flask, *emails: str) -> None:
    with app.app_context(), current_database().session_scope() as session:
        for email in emails:
            accounts.create_user(
                session, email=email, full_name=email, password=PASSWORD, role=Role.WORKER
            )


def _remove(app: Flask, email: str) -> None:
    with app.app_context(), current_database().session_scope() as session:
        session.delete(session.scalars(select(User).where(User.email == email)).one())
        session.commit()


def _emails(app: Flask) -> list[str]:
    with app.app_context(), current_database().session_scope() as session:
        return sorted(session.scalars(select(User.email)))


def _database(app: Flask) -> Path:
    return Path(app.extensions["portal.db"].engine.url.database)


def test_a_backup_restores_the_portal_as_it_was(file_portal: Flask, tmp_path: Path) -> None:
    runner = file_portal.test_cli_runner()
    _add(file_portal, "amina@example.org", "bohdan@example.org")
    target = tmp_path / "saved.sqlite3"

    made = runner.invoke(args=["db", "backup", str(target)])
    assert made.exit_code == 0, made.output
    assert f"Backed up to {target}" in made.output and "integrity check" in made.output

    _add(file_portal, "carla@example.org")
    _remove(file_portal, "amina@example.org")
    assert _emails(file_portal) == ["bohdan@example.org", "carla@example.org"]

    restored = runner.invoke(args=["db", "restore", str(target), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "it is at the newest schema" in restored.output
    assert _emails(file_portal) == ["amina@example.org", "bohdan@example.org"]
    with sqlite3.connect(_database(file_portal)) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_backup_is_taken_while_a_writer_holds_its_transaction(
    file_portal: Flask, tmp_path: Path
) -> None:
    """Online: the portal need not stop; the copy holds what was committed, nothing torn."""
    _add(file_portal, "amina@example.org")
    writer = sqlite3.connect(_database(file_portal), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE users SET full_name = 'not committed'")
    try:
        result = file_portal.test_cli_runner().invoke(
            args=["db", "backup", str(tmp_path / "online.sqlite3")]
        )
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "online.sqlite3") as copy:
        assert copy.execute("SELECT full_name FROM users").fetchall() == [("amina@example.org",)]


def test_without_a_name_the_backup_goes_into_the_instance_folder(file_portal: Flask) -> None:
    result = file_portal.test_cli_runner().invoke(args=["db", "backup"])
    assert result.exit_code == 0, result.output
    [made] = (Path(file_portal.instance_path) / "backups").iterdir()
    assert made.name.startswith("portal-") and made.suffix == ".sqlite3"
    assert backups.inspect(made).revision in schema.head_revisions()


def test_an_existing_file_is_never_overwritten(file_portal: Flask, tmp_path: Path) -> None:
    target = tmp_path / "there.sqlite3"
    target.write_bytes(b"keep me")
    result = file_portal.test_cli_runner().invoke(args=["db", "backup", str(target)])
    assert result.exit_code == 1
    assert "already exists; choose a new name" in result.output
    assert target.read_bytes() == b"keep me"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a database" * 100, "is not an SQLite database"),
        (None, "is not a portal database"),
    ],
)
def test_a_file_that_is_not_a_portal_backup_is_refused_and_nothing_changes(
    file_portal: Flask, tmp_path: Path, content: bytes | None, message: str
) -> None:
    _add(file_portal, "amina@example.org")
    source = tmp_path / "wrong.sqlite3"
    if content is None:
        with sqlite3.connect(source) as other:
            other.execute("CREATE TABLE notes (text TEXT)")
    else:
        source.write_bytes(content)
    result = file_portal.test_cli_runner().invoke(args=["db", "restore", str(source), "--yes"])
    assert result.exit_code == 1
    assert message in result.output
    assert _emails(file_portal) == ["amina@example.org"]


def test_a_restore_asks_first_and_a_no_changes_nothing(file_portal: Flask, tmp_path: Path) -> None:
    runner = file_portal.test_cli_runner()
    target = tmp_path / "saved.sqlite3"
    runner.invoke(args=["db", "backup", str(target)])
    _add(file_portal, "carla@example.org")
    result = runner.invoke(args=["db", "restore", str(target)], input="n\n")
    assert result.exit_code == 1 and "Go on?" in result.output
    assert _emails(file_portal) == ["carla@example.org"]


def test_an_interrupted_backup_leaves_no_file(file_portal: Flask, tmp_path: Path) -> None:
    target = tmp_path / "cut.sqlite3"

    def power_cut(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backups.backup(_database(file_portal), target, power_cut)
    assert list(tmp_path.glob("*cut.sqlite3*")) == []


def test_postgresql_is_pointed_at_pg_dump(tmp_path: Path) -> None:
    app = create_app(
        test_config("postgresql+psycopg://nobody@127.0.0.1:1/none"),
        instance_path=str(tmp_path / "instance"),
    )
    runner: FlaskCliRunner = app.test_cli_runner()
    for command in (["db", "backup"], ["db", "restore", "x.sqlite3", "--yes"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 1
        assert "On PostgreSQL use pg_dump and pg_restore" in result.output
