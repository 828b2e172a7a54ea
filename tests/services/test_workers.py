"""Worker profiles: access, each step's checks, skills in the worker's words, consent."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import NotFound, ValidationProblem
from portal.models import (
    AuditEvent,
    Concept,
    ConceptKind,
    LanguageLevel,
    LearnedLabel,
    OrganisationKind,
    ProfileStatus,
    Role,
    Sex,
    SkillSource,
    Worker,
)
from portal.services import regions, taxonomy, workers
from tests.conftest import Factory, small_taxonomy

FORKLIFT = "https://skills-portal.example/test/skill/forklift"
ELDERLY = "https://skills-portal.example/test/skill/elderly"


def _about(**changes) -> workers.AboutYou:
    values = dict(
        given_name="Olena",
        family_name="Koval",
        email="olena@example.org",
        sex=Sex.FEMALE,
        birth_year=1990,
        country_of_origin="UA",
        languages=(("uk", LanguageLevel.NATIVE), ("en", LanguageLevel.B1)),
    )
    values.update(changes)
    return workers.AboutYou(**values)


def _concept(session: Session, uri: str) -> int:
    return session.scalar(select(Concept.id).where(Concept.uri == uri))


@pytest.fixture
def worker_user(make: Factory):
    return make.user(Role.WORKER)


@pytest.fixture
def worker(session: Session, worker_user) -> Worker:
    return workers.start_own_profile(session, worker_user)


def test_a_profile_starts_as_a_draft_from_the_account(worker: Worker, worker_user) -> None:
    assert worker.status is ProfileStatus.DRAFT
    assert worker.email == worker_user.email
    assert worker.full_name == worker_user.full_name


def test_starting_twice_returns_the_same_profile(session: Session, worker, worker_user) -> None:
    assert workers.start_own_profile(session, worker_user).id == worker.id


def test_about_you_is_saved(session: Session, worker, worker_user) -> None:
    workers.save_about_you(session, worker_user, worker, _about())
    assert (worker.given_name, worker.sex, worker.country_of_origin) == ("Olena", Sex.FEMALE, "UA")
    assert sorted((lang.code, lang.level) for lang in worker.languages) == [
        ("en", LanguageLevel.B1),
        ("uk", LanguageLevel.NATIVE),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"given_name": " "}, "given_name", "given name"),
        ({"email": None, "phone": None}, "email", "email address or a phone number"),
        ({"birth_year": 1850}, "birth_year", "between 1930 and"),
        ({"birth_year": date.today().year}, "birth_year", "between 1930 and"),
        ({"country_of_origin": "XX"}, "country_of_origin", "“XX”"),
        ({"languages": (("zz", LanguageLevel.A1),)}, "languages", "“zz”"),
        ({"languages": (("en", LanguageLevel.A1), ("EN", LanguageLevel.B2))}, "languages", "once"),
    ],
)
def test_about_you_refuses_bad_input_on_its_field(changes, field, words) -> None:
    with pytest.raises(ValidationProblem) as problem:
        workers.check_about_you(_about(**changes))
    assert problem.value.field == field
    assert words in problem.value.message


def test_a_phone_alone_is_enough_contact() -> None:
    workers.check_about_you(_about(email=None, phone="+380 44 123 4567"))


@pytest.mark.usefixtures("stored_taxonomy")
def test_a_confirmed_skill_keeps_the_words_and_teaches_the_resolver(
    session: Session, worker, worker_user
) -> None:
    skill = workers.add_skill(
        session,
        worker_user,
        worker,
        "driving the yellow lifter",
        concept_id=_concept(session, FORKLIFT),
        score=71.0,
    )
    assert (skill.words, skill.concept_uri, skill.score) == (
        "driving the yellow lifter",
        FORKLIFT,
        71.0,
    )
    assert skill.concept_label == "operate a forklift"
    assert session.scalar(select(LearnedLabel.text)) == "driving the yellow lifter"
    found = taxonomy.suggest(session, ConceptKind.SKILL, "driving the yellow lifter")
    assert found[0].uri == FORKLIFT and found[0].learned


@pytest.mark.usefixtures("stored_taxonomy")
def test_words_without_a_concept_are_kept_unmapped(session: Session, worker, worker_user) -> None:
    skill = workers.add_skill(session, worker_user, worker, "mending fishing nets", concept_id=None)
    assert skill.concept_uri is None
    assert [s.words for s in workers.unmapped_skills(session)] == ["mending fishing nets"]


@pytest.mark.usefixtures("stored_taxonomy")
def test_a_skill_must_be_a_skill_of_the_active_taxonomy(
    session: Session, worker, worker_user
) -> None:
    occupation = session.scalar(select(Concept.id).where(Concept.kind == ConceptKind.OCCUPATION))
    with pytest.raises(ValidationProblem):
        workers.add_skill(session, worker_user, worker, "forklift", concept_id=occupation)


@pytest.mark.usefixtures("stored_taxonomy")
def test_the_occupation_checklist_offers_essential_skills_once(
    session: Session, worker, worker_user
) -> None:
    driver = _concept(session, "https://skills-portal.example/test/occupation/forklift-driver")
    items = workers.occupation_checklist(session, worker, driver)
    assert [item.label for item in items] == [
        "follow health and safety rules",
        "operate a forklift",
    ]
    added = workers.add_checklist_skills(
        session, worker_user, worker, [item.concept_id for item in items]
    )
    again = workers.add_checklist_skills(
        session, worker_user, worker, [item.concept_id for item in items]
    )
    assert (added, again) == (2, 0)
    session.refresh(worker)
    assert {s.source for s in worker.skills} == {SkillSource.CHECKLIST}
    assert all(
        item.already_listed for item in workers.occupation_checklist(session, worker, driver)
    )


@pytest.mark.usefixtures("stored_taxonomy")
def test_consent_activates_a_complete_profile_only(session: Session, worker, worker_user) -> None:
    with pytest.raises(ValidationProblem):
        workers.give_consent(session, worker_user, worker, ("matching",))
    [north] = regions.add_regions(session, ["North"])
    workers.add_skill(session, worker_user, worker, "forklift", concept_id=None)
    workers.save_availability(
        session,
        worker_user,
        worker,
        workers.Availability(region_id=north.id, available_from=date(2027, 1, 4)),
    )
    with pytest.raises(ValidationProblem):
        workers.give_consent(session, worker_user, worker, ("contact-after-offer",))
    workers.give_consent(session, worker_user, worker, ("matching", "contact-after-offer"))
    assert worker.status is ProfileStatus.ACTIVE
    assert {c.purpose for c in worker.consents} == {"matching", "contact-after-offer"}
    assert all(c.text_version == workers.CONSENT_TEXT_VERSION for c in worker.consents)
    workers.withdraw_consent(session, worker_user, worker)
    assert worker.status is ProfileStatus.CONSENT_WITHDRAWN
    assert all(c.withdrawn_at is not None for c in worker.consents)


def test_availability_until_before_from_is_refused(session: Session, worker, worker_user) -> None:
    [north] = regions.add_regions(session, ["North"])
    with pytest.raises(ValidationProblem) as problem:
        workers.save_availability(
            session,
            worker_user,
            worker,
            workers.Availability(
                region_id=north.id,
                available_from=date(2027, 1, 4),
                available_until=date(2027, 1, 1),
            ),
        )
    assert problem.value.field == "available_until"


def test_who_may_manage_a_profile(session: Session, make: Factory, worker) -> None:
    provider_org = make.organisation(OrganisationKind.PROVIDER)
    provider = make.user(Role.PROVIDER, organisation=provider_org)
    registered = Worker(provider_id=provider_org.id, given_name="Ion", email="ion@example.org")
    session.add(registered)
    session.commit()
    assert workers.worker_for(session, provider, registered.id) is registered
    assert workers.worker_for(session, make.user(Role.ADMIN), worker.id) is worker
    for outsider in (
        make.user(Role.WORKER),
        make.user(Role.EMPLOYER),
        make.user(Role.PROVIDER),  # another provider
    ):
        with pytest.raises(NotFound):
            workers.worker_for(session, outsider, registered.id)
    with pytest.raises(NotFound):
        workers.worker_for(session, provider, worker.id)


def test_changes_and_views_by_others_are_audited(session: Session, make: Factory, worker) -> None:
    admin = make.user(Role.ADMIN)
    workers.record_view(session, admin, worker)
    workers.save_about_you(session, admin, worker, _about())
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.subject_id == worker.id).order_by(AuditEvent.id)
    ).all()
    assert [(e.action.value, e.actor_id) for e in events][-2:] == [
        ("viewed", admin.id),
        ("changed", admin.id),
    ]


def test_switching_taxonomy_re_resolves_skills_from_the_words(
    session: Session, worker, worker_user
) -> None:
    taxonomy.store_taxonomy(session, small_taxonomy(), content_hash="a")
    workers.add_skill(
        session,
        worker_user,
        worker,
        "stack the pallets",
        concept_id=_concept(session, "https://skills-portal.example/test/skill/pallets"),
    )
    workers.add_skill(
        session,
        worker_user,
        worker,
        "looking after old people",
        concept_id=_concept(session, ELDERLY),
    )
    renamed = small_taxonomy("Version two")
    renamed = dataclasses.replace(
        renamed,
        skills=tuple(
            dataclasses.replace(s, uri=s.uri.replace("/test/", "/v2/"))
            for s in renamed.skills
            if s.uri != ELDERLY
        ),
        occupation_skills=(),
        skill_relations=(),
    )
    taxonomy.store_taxonomy(session, renamed, content_hash="b")
    report = taxonomy.activate(session, taxonomy.find_version(session, "Version two"))
    session.refresh(worker)
    by_words = {s.words: s.concept_uri for s in worker.skills}
    assert by_words["stack the pallets"] == "https://skills-portal.example/v2/skill/pallets"
    assert by_words["looking after old people"] is None  # kept, unmapped
    assert report.references_remapped == 1
    assert report.references_unmapped == ["looking after old people"]
