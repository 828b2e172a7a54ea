"""The fuzzy resolver on a small hand-made taxonomy in English, French, Russian, Ukrainian and
Arabic."""

from __future__ import annotations

import pytest

from portal.taxonomy.model import Label, LabelKind, Occupation, Skill, Taxonomy
from portal.taxonomy.resolve import (
    Candidate,
    LabelEntry,
    Resolver,
    entries_from_taxonomy,
    normalise,
)

P, A, H, L = LabelKind.PREFERRED, LabelKind.ALTERNATIVE, LabelKind.HIDDEN, LabelKind.LEARNED

FORKLIFT = "urn:test:skill:forklift"
ELDER_CARE = "urn:test:skill:elder-care"
FRUIT_HARVEST = "urn:test:skill:fruit-harvest"
WELDING = "urn:test:skill:welding"
COOKING = "urn:test:skill:cooking"
BAKING = "urn:test:skill:baking"
LORRY = "urn:test:skill:lorry"
CHILDCARE = "urn:test:skill:childcare"
FIRST_AID = "urn:test:skill:first-aid"
SEWING = "urn:test:skill:sewing"
BRICKLAYING = "urn:test:skill:bricklaying"
MASONRY = "urn:test:skill:masonry"
TAXI_EN = "urn:test:skill:taxi-en"
TAXI_FR = "urn:test:skill:taxi-fr"

SKILLS: dict[str, list[tuple[str, str, LabelKind]]] = {
    FORKLIFT: [
        ("operate forklift", "en", P),
        ("forklift driving", "en", A),
        ("conduire un chariot élévateur", "fr", P),
        ("управление вилочным погрузчиком", "ru", P),
        ("керування навантажувачем", "uk", P),
        ("قيادة الرافعة الشوكية", "ar", P),
    ],
    ELDER_CARE: [
        ("care for the elderly", "en", P),
        ("elderly care", "en", A),
        ("soins aux personnes âgées", "fr", P),
        ("уход за пожилыми людьми", "ru", P),
        ("догляд за літніми людьми", "uk", P),
        ("رعاية كبار السن", "ar", P),
    ],
    FRUIT_HARVEST: [
        ("harvest fruit", "en", P),
        ("fruit picking", "en", A),
        ("récolte des fruits", "fr", P),
        ("сбор фруктов", "ru", P),
        ("збирання фруктів", "uk", P),
        ("قطف الفواكه", "ar", P),
    ],
    WELDING: [("weld metal parts", "en", P), ("welding", "en", A), ("soudage", "fr", P)],
    COOKING: [
        ("prepare meals", "en", P),
        ("cooking", "en", A),
        ("cuisiner", "fr", P),
        ("приготовление пищи", "ru", P),
    ],
    BAKING: [("bake bread", "en", P), ("faire du pain", "fr", P), ("випікати хліб", "uk", P)],
    LORRY: [
        ("drive a lorry", "en", P),
        ("lorry driving", "en", A),
        ("conduire un camion", "fr", P),
        ("керувати вантажівкою", "uk", P),
    ],
    CHILDCARE: [
        ("look after children", "en", P),
        ("garde d'enfants", "fr", P),
        ("догляд за дітьми", "uk", P),
        ("رعاية الأطفال", "ar", P),
    ],
    FIRST_AID: [
        ("provide first aid", "en", P),
        ("porter les premiers secours", "fr", P),
        ("оказание первой помощи", "ru", P),
        ("надання першої допомоги", "uk", P),
        ("تقديم الإسعافات الأولية", "ar", P),
    ],
    SEWING: [
        ("sew garments", "en", P),
        ("coudre des vêtements", "fr", P),
        ("خياطة الملابس", "ar", P),
    ],
    BRICKLAYING: [("lay bricks", "en", P), ("bricklaying", "en", A)],
    MASONRY: [("build stone walls", "en", P), ("bricklaying", "en", H)],
    TAXI_EN: [("taxi", "en", P), ("drive a taxi", "en", A)],
    TAXI_FR: [("taxi", "fr", P), ("conduire un taxi", "fr", A)],
    "urn:test:skill:plumbing": [("install plumbing", "en", P), ("plomberie", "fr", P)],
    "urn:test:skill:wiring": [
        ("install electrical wiring", "en", P),
        ("installer le câblage électrique", "fr", P),
    ],
    "urn:test:skill:painting": [("paint walls", "en", P), ("طلاء الجدران", "ar", P)],
    "urn:test:skill:customer": [
        ("provide customer service", "en", P),
        ("service à la clientèle", "fr", P),
    ],
    "urn:test:skill:computer": [("use a computer", "en", P), ("computer literacy", "en", A)],
    "urn:test:skill:english": [("speak English", "en", P), ("parler anglais", "fr", P)],
    "urn:test:skill:bookkeeping": [("keep accounts", "en", P), ("bookkeeping", "en", A)],
    "urn:test:skill:milking": [("milk cows", "en", P), ("traire les vaches", "fr", P)],
    "urn:test:skill:shearing": [("shear sheep", "en", P)],
    "urn:test:skill:stock": [("manage warehouse stock", "en", P), ("stock control", "en", A)],
    "urn:test:skill:carpentry": [("carpentry", "en", P), ("menuiserie", "fr", P)],
    "urn:test:skill:hair": [("cut hair", "en", P), ("coupe de cheveux", "fr", P)],
    "urn:test:skill:medication": [
        ("administer medication", "en", P),
        ("administrer des médicaments", "fr", P),
    ],
    "urn:test:skill:maths": [("teach mathematics", "en", P)],
    "urn:test:skill:translation": [
        ("translate documents", "en", P),
        ("перевод документов", "ru", P),
        ("ترجمة الوثائق", "ar", P),
    ],
    "urn:test:skill:guarding": [("guard premises", "en", P), ("surveiller les locaux", "fr", P)],
    "urn:test:skill:sewing-machine": [("operate sewing machines", "en", P)],
}

