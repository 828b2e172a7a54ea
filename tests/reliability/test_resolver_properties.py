"""Property tests of the fuzzy resolver on the shipped taxonomy: any text at all (any script,
right-to-left marks, combining characters, lone surrogates) gets an answer and no exception;
answers are sorted, scored within 0-100, no longer than asked, one per concept and the same every
time; and a concept is found from its own label when people change its case, accents, or make
one typo."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.taxonomy.loaders.authored import BUILTIN_TAXONOMY_DIR, load_authored
from portal.taxonomy.model import LabelKind
from portal.taxonomy.resolve import DEFAULT_CUTOFF, Resolver, entries_from_taxonomy, normalise
from tests.reliability.conftest import RELIABILITY, examples

SPECIAL = (
    "\u200f",
    "\u202e",
    "\u0301",
    "\u0308",
    "\u064b",
    "\u0640",
    "\ufeff",
    "\u00a0",
    "ʼ",
    "+",
    "#",
    "'",
    "-",
    "ß",
    "İ",
    "ﬁ",
    "й",
    "fork",
    "lift",
    "driver",
    "погрузчик",
    "رافعة",
    " ",
)
any_text = st.lists(
    st.one_of(
        st.characters(),
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # lone surrogates
        st.sampled_from(SPECIAL),
    ),
    max_size=40,
).map("".join)
languages = st.sampled_from([None, "en", "fr", "ru", "uk", "ar", "xx"])


@cache
def _resolvers() -> tuple[Resolver, Resolver, list[tuple[str, str, str]]]:
    """The skills' and the occupations' resolvers of the shipped taxonomy, and its
    preferred labels as (kind, uri, text)."""
    taxonomy = load_authored(BUILTIN_TAXONOMY_DIR)
    labels = [
        (kind, concept.uri, label.text)
        for kind, concepts in (("skill", taxonomy.skills), ("occupation", taxonomy.occupations))
        for concept in concepts
        for label in concept.labels
        if label.kind is LabelKind.PREFERRED
    ]
    return (
        Resolver.build(entries_from_taxonomy(taxonomy)),
        Resolver.build(entries_from_taxonomy(taxonomy, occupations=True)),
        labels,
    )


def _resolver(kind: str) -> Resolver:
    skills, occupations, _labels = _resolvers()
    return skills if kind == "skill" else occupations


@pytest.fixture(params=["skill", "occupation"])
def resolver(request: pytest.FixtureRequest) -> Resolver:
    return _resolver(request.param)


@settings(RELIABILITY, max_examples=examples(300))
@given(text=any_text)
def test_normalising_any_text_never_fails_and_normalising_again_changes_nothing(
    text: str,
) -> None:
    normalised = normalise(text)
    assert normalise(normalised) == normalised
    assert normalised == " ".join(normalised.split())
    assert normalised == normalised.casefold()


@settings(RELIABILITY, max_examples=examples(150))
@given(text=any_text, lang=languages, limit=st.integers(-2, 12))
def test_any_text_gets_sorted_scored_answers_within_the_limit(
    resolver: Resolver, text: str, lang: str | None, limit: int
) -> None:
    found = resolver.suggest(text, lang=lang, limit=limit)
    assert len(found) <= max(0, limit)
    scores = [candidate.score for candidate in found]
    assert scores == sorted(scores, reverse=True)
    assert all(DEFAULT_CUTOFF <= score <= 100 for score in scores)
    assert len({candidate.uri for candidate in found}) == len(found)
    assert resolver.suggest(text, lang=lang, limit=limit) == found  # the same every time


@settings(RELIABILITY, max_examples=examples(40))
@given(texts=st.lists(st.one_of(any_text, st.sampled_from(SPECIAL)), max_size=8))
def test_a_batch_answers_each_text_as_one_query_would(resolver: Resolver, texts: list[str]) -> None:
    assert resolver.suggest_many(texts, limit=3) == [
        resolver.suggest(text, limit=3) for text in texts
    ]


ACCENTED = {"a": "á", "e": "é", "i": "ï", "o": "ô", "u": "ü", "c": "ç", "n": "ñ"}
TYPO_LETTERS = "xqzkv"


@st.composite
def own_labels(draw: st.DrawFn, *, typo: bool) -> tuple[str, str, str, str]:
    """(kind, uri, label, the label as someone typed it): case changed anywhere, accents added
    on Latin letters and, with `typo`, one letter substituted, dropped, added or swapped."""
    _skills, _occupations, labels = _resolvers()
    kind, uri, text = draw(st.sampled_from(labels))
    chars = [char.upper() if draw(st.booleans()) else char for char in text]
    chars = [
        ACCENTED[char.lower()]
        if char.lower() in ACCENTED and draw(st.integers(0, 4)) == 0
        else char
        for char in chars
    ]
    letters = [index for index, char in enumerate(chars) if char.isalpha()]
    if typo and len(letters) > 3:
        index = draw(st.sampled_from(letters[:-1]))
        match draw(st.sampled_from(["substitute", "drop", "add", "swap"])):
            case "substitute":
                chars[index] = draw(st.sampled_from(TYPO_LETTERS))
            case "drop":
                del chars[index]
            case "add":
                chars.insert(index, draw(st.sampled_from(TYPO_LETTERS)))
            case _:
                chars[index], chars[index + 1] = chars[index + 1], chars[index]
    return kind, uri, text, "".join(chars)


@settings(RELIABILITY, max_examples=examples(150))
@given(case=own_labels(typo=False))
def test_a_concept_is_found_from_its_own_label_in_any_case_and_with_accents(
    case: tuple[str, str, str, str],
) -> None:
    kind, uri, _label, typed = case
    found = _resolver(kind).suggest(typed, limit=10)
    assert found, typed
    best = [candidate.uri for candidate in found if candidate.score == found[0].score]
    assert uri in best, (typed, found[:3])  # several concepts may share a label exactly


@settings(RELIABILITY, max_examples=examples(150))
@given(case=own_labels(typo=True))
def test_a_concept_is_found_first_from_its_own_label_with_one_typo(
    case: tuple[str, str, str, str],
) -> None:
    kind, uri, label, typed = case
    found = _resolver(kind).suggest(typed, limit=5)
    assert found and found[0].uri == uri, (label, typed, found[:3])
