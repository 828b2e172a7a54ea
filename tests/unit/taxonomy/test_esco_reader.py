"""The ESCO CSV reader: the real v1.1.1 zips, and small hand-made zips, sound or damaged."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from portal.taxonomy.loaders.esco import (
    ANOMALY_KEYS,
    EscoRead,
    read_esco,
    read_esco_report,
    summarise,
)
from portal.taxonomy.model import LabelKind, RelationType, ReuseLevel, SkillType, TaxonomyFileError

# --------------------------------------------------------------------------------------------
# The real release (skipped without the zips; see conftest.esco_zips)


@pytest.fixture(scope="module")
def esco(esco_zips: tuple[Path, Path]) -> EscoRead:
    return read_esco_report(*esco_zips)


def test_real_release_has_the_documented_numbers_of_concepts(esco: EscoRead) -> None:
    counts = esco.counts
    assert counts["skills"] == 13_896
    assert counts["occupations"] == 3_007
    assert counts["isco_groups"] == 619
    levels = Counter(group.level for group in esco.taxonomy.isco_groups)
    assert levels == {1: 10, 2: 43, 3: 130, 4: 436}
    # 640 in skillGroups_en.csv, plus 7 groups that only skillsHierarchy_en.csv names.
    assert counts["skill_groups"] == 647
    assert esco.anomalies["skill_groups_from_hierarchy"] == 7


def test_real_release_keeps_every_relation_except_the_dangling_ones(esco: EscoRead) -> None:
    counts, anomalies = esco.counts, esco.anomalies
    # 123,855 rows in occupationSkillRelations.csv; 67 name an occupation absent from the release.
    assert counts["occupation_skills"] + anomalies["occupation_skills_dangling"] == 123_855
    assert anomalies["occupation_skills_dangling"] == 67
    # 5,899 rows in skillSkillRelations.csv, one of them a skill related to itself.
    assert counts["skill_relations"] == 5_898
    assert anomalies["skill_relations_self"] == 1
    # 20,656 rows in broaderRelationsSkillPillar.csv, all resolved thanks to the hierarchy.
    assert counts["skill_broader"] + counts["skill_group_broader"] == 20_656
    assert anomalies["skill_broader_dangling"] == 0
    # 3,617 rows in broaderRelationsOccPillar.csv: 1,248 occupation-to-occupation (one dangling)
    # and 2,369 ISCO rows (the ISCO hierarchy and an occupation's group come from the codes).
    assert counts["occupation_broader"] == 1_247
    assert anomalies["occupation_broader_dangling"] == 1
    assert anomalies["isco_broader_rows_ignored"] == 2_369
    assert anomalies["duplicate_relations"] == 0


def test_real_release_relations_only_point_at_concepts_of_the_release(esco: EscoRead) -> None:
    taxonomy = esco.taxonomy
    skills = {skill.uri for skill in taxonomy.skills}
    groups = {group.uri for group in taxonomy.skill_groups}
    occupations = {occupation.uri for occupation in taxonomy.occupations}
    isco_codes = {group.code for group in taxonomy.isco_groups}
    assert all(
        link.occupation_uri in occupations and link.skill_uri in skills
        for link in taxonomy.occupation_skills
    )
    assert all(
        link.skill_uri in skills and link.related_uri in skills for link in taxonomy.skill_relations
    )
    assert all(set(skill.broader) <= skills | groups for skill in taxonomy.skills)
    assert all(set(group.broader) <= skills | groups for group in taxonomy.skill_groups)
    assert all(set(occupation.broader) <= occupations for occupation in taxonomy.occupations)
    assert all(occupation.isco_code in isco_codes for occupation in taxonomy.occupations)
    pairs = [(link.occupation_uri, link.skill_uri) for link in taxonomy.occupation_skills]
    assert len(pairs) == len(set(pairs))


def test_real_release_splits_multi_line_label_cells_one_label_per_line(esco: EscoRead) -> None:
    skill = next(
        skill
        for skill in esco.taxonomy.skills
        if skill.uri == "http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab"
    )
    assert [(label.text, label.kind) for label in skill.labels] == [
        ("manage musical staff", LabelKind.PREFERRED),
        # The cell's five lines less the repeated preferred label.
        ("manage staff of music", LabelKind.ALTERNATIVE),
        ("coordinate duties of musical staff", LabelKind.ALTERNATIVE),
        ("manage music staff", LabelKind.ALTERNATIVE),
        ("direct musical staff", LabelKind.ALTERNATIVE),
    ]
    assert skill.skill_type is SkillType.SKILL
    assert skill.reuse_level is ReuseLevel.SECTOR_SPECIFIC
    assert skill.description.startswith("Assign and manage staff tasks")
    assert skill.broader


def test_real_release_labels_are_clean_and_unique_per_concept(esco: EscoRead) -> None:
    taxonomy = esco.taxonomy
    concepts = [
        *taxonomy.isco_groups,
        *taxonomy.skill_groups,
        *taxonomy.skills,
        *taxonomy.occupations,
    ]
    for concept in concepts:
        texts = [label.text for label in concept.labels]
        assert len(texts) == len(set(texts)), concept.uri
        assert all(text and text == text.strip() and "\n" not in text for text in texts)
        assert concept.labels[0].kind is LabelKind.PREFERRED
        assert {label.lang for label in concept.labels} == {"en"}
    kinds = Counter(label.kind for concept in concepts for label in concept.labels)
    assert kinds[LabelKind.HIDDEN] > 0
    assert esco.counts["labels"] == sum(kinds.values())


def test_real_release_occupation_has_its_isco_group_code_and_broader(esco: EscoRead) -> None:
    occupation = next(
        occupation
        for occupation in esco.taxonomy.occupations
        if occupation.uri
        == "http://data.europa.eu/esco/occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34"
    )
    assert occupation.isco_code == "2654"
    assert occupation.code == "2654.1.7"
    assert occupation.labels[0].text == "technical director"
    assert len(occupation.broader) == 1


def test_real_release_skills_without_type_are_read_with_none(esco: EscoRead) -> None:
    skills = esco.taxonomy.skills
    assert sum(skill.skill_type is None for skill in skills) == 6
    assert sum(skill.reuse_level is None for skill in skills) == 5
    assert esco.anomalies["skills_without_skill_type"] == 6


def test_real_release_is_named_after_the_zips(esco: EscoRead, esco_zips) -> None:
    taxonomy = esco.taxonomy
    assert taxonomy.name == "ESCO v1.1.1"
    assert taxonomy.source == f"{esco_zips[0].name}, {esco_zips[1].name}"
    assert taxonomy.languages == ("en",)


def test_truncated_copy_of_the_real_zip_is_an_error_naming_the_zip(
    esco_zips: tuple[Path, Path], tmp_path: Path
) -> None:
    classification, relations = esco_zips
    truncated = tmp_path / relations.name
    data = relations.read_bytes()
    truncated.write_bytes(data[: len(data) * 2 // 3])

    with pytest.raises(TaxonomyFileError) as caught:
        read_esco(classification, truncated)

    assert caught.value.file == relations.name
    assert caught.value.line is None
    assert "truncated or corrupt" in caught.value.message


# --------------------------------------------------------------------------------------------
# Hand-made releases

SK = "http://example.org/skill/"
OC = "http://example.org/occupation/"
ISCO = "http://example.org/isco/C"

HEADERS = {
    "ISCOGroups_en.csv": "conceptType,conceptUri,code,preferredLabel,status,altLabels,inScheme,"
    "description",
    "skillGroups_en.csv": "conceptType,conceptUri,preferredLabel,altLabels,hiddenLabels,status,"
    "modifiedDate,scopeNote,inScheme,description,code",
    "skills_en.csv": "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,"
    "hiddenLabels,status,modifiedDate,scopeNote,definition,inScheme,description",
    "occupations_en.csv": "conceptType,conceptUri,iscoGroup,preferredLabel,altLabels,hiddenLabels,"
    "status,modifiedDate,regulatedProfessionNote,scopeNote,definition,inScheme,description,code",
    "skillsHierarchy_en.csv": "Level 0 URI,Level 0 preferred term,Level 1 URI,"
    "Level 1 preferred term,Level 2 URI,Level 2 preferred term,Level 3 URI,Level 3 preferred term,"
    "Description,Scope note,Level 0 code,Level 1 code,Level 2 code,Level 3 code",
    "broaderRelationsSkillPillar.csv": "conceptType,conceptUri,broaderType,broaderUri",
    "broaderRelationsOccPillar.csv": "conceptType,conceptUri,broaderType,broaderUri",
    "occupationSkillRelations.csv": "occupationUri,relationType,skillType,skillUri",
    "skillSkillRelations.csv": "originalSkillUri,originalSkillType,relationType,relatedSkillType,"
    "relatedSkillUri",
}
CLASSIFICATION_FILES = (
    "ISCOGroups_en.csv",
    "skillGroups_en.csv",
    "skills_en.csv",
    "occupations_en.csv",
    "skillsHierarchy_en.csv",
)


def isco(code: str) -> dict[str, str]:
    return {"conceptUri": f"{ISCO}{code}", "code": code, "preferredLabel": f"ISCO group {code}"}


def skill(n: int, **fields: str) -> dict[str, str]:
    return {
        "conceptUri": f"{SK}{n}",
        "skillType": "skill/competence",
        "reuseLevel": "cross-sector",
        "preferredLabel": f"skill {n}",
        **fields,
    }


def sample_rows() -> dict[str, list[dict[str, str]]]:
    """A tiny but complete release; tests change it before writing the zips."""
    group = "http://example.org/group/"
    return {
        "ISCOGroups_en.csv": [isco("2"), isco("25"), isco("251"), isco("2512")],
        "skillGroups_en.csv": [
            {"conceptUri": f"{group}S", "preferredLabel": "skills", "code": "S"},
            {"conceptUri": f"{group}S1", "preferredLabel": "programming", "code": "S1"},
        ],
        "skills_en.csv": [
            skill(1, altLabels="write code\n  program computers \n\nskill 1\nwrite code"),
            skill(2, skillType="knowledge", altLabels="python\nPython programming"),
            skill(3, hiddenLabels="skill three\nskill 3 ", description=" Does things.\r\n"),
            skill(4, skillType="", reuseLevel=""),
        ],
        "occupations_en.csv": [
            {
                "conceptUri": f"{OC}1",
                "iscoGroup": "2512",
                "preferredLabel": "software developer",
                "altLabels": "programmer\ncoder",
                "hiddenLabels": "code monkey",
                "code": "2512.1",
            },
            {
                "conceptUri": f"{OC}2",
                "iscoGroup": "2512",
                "preferredLabel": "web developer",
                "code": "2512.1.1",
            },
        ],
        "skillsHierarchy_en.csv": [
            {"Level 0 URI": f"{group}S", "Level 0 preferred term": "skills", "Level 0 code": "S"},
            {
                "Level 0 URI": f"{group}S",
                "Level 0 preferred term": "skills",
                "Level 1 URI": f"{group}S2",
                "Level 1 preferred term": "testing",
                "Description": "Only the hierarchy names this group.",
                "Level 0 code": "S",
                "Level 1 code": "S2",
            },
        ],
        "broaderRelationsSkillPillar.csv": [
            {"conceptUri": f"{group}S1", "broaderUri": f"{group}S"},
            {"conceptUri": f"{group}S2", "broaderUri": f"{group}S"},
            {"conceptUri": f"{SK}1", "broaderUri": f"{group}S1"},
            {"conceptUri": f"{SK}2", "broaderUri": f"{group}S1"},
            {"conceptUri": f"{SK}2", "broaderUri": f"{SK}1"},
            {"conceptUri": f"{SK}3", "broaderUri": f"{group}S2"},
            {"conceptUri": f"{SK}404", "broaderUri": f"{group}S1"},  # dangling
        ],
        "broaderRelationsOccPillar.csv": [
            {"conceptUri": f"{ISCO}25", "broaderUri": f"{ISCO}2"},
            {"conceptUri": f"{OC}1", "broaderUri": f"{ISCO}2512"},
            {"conceptUri": f"{OC}2", "broaderUri": f"{OC}1"},
            {"conceptUri": f"{OC}404", "broaderUri": f"{OC}1"},  # dangling
        ],
        "occupationSkillRelations.csv": [
            {"occupationUri": f"{OC}1", "relationType": "optional", "skillUri": f"{SK}1"},
            {"occupationUri": f"{OC}1", "relationType": "essential", "skillUri": f"{SK}2"},
            {"occupationUri": f"{OC}1", "relationType": "essential", "skillUri": f"{SK}1"},
            {"occupationUri": f"{OC}2", "relationType": "optional", "skillUri": f"{SK}3"},
            {"occupationUri": f"{OC}404", "relationType": "optional", "skillUri": f"{SK}3"},
            {"occupationUri": f"{OC}2", "relationType": "optional", "skillUri": f"{SK}404"},
        ],
        "skillSkillRelations.csv": [
            {"originalSkillUri": f"{SK}1", "relationType": "optional", "relatedSkillUri": f"{SK}2"},
            {"originalSkillUri": f"{SK}3", "relationType": "optional", "relatedSkillUri": f"{SK}3"},
            {"originalSkillUri": f"{SK}3", "relationType": "optional", "relatedSkillUri": f"{SK}9"},
        ],
    }


def csv_text(name: str, rows: list[dict[str, str]], header: str | None = None) -> str:
    columns = (header or HEADERS[name]).split(",")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return out.getvalue()


def write_release(
    tmp_path: Path,
    rows: dict[str, list[dict[str, str]]] | None = None,
    *,
    texts: dict[str, str | bytes] | None = None,
    omit: tuple[str, ...] = (),
    folder: str = "",
    classification_name: str = "esco-v9.8.7-classification-en-csv.zip",
    relations_name: str = "esco-v9.8.7-relations-csv.zip",
    compression: int = zipfile.ZIP_DEFLATED,
) -> tuple[Path, Path]:
    """Write the two zips; `texts` replaces a file's content verbatim."""
    rows = rows or sample_rows()
    texts = texts or {}
    paths = (tmp_path / classification_name, tmp_path / relations_name)
    with (
        zipfile.ZipFile(paths[0], "w", compression) as classification,
        zipfile.ZipFile(paths[1], "w", compression) as relations,
    ):
        for name in HEADERS:
            if name in omit:
                continue
            archive = classification if name in CLASSIFICATION_FILES else relations
            archive.writestr(folder + name, texts.get(name) or csv_text(name, rows[name]))
    return paths


