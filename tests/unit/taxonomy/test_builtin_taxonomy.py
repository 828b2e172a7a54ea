"""The project's own "essential work" taxonomy: the shipped files, and its loader on small ones."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.taxonomy.loaders.authored import BUILTIN_TAXONOMY_DIR, load_authored
from portal.taxonomy.model import (
    Label,
    LabelKind,
    RelationType,
    ReuseLevel,
    SkillType,
    Taxonomy,
    TaxonomyFileError,
)

LANGUAGES = ("en", "fr", "ru", "uk", "ar")
BASE_URI = "https://skills-portal.example/taxonomy/essential-work"
SECTORS = (
    "agriculture-horticulture",
    "food-processing",
    "warehousing-logistics",
    "driving-delivery",
    "construction",
    "cleaning",
    "hospitality-catering",
    "health-social-care",
    "manufacturing",
)


def group_uri(group_id: str) -> str:
    return f"{BASE_URI}/skill-group/{group_id}"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_authored(BUILTIN_TAXONOMY_DIR)


def concepts(taxonomy: Taxonomy) -> Iterator[tuple[str, tuple[Label, ...]]]:
    """Every concept's URI and labels: ISCO groups, skill groups, skills and occupations."""
    yield from ((group.uri, group.labels) for group in taxonomy.isco_groups)
    yield from ((group.uri, group.labels) for group in taxonomy.skill_groups)
    yield from ((skill.uri, skill.labels) for skill in taxonomy.skills)
    yield from ((occupation.uri, occupation.labels) for occupation in taxonomy.occupations)


def preferred(labels: tuple[Label, ...], lang: str) -> str:
    (text,) = [x.text for x in labels if x.lang == lang and x.kind is LabelKind.PREFERRED]
    return text


def script_share(text: str, script: str) -> float:
    """The share of the letters of `text` that belong to `script` ("CYRILLIC", "ARABIC")."""
    letters = [char for char in text if char.isalpha()]
    inside = [char for char in letters if unicodedata.name(char, "").startswith(script)]
    return len(inside) / len(letters) if letters else 0.0


# --------------------------------------------------------------------------------------------
# The shipped taxonomy


def test_builtin_folder_is_the_repository_taxonomies_folder() -> None:
    repo = Path(__file__).resolve().parents[3]
    assert repo / "taxonomies" / "essential-work" == BUILTIN_TAXONOMY_DIR
    assert (BUILTIN_TAXONOMY_DIR / "taxonomy.json").is_file()


def test_builtin_taxonomy_is_named_and_versioned_with_its_five_languages(
    taxonomy: Taxonomy,
) -> None:
    manifest = json.loads((BUILTIN_TAXONOMY_DIR / "taxonomy.json").read_text(encoding="utf-8"))
    assert taxonomy.name == f"Essential work v{manifest['version']}"
    assert taxonomy.source == "essential-work"
    assert taxonomy.languages == LANGUAGES


def test_every_concept_has_a_unique_uri_of_our_own_scheme(taxonomy: Taxonomy) -> None:
    uris = [uri for uri, _ in concepts(taxonomy)]
    assert len(uris) == len(set(uris))
    pattern = re.compile(
        re.escape(BASE_URI) + r"/(skill|occupation|skill-group)/[a-z0-9]+(-[a-z0-9]+)*"
        r"|" + re.escape(BASE_URI) + r"/isco/C[0-9]{1,4}"
    )
    assert [uri for uri in uris if not pattern.fullmatch(uri)] == []
    assert not any("data.europa.eu" in uri for uri in uris)


def test_it_has_at_least_80_occupations_and_400_skills(taxonomy: Taxonomy) -> None:
    assert len(taxonomy.occupations) >= 80
    assert len(taxonomy.skills) >= 400


