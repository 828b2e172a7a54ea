"""Names of the languages taxonomy labels come in, for the page's reader."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale


@dataclass(frozen=True, slots=True)
class LanguageName:
    code: str
    name: str  # in the page's language ("Arabic")
    native: str  # in the language itself ("العربية"); empty when the same or unknown


def page_language() -> str:
    """The page's language code ("en"), as the taxonomy's labels are tagged."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def language_name(code: str) -> LanguageName:
    return _language_name(code, page_language())


@lru_cache(maxsize=512)
def _language_name(code: str, page_lang: str) -> LanguageName:
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return LanguageName(code, code, "")
    name = locale.get_display_name(page_lang) or code
    native = locale.display_name or ""
    return LanguageName(code, name, "" if native.casefold() == name.casefold() else native)
