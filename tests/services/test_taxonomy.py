"""Storing taxonomy versions, switching the active one, suggestions and learned words."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.errors import NotFound, ValidationProblem
from portal.models import Concept, ConceptKind, ConceptLabel, LearnedLabel, Role, TaxonomyVersion
from portal.services import taxonomy as service
from portal.taxonomy.model import Taxonomy
from tests.conftest import Factory, small_taxonomy

FORKLIFT = "https://skills-portal.example/test/skill/forklift"
ELDERLY = "https://skills-portal.example/test/skill/elderly"


def _count(session: Session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_the_first_stored_taxonomy_becomes_active(session: Session) -> None:
    result = service.store_taxonomy(session, small_taxonomy(), content_hash="a")
    assert result.outcome == "created" and result.activated
    assert service.active_version(session).name == "Small test taxonomy"
    assert result.counts["concepts"] == 8 + 1 + 7 + 2
    assert result.counts["labels"] == _count(session, ConceptLabel)


def test_storing_the_same_content_again_changes_nothing(session: Session) -> None:
    service.store_taxonomy(session, small_taxonomy(), content_hash="a")
    ids_before = sorted(session.scalars(select(Concept.id)))
    again = service.store_taxonomy(session, small_taxonomy(), content_hash="a")
    assert again.outcome == "unchanged"
    assert sorted(session.scalars(select(Concept.id))) == ids_before


def test_storing_changed_content_updates_the_version_in_place(session: Session) -> None:
    first = service.store_taxonomy(session, small_taxonomy(), content_hash="a")
    smaller = small_taxonomy()
    smaller = dataclasses.replace(
        smaller, skills=smaller.skills[:-1], occupation_skills=smaller.occupation_skills
    )
    second = service.store_taxonomy(session, smaller, content_hash="b")
    assert second.outcome == "updated"
    assert second.version_id == first.version_id
    assert _count(session, TaxonomyVersion) == 1
    assert second.counts["concepts"] == first.counts["concepts"] - 1
    assert _count(session, Concept) == second.counts["concepts"]
    assert service.active_version(session).id == first.version_id


def test_a_second_taxonomy_does_not_take_over_until_activated(session: Session) -> None:
    service.store_taxonomy(session, small_taxonomy(), content_hash="a")
    other = service.store_taxonomy(session, small_taxonomy("Other"), content_hash="b")
    assert not other.activated
    assert service.active_version(session).name == "Small test taxonomy"
    report = service.activate(session, service.find_version(session, "Other"))
    assert report.name == "Other"
    assert service.active_version(session).name == "Other"
    assert _count(session, TaxonomyVersion) == 2
    assert (
        session.scalar(
            select(func.count()).select_from(TaxonomyVersion).where(TaxonomyVersion.is_active)
        )
        == 1
    )


def test_find_version_by_name_or_id_and_a_clear_error_otherwise(session: Session) -> None:
    result = service.store_taxonomy(session, small_taxonomy(), content_hash="a")
    assert service.find_version(session, str(result.version_id)).name == result.name
    with pytest.raises(NotFound):
        service.find_version(session, "No such taxonomy")


def test_relations_are_stored_between_the_right_concepts(session: Session) -> None:
    service.store_taxonomy(session, small_taxonomy(), content_hash="a")
    result = service.store_taxonomy(session, small_taxonomy(), content_hash="a")
    assert result.counts["occupation-skill relations"] == 7
    assert result.counts["skill-skill relations"] == 1
    # 7 skills → group, and the ISCO tree: 8 groups minus the 2 majors
    assert result.counts["broader relations"] == 7 + 6


@pytest.mark.usefixtures("stored_taxonomy")
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("fork lift driving", FORKLIFT),
        ("Forklift  DRIVING", FORKLIFT),
        ("уход за пожилыми", ELDERLY),
        ("работа с погрузчиком", FORKLIFT),
        ("تشغيل رافعه شوكيه", FORKLIFT),  # Arabic, with ة typed as ه
    ],
)
def test_suggest_finds_skills_from_the_words_people_use(
    session: Session, words: str, expected: str
) -> None:
    found = service.suggest(session, ConceptKind.SKILL, words)
    assert found[0].uri == expected
    assert 0 < found[0].score <= 100


@pytest.mark.usefixtures("stored_taxonomy")
def test_suggest_gives_the_preferred_label_in_the_language_asked(session: Session) -> None:
    found = service.suggest(session, ConceptKind.SKILL, "forklift driving", lang="fr")
    assert found[0].preferred_label == "conduire un chariot élévateur"
    assert found[0].label == "forklift driving" and found[0].lang == "en"


@pytest.mark.usefixtures("stored_taxonomy")
def test_suggest_occupations_and_nothing_for_nonsense(session: Session) -> None:
    found = service.suggest(session, ConceptKind.OCCUPATION, "warehouse operativ")
    assert found[0].uri.endswith("/occupation/warehouse-operative")
    assert service.suggest(session, ConceptKind.OCCUPATION, "qwxz zzkq vvbn") == []


def test_suggest_without_an_active_taxonomy_is_empty(session: Session) -> None:
    assert service.suggest(session, ConceptKind.SKILL, "forklift") == []


@pytest.mark.usefixtures("stored_taxonomy")
def test_suggest_refuses_other_kinds(session: Session) -> None:
    with pytest.raises(ValidationProblem):
        service.suggest(session, ConceptKind.ISCO_GROUP, "drivers")


def _concept_id(session: Session, uri: str) -> int:
    return session.scalar(select(Concept.id).where(Concept.uri == uri))


@pytest.mark.usefixtures("stored_taxonomy")
def test_confirmed_words_rank_their_concept_first_next_time(
    session: Session, make: Factory
) -> None:
    words = "driving the big yellow lifter"
    before = service.suggest(session, ConceptKind.SKILL, words)
    assert not before or before[0].uri != FORKLIFT or before[0].score < 100
    worker = make.user(Role.WORKER)
    service.learn_words(session, worker, _concept_id(session, FORKLIFT), words, "en")
    after = service.suggest(session, ConceptKind.SKILL, "Driving the big yellow lifter")
    assert after[0].uri == FORKLIFT and after[0].learned


@pytest.mark.usefixtures("stored_taxonomy")
def test_learned_words_are_counted_and_attributed(session: Session, make: Factory) -> None:
    first, second = make.user(Role.WORKER), make.user(Role.WORKER)
    concept_id = _concept_id(session, FORKLIFT)
    service.learn_words(session, first, concept_id, "yellow lifter", "en")
    label = service.learn_words(session, second, concept_id, "Yellow  lifter", "en")
    assert label.confirmations == 2
    assert label.first_confirmed_by_id == first.id
    assert _count(session, LearnedLabel) == 1


@pytest.mark.usefixtures("stored_taxonomy")
def test_an_admin_removes_a_learned_label_and_it_stops_ranking(
    session: Session, make: Factory
) -> None:
    words = "driving the big yellow lifter"
    label = service.learn_words(session, None, _concept_id(session, FORKLIFT), words, "en")
    assert service.suggest(session, ConceptKind.SKILL, words)[0].learned
    service.remove_learned_label(session, make.user(Role.ADMIN), label.id)
    after = service.suggest(session, ConceptKind.SKILL, words)
    assert not any(s.learned for s in after)
    assert service.list_learned_labels(session) == []
    with pytest.raises(NotFound):
        service.remove_learned_label(session, make.user(Role.ADMIN), label.id)


@pytest.mark.usefixtures("stored_taxonomy")
def test_learning_needs_words_and_a_skill_or_occupation(session: Session) -> None:
    with pytest.raises(ValidationProblem):
        service.learn_words(session, None, _concept_id(session, FORKLIFT), "  ...  ", "en")
    group_id = session.scalar(select(Concept.id).where(Concept.kind == ConceptKind.ISCO_GROUP))
    with pytest.raises(NotFound):
        service.learn_words(session, None, group_id, "drivers", "en")


def test_activation_reports_learned_words_whose_concept_is_missing(session: Session) -> None:
    service.store_taxonomy(session, small_taxonomy(), content_hash="a")
    service.learn_words(session, None, _concept_id(session, ELDERLY), "looking after grandma", "en")
    trimmed = small_taxonomy("Without care")
    trimmed = dataclasses.replace(
        trimmed, skills=tuple(s for s in trimmed.skills if s.uri != ELDERLY)
    )
    service.store_taxonomy(session, trimmed, content_hash="b")
    report = service.activate(session, service.find_version(session, "Without care"))
    assert report.learned_labels_mapped == 0
    assert report.learned_labels_unmapped == [f"looking after grandma → {ELDERLY}"]
    # the words are kept: going back restores them
    back = service.activate(session, service.find_version(session, "Small test taxonomy"))
    assert back.learned_labels_mapped == 1


def test_the_index_follows_the_active_version(session: Session) -> None:
    service.store_taxonomy(session, small_taxonomy(), content_hash="a")
    assert service.suggest(session, ConceptKind.SKILL, "care for elderly people")[0].uri == ELDERLY
    trimmed = small_taxonomy("Without care")
    trimmed = dataclasses.replace(
        trimmed, skills=tuple(s for s in trimmed.skills if s.uri != ELDERLY)
    )
    service.store_taxonomy(session, trimmed, content_hash="b")
    service.activate(session, service.find_version(session, "Without care"))
    found = service.suggest(session, ConceptKind.SKILL, "care for elderly people")
    assert all(s.uri != ELDERLY for s in found)


def test_a_failure_while_storing_leaves_nothing_behind(session: Session, monkeypatch) -> None:
    service.store_taxonomy(session, small_taxonomy(), content_hash="a")

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "_insert_content", broken)
    with pytest.raises(RuntimeError):
        service.store_taxonomy(session, small_taxonomy(), content_hash="changed")
    version = service.active_version(session)
    assert version.content_hash == "a"
    assert _count(session, Concept) == 18


def test_the_real_esco_release_stores_and_answers(session: Session, esco_zips) -> None:
    from portal.taxonomy.loaders.esco import read_esco

    esco: Taxonomy = read_esco(*esco_zips)
    result = service.store_taxonomy(session, esco, content_hash=service.files_hash(esco_zips))
    assert result.counts["concepts"] == 619 + 647 + 13_896 + 3_007
    assert result.counts["occupation-skill relations"] == 123_788
    found = service.suggest(session, ConceptKind.SKILL, "fork lift driving")
    assert "forklift" in found[0].label.replace(" ", "").lower()


def test_the_index_follows_a_version_re_imported_in_place(session: Session) -> None:
    service.store_taxonomy(session, small_taxonomy(), content_hash="a")
    assert service.suggest(session, ConceptKind.SKILL, "care for elderly people")[0].uri == ELDERLY
    trimmed = small_taxonomy()  # same name: replaces the active version's content
    trimmed = dataclasses.replace(
        trimmed, skills=tuple(s for s in trimmed.skills if s.uri != ELDERLY)
    )
    service.store_taxonomy(session, trimmed, content_hash="b")
    found = service.suggest(session, ConceptKind.SKILL, "care for elderly people")
    assert all(s.uri != ELDERLY for s in found)