ENTRIES = [
    LabelEntry(uri, text, lang, kind)
    for uri, labels in SKILLS.items()
    for text, lang, kind in labels
]


@pytest.fixture
def resolver() -> Resolver:
    return Resolver.build(ENTRIES)


def first(found: list[Candidate]) -> str | None:
    return found[0].uri if found else None


# --- normalise ----------------------------------------------------------------------------------


def test_normalise_casefolds_strips_latin_accents_and_punctuation() -> None:
    assert normalise("  Récolte   des FRUITS, (Été)! ") == "recolte des fruits ete"


def test_normalise_keeps_cyrillic_short_i_and_yo_intact() -> None:
    assert normalise("Чайник Ёлка") == "чайник ёлка"


def test_normalise_keeps_arabic_letters_and_drops_vowel_marks() -> None:
    assert normalise("رِعَايَة الأطفال") == "رعاية الأطفال"


def test_normalise_treats_every_apostrophe_alike() -> None:
    assert normalise("мʼясо") == normalise("м’ясо") == normalise("м'ясо") == "м ясо"


def test_normalise_keeps_plus_and_hash_inside_words() -> None:
    assert normalise("C++, C# and +5") == "c++ c# and 5"


# --- robustness ---------------------------------------------------------------------------------


def test_typos_still_find_the_concept(resolver: Resolver) -> None:
    found = resolver.suggest("fork lfit driving")

    assert first(found) == FORKLIFT


def test_single_letter_typo_in_one_word_is_forgiven(resolver: Resolver) -> None:
    found = resolver.suggest("harvset fruit")

    assert first(found) == FRUIT_HARVEST


def test_word_order_does_not_matter(resolver: Resolver) -> None:
    found = resolver.suggest("forklift operate")

    assert first(found) == FORKLIFT


def test_dropped_small_words_do_not_matter(resolver: Resolver) -> None:
    found = resolver.suggest("care elderly")

    assert first(found) == ELDER_CARE


def test_extra_small_words_do_not_matter(resolver: Resolver) -> None:
    found = resolver.suggest("look after the children")

    assert first(found) == CHILDCARE


