"""The fuzzy resolver: free text in any language → the taxonomy concepts it most likely names.

Pure Python (rapidfuzz for the string scorers); no Flask, no SQLAlchemy.

How a query is answered, without scanning every label:

1. Every label is normalised (`normalise`) and split into words. The index keeps, per distinct
   word, the set of normalised labels ("keys") that contain it, and a deletion dictionary of the
   vocabulary (each word and each word with one character deleted, as in SymSpell): a query word
   finds every vocabulary word within one insert/delete/substitute/transpose in a few dictionary
   look-ups. Words still unknown after that (two typos, an unfamiliar inflection) are looked up
   through a character-trigram index of the vocabulary (not of the labels). Adjacent query words
   are also tried glued together ("fork lfit" → "forklift").
2. The keys sharing words with the query are scored by an IDF-weighted soft word overlap (a Dice
   coefficient in which a misspelt word counts by its similarity). Rare words are processed
   first; very common words ("of", "and", "equipment") only add weight to keys already found,
   so a query touches a few thousand postings at most.
3. The best `_RERANK` keys are re-ranked with rapidfuzz's token scorers on the normalised text,
   blended with the overlap score, and folded into one candidate per concept. An exact normalised
   match of a learned label always ranks first; the user's language and preferred/alternative
   labels win ties by a small margin; hidden labels (misspellings, obsolete terms) lose them.
"""

from __future__ import annotations

import heapq
import math
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from portal.taxonomy.model import LabelKind, Taxonomy

__all__ = [
    "DEFAULT_CUTOFF",
    "Candidate",
    "LabelEntry",
    "Resolver",
    "entries_from_taxonomy",
    "normalise",
]

DEFAULT_CUTOFF = 60.0
"""Candidates scoring below this (0-100) are not returned: no answer beats a nonsense answer."""

# --- tuning -------------------------------------------------------------------------------------
_LANG_BONUS = 1.5  # a label in the user's language, at otherwise equal similarity
_HIDDEN_PENALTY = 1.0  # hidden labels are misspellings and obsolete terms
_BEST_INEXACT = 99.9  # only an exact normalised match scores 100
_RERANK = 40  # keys re-ranked with rapidfuzz per query
_SEED_POSTINGS = 3000  # postings read in full per query, rarest words first; then the
# commoner words only add weight to the best keys found so far
_KEEP_OVERLAP = 0.5  # keys matching less than this share of the best key's weight are dropped
_ALWAYS_POSTINGS = 200  # words on fewer keys than this are always read in full
_MAX_VARIANTS = 8  # vocabulary words tried per query word
_MAX_QUERY_WORDS = 24  # distinct words of a query that are looked at (labels are short)
_MIN_WORD_SIM = 0.6  # weakest word similarity (0-1) accepted as a variant
_MIN_INFLECTION_SIM = 0.8  # ... and for a word that is in the vocabulary itself ("fruits")
_MIN_INFLECTED_LEN = 4  # shorter known words are taken as they are
_OVERLAP_BLEND = 0.35  # share of the word-overlap score in the final score

_Unit = tuple[int, list[tuple[frozenset[int], float]]]
"""A query word to match: (postings it would read, [(postings of a variant, its weight)])."""

_KIND_RANK = {
    LabelKind.PREFERRED: 3,
    LabelKind.ALTERNATIVE: 2,
    LabelKind.LEARNED: 1,
    LabelKind.HIDDEN: 0,
}


# --- normalisation ------------------------------------------------------------------------------

_DROPPED_MARKS = (
    (0x0300, 0x036F),  # combining diacritical marks
    (0x0483, 0x0489),  # Cyrillic combining marks (titlo ...), never letters
    (0x0610, 0x061A),  # Arabic marks
    (0x064B, 0x065F),  # Arabic harakat (vowel signs, shadda, sukun)
    (0x0670, 0x0670),
    (0x06D6, 0x06ED),
    (0x08D3, 0x08FF),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)
# Latin letters that NFKD does not decompose.
_LATIN_EXTRA = {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "æ": "ae", "œ": "oe", "ı": "i"}
_WORD_SYMBOLS = "+#"  # kept inside words: "c++", "c#"


class _FoldTable(dict[int, str]):
    """`str.translate` table filled on first use of each character (the alphabet is small)."""

    def __missing__(self, code: int) -> str:
        self[code] = folded = _fold_char(chr(code))
        return folded


