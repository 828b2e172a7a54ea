"""Words for people that the pure core writes without knowing which language they will be read in.

The core (imports, reporting) cannot ask Flask-Babel for the reader's language. It writes a
`Message`: the English template, marked for the catalogues, with its parameters kept apart.
Services and pages translate it (`portal.services.translation.translate`); `str()` of it is the
English, for logs, tests and anything that has no reader's language.

    Message(N_("“%(text)s” is not a whole number"), {"text": text})
    lazy_ngettext("%(num)d row", "%(num)d rows", count)

Parameters are data (what a person typed, a number, a column name) and never become part of a
msgid; a parameter may itself be a Message, translated with the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeAlias


def N_(message: str) -> str:
    """Mark `message` for the catalogues without translating it (it is translated later)."""
    return message


def pN_(context: str, message: str) -> str:
    """`N_` for a word whose English has other meanings elsewhere ("offered" as a table column
    and as a placement's state): `context` tells translators, and `Message.context` must be
    the same for the translation to be found."""
    return message


@dataclass(frozen=True, slots=True)
class Message:
    """An English template (a msgid) and its parameters, translated where it is shown.

    With `plural`, the template is the singular and `params["num"]` chooses the form; with
    `context`, the template was marked with `pN_` and that context.
    """

    template: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)
    plural: str | None = None
    context: str | None = None

    def __str__(self) -> str:
        template = self.template
        if self.plural is not None and self.params.get("num") != 1:
            template = self.plural
        if not self.params:  # as gettext: a template without parameters is not %-formatted
            return template
        return template % {name: _english(value) for name, value in self.params.items()}


@dataclass(frozen=True, slots=True)
class Number:
    """A number in a message, written as the reader's language writes numbers ("10,000" in
    English is "10 000" in French and "10.000" elsewhere; a bare "10,000" would read as ten)."""

    value: int | float
    decimals: int = 0

    def __str__(self) -> str:
        return f"{self.value:,.{self.decimals}f}"


Text: TypeAlias = str | Message
"""Text for a person: a str is already in their language (or is data, such as a name); a
Message is English still to translate."""

Translate: TypeAlias = Callable[[Text], str]
"""What writers of files and charts are given to put text in the reader's language; `str`, their
default, gives the English."""


def lazy_ngettext(singular: str, plural: str, num: int, **params: object) -> Message:
    """A message with plural forms, translated later: `num` chooses the form and fills
    %(num)d. Named like Flask-Babel's lazy_ngettext so that the catalogues take both forms."""
    return Message(singular, {**params, "num": num}, plural)


def _english(value: object) -> object:
    return str(value) if isinstance(value, Message | Number) else value