def test_each_occupation_has_five_essential_skills_and_some_optional_ones(
    taxonomy: Taxonomy,
) -> None:
    relations: dict[str, Counter[RelationType]] = defaultdict(Counter)
    for link in taxonomy.occupation_skills:
        relations[link.occupation_uri][link.relation] += 1
    for occupation in taxonomy.occupations:
        counts = relations[occupation.uri]
        assert counts[RelationType.ESSENTIAL] >= 5, occupation.uri
        assert counts[RelationType.OPTIONAL] >= 1, occupation.uri


def test_occupations_belong_to_isco_unit_groups_of_the_taxonomy(taxonomy: Taxonomy) -> None:
    units = {group.code for group in taxonomy.isco_groups if group.level == 4}
    assert all(occupation.isco_code in units for occupation in taxonomy.occupations)


def test_isco_groups_are_exactly_the_used_unit_groups_and_all_the_groups_above(
    taxonomy: Taxonomy,
) -> None:
    codes = [group.code for group in taxonomy.isco_groups]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[0-9]{1,4}", code) for code in codes)
    missing_parents = [
        group.code
        for group in taxonomy.isco_groups
        if group.parent_code is not None and group.parent_code not in codes
    ]
    assert missing_parents == []
    used = {occupation.isco_code for occupation in taxonomy.occupations}
    needed = {code[:length] for code in used for length in (1, 2, 3, 4)}
    assert set(codes) == needed
    assert all(group.uri == f"{BASE_URI}/isco/C{group.code}" for group in taxonomy.isco_groups)


def test_isco_groups_carry_the_official_isco_08_english_titles(taxonomy: Taxonomy) -> None:
    titles = {group.code: preferred(group.labels, "en") for group in taxonomy.isco_groups}
    assert titles["9"] == "Elementary occupations"
    assert titles["83"] == "Drivers and mobile plant operators"
    assert titles["932"] == "Manufacturing labourers"
    assert titles["8344"] == "Lifting truck operators"
    assert titles["9211"] == "Crop farm labourers"
    assert titles["5322"] == "Home-based personal care workers"
    assert titles["9112"] == "Cleaners and helpers in offices, hotels and other establishments"
    assert titles["7511"] == "Butchers, fishmongers and related food preparers"


def test_occupation_skill_links_point_to_existing_concepts_once(taxonomy: Taxonomy) -> None:
    occupations = {occupation.uri for occupation in taxonomy.occupations}
    skills = {skill.uri for skill in taxonomy.skills}
    pairs = [(link.occupation_uri, link.skill_uri) for link in taxonomy.occupation_skills]
    assert all(occupation in occupations and skill in skills for occupation, skill in pairs)
    assert len(pairs) == len(set(pairs))


def test_every_skill_sits_in_existing_skill_groups(taxonomy: Taxonomy) -> None:
    groups = {group.uri for group in taxonomy.skill_groups}
    for skill in taxonomy.skills:
        assert skill.broader, skill.uri
        assert set(skill.broader) <= groups, skill.uri


def test_skill_groups_form_a_small_tree_without_dangling_or_circular_links(
    taxonomy: Taxonomy,
) -> None:
    broader = {group.uri: group.broader for group in taxonomy.skill_groups}
    assert all(set(parents) <= set(broader) for parents in broader.values())
    for start in broader:
        seen, current = set(), start
        while broader[current]:
            assert current not in seen, f"cycle through {start}"
            seen.add(current)
            current = broader[current][0]
    assert {group_uri(sector) for sector in SECTORS} <= set(broader)
    assert all(broader[group_uri(sector)] == (group_uri("sectors"),) for sector in SECTORS)


def test_skill_relations_join_two_different_existing_skills(taxonomy: Taxonomy) -> None:
    skills = {skill.uri for skill in taxonomy.skills}
    assert taxonomy.skill_relations
    for link in taxonomy.skill_relations:
        assert link.skill_uri in skills and link.related_uri in skills
        assert link.skill_uri != link.related_uri


