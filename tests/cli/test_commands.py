"""The `portal` command, run through Flask's CLI runner on the test database."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Organisation, OutboxMessage, Role, User
from tests.conftest import PASSWORD, Factory


def test_create_admin_reads_the_password_from_standard_input(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(
        args=["users", "create-admin", "Chief@Example.org", "--name", "Chief"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    admin = session.scalars(select(User)).one()
    assert (admin.email, admin.role, admin.full_name) == ("chief@example.org", Role.ADMIN, "Chief")
    assert admin.password_hash.startswith("$argon2id$")


def test_create_admin_refuses_a_weak_password_with_a_message(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=["users", "create-admin", "a@example.org"], input="123456\n")
    assert result.exit_code == 1
    assert "Error: password:" in result.output
    assert "Traceback" not in result.output
    assert session.scalars(select(User)).all() == []


def test_orgs_create_makes_a_verified_employer(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(args=["orgs", "create", "--kind", "employer", "Big Barn", "--verified"])
    assert result.exit_code == 0, result.output
    organisation = session.scalars(select(Organisation)).one()
    assert organisation.name == "Big Barn" and organisation.is_verified


def test_orgs_create_refuses_an_unknown_kind(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["orgs", "create", "--kind", "farm", "Big Barn"])
    assert result.exit_code == 2
    assert "'farm' is not one of" in result.output


def test_demo_creates_one_account_per_role_once_and_prints_the_logins(
    runner: FlaskCliRunner, session: Session, app: Flask
) -> None:
    app.config["ENV"] = "development"
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    users = session.scalars(select(User)).all()
    assert sorted(user.role.value for user in users) == sorted(role.value for role in Role)
    for user in users:
        assert user.email in first.output
    assert first.output == second.output  # the same logins, nothing created twice
    credentials = Path(app.instance_path) / "demo-accounts.txt"
    assert credentials.stat().st_mode & 0o077 == 0


def test_demo_refuses_to_run_in_production(runner: FlaskCliRunner, app: Flask) -> None:
    app.config["ENV"] = "production"
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "for development" in result.output


def test_the_demo_passwords_printed_are_the_ones_that_work(
    runner: FlaskCliRunner, app: Flask
) -> None:
    from tests.conftest import WebClient

    app.config["ENV"] = "development"
    output = runner.invoke(args=["demo"]).output
    line = next(line for line in output.splitlines() if line.startswith("admin"))
    _, email, password = line.split()
    web = WebClient(app.test_client())
    web.login(email, password)
    assert web.get("/admin/").status_code == 200


def test_db_current_says_the_database_is_up_to_date(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["db", "current"])
    assert result.exit_code == 0
    assert "(up to date)" in result.output


def test_outbox_send_delivers_waiting_messages(
    runner: FlaskCliRunner, session: Session, make: Factory
) -> None:
    session.add(OutboxMessage(recipient="a@example.org", subject="Hello", body="Body"))
    session.commit()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert "Sent 1 message(s); 0 still waiting." in result.output


def test_add_member_gives_an_employer_a_second_user(
    runner: FlaskCliRunner, session: Session, make: Factory
) -> None:
    from portal.models import OrganisationKind

    organisation = make.organisation(OrganisationKind.EMPLOYER)
    result = runner.invoke(
        args=[
            "users",
            "add-member",
            "second@example.org",
            "--kind",
            "employer",
            "--org",
            organisation.name,
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    member = session.scalars(select(User).where(User.email == "second@example.org")).one()
    assert (member.role, member.organisation_id) == (Role.EMPLOYER, organisation.id)
    unknown = runner.invoke(
        args=["users", "add-member", "third@example.org", "--kind", "employer", "--org", "Nope"],
        input=PASSWORD + "\n",
    )
    assert unknown.exit_code == 1 and "There is no employer called 'Nope'" in unknown.output


def test_demo_seeds_a_small_market_once_and_matches_it(
    runner: FlaskCliRunner, session: Session, app: Flask
) -> None:
    from portal.models import Placement, Vacancy, Worker

    app.config["ENV"] = "development"
    assert runner.invoke(args=["taxonomy", "load-builtin"]).exit_code == 0
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    assert "Demo market: 6 open vacancies, 36 workers" in first.output
    assert "Demo market" not in second.output  # seeded once
    assert len(session.scalars(select(Vacancy)).all()) == 6
    assert len(session.scalars(select(Worker)).all()) == 36
    assert session.scalars(select(Placement)).all()  # the round proposed someone
