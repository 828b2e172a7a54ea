"""`portal taxonomy ...`: loading, listing, activating and suggesting, through the CLI runner."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Concept, TaxonomyVersion
from portal.services import taxonomy as taxonomies
from portal.taxonomy.model import Taxonomy
from tests.conftest import small_taxonomy

SMALL = "https://skills-portal.example/test"


def count_in(output: str, what: str) -> int:
    """The number printed on the summary line for `what` (e.g. "skills   13,896")."""
    match = re.search(rf"^\s+{what}\s+([\d,]+)$", output, re.MULTILINE)
    assert match, f"no count of {what} in:\n{output}"
    return int(match.group(1).replace(",", ""))


def active_name(session: Session) -> str | None:
    session.expire_all()
    version = taxonomies.active_version(session)
    return version.name if version else None


def version_names(session: Session) -> list[str]:
    session.expire_all()
    return [version.name for version in taxonomies.list_versions(session)]


# --- load-builtin -----------------------------------------------------------------------------


def test_load_builtin_stores_the_shipped_taxonomy_once_then_says_unchanged(
    runner: FlaskCliRunner, session: Session
) -> None:
    first = runner.invoke(args=["taxonomy", "load-builtin"])
    second = runner.invoke(args=["taxonomy", "load-builtin"])

    assert first.exit_code == 0, first.output
    assert ": created." in first.output
    assert count_in(first.output, "occupations") >= 80
    assert count_in(first.output, "skills") >= 400
    assert "is the active taxonomy" in first.output
    assert second.exit_code == 0, second.output
    assert "is unchanged" in second.output
    assert count_in(second.output, "skills") == count_in(first.output, "skills")
    assert len(version_names(session)) == 1


def test_load_builtin_leaves_the_active_taxonomy_active_unless_told_to_activate(
    runner: FlaskCliRunner, session: Session, stored_taxonomy: Taxonomy
) -> None:
    loaded = runner.invoke(args=["taxonomy", "load-builtin"])
    assert loaded.exit_code == 0, loaded.output
    assert "is not active" in loaded.output
    assert active_name(session) == stored_taxonomy.name

    forced = runner.invoke(args=["taxonomy", "load-builtin", "--activate"])

    assert forced.exit_code == 0, forced.output
    assert "is now the active taxonomy" in forced.output
    assert active_name(session) not in (None, stored_taxonomy.name)


def test_load_builtin_with_no_activate_stores_without_activating(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=["taxonomy", "load-builtin", "--no-activate"])

    assert result.exit_code == 0, result.output
    assert active_name(session) is None
    assert "`portal taxonomy activate" in result.output


# --- suggest ----------------------------------------------------------------------------------


def test_suggest_ranks_operate_a_forklift_first_for_fork_lift_driving(
    runner: FlaskCliRunner, stored_taxonomy: Taxonomy
) -> None:
    result = runner.invoke(args=["taxonomy", "suggest", "fork lift driving"])

    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("1.")
    assert "operate a forklift" in first
    assert f"{SMALL}/skill/forklift" in first


def test_suggest_finds_care_for_elderly_people_from_russian_words(
    runner: FlaskCliRunner, stored_taxonomy: Taxonomy
) -> None:
    result = runner.invoke(args=["taxonomy", "suggest", "уход за пожилыми"])

    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert "care for elderly people" in first
    assert '(matched "уход за пожилыми людьми")  [ru]' in first


def test_suggest_says_no_match_for_nonsense(
    runner: FlaskCliRunner, stored_taxonomy: Taxonomy
) -> None:
    result = runner.invoke(args=["taxonomy", "suggest", "qzxv wplk"])

    assert result.exit_code == 0, result.output
    assert result.output == "No match.\n"


def test_suggest_occupations_ranks_occupations_instead_of_skills(
    runner: FlaskCliRunner, stored_taxonomy: Taxonomy
) -> None:
    result = runner.invoke(args=["taxonomy", "suggest", "cariste", "--occupations", "--lang", "fr"])

    assert result.exit_code == 0, result.output
    assert f"{SMALL}/occupation/forklift-driver" in result.output.splitlines()[0]


def test_suggest_batch_writes_one_json_line_per_phrase_in_order_with_blank_lines_kept(
    runner: FlaskCliRunner, stored_taxonomy: Taxonomy, tmp_path: Path
) -> None:
    phrases = tmp_path / "phrases.txt"
    phrases.write_text("order picking\n\nfork lift driving\nуход за пожилыми\n", encoding="utf-8")

    result = runner.invoke(
        args=["taxonomy", "suggest", "--batch", str(phrases), "--limit", "2", "--format", "jsonl"]
    )

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["q"] for line in lines] == [
        "order picking",
        "",
        "fork lift driving",
        "уход за пожилыми",
    ]
    assert lines[1]["candidates"] == []
    assert [line["candidates"][0]["uri"] for line in lines if line["candidates"]] == [
        f"{SMALL}/skill/orders",
        f"{SMALL}/skill/forklift",
        f"{SMALL}/skill/elderly",
    ]
    assert all(len(line["candidates"]) <= 2 for line in lines)
    assert set(lines[0]["candidates"][0]) == {"uri", "label", "score"}
    assert "уход за пожилыми" in result.stdout  # not escaped to \u sequences


def test_suggest_batch_reads_phrases_from_standard_input(
    runner: FlaskCliRunner, stored_taxonomy: Taxonomy
) -> None:
    result = runner.invoke(
        args=["taxonomy", "suggest", "--batch", "-", "--format", "jsonl"],
        input="barcode scanning\nqzxv wplk\n",
    )

    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    best = first["candidates"][0]
    assert (best["uri"], best["label"]) == (f"{SMALL}/skill/scanner", "use a handheld scanner")
    assert second == {"q": "qzxv wplk", "candidates": []}


def test_suggest_batch_as_text_prints_each_phrase_with_its_ranked_list(
    runner: FlaskCliRunner, stored_taxonomy: Taxonomy
) -> None:
    result = runner.invoke(
        args=["taxonomy", "suggest", "--batch", "-", "--limit", "1"],
        input="stack pallets\nqzxv wplk\n",
    )

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "stack pallets:"
    assert lines[1].startswith("  1.") and "stack pallets" in lines[1]
    assert lines[2:] == ["qzxv wplk:", "  No match."]


def test_suggest_without_an_active_taxonomy_says_how_to_load_one(
    runner: FlaskCliRunner,
) -> None:
    result = runner.invoke(args=["taxonomy", "suggest", "forklift"])

    assert result.exit_code == 1
    assert "No taxonomy is active" in result.output
    assert "`portal taxonomy load-builtin`" in result.output
    assert "Traceback" not in result.output


def test_suggest_needs_either_text_or_batch_but_not_both(
    runner: FlaskCliRunner, stored_taxonomy: Taxonomy
) -> None:
    neither = runner.invoke(args=["taxonomy", "suggest"])
    both = runner.invoke(args=["taxonomy", "suggest", "forklift", "--batch", "-"], input="x\n")

    assert neither.exit_code == 2 and both.exit_code == 2
    assert "Give either TEXT or --batch FILE" in neither.output
    assert "Give either TEXT or --batch FILE" in both.output


# --- list and activate ------------------------------------------------------------------------


def test_list_marks_the_version_that_activate_made_active(
    runner: FlaskCliRunner, session: Session
) -> None:
    taxonomies.store_taxonomy(session, small_taxonomy("Small A"), content_hash="a")
    taxonomies.store_taxonomy(session, small_taxonomy("Small B"), content_hash="b")

    activated = runner.invoke(args=["taxonomy", "activate", "Small B"])
    listed = runner.invoke(args=["taxonomy", "list"])

    assert activated.exit_code == 0, activated.output
    assert '"Small B"' in activated.output and "is now the active taxonomy" in activated.output
    assert listed.exit_code == 0, listed.output
    by_name = {
        name: line
        for line in listed.output.splitlines()
        for name in ("Small A", "Small B")
        if name in line
    }
    assert by_name["Small B"].startswith("*")
    assert not by_name["Small A"].startswith("*")
    assert "en,fr,ru,uk,ar" in by_name["Small B"]
    assert re.search(
        r"\s2\s+7\s+1\s+8$", by_name["Small B"]
    )  # occupations, skills, skill groups, ISCO groups


def test_list_says_when_nothing_is_stored(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["taxonomy", "list"])

    assert result.exit_code == 0
    assert "No taxonomy is stored yet" in result.output


def test_activate_reports_learned_labels_carried_over_and_those_it_cannot_map(
    runner: FlaskCliRunner, session: Session
) -> None:
    full = small_taxonomy("Full")
    taxonomies.store_taxonomy(session, full, content_hash="full")
    without_elderly = replace(
        small_taxonomy("Without elderly care"),
        skills=tuple(skill for skill in full.skills if not skill.uri.endswith("/elderly")),
    )
    stored = taxonomies.store_taxonomy(session, without_elderly, content_hash="partial")
    concept_ids = dict(
        session.execute(
            select(Concept.uri, Concept.id)
            .join(TaxonomyVersion, TaxonomyVersion.id == Concept.version_id)
            .where(TaxonomyVersion.name == "Full")
        ).all()
    )
    taxonomies.learn_words(
        session, None, concept_ids[f"{SMALL}/skill/forklift"], "fork truck", "en"
    )
    taxonomies.learn_words(
        session, None, concept_ids[f"{SMALL}/skill/elderly"], "looking after grandparents", "en"
    )

    result = runner.invoke(args=["taxonomy", "activate", str(stored.version_id)])

    assert result.exit_code == 0, result.output
    assert "1 learned label(s) carried over." in result.output
    assert "1 learned label(s) name a concept this version lacks" in result.output
    assert f"  looking after grandparents → {SMALL}/skill/elderly" in result.output
    assert active_name(session) == "Without elderly care"


def test_activate_an_unknown_taxonomy_is_an_error_naming_it(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["taxonomy", "activate", "Nonesuch"])

    assert result.exit_code == 1
    assert "Error: There is no taxonomy called Nonesuch." in result.output


# --- import-esco ------------------------------------------------------------------------------


def test_import_esco_stores_the_release_and_a_second_import_says_unchanged(
    runner: FlaskCliRunner, session: Session, esco_zips: tuple[Path, Path]
) -> None:
    args = ["taxonomy", "import-esco", *map(str, esco_zips)]

    first = runner.invoke(args=args)
    second = runner.invoke(args=args)

    assert first.exit_code == 0, first.output
    assert count_in(first.output, "skills") == 13_896
    assert count_in(first.output, "occupations") == 3_007
    assert count_in(first.output, "ISCO groups") == 619
    assert re.search(r"^Read ESCO v1\.1\.1 in \d+\.\d s\.$", first.output, re.MULTILINE)
    assert re.search(
        r'^Stored "ESCO v1\.1\.1" \(id \d+\) in \d+\.\d s: created\.$', first.output, re.MULTILINE
    )
    assert '"ESCO v1.1.1" is the active taxonomy.' in first.output
    assert "skills_en.csv" in first.output  # the label of its progress bar
    assert second.exit_code == 0, second.output
    assert '"ESCO v1.1.1" is unchanged' in second.output
    assert count_in(second.output, "skills") == 13_896
    assert version_names(session) == ["ESCO v1.1.1"]


def test_import_esco_of_a_truncated_zip_names_it_and_keeps_the_active_taxonomy(
    runner: FlaskCliRunner,
    session: Session,
    stored_taxonomy: Taxonomy,
    esco_zips: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    classification, relations = esco_zips
    truncated = tmp_path / classification.name
    data = classification.read_bytes()
    truncated.write_bytes(data[: len(data) * 60 // 100])

    result = runner.invoke(args=["taxonomy", "import-esco", str(truncated), str(relations)])

    assert result.exit_code == 1
    assert f"Error: {classification.name}: not a readable zip" in result.output
    assert "nothing was stored" in result.output
    assert "Traceback" not in result.output
    assert version_names(session) == [stored_taxonomy.name]
    assert active_name(session) == stored_taxonomy.name


def classification_zip_with_a_bad_skill_row(real: Path, folder: Path) -> Path:
    """The real zip's other concept files, and a three-record skills_en.csv whose third record
    (line 4) has a skillType ESCO does not have."""
    damaged = folder / real.name
    with zipfile.ZipFile(real) as source, zipfile.ZipFile(damaged, "w") as target:
        for name in ("ISCOGroups_en.csv", "skillGroups_en.csv", "occupations_en.csv"):
            target.writestr(name, source.read(name))
        header = source.open("skills_en.csv").readline().decode("utf-8-sig").strip().split(",")
        out = io.StringIO()
        writer = csv.DictWriter(out, header, lineterminator="\n")
        writer.writeheader()
        for n, skill_type in enumerate(["skill/competence", "knowledge", "attitude"], start=1):
            writer.writerow(
                {
                    "conceptType": "KnowledgeSkillCompetence",
                    "conceptUri": f"http://example.org/skill/{n}",
                    "skillType": skill_type,
                    "reuseLevel": "cross-sector",
                    "preferredLabel": f"skill {n}",
                }
            )
        target.writestr("skills_en.csv", out.getvalue())
    return damaged


def test_import_esco_of_a_bad_row_names_the_file_and_line(
    runner: FlaskCliRunner, session: Session, esco_zips: tuple[Path, Path], tmp_path: Path
) -> None:
    classification, relations = esco_zips
    damaged = classification_zip_with_a_bad_skill_row(classification, tmp_path)

    result = runner.invoke(args=["taxonomy", "import-esco", str(damaged), str(relations)])

    assert result.exit_code == 1
    assert (
        f"Error: {classification.name}:skills_en.csv, line 4: unknown skillType 'attitude'"
        in result.output
    )
    assert version_names(session) == []


def test_import_esco_of_a_missing_file_is_a_usage_error(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.zip"

    result = runner.invoke(args=["taxonomy", "import-esco", str(missing), str(missing)])

    assert result.exit_code == 2
    assert "does not exist" in result.output