def read_error(paths: tuple[Path, Path]) -> TaxonomyFileError:
    with pytest.raises(TaxonomyFileError) as caught:
        read_esco(*paths)
    return caught.value


def test_small_release_is_read_with_labels_split_stripped_and_deduplicated(
    tmp_path: Path,
) -> None:
    taxonomy = read_esco(*write_release(tmp_path))

    skills = {skill.uri: skill for skill in taxonomy.skills}
    assert [(label.text, label.kind) for label in skills[f"{SK}1"].labels] == [
        ("skill 1", LabelKind.PREFERRED),
        ("write code", LabelKind.ALTERNATIVE),
        ("program computers", LabelKind.ALTERNATIVE),
    ]
    assert [(label.text, label.kind) for label in skills[f"{SK}3"].labels] == [
        ("skill 3", LabelKind.PREFERRED),
        ("skill three", LabelKind.HIDDEN),
    ]
    assert skills[f"{SK}3"].description == "Does things."
    assert skills[f"{SK}2"].skill_type is SkillType.KNOWLEDGE
    assert skills[f"{SK}2"].broader == ("http://example.org/group/S1", f"{SK}1")
    assert skills[f"{SK}4"].skill_type is None
    assert skills[f"{SK}4"].reuse_level is None
    occupations = {occupation.uri: occupation for occupation in taxonomy.occupations}
    assert occupations[f"{OC}1"].isco_code == "2512"
    assert occupations[f"{OC}1"].code == "2512.1"
    assert occupations[f"{OC}1"].labels[-1].kind is LabelKind.HIDDEN
    assert occupations[f"{OC}2"].broader == (f"{OC}1",)
    assert [group.code for group in taxonomy.isco_groups] == ["2", "25", "251", "2512"]
    assert {label.lang for skill in taxonomy.skills for label in skill.labels} == {"en"}
    assert taxonomy.name == "ESCO v9.8.7"
    assert taxonomy.source == "esco-v9.8.7-classification-en-csv.zip, esco-v9.8.7-relations-csv.zip"
    assert taxonomy.languages == ("en",)


