"""Vacancies: checks per field, the pledge, moderation, states, access and browsing."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import Conflict, InvalidTransition, NotFound, ValidationProblem
from portal.models import (
    Concept,
    LanguageLevel,
    OrganisationKind,
    PayPeriod,
    Role,
    SkillSource,
    VacancyState,
)
from portal.services import regions, vacancies
from portal.taxonomy.model import RelationType
from tests.conftest import Factory

BASE = "https://skills-portal.example/test"
NEXT_MONTH = date.today() + timedelta(days=30)


def _concept(session: Session, uri: str) -> int:
    return session.scalar(select(Concept.id).where(Concept.uri == uri))


@pytest.fixture
def north(session: Session):
    return regions.add_regions(session, ["North", "South"])[0]


@pytest.fixture
def employer(make: Factory):
    return make.user(Role.EMPLOYER)  # of a verified organisation


@pytest.fixture
def admin(make: Factory):
    return make.user(Role.ADMIN)


def _input(north, **changes) -> vacancies.VacancyInput:
    values = dict(
        title="Forklift drivers for the harvest",
        positions=12,
        region_id=north.id,
        start_date=NEXT_MONTH,
        end_date=NEXT_MONTH + timedelta(days=60),
        hours_per_week=40.0,
        pay_amount=Decimal("14.50"),
        pay_currency="eur",
        pay_period=PayPeriod.HOUR,
        accommodation=True,
        languages=(("en", LanguageLevel.A2),),
        no_fee_pledge=True,
    )
    values.update(changes)
    return vacancies.VacancyInput(**values)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"positions": 0}, "positions"),
        ({"positions": 10_001}, "positions"),
        ({"end_date": NEXT_MONTH - timedelta(days=1)}, "end_date"),
        ({"pay_amount": Decimal("-1")}, "pay_amount"),
        ({"pay_currency": "XYZ"}, "pay_currency"),
        ({"pay_period": None}, "pay_period"),
        ({"region_id": None}, "region_id"),
        ({"hours_per_week": 100.0}, "hours_per_week"),
        ({"languages": (("qq", LanguageLevel.B1),)}, "languages"),
    ],
)
def test_each_bad_field_is_named(north, changes, field) -> None:
    with pytest.raises(ValidationProblem) as problem:
        vacancies.check_vacancy(_input(north, **changes))
    assert problem.value.field == field


@pytest.mark.usefixtures("stored_taxonomy")
def test_a_draft_from_an_occupation_keeps_its_skills_and_words(
    session: Session, north, employer
) -> None:
    driver = _concept(session, f"{BASE}/occupation/forklift-driver")
    data = _input(
        north,
        occupation_id=driver,
        occupation_words="fork lift driver",
        skills=(
            vacancies.SkillWords(
                "operate a forklift",
                _concept(session, f"{BASE}/skill/forklift"),
                RelationType.ESSENTIAL,
                SkillSource.CHECKLIST,
            ),
            vacancies.SkillWords("reach truck", None, RelationType.OPTIONAL),
            vacancies.SkillWords(
                "forklift again", _concept(session, f"{BASE}/skill/forklift"), RelationType.OPTIONAL
            ),
        ),
    )
    vacancy = vacancies.create_draft(session, employer, data)
    assert vacancy.state is VacancyState.DRAFT
    assert (vacancy.isco_code, vacancy.occupation_label) == ("8344", "forklift driver")
    assert [(s.words, s.concept_uri, s.relation) for s in vacancy.skills] == [
        ("operate a forklift", f"{BASE}/skill/forklift", RelationType.ESSENTIAL),
        ("reach truck", None, RelationType.OPTIONAL),
    ]
    assert vacancy.pay_currency == "EUR" and vacancy.pledged_by_id == employer.id


def test_no_pledge_no_submission(session: Session, north, employer) -> None:
    vacancy = vacancies.create_draft(session, employer, _input(north, no_fee_pledge=False))
    with pytest.raises(ValidationProblem) as problem:
        vacancies.submit(session, employer, vacancy.id)
    assert problem.value.field == "no_fee_pledge"
    assert vacancy.state is VacancyState.DRAFT


def test_moderation_approves_and_the_vacancy_is_public(
    session: Session, north, employer, admin
) -> None:
    vacancy = vacancies.create_draft(session, employer, _input(north))
    vacancies.submit(session, employer, vacancy.id)
    with pytest.raises(NotFound):
        vacancies.public_vacancy(session, vacancy.id)
    vacancies.approve(session, admin, vacancy.id)
    assert vacancy.state is VacancyState.OPEN and vacancy.published_at is not None
    assert vacancies.public_vacancy(session, vacancy.id) is vacancy


def test_an_unverified_organisation_cannot_publish(
    session: Session, north, make: Factory, admin
) -> None:
    organisation = make.organisation(OrganisationKind.EMPLOYER, verified=False)
    employer = make.user(Role.EMPLOYER, organisation=organisation)
    vacancy = vacancies.create_draft(session, employer, _input(north))
    vacancies.submit(session, employer, vacancy.id)
    with pytest.raises(Conflict):
        vacancies.approve(session, admin, vacancy.id)
    assert vacancy.state is VacancyState.SUBMITTED


def test_sent_back_with_a_reason_can_be_edited_and_resubmitted(
    session: Session, north, employer, admin
) -> None:
    vacancy = vacancies.create_draft(session, employer, _input(north))
    vacancies.submit(session, employer, vacancy.id)
    with pytest.raises(InvalidTransition):
        vacancies.update_draft(session, employer, vacancy.id, _input(north, positions=3))
    with pytest.raises(ValidationProblem):
        vacancies.send_back(session, admin, vacancy.id, "  ")
    vacancies.send_back(session, admin, vacancy.id, "Say where the accommodation is.")
    assert vacancy.moderation_note == "Say where the accommodation is."
    vacancies.update_draft(session, employer, vacancy.id, _input(north, workplace="Farm 3"))
    vacancies.submit(session, employer, vacancy.id)
    assert vacancy.state is VacancyState.SUBMITTED


def test_rejected_vacancies_cannot_be_edited(session: Session, north, employer, admin) -> None:
    vacancy = vacancies.create_draft(session, employer, _input(north))
    vacancies.submit(session, employer, vacancy.id)
    vacancies.reject(session, admin, vacancy.id, "Fake offer")
    with pytest.raises(InvalidTransition):
        vacancies.update_draft(session, employer, vacancy.id, _input(north))


def test_only_admins_moderate(session: Session, north, employer) -> None:
    vacancy = vacancies.create_draft(session, employer, _input(north))
    vacancies.submit(session, employer, vacancy.id)
    with pytest.raises(NotFound):
        vacancies.approve(session, employer, vacancy.id)


def test_another_organisation_cannot_see_or_change_a_draft(
    session: Session, north, employer, make: Factory
) -> None:
    vacancy = vacancies.create_draft(session, employer, _input(north))
    other = make.user(Role.EMPLOYER)
    for action in (
        lambda: vacancies.vacancy_for(session, other, vacancy.id),
        lambda: vacancies.update_draft(session, other, vacancy.id, _input(north)),
        lambda: vacancies.submit(session, other, vacancy.id),
        lambda: vacancies.close(session, other, vacancy.id),
        lambda: vacancies.duplicate(session, other, vacancy.id),
    ):
        with pytest.raises(NotFound):
            action()
    with pytest.raises(NotFound):
        vacancies.create_draft(session, make.user(Role.WORKER), _input(north))


def test_colleagues_share_their_organisation_s_vacancies(
    session: Session, north, employer, make: Factory
) -> None:
    colleague = make.user(Role.EMPLOYER, organisation=employer.organisation)
    vacancy = vacancies.create_draft(session, employer, _input(north))
    assert vacancies.vacancy_for(session, colleague, vacancy.id) is vacancy


def test_duplicate_makes_a_draft_without_the_pledge(
    session: Session, north, employer, admin
) -> None:
    vacancy = vacancies.create_draft(session, employer, _input(north))
    vacancies.submit(session, employer, vacancy.id)
    vacancies.approve(session, admin, vacancy.id)
    copy = vacancies.duplicate(session, employer, vacancy.id)
    assert copy.id != vacancy.id and copy.state is VacancyState.DRAFT
    assert copy.title == vacancy.title and not copy.no_fee_pledge
    assert [lang.code for lang in copy.languages] == ["en"]


def test_close_and_expire(session: Session, north, employer, admin) -> None:
    vacancy = vacancies.create_draft(
        session, employer, _input(north, apply_by=NEXT_MONTH - timedelta(days=5))
    )
    vacancies.submit(session, employer, vacancy.id)
    vacancies.approve(session, admin, vacancy.id)
    assert vacancies.expire_due(session, today=NEXT_MONTH) == 1
    assert vacancy.state is VacancyState.EXPIRED
    with pytest.raises(InvalidTransition):
        vacancies.close(session, employer, vacancy.id)
    other = vacancies.create_draft(session, employer, _input(north))
    vacancies.close(session, employer, other.id)
    assert other.state is VacancyState.CLOSED


@pytest.mark.usefixtures("stored_taxonomy")
def test_browse_filters_open_vacancies(session: Session, north, employer, admin) -> None:
    south = regions.find_region(session, "south")
    driver = _concept(session, f"{BASE}/occupation/forklift-driver")
    published = []
    for changes in (
        {"title": "Forklift drivers", "occupation_id": driver},
        {"title": "Packers", "region_id": south.id, "accommodation": False},
        {"title": "Late pickers", "start_date": NEXT_MONTH + timedelta(days=40)},
    ):
        vacancy = vacancies.create_draft(session, employer, _input(north, **changes))
        vacancies.submit(session, employer, vacancy.id)
        vacancies.approve(session, admin, vacancy.id)
        published.append(vacancy.title)
    vacancies.create_draft(session, employer, _input(north, title="Draft forklift job"))

    def titles(**filters) -> list[str]:
        page = vacancies.browse(session, vacancies.BrowseFilters(**filters), page=1, size=10)
        return sorted(v.title for v in page.items)

    assert titles() == sorted(published)
    assert titles(words="FORKLIFT") == ["Forklift drivers"]
    assert titles(sector="8") == ["Forklift drivers"]
    assert titles(region_id=south.id) == ["Packers"]
    assert titles(accommodation=True) == ["Forklift drivers", "Late pickers"]
    assert titles(starts_by=NEXT_MONTH + timedelta(days=1)) == ["Forklift drivers", "Packers"]
    assert titles(words="100%_") == []


def test_pay_may_be_left_out(north) -> None:
    vacancies.check_vacancy(
        dataclasses.replace(_input(north), pay_amount=None, pay_currency=None, pay_period=None)
    )


@pytest.mark.usefixtures("stored_taxonomy")
def test_words_an_employer_matched_teach_the_resolver_but_labels_do_not(
    session: Session, north, employer
) -> None:
    from portal.models import LearnedLabel

    forklift = _concept(session, f"{BASE}/skill/forklift")
    data = _input(
        north,
        skills=(
            vacancies.SkillWords("yellow lifter driving", forklift, RelationType.ESSENTIAL),
            vacancies.SkillWords(
                "stack pallets", _concept(session, f"{BASE}/skill/pallets"), RelationType.OPTIONAL
            ),
        ),
    )
    vacancies.create_draft(session, employer, data)
    learned = session.scalars(select(LearnedLabel.text)).all()
    assert learned == ["yellow lifter driving"]
