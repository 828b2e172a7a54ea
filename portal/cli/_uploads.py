"""What the `workers import` and `vacancies import` commands share: finding the organisation a
file is for, and printing the rejected lines."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

import click
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.imports.tabular import RowProblem
from portal.models import Organisation, OrganisationKind

KIND_NAMES = {OrganisationKind.PROVIDER: "labour provider", OrganisationKind.EMPLOYER: "employer"}


def find_organisation(session: Session, name: str, kind: OrganisationKind) -> Organisation:
    """The organisation of `kind` called `name` (any case) or with that id; else a ClickException
    naming the closest names."""
    what = KIND_NAMES.get(kind, kind.value)
    of_kind = select(Organisation).where(Organisation.kind == kind)
    found = list(
        session.scalars(of_kind.where(func.lower(Organisation.name) == name.strip().lower()))
    )
    if not found and name.strip().isdigit():
        found = list(session.scalars(of_kind.where(Organisation.id == int(name))))
    if len(found) == 1:
        return found[0]
    if found:
        ids = ", ".join(str(organisation.id) for organisation in found)
        raise click.ClickException(
            f"Several {what}s are called {name!r} (ids {ids}); give the id instead."
        )
    names = list(session.scalars(of_kind.with_only_columns(Organisation.name)))
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise click.ClickException(f"There is no {what} called {name!r}.{hint}")


def echo_counts(counts: list[tuple[str, int]]) -> None:
    width = max(len(label) for label, _count in counts)
    for label, count in counts:
        click.echo(f"  {label:<{width}}  {count:>7,}")


def echo_problems(heading: str, problems: Iterable[RowProblem]) -> None:
    problems = list(problems)
    if not problems:
        return
    click.echo(heading)
    for problem in problems:
        value = f" “{printable(problem.value)}”" if problem.value else ""
        click.echo(f"  line {problem.line}, {problem.column}{value}: {problem.message}")


def printable(value: str, limit: int = 60) -> str:
    value = re.sub(r"[\x00-\x1f\x7f]", "\ufffd", value)
    return value if len(value) <= limit else value[: limit - 1] + "…"