def test_small_release_skips_and_counts_dangling_self_and_repeated_relations(
    tmp_path: Path,
) -> None:
    result = read_esco_report(*write_release(tmp_path))

    links = {
        (link.occupation_uri, link.skill_uri): link.relation
        for link in result.taxonomy.occupation_skills
    }
    # The repeated optional/essential pair keeps "essential", in the first one's place.
    assert links == {
        (f"{OC}1", f"{SK}1"): RelationType.ESSENTIAL,
        (f"{OC}1", f"{SK}2"): RelationType.ESSENTIAL,
        (f"{OC}2", f"{SK}3"): RelationType.OPTIONAL,
    }
    assert [(r.skill_uri, r.related_uri) for r in result.taxonomy.skill_relations] == [
        (f"{SK}1", f"{SK}2")
    ]
    assert set(result.anomalies) == set(ANOMALY_KEYS)
    assert result.anomalies["occupation_skills_dangling"] == 2
    assert result.anomalies["skill_relations_dangling"] == 1
    assert result.anomalies["skill_relations_self"] == 1
    assert result.anomalies["duplicate_relations"] == 1
    assert result.anomalies["skill_broader_dangling"] == 1
    assert result.anomalies["occupation_broader_dangling"] == 1
    assert result.anomalies["isco_broader_rows_ignored"] == 2
    assert result.anomalies["skills_without_skill_type"] == 1
    assert result.anomalies["skills_without_reuse_level"] == 1
    # "skill 1" and "write code" repeated in skill 1's alt labels, "skill 3" in its hidden ones.
    assert result.anomalies["duplicate_labels_dropped"] == 3