def test_every_concept_has_exactly_one_preferred_label_in_each_language(
    taxonomy: Taxonomy,
) -> None:
    for uri, labels in concepts(taxonomy):
        counts = Counter(x.lang for x in labels if x.kind is LabelKind.PREFERRED)
        assert counts == dict.fromkeys(LANGUAGES, 1), uri
        assert all(x.text == x.text.strip() and x.text for x in labels), uri
        assert {x.lang for x in labels} <= set(LANGUAGES), uri


def test_arabic_labels_are_written_in_arabic_script(taxonomy: Taxonomy) -> None:
    not_arabic = [
        (uri, preferred(labels, "ar"))
        for uri, labels in concepts(taxonomy)
        if script_share(preferred(labels, "ar"), "ARABIC") < 0.8
    ]
    assert not_arabic == []


def test_russian_and_ukrainian_labels_are_written_in_cyrillic(taxonomy: Taxonomy) -> None:
    not_cyrillic = [
        (uri, preferred(labels, lang))
        for uri, labels in concepts(taxonomy)
        for lang in ("ru", "uk")
        if script_share(preferred(labels, lang), "CYRILLIC") < 0.8
    ]
    assert not_cyrillic == []


def test_ukrainian_and_russian_labels_do_not_mix_up_the_two_alphabets(
    taxonomy: Taxonomy,
) -> None:
    # ы, э, ъ and ё are not Ukrainian letters; і, ї, є and ґ are not Russian ones.
    mixed = [
        (uri, label.lang, label.text)
        for uri, labels in concepts(taxonomy)
        for label in labels
        if (label.lang == "uk" and re.search("[ыэъё]", label.text.lower()))
        or (label.lang == "ru" and re.search("[іїєґ]", label.text.lower()))
    ]
    assert mixed == []


def test_translations_are_not_copies_of_another_language(taxonomy: Taxonomy) -> None:
    all_labels = [labels for _, labels in concepts(taxonomy)]
    french_as_english = [
        labels
        for labels in all_labels
        if preferred(labels, "fr").casefold() == preferred(labels, "en").casefold()
    ]
    ukrainian_as_russian = [
        labels for labels in all_labels if preferred(labels, "uk") == preferred(labels, "ru")
    ]
    # A few words are the same in both languages ("barista", "бармен", "няня").
    assert len(french_as_english) <= 0.02 * len(all_labels)
    assert len(ukrainian_as_russian) <= 0.03 * len(all_labels)


def test_alternative_labels_never_repeat_a_label_of_the_same_concept(
    taxonomy: Taxonomy,
) -> None:
    for uri, labels in concepts(taxonomy):
        keys = [(x.lang, x.text.casefold()) for x in labels]
        assert len(keys) == len(set(keys)), uri
        assert all(x.kind is not LabelKind.LEARNED for x in labels), uri


def test_most_skills_have_an_english_alternative_label(taxonomy: Taxonomy) -> None:
    with_alternative = [
        skill
        for skill in taxonomy.skills
        if any(x.lang == "en" and x.kind is LabelKind.ALTERNATIVE for x in skill.labels)
    ]
    assert len(with_alternative) >= 0.9 * len(taxonomy.skills)
    other_languages = {
        x.lang for skill in taxonomy.skills for x in skill.labels if x.kind is LabelKind.ALTERNATIVE
    }
    assert other_languages == set(LANGUAGES)


def test_every_skill_has_a_type_a_reuse_level_and_a_description(taxonomy: Taxonomy) -> None:
    for skill in taxonomy.skills:
        assert isinstance(skill.skill_type, SkillType), skill.uri
        assert isinstance(skill.reuse_level, ReuseLevel), skill.uri
        assert skill.description.endswith("."), skill.uri
    assert {skill.skill_type for skill in taxonomy.skills} == set(SkillType)
    assert {skill.reuse_level for skill in taxonomy.skills} == set(ReuseLevel)
    assert all(occupation.description for occupation in taxonomy.occupations)