def test_case_does_not_matter(resolver: Resolver) -> None:
    found = resolver.suggest("OPERATE FORKLIFT")

    assert first(found) == FORKLIFT
    assert found[0].score == 100.0


def test_accents_do_not_matter(resolver: Resolver) -> None:
    found = resolver.suggest("recolte des fruits")

    assert first(found) == FRUIT_HARVEST
    assert found[0].label == "récolte des fruits"


def test_plural_finds_the_singular_label(resolver: Resolver) -> None:
    found = resolver.suggest("harvest fruits")

    assert first(found) == FRUIT_HARVEST


def test_singular_finds_the_plural_label(resolver: Resolver) -> None:
    found = resolver.suggest("sew garment")

    assert first(found) == SEWING


# --- languages ----------------------------------------------------------------------------------


def test_russian_text_finds_the_concept(resolver: Resolver) -> None:
    found = resolver.suggest("уход за пожилыми людьми", lang="ru")

    assert first(found) == ELDER_CARE
    assert found[0].lang == "ru"


def test_russian_inflected_form_finds_the_concept(resolver: Resolver) -> None:
    found = resolver.suggest("уход за пожилым человеком")

    assert first(found) == ELDER_CARE


def test_ukrainian_text_with_a_typo_finds_the_concept(resolver: Resolver) -> None:
    found = resolver.suggest("догляд за дитьми")

    assert first(found) == CHILDCARE


def test_arabic_text_finds_the_concept(resolver: Resolver) -> None:
    found = resolver.suggest("رعاية كبار السن")

    assert first(found) == ELDER_CARE
    assert found[0].score == 100.0


def test_arabic_without_hamza_still_finds_the_concept(resolver: Resolver) -> None:
    found = resolver.suggest("رعاية الاطفال")

    assert first(found) == CHILDCARE


def test_every_language_is_searched_whatever_the_users_language(resolver: Resolver) -> None:
    found = resolver.suggest("сбор фруктов", lang="ar")

    assert first(found) == FRUIT_HARVEST


def test_users_language_wins_a_tie(resolver: Resolver) -> None:
    in_french = resolver.suggest("taxi", lang="fr")
    in_english = resolver.suggest("taxi", lang="en")

    assert first(in_french) == TAXI_FR
    assert first(in_english) == TAXI_EN


def test_preferred_label_outranks_a_hidden_label_at_equal_similarity(
    resolver: Resolver,
) -> None:
    found = resolver.suggest("bricklaying")

    assert [c.uri for c in found[:2]] == [BRICKLAYING, MASONRY]
    assert found[1].kind is LabelKind.HIDDEN


# --- nothing found ------------------------------------------------------------------------------


def test_nonsense_finds_nothing(resolver: Resolver) -> None:
    found = resolver.suggest("qwertyuiop zxcv")

    assert found == []


@pytest.mark.parametrize("text", ["", "   ", "?!., --"])
def test_empty_text_finds_nothing(resolver: Resolver, text: str) -> None:
    assert resolver.suggest(text) == []


def test_cutoff_drops_weak_candidates(resolver: Resolver) -> None:
    found = resolver.suggest("weld metal", cutoff=99.0)

    assert found == []


# --- learned labels -----------------------------------------------------------------------------


def test_learned_label_ranks_first_after_add_label(resolver: Resolver) -> None:
    resolver.add_label(LabelEntry(FORKLIFT, "lift truck work", "en", L))

    found = resolver.suggest("Lift-Truck work")

    assert first(found) == FORKLIFT
    assert found[0].score == 100.0
    assert found[0].kind is LabelKind.LEARNED


def test_learned_label_beats_an_identical_label_of_another_concept(resolver: Resolver) -> None:
    assert first(resolver.suggest("cooking")) == COOKING

    resolver.add_label(LabelEntry(BAKING, "cooking", "en", L))

    assert first(resolver.suggest("Cooking!")) == BAKING