def test_summarise_counts_concepts_labels_and_relations(tmp_path: Path) -> None:
    result = read_esco_report(*write_release(tmp_path))

    assert result.counts == summarise(result.taxonomy)
    assert result.counts == {
        "isco_groups": 4,
        "skill_groups": 3,
        "skills": 4,
        "occupations": 2,
        "labels": 4 + 3 + (3 + 3 + 2 + 1) + (4 + 1),
        "occupation_skills": 3,
        "skill_relations": 1,
        "broader_relations": 6 + 1,
        "skill_broader": 4,
        "skill_group_broader": 2,
        "occupation_broader": 1,
    }


def test_hierarchy_adds_the_skill_groups_missing_from_skill_groups_file(tmp_path: Path) -> None:
    result = read_esco_report(*write_release(tmp_path))

    groups = {group.uri: group for group in result.taxonomy.skill_groups}
    added = groups["http://example.org/group/S2"]
    assert added.code == "S2"
    assert added.labels[0].text == "testing"
    assert added.description == "Only the hierarchy names this group."
    assert added.broader == ("http://example.org/group/S",)
    assert result.anomalies["skill_groups_from_hierarchy"] == 1


def test_hierarchy_file_is_optional(tmp_path: Path) -> None:
    result = read_esco_report(*write_release(tmp_path, omit=("skillsHierarchy_en.csv",)))

    assert result.counts["skill_groups"] == 2
    # Without the hierarchy, the links to and from the unknown group S2 are dangling.
    assert result.anomalies["skill_broader_dangling"] == 3


