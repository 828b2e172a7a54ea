"""The translation catalogues: extract, update, compile, and the check CI runs.

    python -m portal.catalogues update    # after changing text: new messages into every .po
    python -m portal.catalogues compile [PO...]  # .po -> .mo (make run and make test do this)
    python -m portal.catalogues check     # exit 1 listing every problem

The check fails on a message the code or a template uses that a catalogue lacks, leaves empty
or marks fuzzy; on a translation whose placeholders differ from the English; and on template
text (or a title, alt, placeholder or aria-label) shown to users without being marked for
translation. Pure Python and Babel: it runs without the app or a database.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from jinja2 import Environment

REPOSITORY = Path(__file__).resolve().parent.parent
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
MAPPING = TRANSLATIONS / "babel.cfg"
TEMPLATES = REPOSITORY / "templates"

KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "pN_": ((1, "c"), 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
}
"""The functions whose first argument (and plural) is a message, in Python and templates."""

PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdifr]|%[sdif]")
LETTER = re.compile(r"[^\W\d_]")
SHOWN_ATTRIBUTES = frozenset({"title", "alt", "placeholder", "aria-label", "aria-description"})
NOT_WORDS = frozenset({"UTC"})
"""Template text that is the same in every language."""


def languages() -> list[str]:
    return sorted(path.name for path in TRANSLATIONS.iterdir() if (path / "LC_MESSAGES").is_dir())


def _po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def _read(language: str) -> Catalog:
    with _po_path(language).open("rb") as file:
        return read_po(file, locale=language)


def extract() -> Catalog:
    """Every message the code and the templates use, with where each is used."""
    with MAPPING.open() as file:
        method_map, options_map = parse_mapping_cfg(file)
    template = Catalog(project="Skills portal", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        REPOSITORY, method_map, options_map, keywords=KEYWORDS
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def update() -> None:
    """Bring every catalogue in line with the code: new messages empty, changed ones fuzzy."""
    template = extract()
    for language in languages():
        catalogue = _read(language)
        catalogue.update(template)
        with _po_path(language).open("wb") as file:
            write_po(file, catalogue, width=0, ignore_obsolete=True)
        print(f"{language}: {_untranslated_count(catalogue)} to translate")


def compile_catalogues(paths: list[Path]) -> None:
    """A .mo beside each .po given, or beside every .po (not kept in git: `make` writes them)."""
    for path in paths or [_po_path(language) for language in languages()]:
        with path.open("rb") as file:
            catalogue = read_po(file)
        with path.with_suffix(".mo").open("wb") as file:
            write_mo(file, catalogue)


def _untranslated_count(catalogue: Catalog) -> int:
    return sum(1 for message in catalogue if message.id and not _translated(message))


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings) and not message.fuzzy


def _key(message: Message) -> str:
    """The msgid (the singular of a plural), after its context where it has one."""
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}|{msgid}" if message.context else msgid


def catalogue_problems() -> Iterator[str]:
    """Missing, empty, fuzzy and badly formatted translations in every catalogue, one line each."""
    used = {_key(message): message for message in extract() if message.id}
    for language in languages():
        yield from problems_of(language, _read(language), used)


def problems_of(language: str, catalogue: Catalog, used: dict[str, Message]) -> Iterator[str]:
    """What is wrong with one catalogue, given the messages in use (keyed by msgid)."""
    known = {_key(message): message for message in catalogue if message.id}
    for key in sorted(used.keys() - known.keys()):
        where = ", ".join(f"{file}:{line}" for file, line in used[key].locations[:2])
        yield f"{language}: not in the catalogue ({where}): {key!r}"
    for key in sorted(known.keys() - used.keys()):
        yield f"{language}: no longer used, remove it: {key!r}"
    for key, message in known.items():
        if key not in used:
            continue
        if message.fuzzy:
            yield f"{language}: fuzzy: {key!r}"
        elif not _translated(message):
            yield f"{language}: not translated: {key!r}"
        else:
            yield from _placeholder_problems(language, message)


def _placeholder_problems(language: str, message: Message) -> Iterator[str]:
    """A translation must use the English placeholders (plural forms may leave the number out)."""
    if isinstance(message.id, tuple):
        allowed = set(PLACEHOLDER.findall(message.id[0])) | set(PLACEHOLDER.findall(message.id[1]))
        for form in message.string:
            if extra := set(PLACEHOLDER.findall(form)) - allowed:
                yield f"{language}: unknown placeholder {sorted(extra)} in {message.id[0]!r}"
        return
    if sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string)):
        yield f"{language}: placeholders differ from the English in {message.id!r}"


class _ShownText(HTMLParser):
    """Text a user sees in template markup (outside Jinja tags), and its shown attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        values = dict(attrs)
        for name, value in attrs:
            shown = name in SHOWN_ATTRIBUTES or (
                tag == "input" and name == "value" and values.get("type") in ("submit", "button")
            )
            if shown and value:
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._check(data)

    def _check(self, text: str) -> None:
        for piece in text.split("\x00"):  # the text between two Jinja tags or expressions
            words = " ".join(piece.split())
            if LETTER.search(words) and words not in NOT_WORDS:
                self.found.append(words)


def unmarked_template_text(templates: Path = TEMPLATES) -> Iterator[str]:
    """ "file: text" for each piece of template text shown without a translation call."""
    environment = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)  # only lexes
    for path in sorted(templates.rglob("*.html")):
        # Jinja's own syntax (tags, expressions, comments) becomes a marker; the rest is markup
        markup = "".join(
            value if kind == "data" else "\x00"
            for _line, kind, value in environment.lex(path.read_text(encoding="utf-8"))
        )
        parser = _ShownText()
        parser.feed(markup)
        parser.close()
        for text in parser.found:
            yield f"{path.relative_to(templates.parent)}: {text[:80]!r}"


def check() -> list[str]:
    return [*catalogue_problems(), *unmarked_template_text()]


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "update":
        update()
    elif command == "compile":
        compile_catalogues([Path(path) for path in argv[2:]])
    elif command == "check":
        problems = check()
        for problem in problems:
            print(problem)
        print(f"{len(problems)} translation problems" if problems else "Catalogues complete.")
        return 1 if problems else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