def test_all_nine_sectors_have_their_skills_and_occupations(taxonomy: Taxonomy) -> None:
    essential: dict[str, list[str]] = defaultdict(list)
    for link in taxonomy.occupation_skills:
        if link.relation is RelationType.ESSENTIAL:
            essential[link.occupation_uri].append(link.skill_uri)
    groups_of = {skill.uri: set(skill.broader) for skill in taxonomy.skills}
    for sector in SECTORS:
        skills = [uri for uri, groups in groups_of.items() if group_uri(sector) in groups]
        occupations = [
            occupation
            for occupation, linked in essential.items()
            if sum(group_uri(sector) in groups_of[skill] for skill in linked) >= 2
        ]
        assert len(skills) >= 20, sector
        assert len(occupations) >= 5, sector


def test_every_sector_skill_is_needed_by_some_occupation(taxonomy: Taxonomy) -> None:
    sectors = {group_uri(sector) for sector in SECTORS}
    linked = {link.skill_uri for link in taxonomy.occupation_skills}
    unused = [
        skill.uri
        for skill in taxonomy.skills
        if sectors & set(skill.broader) and skill.uri not in linked
    ]
    assert unused == []


def test_language_skills_cover_the_languages_workers_speak(taxonomy: Taxonomy) -> None:
    names = {
        preferred(skill.labels, "en")
        for skill in taxonomy.skills
        if group_uri("languages") in skill.broader
    }
    assert len(names) >= 30
    for language in (
        "English",
        "French",
        "German",
        "Spanish",
        "Polish",
        "Romanian",
        "Russian",
        "Ukrainian",
        "Arabic",
        "Turkish",
    ):
        assert f"communicate in {language}" in names


def test_digital_skills_include_phone_apps_and_handheld_scanners(taxonomy: Taxonomy) -> None:
    digital = [skill for skill in taxonomy.skills if group_uri("digital") in skill.broader]
    names = {preferred(skill.labels, "en") for skill in digital}
    assert len(digital) >= 20
    assert "use a smartphone app for work" in names
    assert "use a handheld barcode scanner" in names


def test_workers_words_find_the_forklift_skill(taxonomy: Taxonomy) -> None:
    (skill,) = [s for s in taxonomy.skills if s.uri == f"{BASE_URI}/skill/operate-forklift"]
    texts = {(x.lang, x.text) for x in skill.labels}
    assert ("en", "forklift driving") in texts
    assert ("en", "fork-lift truck") in texts
    assert ("en", "fork lift") in texts  # hidden: a common misspelling
    assert skill.skill_type is SkillType.SKILL
    assert skill.reuse_level is ReuseLevel.OCCUPATION_SPECIFIC


# --------------------------------------------------------------------------------------------
# The loader, on a small hand-made folder

MANIFEST = {
    "name": "Tiny",
    "version": "0.1",
    "languages": ["en", "fr"],
    "base_uri": "https://example.org/tiny/",
}
FILES = {
    "isco_groups.csv": """\
code,label_en,label_fr
8,Plant and machine operators,Conducteurs d'installations
83,Drivers and mobile plant operators,Conducteurs de véhicules
834,Mobile plant operators,Conducteurs de matériels mobiles
8344,Lifting truck operators,Conducteurs de chariots élévateurs
""",
    "skill_groups.csv": """\
id,broader,label_en,label_fr,description
sectors,,Sectors,Secteurs,
warehousing,sectors,Warehousing,Entreposage,Storing goods.
""",
    "skills.csv": (
        "id,skill_type,reuse_level,groups,label_en,label_fr,description\n"
        "operate-forklift,skill/competence,occupation-specific,warehousing,"
        'operate a forklift,conduire un chariot,"Lift, move and stack."\n'
        "lift-truck-safety,knowledge,sector-specific,warehousing; sectors ,lift truck safety,,\n"
    ),
    "occupations.csv": """\
id,isco_code,label_en,label_fr,description
forklift-operator,8344,forklift operator,cariste,Moves pallets.
""",
    "occupation_skills.csv": """\
occupation,skill,relation
forklift-operator,operate-forklift,essential
forklift-operator,lift-truck-safety,optional
""",
    "skill_relations.csv": """\
skill,related_skill,relation
operate-forklift,lift-truck-safety,essential
""",
    "alternative_labels.csv": """\
concept,lang,kind,text
skill/operate-forklift,en,alternative,forklift driving
occupation/forklift-operator,en,hidden,fork lift driver
isco/C8344,fr,alternative,caristes
skill-group/warehousing,en,alternative,logistics
""",
}


