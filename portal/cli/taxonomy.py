"""`portal taxonomy ...`: load the shipped taxonomy or the official ESCO zips, switch the active
version, and try the suggestions from a terminal or over a file of phrases."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Literal

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from portal.db import current_database
from portal.errors import DomainError
from portal.models import ConceptKind, TaxonomyVersion
from portal.services import taxonomy as taxonomies
from portal.services.taxonomy import ActivationReport, StoreResult, Suggestion
from portal.taxonomy.model import Taxonomy, TaxonomyFileError

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

NO_ACTIVE_TAXONOMY = (
    "No taxonomy is active: load one with `portal taxonomy load-builtin` "
    "(or activate one that `portal taxonomy list` shows with `portal taxonomy activate NAME`)."
)
KIND_NAMES = (  # (attribute of Taxonomy, concept kind, words for it), in display order
    ("occupations", ConceptKind.OCCUPATION, "occupations"),
    ("skills", ConceptKind.SKILL, "skills"),
    ("skill_groups", ConceptKind.SKILL_GROUP, "skill groups"),
    ("isco_groups", ConceptKind.ISCO_GROUP, "ISCO groups"),
)

activate_option = click.option(
    "--activate/--no-activate",
    default=None,
    help="Make it the active taxonomy, or never; by default only if none is active yet.",
)


@click.group()
def taxonomy() -> None:
    """Load taxonomies, choose the active one, and try its suggestions."""


# --- loading ----------------------------------------------------------------------------------


@taxonomy.command("load-builtin")
@activate_option
@with_appcontext
def load_builtin(activate: bool | None) -> None:
    """Store the taxonomy shipped with the portal.

    Its files are in taxonomies/essential-work; loading them again changes nothing.
    """
    from portal.taxonomy.loaders.authored import BUILTIN_TAXONOMY_DIR, load_authored

    try:
        loaded = load_authored(BUILTIN_TAXONOMY_DIR)
    except TaxonomyFileError as error:
        raise click.ClickException(str(error)) from None
    content_hash = taxonomies.files_hash(_files_under(BUILTIN_TAXONOMY_DIR))
    with current_database().session_scope() as session:
        result = taxonomies.store_taxonomy(
            session, loaded, content_hash=content_hash, activate_if_none=activate is not False
        )
        _echo_stored(loaded, result)
        _echo_active(session, result, activate)


@taxonomy.command("import-esco")
@click.argument("classification_zip", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("relations_zip", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@activate_option
@with_appcontext
def import_esco(classification_zip: Path, relations_zip: Path, activate: bool | None) -> None:
    """Import ESCO from its official CSV zips.

    CLASSIFICATION_ZIP holds the concepts in one language, RELATIONS_ZIP the relations. Importing
    the same zips again changes nothing; nothing is stored if a file is damaged.
    """
    from portal.taxonomy.loaders.esco import read_esco

    started = time.perf_counter()
    try:
        with ProgressBars("Reading the zips:", file_name_only=True) as bars:
            esco = read_esco(classification_zip, relations_zip, progress=bars)
    except TaxonomyFileError as error:
        raise click.ClickException(f"{error} (nothing was stored)") from None
    read_seconds = time.perf_counter() - started
    content_hash = taxonomies.files_hash([classification_zip, relations_zip])
    with current_database().session_scope() as session:
        started = time.perf_counter()
        with ProgressBars("Storing:") as bars:
            result = taxonomies.store_taxonomy(
                session,
                esco,
                content_hash=content_hash,
                activate_if_none=activate is not False,
                progress=bars,
            )
        store_seconds = time.perf_counter() - started
        click.echo(f"Read {esco.name} in {read_seconds:.1f} s.")
        _echo_stored(esco, result, seconds=store_seconds)
        _echo_active(session, result, activate)


def _files_under(directory: Path) -> list[Path]:
    return [
        path for path in directory.rglob("*") if path.is_file() and not path.name.startswith(".")
    ]


class ProgressBars:
    """A progress callback that shows one bar per file or table, on standard error.

    Reports come as (label, done, total); a new label closes the previous bar and opens its own.
    The heading comes before the first bar (and not at all when nothing is reported).
    """

    def __init__(self, heading: str, *, file_name_only: bool = False) -> None:
        self.heading = heading
        self.file_name_only = file_name_only
        self._label: str | None = None
        self._open = ExitStack()
        self._bar: ProgressBar[int] | None = None

    def __call__(self, label: str, done: int, total: int) -> None:
        if self._bar is None or label != self._label:
            if self._label is None:
                click.echo(self.heading, err=True)
            self.close()
            self._label = label
            name = label.rpartition(":")[2] if self.file_name_only else label
            self._bar = self._open.enter_context(
                click.progressbar(
                    length=max(total, 1),
                    label=f"  {name:<36}" if sys.stderr.isatty() else f"  {name}",
                    file=sys.stderr,
                )
            )
        self._bar.update(max(0, min(done, total) - self._bar.pos))

    def close(self) -> None:
        self._open.close()
        self._bar = None

    def __enter__(self) -> ProgressBars:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()


def _echo_stored(loaded: Taxonomy, result: StoreResult, *, seconds: float | None = None) -> None:
    if result.outcome == "unchanged":
        click.echo(
            f"{_quoted(result.name)} is unchanged: the same files are already stored "
            f"(id {result.version_id})."
        )
    else:
        took = f" in {seconds:.1f} s" if seconds is not None else ""
        click.echo(
            f"Stored {_quoted(result.name)} (id {result.version_id}){took}: {result.outcome}."
        )
    counts = [(words, len(getattr(loaded, attribute))) for attribute, _, words in KIND_NAMES]
    counts += [(what, count) for what, count in result.counts.items() if what != "concepts"]
    width = max(len(what) for what, _ in counts)
    for what, count in counts:
        click.echo(f"  {what:<{width}}  {count:>9,}")


def _echo_active(session: Session, result: StoreResult, activate: bool | None) -> None:
    version = session.get_one(TaxonomyVersion, result.version_id)
    if activate and not version.is_active:
        _echo_activation(taxonomies.activate(session, version))
    elif version.is_active:
        click.echo(f"{_quoted(version.name)} is the active taxonomy.")
    else:
        click.echo(
            f"{_quoted(version.name)} is not active; "
            f"`portal taxonomy activate {_quoted(version.name)}` makes it so."
        )


def _quoted(name: str) -> str:
    return f'"{name}"'


# --- versions ---------------------------------------------------------------------------------


@taxonomy.command("list")
@with_appcontext
def list_versions() -> None:
    """Show the stored versions; * marks the active one."""
    with current_database().session_scope() as session:
        versions = taxonomies.list_versions(session)
        if not versions:
            click.echo("No taxonomy is stored yet: load one with `portal taxonomy load-builtin`.")
            return
        counts = taxonomies.concept_counts(session)
        header = ["", "id", "name", "languages", "imported (UTC)"]
        header += [words for _, _, words in KIND_NAMES]
        rows = [
            [
                "*" if version.is_active else "",
                str(version.id),
                version.name,
                ",".join(version.language_list),
                f"{version.imported_at:%Y-%m-%d %H:%M}",
                *(f"{counts.get((version.id, kind), 0):,}" for _, kind, _ in KIND_NAMES),
            ]
            for version in versions
        ]
        for line in _table(header, rows, right_aligned=range(5, len(header))):
            click.echo(line)
        if not any(version.is_active for version in versions):
            click.echo("None is active: `portal taxonomy activate NAME` chooses one.")


def _table(header: list[str], rows: list[list[str]], *, right_aligned: range) -> Iterator[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [
            cell.rjust(width) if i in right_aligned else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        yield "  ".join(cells).rstrip()


@taxonomy.command("activate")
@click.argument("name_or_id")
@with_appcontext
def activate_version(name_or_id: str) -> None:
    """Make a stored version the active one.

    NAME_OR_ID is the version's name or its id, as `portal taxonomy list` shows them.
    """
    with current_database().session_scope() as session:
        try:
            version = taxonomies.find_version(session, name_or_id)
        except DomainError as error:
            raise click.ClickException(error.message) from None
        _echo_activation(taxonomies.activate(session, version))


def _echo_activation(report: ActivationReport) -> None:
    click.echo(f"{_quoted(report.name)} (id {report.version_id}) is now the active taxonomy.")
    click.echo(f"{report.learned_labels_mapped:,} learned label(s) carried over.")
    if report.learned_labels_unmapped:
        click.echo(
            f"{len(report.learned_labels_unmapped):,} learned label(s) name a concept this "
            "version lacks (kept, in case another version comes back):"
        )
        for line in report.learned_labels_unmapped:
            click.echo(f"  {line}")
    click.echo(
        f"{report.references_remapped:,} skill(s) and occupation(s) of workers were mapped "
        "again from their words."
    )
    if report.references_unmapped:
        click.echo(
            f"{len(report.references_unmapped):,} phrase(s) match nothing in this version; "
            "the words are kept and listed for review:"
        )
        for words in report.references_unmapped:
            click.echo(f"  {words}")


# --- suggestions ------------------------------------------------------------------------------


@taxonomy.command("suggest")
@click.argument("text", required=False)
@click.option(
    "--batch",
    type=click.File("r", encoding="utf-8-sig"),
    metavar="FILE",
    help="Read phrases from FILE, one a line ('-' for standard input), instead of TEXT.",
)
@click.option("--lang", default="en", show_default=True, help="The language of the words.")
@click.option(
    "--limit",
    type=click.IntRange(1, taxonomies.SUGGEST_LIMIT_MAX),
    default=5,
    show_default=True,
    help="Candidates per phrase.",
)
@click.option("--occupations", is_flag=True, help="Suggest occupations instead of skills.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "jsonl"]),
    default="text",
    show_default=True,
    help="Ranked lists for people, or one JSON object a line for programs.",
)
@with_appcontext
def suggest(
    text: str | None,
    batch: IO[str] | None,
    lang: str,
    limit: int,
    occupations: bool,
    output_format: Literal["text", "jsonl"],
) -> None:
    """Suggest skills or occupations for some words.

    Ranks the active taxonomy's skills (or occupations) for TEXT, or for each line of --batch
    FILE, best first.
    """
    if (text is None) == (batch is None):
        raise click.UsageError("Give either TEXT or --batch FILE (one of them, not both).")
    phrases = [text] if text is not None else [line.rstrip("\r\n") for line in batch or ()]
    kind = ConceptKind.OCCUPATION if occupations else ConceptKind.SKILL
    with current_database().session_scope() as session:
        if taxonomies.active_version(session) is None:
            raise click.ClickException(NO_ACTIVE_TAXONOMY)
        if text is not None:
            results = [taxonomies.suggest(session, kind, text, lang=lang, limit=limit)]
        else:
            results = taxonomies.suggest_many(session, kind, phrases, lang=lang, limit=limit)
    for phrase, suggestions in zip(phrases, results, strict=True):
        if output_format == "jsonl":
            click.echo(_json_line(phrase, suggestions))
        else:
            _echo_ranked(phrase, suggestions, heading=batch is not None)


def _json_line(phrase: str, suggestions: list[Suggestion]) -> str:
    candidates = [
        {"uri": found.uri, "label": found.preferred_label, "score": found.score}
        for found in suggestions
    ]
    return json.dumps({"q": phrase, "candidates": candidates}, ensure_ascii=False)


def _echo_ranked(phrase: str, suggestions: list[Suggestion], *, heading: bool) -> None:
    if heading:
        click.echo(f"{phrase}:")
    indent = "  " if heading else ""
    if not suggestions:
        click.echo(f"{indent}No match.")
        return
    for rank, found in enumerate(suggestions, start=1):
        matched = "" if found.label == found.preferred_label else f' (matched "{found.label}")'
        click.echo(
            f"{indent}{rank}. {found.score:5.1f}  {found.preferred_label}{matched}"
            f"  [{found.lang}]  {found.uri}"
        )
