"""What the `workers import` and `vacancies import` commands share: finding the organisation a
file is for, refusing an unusable file, and printing the counts and the rejected lines, in the
portal's default language (the problems are already in it: the services translate them)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path

import click
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.imports.tabular import RowProblem, TableProblem
from portal.models import Organisation, OrganisationKind
from portal.services.translation import number, translate_sentences
from portal.text import Number


def find_organisation(session: Session, name: str, kind: OrganisationKind) -> Organisation:
    """The organisation of `kind` called `name` (any case) or with that id; else a ClickException
    naming the closest names."""
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
            _(
                "Several labour providers are called %(name)s (ids %(ids)s); give the id instead.",
                name=repr(name),
                ids=ids,
            )
            if kind is OrganisationKind.PROVIDER
            else _(
                "Several employers are called %(name)s (ids %(ids)s); give the id instead.",
                name=repr(name),
                ids=ids,
            )
        )
    names = list(session.scalars(of_kind.with_only_columns(Organisation.name)))
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    missing = (
        _("There is no labour provider called %(name)s.", name=repr(name))
        if kind is OrganisationKind.PROVIDER
        else _("There is no employer called %(name)s.", name=repr(name))
    )
    if close:
        missing += " " + _("Did you mean: %(names)s?", names=", ".join(close))
    raise click.ClickException(missing)


def unusable_file(file: Path, problem: TableProblem) -> click.ClickException:
    """The refusal of a file that cannot be read at all, saying why and that nothing changed."""
    return click.ClickException(
        _(
            "%(file)s: %(problem)s Nothing was stored.",
            file=file.name,
            problem=translate_sentences(problem.sentences),
        )
    )


def echo_counts(counts: list[tuple[str, int]]) -> None:
    width = max(len(label) for label, _count in counts)
    for label, count in counts:
        click.echo(f"  {label:<{width}}  {count:>7,}")


def echo_timing(rows: int, seconds: float) -> None:
    """How many rows were read and how long it took, in the CLI's language."""
    click.echo(
        "  "
        + ngettext(
            "(%(rows)s row in %(seconds)s s)",
            "(%(rows)s rows in %(seconds)s s)",
            rows,
            rows=number(Number(rows)),
            seconds=number(Number(seconds, decimals=1)),
        )
    )


def echo_problems(heading: str, problems: Iterable[RowProblem]) -> None:
    problems = list(problems)
    if not problems:
        return
    click.echo(heading)
    for problem in problems:
        where = (
            _(
                "line %(line)s, %(column)s “%(value)s”",
                line=problem.line,
                column=problem.column,
                value=printable(problem.value),
            )
            if problem.value
            else _("line %(line)s, %(column)s", line=problem.line, column=problem.column)
        )
        click.echo(f"  {where}: {problem.message}")


def printable(value: str, limit: int = 60) -> str:
    value = re.sub(r"[\x00-\x1f\x7f]", "\ufffd", value)
    return value if len(value) <= limit else value[: limit - 1] + "…"