def write_folder(directory: Path, **texts: str | None) -> Path:
    """The small taxonomy in `directory`, with some files replaced (or removed, with None)."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {"taxonomy.json": json.dumps(MANIFEST), **FILES}
    for name, text in files.items():
        content = texts.get(name.replace(".", "_"), text)
        if content is not None:
            (directory / name).write_text(content, encoding="utf-8")
    return directory


def load_error(directory: Path) -> TaxonomyFileError:
    with pytest.raises(TaxonomyFileError) as caught:
        load_authored(directory)
    return caught.value


def test_small_folder_is_read_into_the_model_values(tmp_path: Path) -> None:
    taxonomy = load_authored(write_folder(tmp_path / "tiny"))

    base = "https://example.org/tiny"
    assert (taxonomy.name, taxonomy.source, taxonomy.languages) == (
        "Tiny v0.1",
        "tiny",
        ("en", "fr"),
    )
    assert [group.uri for group in taxonomy.isco_groups] == [
        f"{base}/isco/C8",
        f"{base}/isco/C83",
        f"{base}/isco/C834",
        f"{base}/isco/C8344",
    ]
    assert taxonomy.isco_groups[3].labels == (
        Label("Lifting truck operators", "en"),
        Label("Conducteurs de chariots élévateurs", "fr"),
        Label("caristes", "fr", LabelKind.ALTERNATIVE),
    )
    warehousing = taxonomy.skill_groups[1]
    assert (warehousing.uri, warehousing.code) == (f"{base}/skill-group/warehousing", "warehousing")
    assert warehousing.broader == (f"{base}/skill-group/sectors",)
    assert warehousing.description == "Storing goods."
    forklift, safety = taxonomy.skills
    assert forklift.uri == f"{base}/skill/operate-forklift"
    assert forklift.labels == (
        Label("operate a forklift", "en"),
        Label("conduire un chariot", "fr"),
        Label("forklift driving", "en", LabelKind.ALTERNATIVE),
    )
    assert (forklift.skill_type, forklift.reuse_level) == (
        SkillType.SKILL,
        ReuseLevel.OCCUPATION_SPECIFIC,
    )
    assert forklift.description == "Lift, move and stack."
    # An empty French cell gives no French label; the group list is split and stripped.
    assert safety.labels == (Label("lift truck safety", "en"),)
    assert safety.broader == (f"{base}/skill-group/warehousing", f"{base}/skill-group/sectors")
    (occupation,) = taxonomy.occupations
    assert (occupation.uri, occupation.isco_code) == (
        f"{base}/occupation/forklift-operator",
        "8344",
    )
    assert Label("fork lift driver", "en", LabelKind.HIDDEN) in occupation.labels
    assert [(x.skill_uri, x.relation) for x in taxonomy.occupation_skills] == [
        (forklift.uri, RelationType.ESSENTIAL),
        (safety.uri, RelationType.OPTIONAL),
    ]
    (relation,) = taxonomy.skill_relations
    assert (relation.skill_uri, relation.related_uri) == (forklift.uri, safety.uri)


def test_blank_lines_a_byte_order_mark_and_multi_line_cells_are_accepted(tmp_path: Path) -> None:
    skills = FILES["skills.csv"].replace('"Lift, move and stack."', '"Lift,\nmove and stack."')
    folder = write_folder(tmp_path, skills_csv="\ufeff" + skills + "\n,,,,,,\n\n")

    assert load_authored(folder).skills[0].description == "Lift,\nmove and stack."


def test_a_duplicate_id_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    skills = FILES["skills.csv"] + "operate-forklift,knowledge,transversal,,again,,\n"

    error = load_error(write_folder(tmp_path, skills_csv=skills))

    assert (error.file, error.line) == ("skills.csv", 4)
    assert "duplicate id 'operate-forklift' (first on line 2)" in error.message
    assert str(error).startswith("skills.csv, line 4: ")


def test_a_link_to_an_unknown_skill_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    links = FILES["occupation_skills.csv"] + "forklift-operator,fly-a-plane,essential\n"

    error = load_error(write_folder(tmp_path, occupation_skills_csv=links))

    assert (error.file, error.line) == ("occupation_skills.csv", 4)
    assert "unknown skill 'fly-a-plane'" in error.message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    error = load_error(write_folder(tmp_path, skills_csv=None))

    assert (error.file, error.line) == ("skills.csv", None)
    assert "file not found" in error.message


def test_a_missing_manifest_is_named(tmp_path: Path) -> None:
    error = load_error(write_folder(tmp_path, taxonomy_json=None))

    assert (error.file, error.line) == ("taxonomy.json", None)


def test_line_numbers_count_the_lines_of_multi_line_cells(tmp_path: Path) -> None:
    skills = FILES["skills.csv"].replace('"Lift, move and stack."', '"Lift,\nmove\nand stack."')
    skills += "bad-type,skill,transversal,,a skill,,\n"

    error = load_error(write_folder(tmp_path, skills_csv=skills))

    assert (error.file, error.line) == ("skills.csv", 6)
    assert "unknown skill type 'skill'" in error.message


@pytest.mark.parametrize(
    ("changes", "file", "line", "message"),
    [
        pytest.param(
            {"taxonomy_json": '{"name": "Tiny",\n "version": }'},
            "taxonomy.json",
            2,
            "not valid JSON",
            id="manifest-not-json",
        ),
        pytest.param(
            {"taxonomy_json": json.dumps({**MANIFEST, "languages": []})},
            "taxonomy.json",
            None,
            '"languages"',
            id="manifest-without-languages",
        ),
        pytest.param(
            {"skills_csv": FILES["skills.csv"].replace(",reuse_level,", ",")},
            "skills.csv",
            1,
            "missing column(s): reuse_level",
            id="missing-column",
        ),
        pytest.param(
            {"occupations_csv": FILES["occupations.csv"].replace(",description", ",notes")},
            "occupations.csv",
            1,
            "unknown column(s): 'notes'",
            id="unknown-column",
        ),
        pytest.param(
            {"skills_csv": FILES["skills.csv"].replace("sector-specific", "sector")},
            "skills.csv",
            3,
            "unknown reuse level 'sector'",
            id="unknown-reuse-level",
        ),
        pytest.param(
            {"skills_csv": FILES["skills.csv"].replace("warehousing; sectors", "storage")},
            "skills.csv",
            3,
            "unknown skill group 'storage'",
            id="skill-in-unknown-group",
        ),
        pytest.param(
            {"skills_csv": FILES["skills.csv"].replace("operate-forklift,", "Operate Forklift,")},
            "skills.csv",
            2,
            "id must be lower-case letters",
            id="id-not-a-slug",
        ),
        pytest.param(
            {"skills_csv": FILES["skills.csv"].replace("lift truck safety,", ",")},
            "skills.csv",
            3,
            "no preferred label in en",
            id="no-english-label",
        ),
        pytest.param(
            {"occupations_csv": FILES["occupations.csv"].replace("8344", "8343")},
            "occupations.csv",
            2,
            "ISCO unit group 8343 is not in isco_groups.csv",
            id="occupation-in-unknown-isco-group",
        ),
        pytest.param(
            {"occupations_csv": FILES["occupations.csv"].replace("8344", "834")},
            "occupations.csv",
            2,
            "4-digit",
            id="occupation-in-isco-minor-group",
        ),
        pytest.param(
            {"isco_groups_csv": FILES["isco_groups.csv"].replace("834,", "839,")},
            "isco_groups.csv",
            5,
            "its parent group 834 is missing",
            id="isco-group-without-parent",
        ),
        pytest.param(
            {
                "skill_groups_csv": FILES["skill_groups.csv"].replace(
                    ",,Sectors", ",warehousing,Sectors"
                )
            },
            "skill_groups.csv",
            2,
            "cycle",
            id="skill-group-cycle",
        ),
        pytest.param(
            {
                "occupation_skills_csv": FILES["occupation_skills.csv"]
                + "cook,operate-forklift,essential\n"
            },
            "occupation_skills.csv",
            4,
            "unknown occupation 'cook'",
            id="link-from-unknown-occupation",
        ),
        pytest.param(
            {"occupation_skills_csv": FILES["occupation_skills.csv"].replace("optional", "nice")},
            "occupation_skills.csv",
            3,
            "unknown relation 'nice'",
            id="unknown-relation",
        ),
        pytest.param(
            {
                "occupation_skills_csv": FILES["occupation_skills.csv"]
                + "forklift-operator,operate-forklift,optional\n"
            },
            "occupation_skills.csv",
            4,
            "linked to 'operate-forklift' twice",
            id="link-twice",
        ),
        pytest.param(
            {
                "skill_relations_csv": FILES["skill_relations.csv"]
                + "operate-forklift,drive-a-bus,optional\n"
            },
            "skill_relations.csv",
            3,
            "unknown skill 'drive-a-bus'",
            id="relation-to-unknown-skill",
        ),
        pytest.param(
            {
                "skill_relations_csv": FILES["skill_relations.csv"]
                + "operate-forklift,operate-forklift,optional\n"
            },
            "skill_relations.csv",
            3,
            "related to itself",
            id="skill-related-to-itself",
        ),
        pytest.param(
            {
                "alternative_labels_csv": FILES["alternative_labels.csv"]
                + "skill/fly,en,alternative,x\n"
            },
            "alternative_labels.csv",
            6,
            "unknown concept 'skill/fly'",
            id="label-of-unknown-concept",
        ),
        pytest.param(
            {
                "alternative_labels_csv": FILES["alternative_labels.csv"]
                + "occupation/forklift-operator,de,alternative,Staplerfahrer\n"
            },
            "alternative_labels.csv",
            6,
            "language 'de' is not one of the taxonomy's languages",
            id="label-in-undeclared-language",
        ),
        pytest.param(
            {
                "alternative_labels_csv": FILES["alternative_labels.csv"]
                + "occupation/forklift-operator,fr,preferred,cariste\n"
            },
            "alternative_labels.csv",
            6,
            "unknown label kind 'preferred'",
            id="preferred-label-in-labels-file",
        ),
        pytest.param(
            {
                "alternative_labels_csv": FILES["alternative_labels.csv"]
                + "occupation/forklift-operator,en,alternative,Forklift Operator\n"
            },
            "alternative_labels.csv",
            6,
            "already has the preferred label",
            id="alternative-repeats-preferred",
        ),
        pytest.param(
            {"occupations_csv": FILES["occupations.csv"] + "cook,5120,cook,cuisinier\n"},
            "occupations.csv",
            3,
            "4 fields where the header has 5",
            id="row-with-a-missing-comma",
        ),
    ],
)
def test_a_broken_file_is_reported_with_its_name_and_line(
    tmp_path: Path, changes: dict[str, str], file: str, line: int | None, message: str
) -> None:
    error = load_error(write_folder(tmp_path, **changes))

    assert (error.file, error.line) == (file, line)
    assert message in error.message
