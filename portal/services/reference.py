"""Reference lists: countries (ISO 3166-1) and languages (ISO 639-1), named in any locale.

Babel carries the CLDR names, so a worker sees "Україна" or "سوريا" in their own language.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

# CLDR territory codes of two letters that are not ISO 3166-1 countries
_NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
)


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


@lru_cache(maxsize=16)
def countries(language: str = "en") -> tuple[tuple[str, str], ...]:
    """(code, name) of every country, sorted by name in `language`."""
    names = _locale(language).territories
    codes = [code for code in names if len(code) == 2 and code.isalpha()]
    pairs = [(code, names[code]) for code in codes if code not in _NOT_COUNTRIES]
    return tuple(sorted(pairs, key=lambda pair: pair[1].casefold()))


@lru_cache(maxsize=16)
def languages(language: str = "en") -> tuple[tuple[str, str], ...]:
    """(code, name) of every language with a two-letter code, sorted by name."""
    names = _locale(language).languages
    pairs = [(code, name) for code, name in names.items() if len(code) == 2 and code.isalpha()]
    return tuple(sorted(pairs, key=lambda pair: pair[1].casefold()))


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    return frozenset(code for code, _ in countries("en"))


@lru_cache(maxsize=1)
def language_codes() -> frozenset[str]:
    return frozenset(code for code, _ in languages("en"))


def country_name(code: str | None, language: str = "en") -> str:
    if not code:
        return ""
    return dict(countries(language)).get(code.upper(), code)


def language_name(code: str, language: str = "en") -> str:
    return dict(languages(language)).get(code.lower(), code)