def _fold_char(char: str) -> str:
    if char in _WORD_SYMBOLS:
        return char
    code = ord(char)
    category = unicodedata.category(char)
    if category[0] == "M":
        dropped = any(low <= code <= high for low, high in _DROPPED_MARKS)
        return "" if dropped else char
    if code == 0x0640:  # Arabic tatweel: a stretching stroke, not a letter
        return ""
    if code in (0x02B9, 0x02BC):  # modifier prime and apostrophe: Ukrainian "мʼясо" = "м'ясо"
        return " "
    if category[0] in "PSZC":
        return " "
    if category[0] == "L" and unicodedata.name(char, "").startswith(("LATIN", "GREEK")):
        if char in _LATIN_EXTRA:
            return _LATIN_EXTRA[char]
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        return base or char
    return char  # Cyrillic, Arabic and every other script: letters stay intact


_FOLD = _FoldTable()


def normalise(text: str) -> str:
    """The one normalisation of labels and queries.

    Casefolds; strips accents from Latin and Greek letters only (Cyrillic "й" stays "й", Arabic
    "أ" stays "أ"; Arabic vowel marks and tatweel are dropped); turns punctuation and symbols into
    spaces, except "+" and "#" inside words ("C++", "C#"); collapses spaces.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    words = folded.split()
    if "+" in folded or "#" in folded:
        words = [w for w in (w.lstrip(_WORD_SYMBOLS) for w in words) if w]
    return " ".join(words)


# --- values -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelEntry:
    """One label of one concept, as fed to the index."""

    uri: str
    text: str
    lang: str
    kind: LabelKind


@dataclass(frozen=True, slots=True)
class Candidate:
    """A concept proposed for a query: the label of the concept that matched best, scored 0-100."""

    uri: str
    label: str
    lang: str
    score: float
    kind: LabelKind


def entries_from_taxonomy(taxonomy: Taxonomy, *, occupations: bool = False) -> Iterator[LabelEntry]:
    """The labels of a taxonomy's skills (default) or occupations, in every language."""
    concepts = taxonomy.occupations if occupations else taxonomy.skills
    for concept in concepts:
        for label in concept.labels:
            if label.text.strip():
                yield LabelEntry(concept.uri, label.text, label.lang, label.kind)


# --- the index ----------------------------------------------------------------------------------


def _deletes(word: str) -> set[str]:
    """The word itself and every form of it with one character deleted."""
    out = {word}
    if len(word) > 1:
        out.update(word[:i] + word[i + 1 :] for i in range(len(word)))
    return out


def _trigrams(word: str) -> set[str]:
    padded = f" {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _similarity(query: str, key: str) -> float:
    """0-100: how alike two normalised texts are, whatever the word order.

    `token_set_ratio` forgives words missing from the query ("musical staff" is all of
    "manage musical staff"), but a short query inside a long label ("the" in "cleaning the
    equipment") should not score as high: its weight falls with every further missing word.
    """
    extra = key.count(" ") - query.count(" ") - 1
    subset_weight = 0.95 if extra <= 0 else max(0.6, 0.95 - 0.1 * extra)
    return max(
        fuzz.ratio(query, key),
        fuzz.token_sort_ratio(query, key),
        subset_weight * fuzz.token_set_ratio(query, key),
    )


