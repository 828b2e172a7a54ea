"""A worker's data rights: the export holds everything, erasure leaves no trace of the person
in any table and only +1 on an anonymous count."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import String, select
from sqlalchemy.orm import Session

from portal.errors import DomainError, Forbidden
from portal.models import (
    AuditAction,
    AuditEvent,
    Base,
    Concept,
    ErasedWorkerTally,
    LanguageLevel,
    LearnedLabel,
    LoginAttempt,
    Organisation,
    OrganisationKind,
    Recognition,
    Region,
    Role,
    Sex,
    User,
    Worker,
    WorkerInvite,
)
from portal.models.base import utcnow
from portal.services import accounts, audit, data_rights, regions, workers
from tests.conftest import PASSWORD, Factory

GIVEN, FAMILY = "Zofiaqx", "Wiśniewskaqx"
EMAIL = "zofia.qx@example.org"
PHONE = "+48 600 700 812"
FORKLIFT = "https://skills-portal.example/test/skill/forklift"
POLICY = accounts.LoginPolicy()


def person_traces(session: Session, needles: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(table, column, value) of every text value in every table that contains a needle."""
    found = []
    wanted = [needle.casefold() for needle in needles]
    for table in Base.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, String)]
        if not columns:
            continue
        for row in session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                text = str(value).casefold() if value is not None else ""
                if any(needle in text for needle in wanted):
                    found.append((table.name, column.name, str(value)))
    return found


NEEDLES = (GIVEN, FAMILY, EMAIL, PHONE, "600700812")


def tally_count(session: Session, facts: data_rights.TallyFacts) -> int:
    count = session.scalar(
        select(ErasedWorkerTally.count).where(
            ErasedWorkerTally.registered_month == facts.registered_month,
            ErasedWorkerTally.sex == facts.sex,
            ErasedWorkerTally.age_band == facts.age_band,
            ErasedWorkerTally.country_of_origin == facts.country_of_origin,
            ErasedWorkerTally.region == facts.region,
        )
    )
    return count or 0


def full_worker(session: Session, make: Factory) -> tuple[User, Worker]:
    """A worker with a login and every kind of data and trace a person leaves in the portal.

    Needs the stored taxonomy (a confirmed skill teaches the resolver their words).
    """
    regions.add_regions(session, ["North", "South"])
    north, south = (
        session.scalar(select(Region).where(Region.name == n)) for n in ("North", "South")
    )
    user = accounts.create_user(
        session, email=EMAIL, full_name=f"{GIVEN} {FAMILY}", password=PASSWORD, role=Role.WORKER
    )
    worker = workers.start_own_profile(session, user)
    workers.save_about_you(
        session,
        user,
        worker,
        workers.AboutYou(
            given_name=GIVEN,
            family_name=FAMILY,
            email=EMAIL,
            phone=PHONE,
            sex=Sex.FEMALE,
            birth_year=1990,
            country_of_origin="UA",
            nationality="UA",
            languages=(("uk", LanguageLevel.NATIVE), ("en", LanguageLevel.B1)),
        ),
    )
    forklift = session.scalar(select(Concept.id).where(Concept.uri == FORKLIFT))
    workers.add_skill(session, user, worker, "drive a fork lift", concept_id=forklift, score=88.0)
    workers.add_skill(session, user, worker, f"{GIVEN}'s own bread recipe", concept_id=None)
    workers.add_experience(session, user, worker, "warehouse work", occupation_id=None, years=3)
    workers.add_qualification(
        session,
        user,
        worker,
        title="Forklift licence",
        country="UA",
        level="basic",
        recognition=Recognition.REQUESTED,
    )
    workers.save_availability(
        session,
        user,
        worker,
        workers.Availability(
            region_id=north.id, relocation_region_ids=(south.id,), available_from=date(2026, 1, 5)
        ),
    )
    workers.give_consent(session, user, worker, ("matching", "contact-after-offer"))
    accounts.log_in(session, EMAIL, PASSWORD, "203.0.113.7", POLICY)
    with pytest.raises(DomainError):
        accounts.log_in(session, EMAIL, "not the password", "203.0.113.7", POLICY)
    accounts.request_password_reset(session, EMAIL, lambda token: token, timedelta(hours=1))
    admin = make.user(Role.ADMIN)
    workers.record_view(session, admin, worker)
    audit.record(
        session, admin, AuditAction.CHANGED, workers.SUBJECT, worker.id, f"{GIVEN} {PHONE}"
    )
    session.add(
        WorkerInvite(
            worker_id=worker.id,
            token_hash="f" * 64,
            expires_at=utcnow() + timedelta(days=3),
        )
    )
    session.commit()
    return user, worker


