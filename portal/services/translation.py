"""The core's messages in the reader's language: where a `Message` from portal/imports or
portal/reporting meets Flask-Babel (the request's locale, or the one `force_locale` sets).

Outside an application context Flask-Babel has no catalogue and gives the English back.
"""

from __future__ import annotations

from collections.abc import Iterable

from babel.numbers import format_decimal
from flask_babel import get_locale, gettext, ngettext, npgettext, pgettext

from portal.text import Message, Number, Text


def translate(text: Text) -> str:
    """`text` in the current locale: a Message translated, then filled in (its Message
    parameters translated too); a str as it is, since it is already in the reader's language."""
    if isinstance(text, str):
        return text
    params = {name: _translated(value) for name, value in text.params.items()}
    if text.plural is not None:
        num = params.pop("num")
        if text.context is not None:
            return npgettext(text.context, text.template, text.plural, num, **params)
        return ngettext(text.template, text.plural, num, **params)
    if text.context is not None:
        return pgettext(text.context, text.template, **params)
    return gettext(text.template, **params)


def translate_sentences(sentences: Iterable[Text]) -> str:
    """Sentences translated one by one and joined, as a problem with a file is told."""
    return " ".join(translate(sentence) for sentence in sentences)


def number(value: Number) -> str:
    """A number as the current locale writes it (English outside a request or a --lang)."""
    pattern = "#,##0" + ("." + "0" * value.decimals if value.decimals else "")
    return format_decimal(value.value, format=pattern, locale=get_locale() or "en")


def _translated(value: object) -> object:
    if isinstance(value, Message):
        return translate(value)
    if isinstance(value, Number):
        return number(value)
    return value