def test_files_in_a_subfolder_with_a_byte_order_mark_are_found(tmp_path: Path) -> None:
    rows = sample_rows()
    bom_skills = "\ufeff" + csv_text("skills_en.csv", rows["skills_en.csv"])
    paths = write_release(tmp_path, rows, texts={"skills_en.csv": bom_skills}, folder="esco/csv/")

    taxonomy = read_esco(*paths)

    assert len(taxonomy.skills) == 4


def test_release_without_version_in_the_zip_names_is_called_esco(tmp_path: Path) -> None:
    paths = write_release(tmp_path, classification_name="a.zip", relations_name="b.zip")

    assert read_esco(*paths).name == "ESCO"


def test_progress_is_reported_per_file_up_to_its_uncompressed_size(tmp_path: Path) -> None:
    paths = write_release(tmp_path)
    calls: list[tuple[str, int, int]] = []

    read_esco(*paths, progress=lambda *call: calls.append(call))

    files = {label for label, _, _ in calls}
    assert len(files) == len(HEADERS)
    with zipfile.ZipFile(paths[0]) as archive:
        size = archive.getinfo("skills_en.csv").file_size
    skills = [call for call in calls if call[0] == f"{paths[0].name}:skills_en.csv"]
    assert skills[0] == (skills[0][0], 0, size)
    assert skills[-1] == (skills[0][0], size, size)