@pytest.fixture
def person(session: Session, make: Factory, stored_taxonomy) -> tuple[User, Worker]:
    return full_worker(session, make)


# --- export ---------------------------------------------------------------------------------


def test_the_export_holds_the_profile_skills_account_consents_and_events(
    session: Session, person
) -> None:
    user, worker = person
    data = data_rights.export_worker_data(session, user, worker)
    profile = data["profile"]
    assert (profile["given_name"], profile["email"], profile["phone"]) == (GIVEN, EMAIL, PHONE)
    assert (profile["region"], profile["relocation_regions"]) == ("North", ["South"])
    assert data["languages"] == [{"code": "en", "level": "B1"}, {"code": "uk", "level": "native"}]
    confirmed, unmapped = data["skills"]
    assert (confirmed["words"], confirmed["concept_uri"], confirmed["score"]) == (
        "drive a fork lift",
        FORKLIFT,
        88.0,
    )
    assert confirmed["evidence"] == "self-declared"
    assert unmapped["concept_uri"] is None
    assert [e["words"] for e in data["experience"]] == ["warehouse work"]
    assert [q["recognition"] for q in data["qualifications"]] == ["requested"]
    assert sorted(c["purpose"] for c in data["consents"]) == ["contact-after-offer", "matching"]
    assert (data["account"]["email"], data["account"]["role"]) == (EMAIL, "worker")
    actions = [event["action"] for event in data["audit_events"]]
    assert actions[0] == "created" and {"viewed", "exported"} <= set(actions)


def test_an_export_is_in_the_audit_trail(session: Session, make: Factory, person) -> None:
    _user, worker = person
    admin = make.user(Role.ADMIN)
    data_rights.export_worker_data(session, admin, worker, form="json")
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.actor_id, event.subject_id, event.detail) == (
        AuditAction.EXPORTED,
        admin.id,
        worker.id,
        "json",
    )


def test_the_json_export_is_readable_utf8_with_iso_dates(session: Session, person) -> None:
    user, worker = person
    text = data_rights.as_json(data_rights.collect_worker_data(session, worker))
    assert FAMILY in text  # not \u-escaped
    document = json.loads(text)
    assert document["profile"]["available_from"] == "2026-01-05"
    assert document["account"]["created_at"].startswith(str(user.created_at.year))


# --- erasure --------------------------------------------------------------------------------


def test_after_erasure_no_table_holds_the_name_email_or_phone(session: Session, person) -> None:
    user, worker = person
    assert person_traces(session, NEEDLES)  # the search finds them before
    data_rights.erase_worker(session, user, worker)
    session.expire_all()
    assert person_traces(session, NEEDLES) == []


def test_erasure_removes_the_account_its_logins_and_the_profile(session: Session, person) -> None:
    user, worker = person
    user_id, worker_id = user.id, worker.id
    data_rights.erase_worker(session, user, worker)
    session.expire_all()
    assert session.get(User, user_id) is None and session.get(Worker, worker_id) is None
    assert session.scalars(select(LoginAttempt)).all() == []
    assert accounts.user_for_session(session, "any token") is None
    with pytest.raises(DomainError):
        accounts.log_in(session, EMAIL, PASSWORD, "203.0.113.7", POLICY)


def test_erasure_keeps_what_happened_but_not_who_or_the_details(session: Session, person) -> None:
    user, worker = person
    data_rights.erase_worker(session, user, worker)
    session.expire_all()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.subject_id == worker.id).order_by(AuditEvent.id)
    ).all()
    assert events[-1].action is AuditAction.ERASED
    assert {event.detail for event in events} == {""}
    own = [event for event in events if event.actor_label == data_rights.ERASED_ACTOR_LABEL]
    assert own and all(event.actor_id is None for event in own)
    assert any(
        event.action is AuditAction.VIEWED and "(admin)" in event.actor_label for event in events
    )


def test_what_the_erased_worker_taught_the_resolver_stays_without_them(
    session: Session, person
) -> None:
    user, worker = person
    data_rights.erase_worker(session, user, worker)
    session.expire_all()
    label = session.scalars(select(LearnedLabel)).one()
    assert (label.text, label.first_confirmed_by_id) == ("drive a fork lift", None)