def test_learned_label_stops_ranking_first_after_remove_label(resolver: Resolver) -> None:
    resolver.add_label(LabelEntry(BAKING, "cooking", "en", L))

    resolver.remove_label(BAKING, "cooking", "en")

    found = resolver.suggest("cooking")
    assert first(found) == COOKING
    assert BAKING not in [c.uri for c in found]


def test_new_words_of_a_learned_label_are_found_and_then_forgotten(resolver: Resolver) -> None:
    resolver.add_label(LabelEntry(ELDER_CARE, "granny minding", "en", L))
    assert first(resolver.suggest("grany minding")) == ELDER_CARE

    resolver.remove_label(ELDER_CARE, "granny minding", "en")

    assert resolver.suggest("grany minding") == []


def test_remove_label_leaves_taxonomy_labels_alone(resolver: Resolver) -> None:
    resolver.remove_label(COOKING, "cooking", "en")

    assert first(resolver.suggest("cooking")) == COOKING
    assert len(resolver) == len(ENTRIES)


def test_len_counts_labels_added_and_removed(resolver: Resolver) -> None:
    resolver.add_label(LabelEntry(FORKLIFT, "lift truck work", "en", L))
    resolver.add_label(LabelEntry(FORKLIFT, "lift truck work", "en", L))  # again: no change
    assert len(resolver) == len(ENTRIES) + 1

    resolver.remove_label(FORKLIFT, "LIFT TRUCK WORK", "en")

    assert len(resolver) == len(ENTRIES)


def test_add_label_rejects_text_with_nothing_to_search(resolver: Resolver) -> None:
    with pytest.raises(ValueError, match="no searchable text"):
        resolver.add_label(LabelEntry(FORKLIFT, " ... ", "en", L))


# --- shape of the answer ------------------------------------------------------------------------


def test_limit_is_honoured(resolver: Resolver) -> None:
    found = resolver.suggest("drive", limit=2, cutoff=0.0)

    assert len(found) == 2
    assert resolver.suggest("drive", limit=0) == []


def test_one_candidate_per_concept(resolver: Resolver) -> None:
    found = resolver.suggest("forklift", limit=10, cutoff=0.0)

    uris = [c.uri for c in found]
    assert len(uris) == len(set(uris))
    assert uris[0] == FORKLIFT


@pytest.mark.parametrize(
    "text", ["forklift", "care", "drive a taxi", "уход", "fruits", "bricklaying", "سن"]
)
def test_scores_are_within_0_and_100_and_sorted(resolver: Resolver, text: str) -> None:
    found = resolver.suggest(text, limit=20, cutoff=0.0)

    scores = [c.score for c in found]
    assert all(0.0 <= s <= 100.0 for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_suggest_many_answers_each_text_in_order(resolver: Resolver) -> None:
    texts = ["weldng", "qwertyuiop zxcv", "bake bred", "weldng"]

    found = resolver.suggest_many(texts, limit=3)

    assert [first(f) for f in found] == [WELDING, None, BAKING, WELDING]
    assert found == [resolver.suggest(t, limit=3) for t in texts]


def test_len_counts_the_labels_indexed(resolver: Resolver) -> None:
    assert len(resolver) == len(ENTRIES)


# --- entries from a taxonomy --------------------------------------------------------------------


def test_entries_from_taxonomy_yields_skill_labels_or_occupation_labels() -> None:
    taxonomy = Taxonomy(
        name="t",
        source="test",
        languages=("en", "fr"),
        skills=(Skill("urn:s:1", (Label("weld", "en"), Label("souder", "fr"), Label(" ", "en"))),),
        occupations=(
            Occupation("urn:o:1", "7212", (Label("welder", "en", LabelKind.ALTERNATIVE),)),
        ),
    )

    skills = list(entries_from_taxonomy(taxonomy))
    occupations = list(entries_from_taxonomy(taxonomy, occupations=True))

    assert skills == [
        LabelEntry("urn:s:1", "weld", "en", P),
        LabelEntry("urn:s:1", "souder", "fr", P),
    ]
    assert occupations == [LabelEntry("urn:o:1", "welder", "en", A)]