# --------------------------------------------------------------------------------------------
# Damaged hand-made releases


def test_truncated_zip_is_an_error_naming_the_zip(tmp_path: Path) -> None:
    classification, relations = write_release(tmp_path)
    data = classification.read_bytes()
    classification.write_bytes(data[: len(data) - 30])

    error = read_error((classification, relations))

    assert error.file == classification.name
    assert "truncated or corrupt" in str(error)


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_corrupt_data_inside_the_zip_is_an_error_naming_the_file_in_the_zip(
    tmp_path: Path, compression: int
) -> None:
    rows = sample_rows()
    rows["skills_en.csv"] += [skill(n, description="x" * 200) for n in range(10, 60)]
    classification, relations = write_release(tmp_path, rows, compression=compression)
    with zipfile.ZipFile(classification) as archive:
        info = archive.getinfo("skills_en.csv")
    data = bytearray(classification.read_bytes())
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    data[middle] ^= 0x01  # stays ASCII when stored: only the CRC can tell
    classification.write_bytes(bytes(data))

    error = read_error((classification, relations))

    assert error.file == f"{classification.name}:skills_en.csv"
    assert error.line is None
    assert "corrupt" in error.message


def test_missing_zip_is_an_error_naming_it(tmp_path: Path) -> None:
    _, relations = write_release(tmp_path)

    error = read_error((tmp_path / "nowhere.zip", relations))

    assert error.file == "nowhere.zip"
    assert "not found" in error.message


@pytest.mark.parametrize(
    ("omitted", "zip_index"),
    [("skills_en.csv", 0), ("occupationSkillRelations.csv", 1)],
)
def test_missing_required_file_is_an_error_naming_it(
    tmp_path: Path, omitted: str, zip_index: int
) -> None:
    paths = write_release(tmp_path, omit=(omitted,))

    error = read_error(paths)

    assert error.file == paths[zip_index].name
    assert omitted.removesuffix(".csv").removesuffix("_en") in error.message


def test_unknown_skill_type_is_reported_at_the_line_where_its_record_starts(
    tmp_path: Path,
) -> None:
    rows = sample_rows()
    rows["skills_en.csv"][2]["skillType"] = "attitude"
    paths = write_release(tmp_path, rows)

    error = read_error(paths)

    # Line 1 is the header; record 1 spans lines 2-6 (five alt-label lines), record 2 lines 7-8.
    assert error.file == f"{paths[0].name}:skills_en.csv"
    assert error.line == 9
    assert "'attitude'" in error.message
    assert str(error).startswith(f"{paths[0].name}:skills_en.csv, line 9: unknown skillType")


def test_missing_required_column_is_an_error_naming_the_file(tmp_path: Path) -> None:
    rows = sample_rows()
    header = HEADERS["occupations_en.csv"].replace("iscoGroup,", "")
    text = csv_text("occupations_en.csv", rows["occupations_en.csv"], header)
    paths = write_release(tmp_path, rows, texts={"occupations_en.csv": text})

    error = read_error(paths)

    assert error.file == f"{paths[0].name}:occupations_en.csv"
    assert error.line == 1
    assert "iscoGroup" in error.message


