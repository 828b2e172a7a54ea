"""`portal regions add` and `portal regions list`, and the regions the demo seeds."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Region
from portal.services.demo import DEMO_REGIONS


def _names(session: Session) -> list[str]:
    return list(session.scalars(select(Region.name).order_by(Region.name)))


def test_add_stores_each_new_name_once(runner: FlaskCliRunner, session: Session) -> None:
    first = runner.invoke(args=["regions", "add", "North", "Capital  Region"])
    second = runner.invoke(args=["regions", "add", "north", "South"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "Added Capital Region" in first.output
    assert "Added South" in second.output and "1 already known" in second.output
    assert _names(session) == ["Capital Region", "North", "South"]


def test_add_refuses_an_over_long_name_and_adds_none_of_the_batch(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=["regions", "add", "East", "x" * 101])
    assert result.exit_code == 1
    assert "Error: name: A region name has at most 100 characters." in result.output
    assert "Traceback" not in result.output
    assert _names(session) == []


def test_add_needs_a_name(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["regions", "add"])
    assert result.exit_code == 2
    assert "Missing argument" in result.output


def test_list_prints_the_names_in_order(runner: FlaskCliRunner) -> None:
    assert "No regions yet" in runner.invoke(args=["regions", "list"]).output
    runner.invoke(args=["regions", "add", "West", "East"])
    result = runner.invoke(args=["regions", "list"])
    assert result.exit_code == 0
    assert result.output.splitlines() == ["East", "West"]


def test_the_demo_seeds_its_regions_once(
    runner: FlaskCliRunner, session: Session, app: Flask
) -> None:
    app.config["ENV"] = "development"
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert _names(session) == sorted(DEMO_REGIONS)
