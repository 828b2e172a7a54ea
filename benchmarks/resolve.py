"""Benchmark of the fuzzy resolver on the full ESCO skills pillar.

    python benchmarks/resolve.py [--esco-dir ../shared/esco] [--phrases 2000] [--seed 7]

Builds a fixed-seed set of noisy phrases from ESCO skill labels (preferred and alternative) and
measures, for our `Resolver`, a full rapidfuzz `extractOne` scan and `difflib`: top-1 and top-5
accuracy (the expected answer is the concept the phrase was made from), latency per query and
index build time. Prints a markdown table and the peak memory of the process.

Noise model (each phrase gets one or two of these, then maybe a case change):
typo (a letter inserted, deleted, substituted or two letters transposed, in a word of three
letters or more) with weight 3, a dropped word (labels of three words or more) with weight 1,
two words swapped (two words or more) with weight 1; case: unchanged, UPPER, Title or lower.
Phrases are only made from labels that belong to one concept (after normalisation; 717 ESCO
label texts are shared by several concepts and cannot be told apart), and a phrase that ends up
exactly equal (after normalisation) to a label of another concept is drawn again: the expected
answer is then always the best possible one.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import gc
import io
import random
import resource
import statistics
import string
import sys
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz, process, utils

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from portal.taxonomy.model import LabelKind, TaxonomyFileError  # noqa: E402
from portal.taxonomy.resolve import (  # noqa: E402
    LabelEntry,
    Resolver,
    entries_from_taxonomy,
    normalise,
)

CLASSIFICATION_ZIP = "esco-v1.1.1-classification-en-csv.zip"
RELATIONS_ZIP = "esco-v1.1.1-relations-csv.zip"


# --- loading ------------------------------------------------------------------------------------


def load_entries(esco_dir: Path) -> tuple[list[LabelEntry], str]:
    """Every label (preferred, alternative, hidden) of every ESCO skill, and how it was read."""
    classification = esco_dir / CLASSIFICATION_ZIP
    relations = esco_dir / RELATIONS_ZIP
    if not classification.is_file():
        sys.exit(
            f"ESCO classification zip not found: {classification}\n"
            "Pass --esco-dir pointing at the folder holding the ESCO v1.1.1 CSV zips."
        )
    try:
        from portal.taxonomy.loaders.esco import read_esco
    except ImportError:
        read_esco = None
    if read_esco is not None and relations.is_file():
        try:
            taxonomy = read_esco(classification, relations)
        except TaxonomyFileError as error:
            sys.exit(f"Cannot read ESCO: {error}")
        return list(entries_from_taxonomy(taxonomy)), "portal.taxonomy.loaders.esco.read_esco"
    return _read_skills_csv(classification), "skills_en.csv read directly with csv"


def _read_skills_csv(classification: Path) -> list[LabelEntry]:
    entries = []
    kinds = (
        ("preferredLabel", LabelKind.PREFERRED),
        ("altLabels", LabelKind.ALTERNATIVE),
        ("hiddenLabels", LabelKind.HIDDEN),
    )
    with zipfile.ZipFile(classification) as archive, archive.open("skills_en.csv") as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, "utf-8", newline="")):
            seen: set[str] = set()  # ESCO repeats the preferred label among altLabels
            for column, kind in kinds:
                for line in row[column].split("\n"):
                    text = line.strip()
                    if text and text not in seen:
                        seen.add(text)
                        entries.append(LabelEntry(row["conceptUri"], text, "en", kind))
    return entries


# --- noisy phrases ------------------------------------------------------------------------------


def _typo(words: list[str], rng: random.Random) -> list[str] | None:
    eligible = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= 3]
    if not eligible:
        return None
    i = rng.choice(eligible)
    word = words[i]
    pos = rng.randrange(len(word))
    op = rng.choice(("insert", "delete", "substitute", "transpose"))
    letters = string.ascii_lowercase
    if op == "insert":
        word = word[:pos] + rng.choice(letters) + word[pos:]
    elif op == "delete":
        word = word[:pos] + word[pos + 1 :]
    elif op == "substitute":
        word = word[:pos] + rng.choice(letters.replace(word[pos].lower(), "")) + word[pos + 1 :]
    else:
        pos = min(pos, len(word) - 2)
        if word[pos] == word[pos + 1]:
            return None
        word = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    return [*words[:i], word, *words[i + 1 :]]


def _drop(words: list[str], rng: random.Random) -> list[str] | None:
    if len(words) < 3:
        return None
    i = rng.randrange(len(words))
    return words[:i] + words[i + 1 :]


def _swap(words: list[str], rng: random.Random) -> list[str] | None:
    if len(words) < 2:
        return None
    i, j = rng.sample(range(len(words)), 2)
    out = list(words)
    out[i], out[j] = out[j], out[i]
    return out


_OPS: tuple[tuple[Callable[[list[str], random.Random], list[str] | None], int], ...] = (
    (_typo, 3),
    (_drop, 1),
    (_swap, 1),
)


def _add_noise(label: str, rng: random.Random) -> str | None:
    words = label.split()
    for _ in range(1 if rng.random() < 0.5 else 2):
        op = rng.choices([op for op, _ in _OPS], weights=[w for _, w in _OPS])[0]
        changed = op(words, rng)
        if changed is None:
            return None
        words = changed
    phrase = " ".join(words)
    case = rng.random()
    if case < 0.15:
        phrase = phrase.upper()
    elif case < 0.3:
        phrase = phrase.title()
    return phrase


def make_phrases(entries: Sequence[LabelEntry], count: int, seed: int) -> list[tuple[str, str]]:
    """(noisy phrase, expected concept URI) pairs, reproducible for a seed."""
    owners: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        owners[normalise(entry.text)].add(entry.uri)
    sources: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        key = normalise(entry.text)
        usable = entry.kind in (LabelKind.PREFERRED, LabelKind.ALTERNATIVE)
        if usable and len(owners[key]) == 1 and entry.text not in sources[entry.uri]:
            sources[entry.uri].append(entry.text)
    uris = sorted(sources)
    rng = random.Random(seed)
    phrases = []
    while len(phrases) < count:
        uri = rng.choice(uris)
        label = rng.choice(sources[uri])
        phrase = _add_noise(label, rng)
        if phrase is None:
            continue
        key = normalise(phrase)
        if not key or key == normalise(label) or owners.get(key, {uri}) != {uri}:
            continue
        phrases.append((phrase, uri))
    return phrases


# --- measuring ----------------------------------------------------------------------------------


class Result:
    def __init__(self, name: str, phrases: int, build_s: float) -> None:
        self.name = name
        self.phrases = phrases
        self.build_s = build_s
        self.top1 = 0
        self.top5 = 0
        self.latencies_ms: list[float] = []

    def add(self, expected: str, ranked_uris: Sequence[str], elapsed_s: float) -> None:
        self.top1 += bool(ranked_uris) and ranked_uris[0] == expected
        self.top5 += expected in ranked_uris[:5]
        self.latencies_ms.append(elapsed_s * 1000.0)

    def row(self) -> str:
        lat = sorted(self.latencies_ms)
        p50 = statistics.median(lat)
        p99 = lat[min(len(lat) - 1, round(0.99 * (len(lat) - 1)))]
        return (
            f"| {self.name} | {self.phrases} | {100.0 * self.top1 / self.phrases:.1f} % "
            f"| {100.0 * self.top5 / self.phrases:.1f} % | {p50:.2f} | {p99:.2f} "
            f"| {lat[-1]:.2f} | {self.build_s:.2f} |"
        )


def _concepts(uris: Sequence[str], limit: int = 5) -> list[str]:
    return list(dict.fromkeys(uris))[:limit]


def bench_resolver(
    entries: Sequence[LabelEntry], phrases: Sequence[tuple[str, str]]
) -> tuple[Result, list[list[str]]]:
    """Our resolver, and the concepts it ranked for each phrase."""
    gc.collect()
    start = time.perf_counter()
    resolver = Resolver.build(entries)
    build_s = time.perf_counter() - start
    result = Result(f"Resolver ({len(resolver):,} labels)", len(phrases), build_s)
    answers = []
    for phrase, expected in phrases:
        start = time.perf_counter()
        found = resolver.suggest(phrase, limit=5)
        elapsed = time.perf_counter() - start
        uris = [c.uri for c in found]
        result.add(expected, uris, elapsed)
        answers.append(uris)
    return result, answers


def bench_extract_one(entries: Sequence[LabelEntry], phrases: Sequence[tuple[str, str]]) -> Result:
    """rapidfuzz full scan, exactly as a naive caller would write it."""
    start = time.perf_counter()
    uri_of: dict[str, str] = {}
    for entry in entries:
        uri_of.setdefault(entry.text, entry.uri)
    choices = list(uri_of)
    uris = [uri_of[c] for c in choices]
    build_s = time.perf_counter() - start
    result = Result(
        f"rapidfuzz extractOne WRatio full scan ({len(choices):,} labels)", len(phrases), build_s
    )
    for phrase, expected in phrases:
        start = time.perf_counter()
        best = process.extractOne(
            phrase, choices, scorer=fuzz.WRatio, processor=utils.default_process
        )
        elapsed = time.perf_counter() - start
        # top 5 concepts: a wider extract (not timed), whose first hit is extractOne's
        wider = process.extract(
            phrase, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=25
        )
        ranked = _concepts([uris[best[2]]] + [uris[i] for _, _, i in wider] if best else [])
        result.add(expected, ranked, elapsed)
    return result


def bench_difflib(entries: Sequence[LabelEntry], phrases: Sequence[tuple[str, str]]) -> Result:
    start = time.perf_counter()
    uri_of: dict[str, str] = {}
    for entry in entries:
        uri_of.setdefault(normalise(entry.text), entry.uri)
    choices = list(uri_of)
    build_s = time.perf_counter() - start
    result = Result(f"difflib get_close_matches ({len(choices):,} labels)", len(phrases), build_s)
    for phrase, expected in phrases:
        start = time.perf_counter()
        found = difflib.get_close_matches(normalise(phrase), choices, n=25, cutoff=0.5)
        elapsed = time.perf_counter() - start
        result.add(expected, _concepts([uri_of[f] for f in found]), elapsed)
    return result


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--esco-dir", type=Path, default=REPO.parent / "shared" / "esco")
    parser.add_argument("--phrases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--scan-phrases", type=int, default=200, help="phrases for the full scan (default 200)"
    )
    parser.add_argument(
        "--difflib-phrases", type=int, default=20, help="phrases for difflib (default 20)"
    )
    args = parser.parse_args(argv)

    start = time.perf_counter()
    entries, how = load_entries(args.esco_dir)
    print(
        f"ESCO skills: {len(entries):,} labels of {len({e.uri for e in entries}):,} concepts "
        f"({how}, {time.perf_counter() - start:.1f} s); peak RSS {_peak_rss_mib():.0f} MiB"
    )
    phrases = make_phrases(entries, args.phrases, args.seed)
    print(f"{len(phrases):,} noisy phrases, seed {args.seed}; the first five:")
    for phrase, _ in phrases[:5]:
        print(f"  {phrase!r}")

    ours, answers = bench_resolver(entries, phrases)
    rss_resolver = _peak_rss_mib()
    scan = phrases[: args.scan_phrases]
    few = phrases[: args.difflib_phrases]
    results = [ours, bench_extract_one(entries, scan), bench_difflib(entries, few)]

    print()
    print("| method | phrases | top-1 | top-5 | p50 ms | p99 ms | max ms | build s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for result in results:
        print(result.row())
    print()
    print(
        f"The full scan ran on the first {len(scan)} phrases and difflib on the first {len(few)}; "
        "latency is wall time per query."
    )
    for subset in (scan, few):
        same = Result("", len(subset), 0.0)
        for (_, expected), uris in zip(subset, answers, strict=False):
            same.add(expected, uris, 0.0)
        print(
            f"Resolver on those same first {len(subset)} phrases: "
            f"top-1 {100.0 * same.top1 / len(subset):.1f} %, "
            f"top-5 {100.0 * same.top5 / len(subset):.1f} %"
        )
    print(
        f"Peak RSS after building the resolver and answering: {rss_resolver:.0f} MiB; "
        f"at the end: {_peak_rss_mib():.0f} MiB"
    )
    print(f"Total time: {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