def test_record_with_the_wrong_number_of_fields_is_an_error_at_its_line(tmp_path: Path) -> None:
    text = csv_text("skillSkillRelations.csv", sample_rows()["skillSkillRelations.csv"])
    lines = text.splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\n") + ",extra\n"
    paths = write_release(tmp_path, texts={"skillSkillRelations.csv": "".join(lines)})

    error = read_error(paths)

    assert error.file == f"{paths[1].name}:skillSkillRelations.csv"
    assert error.line == 3
    assert "6 fields" in error.message


@pytest.mark.parametrize(
    ("file", "index", "field", "value", "expected"),
    [
        ("occupationSkillRelations.csv", 3, "relationType", "important", "relationType"),
        ("occupationSkillRelations.csv", 1, "skillUri", " ", "skillUri"),
        ("skills_en.csv", 3, "reuseLevel", "universal", "reuseLevel"),
        ("skills_en.csv", 1, "conceptUri", "", "conceptUri"),
        ("skills_en.csv", 1, "conceptUri", f"{SK}1", "twice"),
        ("occupations_en.csv", 1, "iscoGroup", "9999", "iscoGroup 9999"),
        ("ISCOGroups_en.csv", 2, "code", "", "code"),
    ],
)
def test_malformed_record_is_an_error_at_its_line(
    tmp_path: Path, file: str, index: int, field: str, value: str, expected: str
) -> None:
    rows = sample_rows()
    rows[file][index][field] = value
    text = csv_text(file, rows[file])
    paths = write_release(tmp_path, rows)
    # The physical line where record `index` starts.
    reader = csv.reader(io.StringIO(text))
    next(reader)
    starts = []
    for _ in rows[file]:
        starts.append(reader.line_num + 1)
        next(reader)

    error = read_error(paths)

    assert error.file.endswith(f":{file}")
    assert error.line == starts[index]
    assert expected in error.message


def test_invalid_utf8_is_an_error_at_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    text = csv_text("skills_en.csv", sample_rows()["skills_en.csv"])
    # Skill 2's record starts on line 7; its second alt label is on line 8.
    data = text.replace("Python programming", "Python pro\udcffgramming")
    paths = write_release(
        tmp_path, texts={"skills_en.csv": data.encode("utf-8", "surrogateescape")}
    )

    error = read_error(paths)

    assert error.file == f"{paths[0].name}:skills_en.csv"
    assert error.line == 8
    assert "UTF-8" in error.message


def test_unterminated_quoted_cell_is_an_error_at_the_line_where_the_record_starts(
    tmp_path: Path,
) -> None:
    text = csv_text("skillSkillRelations.csv", sample_rows()["skillSkillRelations.csv"])
    paths = write_release(tmp_path, texts={"skillSkillRelations.csv": text + '"unterminated,\n'})

    error = read_error(paths)

    assert error.file == f"{paths[1].name}:skillSkillRelations.csv"
    assert error.line == 5


def test_zips_of_different_esco_versions_are_an_error(tmp_path: Path) -> None:
    paths = write_release(tmp_path, relations_name="esco-v1.2.0-relations-csv.zip")

    error = read_error(paths)

    assert "different ESCO versions" in error.message


def test_corruption_that_first_shows_as_a_malformed_record_is_reported_as_corruption(
    tmp_path: Path,
) -> None:
    rows = sample_rows()
    # Larger than the reader's 64 KiB buffer, so the CRC is checked well after record 1.
    rows["skills_en.csv"] += [skill(n, description="x" * 200) for n in range(10, 1000)]
    classification, relations = write_release(tmp_path, rows, compression=zipfile.ZIP_STORED)
    with zipfile.ZipFile(classification) as archive:
        info = archive.getinfo("skills_en.csv")
    assert info.file_size > 3 * 65536
    data = bytearray(classification.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    comma = data.index(b"\n,", start) + 1  # the first comma of the first record (line 2)
    data[comma] = ord(";")  # on its own, "record has 12 fields" at line 2
    classification.write_bytes(bytes(data))

    error = read_error((classification, relations))

    assert error.file == f"{classification.name}:skills_en.csv"
    assert error.line is None
    assert "Bad CRC-32" in error.message