class Resolver:
    """An index of labels answering free-text queries with ranked candidate concepts.

    Build it once with `build`. `suggest` only reads and needs no lock; `add_label` and
    `remove_label` take one, publish a new label's data before the postings that lead to it, and
    replace posting sets rather than change them, so concurrent readers never see a half-made key.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._size = 0  # label entries indexed
        # keys: distinct normalised label texts; a key id indexes these lists
        self._keys: list[str] = []
        self._key_ids: dict[str, int] = {}  # live keys only
        self._key_entries: list[tuple[LabelEntry, ...]] = []
        self._key_words: list[tuple[int, ...]] = []  # word ids
        self._key_weight: list[float] = []  # summed IDF of its words
        self._live_keys = 0
        # vocabulary: the distinct words of the keys
        self._words: list[str] = []
        self._word_ids: dict[str, int] = {}
        self._postings: list[frozenset[int]] = []  # word id -> ids of the keys holding it
        self._deletes: dict[str, list[int]] = {}  # a word, or it less one char -> word ids
        self._word_grams: dict[str, list[int]] = {}  # trigram -> word ids

    @classmethod
    def build(cls, entries: Iterable[LabelEntry]) -> Resolver:
        """An index of `entries` (labels without searchable text are skipped)."""
        resolver = cls()
        growing: list[set[int]] = []
        for entry in entries:
            key = normalise(entry.text)
            if key:
                resolver._add(entry, key, growing)
        resolver._postings = [frozenset(posting) for posting in growing]
        idf = [resolver._idf(w) for w in range(len(resolver._words))]
        resolver._key_weight = [sum(idf[w] for w in words) for words in resolver._key_words]
        return resolver

    def __len__(self) -> int:
        return self._size

    def add_label(self, entry: LabelEntry) -> None:
        """Index one more label, typically a LEARNED one, without rebuilding.

        Adding an entry already there changes nothing. Raises ValueError for a text with nothing
        searchable in it (only punctuation, say).
        """
        key = normalise(entry.text)
        if not key:
            raise ValueError(f"label {entry.text!r} has no searchable text")
        with self._lock:
            self._add(entry, key, None)

    def remove_label(self, uri: str, text: str, lang: str) -> None:
        """Forget the learned label of `uri` with this text (once normalised) and language.

        Taxonomy labels (preferred, alternative, hidden) are never removed; removing a label that
        is not there does nothing.
        """
        key = normalise(text)
        with self._lock:
            key_id = self._key_ids.get(key)
            if key_id is None:
                return
            before = self._key_entries[key_id]
            after = tuple(
                e
                for e in before
                if not (e.uri == uri and e.lang == lang and e.kind is LabelKind.LEARNED)
            )
            if len(after) == len(before):
                return
            self._size -= len(before) - len(after)
            self._key_entries[key_id] = after
            if after:
                return
            del self._key_ids[key]  # the key's slot stays, unreachable
            self._live_keys -= 1
            for word_id in self._key_words[key_id]:
                self._postings[word_id] = self._postings[word_id] - {key_id}

    def _add(self, entry: LabelEntry, key: str, growing: list[set[int]] | None) -> None:
        """Index one entry under its normalised text: in bulk (`growing`: the postings being
        built, changed in place) or at run time (under the lock, postings replaced)."""
        key_id = self._key_ids.get(key)
        if key_id is not None:
            if entry not in self._key_entries[key_id]:
                self._key_entries[key_id] += (entry,)
                self._size += 1
            return
        word_ids = tuple(dict.fromkeys(self._word_id(word, growing) for word in key.split()))
        key_id = len(self._keys)
        self._keys.append(key)
        self._key_entries.append((entry,))
        self._key_words.append(word_ids)
        if growing is not None:
            self._key_weight.append(0.0)  # weighed once all postings are known
            for word_id in word_ids:
                growing[word_id].add(key_id)
        else:
            self._key_weight.append(sum(self._idf(w) for w in word_ids))
            for word_id in word_ids:
                self._postings[word_id] = self._postings[word_id] | {key_id}
        self._live_keys += 1
        self._size += 1
        self._key_ids[key] = key_id  # last: from now on readers can reach the key

    def _word_id(self, word: str, growing: list[set[int]] | None) -> int:
        word_id = self._word_ids.get(word)
        if word_id is not None:
            return word_id
        word_id = len(self._words)
        self._words.append(word)
        self._postings.append(frozenset())
        if growing is not None:
            growing.append(set())
        for deleted in _deletes(word):
            self._deletes.setdefault(deleted, []).append(word_id)
        for gram in _trigrams(word):
            self._word_grams.setdefault(gram, []).append(word_id)
        self._word_ids[word] = word_id
        return word_id

    def _idf(self, word_id: int) -> float:
        return math.log(1.0 + (self._live_keys + 1) / (len(self._postings[word_id]) + 1))

    # -- querying --

    def suggest(
        self,
        text: str,
        *,
        lang: str | None = None,
        limit: int = 5,
        cutoff: float = DEFAULT_CUTOFF,
    ) -> list[Candidate]:
        """Up to `limit` concepts for `text`, best first, one per concept, none below `cutoff`.

        `lang` is the user's language: a small bonus at equal similarity, never a filter.
        """
        if limit <= 0:
            return []
        query = normalise(text)
        if not query:
            return []
        scored = self._rank_keys(query)
        return self._fold_concepts(query, scored, lang=lang, limit=limit, cutoff=cutoff)

    def suggest_many(
        self,
        texts: Sequence[str],
        *,
        lang: str | None = None,
        limit: int = 5,
        cutoff: float = DEFAULT_CUTOFF,
    ) -> list[list[Candidate]]:
        """`suggest` for each text, in the same order (repeated texts are resolved once)."""
        done: dict[str, list[Candidate]] = {}
        out = []
        for text in texts:
            if text not in done:
                done[text] = self.suggest(text, lang=lang, limit=limit, cutoff=cutoff)
            out.append(list(done[text]))
        return out

    def _variants(self, token: str, *, by_grams: bool = True) -> list[tuple[int, float]]:
        """Vocabulary words close to a query word, as (word id, similarity 0-1), best first.

        The word itself; the words one edit away (through the deletion dictionary); for a word
        the vocabulary lacks and that has no such neighbour, the words sharing trigrams with it.
        """
        postings = self._postings
        exact = self._word_ids.get(token)
        if exact is not None and not postings[exact]:
            exact = None
        deletes = self._deletes
        if exact is not None and len(token) < _MIN_INFLECTED_LEN:
            return [(exact, 1.0)]  # "to" is not a typo of "top"
        near = {w for deleted in _deletes(token) for w in deletes.get(deleted, ())}
        if exact is not None:
            near.discard(exact)
        least = _MIN_WORD_SIM if exact is None else _MIN_INFLECTION_SIM
        out = self._close(token, near, least)
        if exact is None and not out and by_grams:
            out = self._close(token, self._gram_neighbours(token), least)
        if exact is not None:
            out.append((exact, 1.0))
        # best first; between equally close words, the commoner one is the likelier intent
        out.sort(key=lambda v: (-v[1], -len(postings[v[0]])))
        return out[:_MAX_VARIANTS]

    def _close(self, token: str, word_ids: Iterable[int], least: float) -> list[tuple[int, float]]:
        words, postings = self._words, self._postings
        out = []
        for word_id in word_ids:
            sim = fuzz.ratio(token, words[word_id]) / 100.0
            if sim >= least and postings[word_id]:
                out.append((word_id, sim))
        return out

    def _gram_neighbours(self, token: str) -> list[int]:
        """Vocabulary words sharing the most trigrams (two at least) with a query word."""
        counts: Counter[int] = Counter()
        for gram in _trigrams(token):
            posting = self._word_grams.get(gram)
            if posting:
                counts.update(posting)
        return [w for w, n in counts.most_common(4 * _MAX_VARIANTS) if n >= 2]

    def _rank_keys(self, query: str) -> list[tuple[float, int]]:
        """(score 0-100, key id) of the best keys for a normalised query, best first."""
        units, query_weight = self._units(query)
        overlaps = self._gather(units)
        exact = self._key_ids.get(query)
        if not overlaps and exact is None:
            return []
        # keys matching much less of the query than the best key cannot rank well: skip them
        floor = _KEEP_OVERLAP * max(overlaps.values()) if overlaps else 0.0
        key_weight = self._key_weight
        dice = [
            (2.0 * a / (query_weight + key_weight[k]), k) for k, a in overlaps.items() if a >= floor
        ]
        pool = {k: overlap for overlap, k in heapq.nlargest(_RERANK, dice)}
        if exact is not None:
            pool[exact] = 1.0
        keys = self._keys
        scored = []
        for key_id, overlap in pool.items():
            key = keys[key_id]
            if key == query:
                scored.append((100.0, key_id))
                continue
            fuzzy = _similarity(query, key)
            score = _OVERLAP_BLEND * min(1.0, overlap) * 100.0 + (1.0 - _OVERLAP_BLEND) * fuzzy
            scored.append((min(score, _BEST_INEXACT), key_id))
        scored.sort(reverse=True)
        return scored

    def _units(self, query: str) -> tuple[list[_Unit], float]:
        """The query's words as units to match, rarest first, and the query's total weight.

        A unit is (postings it would read, [(postings of a variant, weight)]); a variant weighs
        its IDF times its similarity, and no more than the variant standing for the query word.
        Adjacent words are also tried glued together, for a word split in two ("fork lfit").
        """
        tokens = list(dict.fromkeys(query.split()))[:_MAX_QUERY_WORDS]
        postings, idf = self._postings, self._idf
        units = []
        query_weight = 0.0
        exact_hits = []
        for token in tokens:
            variants = self._variants(token)
            exact_hits.append(bool(variants) and variants[0][1] == 1.0)
            if variants:
                units.append(variants)
                query_weight += idf(variants[0][0])
            else:  # an unknown word: weighs as much as the rarest word
                query_weight += math.log(2.0 + self._live_keys)
        for i in range(len(tokens) - 1):
            glued = tokens[i] + tokens[i + 1]
            if glued in self._word_ids or not (exact_hits[i] and exact_hits[i + 1]):
                variants = [v for v in self._variants(glued, by_grams=False) if v[1] >= 0.8]
                if variants:
                    units.append(variants)
        weighed = []
        for variants in units:
            ceiling = idf(variants[0][0])
            weights = [(postings[w], min(idf(w), ceiling) * sim) for w, sim in variants]
            weighed.append((sum(len(p) for p, _ in weights), weights))
        weighed.sort(key=lambda unit: unit[0])
        return weighed, query_weight

    @staticmethod
    def _gather(units: list[_Unit]) -> dict[int, float]:
        """Key id -> summed weight of the query words it holds (each by its best variant).

        Reads the postings of the rarest words in full, up to a budget; a commoner word then only
        adds its weight to the best keys already found. Set operations do the work in C
        (`a.intersection(b)` walks b, `d.keys() & s` walks s, `a - b` the smaller of the two).
        """
        acc: dict[int, float] = {}
        read = 0
        pruned = False
        for total, weights in units:
            if acc and total > _ALWAYS_POSTINGS and read + total > _SEED_POSTINGS:
                if not pruned:
                    floor = _KEEP_OVERLAP * max(acc.values())
                    acc = {k: a for k, a in acc.items() if a >= floor}
                    pruned = True
                for i, (posting, weight) in enumerate(weights):
                    hits = posting.intersection(acc)
                    for better, _ in weights[:i]:  # a key counts once per query word
                        hits = hits - better
                    for key_id in hits:
                        acc[key_id] += weight
                continue
            read += total
            for i, (posting, weight) in enumerate(weights):
                for better, _ in weights[:i]:  # a key counts once per query word, by its best
                    posting = posting - better
                old = acc.keys() & posting if len(posting) < len(acc) else posting.intersection(acc)
                for key_id in old:
                    acc[key_id] += weight
                acc.update(dict.fromkeys(posting - old if old else posting, weight))
        return acc

    def _fold_concepts(
        self,
        query: str,
        scored: list[tuple[float, int]],
        *,
        lang: str | None,
        limit: int,
        cutoff: float,
    ) -> list[Candidate]:
        """One candidate per concept, by its best label, best first.

        An exact normalised match scores 100 and anything else less; among exact matches a
        learned label comes first, then the kind (preferred, alternative, learned, hidden) and
        the user's language. Otherwise the user's language adds a small bonus and a hidden label
        takes a small penalty.
        """
        best: dict[str, tuple[tuple[bool, float, int, bool, str, str], Candidate]] = {}
        # rank: ascending sort order, so that equal candidates come out in URI order
        keys = self._keys
        for score, key_id in scored:
            exact = keys[key_id] == query
            for entry in self._key_entries[key_id]:
                in_lang = entry.lang == lang
                if exact:
                    shown = 100.0
                else:
                    shown = score + (_LANG_BONUS if in_lang else 0.0)
                    if entry.kind is LabelKind.HIDDEN:
                        shown -= _HIDDEN_PENALTY
                    shown = round(max(0.0, min(_BEST_INEXACT, shown)), 2)
                rank = (
                    not (exact and entry.kind is LabelKind.LEARNED),
                    -shown,
                    -_KIND_RANK[entry.kind],
                    not in_lang,
                    entry.uri,
                    entry.text,
                )
                held = best.get(entry.uri)
                if held is None or rank < held[0]:
                    candidate = Candidate(entry.uri, entry.text, entry.lang, shown, entry.kind)
                    best[entry.uri] = (rank, candidate)
        ranked = sorted(best.values(), key=lambda held: held[0])
        return [c for _, c in ranked if c.score >= cutoff][:limit]