def test_erasure_adds_one_to_the_anonymous_tally(session: Session, person) -> None:
    user, worker = person
    facts = data_rights.tally_facts(session, worker)
    assert (facts.sex, facts.country_of_origin, facts.region) == ("female", "UA", "North")
    assert facts.age_band == data_rights.age_band(1990, worker.created_at.year)
    assert facts.registered_month == worker.created_at.strftime("%Y-%m")
    data_rights.erase_worker(session, user, worker)
    assert tally_count(session, facts) == 1


def test_a_second_erasure_with_the_same_facts_counts_on_the_same_row(
    session: Session, make: Factory, person
) -> None:
    user, worker = person
    facts = data_rights.erase_worker(session, user, worker)
    twin = Worker(
        given_name="Twin",
        sex=Sex.FEMALE,
        birth_year=1990,
        country_of_origin="UA",
        region_id=session.scalar(select(Region.id).where(Region.name == "North")),
        created_at=worker.created_at,
    )
    session.add(twin)
    session.commit()
    assert data_rights.erase_worker(session, make.user(Role.ADMIN), twin) == facts
    assert tally_count(session, facts) == 2
    assert session.scalar(select(ErasedWorkerTally.id).where(ErasedWorkerTally.count == 2))


def test_unknown_facts_are_counted_as_unknown(session: Session, make: Factory) -> None:
    worker = Worker(given_name="Nobody Known")
    session.add(worker)
    session.commit()
    facts = data_rights.erase_worker(session, make.user(Role.ADMIN), worker)
    assert (facts.sex, facts.age_band, facts.country_of_origin, facts.region) == (
        "unknown",
        "unknown",
        "ZZ",
        "unknown",
    )
    assert tally_count(session, facts) == 1


def test_erasure_is_all_or_nothing(
    session: Session, person, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, worker = person

    def broken(*_args) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(data_rights, "_count_erased", broken)
    with pytest.raises(RuntimeError):
        data_rights.erase_worker(session, user, worker)
    session.expire_all()
    assert session.get(Worker, worker.id) is not None and session.get(User, user.id) is not None
    assert set(person_traces(session, NEEDLES)) >= {
        ("audit_events", "actor_label", f"{EMAIL} (worker)")
    }
    assert session.scalars(select(ErasedWorkerTally)).all() == []


def test_a_provider_may_not_erase_its_worker_but_an_admin_may(
    session: Session, make: Factory
) -> None:
    organisation = make.organisation(OrganisationKind.PROVIDER)
    provider = make.user(Role.PROVIDER, organisation=organisation)
    worker = Worker(provider_id=organisation.id, given_name="Registered", phone="+40 700 000 001")
    session.add(worker)
    session.commit()
    with pytest.raises(Forbidden):
        data_rights.erase_worker(session, provider, worker)
    assert session.get(Worker, worker.id) is not None
    data_rights.erase_worker(session, make.user(Role.ADMIN), worker)
    assert session.get(Worker, worker.id) is None
    assert session.get(Organisation, organisation.id) is not None


def test_another_worker_may_not_erase_someone_else(session: Session, make: Factory, person) -> None:
    _user, worker = person
    with pytest.raises(Forbidden):
        data_rights.erase_worker(session, make.user(Role.WORKER), worker)


def test_erasure_leaves_other_peoples_traces_alone(session: Session, make: Factory, person) -> None:
    user, worker = person
    other = make.user(Role.WORKER)
    accounts.log_in(session, other.email, PASSWORD, "198.51.100.1", POLICY)
    data_rights.erase_worker(session, user, worker)
    attempts = session.scalars(select(LoginAttempt.email)).all()
    assert attempts == [other.email]


def test_an_address_another_account_logs_in_with_keeps_its_traces(
    session: Session, make: Factory
) -> None:
    owner = make.user(Role.WORKER, email="shared@example.org")
    accounts.log_in(session, owner.email, PASSWORD, "198.51.100.1", POLICY)
    registered = Worker(given_name="Registered", email="shared@example.org")
    session.add(registered)
    session.commit()
    data_rights.erase_worker(session, make.user(Role.ADMIN), registered)
    assert session.scalars(select(LoginAttempt.email)).all() == ["shared@example.org"]


@pytest.mark.parametrize(
    ("birth_year", "band"),
    [
        (None, "unknown"),
        (2012, "unknown"),  # 14
        (2011, "15-24"),
        (2002, "15-24"),
        (2001, "25-34"),
        (1982, "35-44"),
        (1972, "45-54"),
        (1962, "55-64"),
        (1961, "65+"),
        (1930, "65+"),
    ],
)
def test_age_bands_from_the_birth_year(birth_year: int | None, band: str) -> None:
    assert data_rights.age_band(birth_year, 2026) == band
