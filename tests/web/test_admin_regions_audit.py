"""Admin pages: the regions list and its form, the audit trail, and the review of unmapped
skills."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    AuditAction,
    AuditEvent,
    Concept,
    LearnedLabel,
    OrganisationKind,
    Region,
    Role,
    User,
    Worker,
    WorkerSkill,
)
from portal.services import skill_review, workers
from tests.conftest import Factory, WebClient

FORKLIFT = "https://skills-portal.example/test/skill/forklift"


@pytest.fixture
def admin(client: WebClient, make: Factory) -> User:
    user = make.user(Role.ADMIN)
    client.login(user.email)
    return user


def _registered_worker(session: Session, make: Factory, name: str = "Ana") -> Worker:
    organisation = make.organisation(OrganisationKind.PROVIDER)
    worker = Worker(provider_id=organisation.id, given_name=name, phone="+40 700 000 000")
    session.add(worker)
    session.commit()
    return worker


# --- regions --------------------------------------------------------------------------------


def test_an_admin_adds_a_region_and_sees_it_listed(
    client: WebClient, session: Session, admin
) -> None:
    response = client.post("/admin/regions", {"name": "  Upper   Valley "})
    assert response.status_code == 302
    assert session.scalars(select(Region.name)).all() == ["Upper Valley"]
    assert "Upper Valley" in client.get("/admin/regions").get_data(as_text=True)


def test_a_duplicate_region_is_refused_on_the_field(
    client: WebClient, session: Session, admin
) -> None:
    client.post("/admin/regions", {"name": "North"})
    response = client.post("/admin/regions", {"name": "NORTH"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="name-error"' in text and "“NORTH” is already in the list." in text
    assert session.scalars(select(Region.name)).all() == ["North"]


@pytest.mark.parametrize(
    ("name", "message"),
    [("x" * 101, "A region name has at most 100 characters."), ("   ", "Enter the region")],
    ids=["too long", "blank"],
)
def test_a_bad_region_name_is_refused_on_the_field(
    client: WebClient, session: Session, admin, name: str, message: str
) -> None:
    response = client.post("/admin/regions", {"name": name})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="name-error"' in text and message in text
    assert 'href="#name"' in text  # the error summary links to the field
    assert session.scalars(select(Region)).all() == []


# --- audit trail ----------------------------------------------------------------------------


def test_the_audit_trail_shows_a_view_by_an_admin(
    client: WebClient, session: Session, make: Factory, admin: User
) -> None:
    worker = _registered_worker(session, make)
    workers.record_view(session, admin, worker)
    text = client.get("/admin/audit").get_data(as_text=True)
    assert f"{admin.email} (admin)" in text
    assert "viewed" in text and f"/admin/audit/workers/{worker.id}" in text


def test_the_audit_trail_filters_by_worker(
    client: WebClient, session: Session, make: Factory, admin: User
) -> None:
    seen = _registered_worker(session, make)
    other = _registered_worker(session, make)
    workers.record_view(session, admin, seen)
    assert "viewed" in client.get(f"/admin/audit?worker={seen.id}").get_data(as_text=True)
    text = client.get(f"/admin/audit?worker={other.id}").get_data(as_text=True)
    assert f"Nothing is recorded about worker {other.id}." in text


def test_a_worker_number_that_is_not_a_number_is_refused_on_the_field(
    client: WebClient, admin
) -> None:
    response = client.get("/admin/audit?worker=abc")
    assert response.status_code == 400
    assert 'id="worker-error"' in response.get_data(as_text=True)


def test_one_workers_trail_names_them_and_lists_their_events(
    client: WebClient, session: Session, make: Factory, admin: User
) -> None:
    worker = _registered_worker(session, make, name="Mirelaqx")
    workers.record_view(session, admin, worker)
    page = client.get(f"/admin/audit/workers/{worker.id}")
    assert page.status_code == 200
    assert "Mirelaqx" in page.get_data(as_text=True)
    assert client.get(f"/admin/audit/workers/{worker.id + 1000}").status_code == 404


# --- unmapped skills ------------------------------------------------------------------------


@pytest.fixture
def unmapped(session: Session, make: Factory, stored_taxonomy) -> list[Worker]:
    """Two workers typed the same unknown words (in different case); a third typed others."""
    people = []
    for words in ("Fork lift drivng", "fork  LIFT drivng", "basket weaving"):
        user = make.user(Role.WORKER)
        worker = workers.start_own_profile(session, user)
        workers.add_skill(session, user, worker, words, concept_id=None)
        people.append(worker)
    return people


def _forklift_id(session: Session) -> int:
    return session.scalar(select(Concept.id).where(Concept.uri == FORKLIFT))


def test_the_unmapped_list_counts_the_workers_using_the_same_words(
    client: WebClient, unmapped, admin
) -> None:
    text = client.get("/admin/unmapped-skills").get_data(as_text=True)
    assert "Fork lift drivng" in text and "basket weaving" in text
    assert "fork  LIFT drivng" not in text and "fork LIFT drivng" not in text
    assert '<td class="number">2</td>' in text
    assert "/admin/unmapped-skills/map?words=Fork+lift+drivng" in text


def test_the_map_page_suggests_skills_for_a_phrase_without_javascript(
    client: WebClient, session: Session, unmapped, admin
) -> None:
    page = client.get("/admin/unmapped-skills/map?words=Fork+lift+drivng&phrase=forklift")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2 workers used these words." in text
    assert f'type="radio" value="{_forklift_id(session)}"' in text
    assert "operate a forklift" in text


def test_mapping_gives_the_skill_to_every_worker_who_used_the_words(
    client: WebClient, session: Session, unmapped, admin: User
) -> None:
    response = client.post(
        "/admin/unmapped-skills/map",
        {"words": "Fork lift drivng", "phrase": "forklift", "concept_id": _forklift_id(session)},
        page="/admin/unmapped-skills/map?words=Fork+lift+drivng&phrase=forklift",
    )
    assert response.status_code == 302
    session.expire_all()
    skills = session.scalars(select(WorkerSkill).order_by(WorkerSkill.id)).all()
    assert [(s.concept_uri, s.concept_label, s.score) for s in skills[:2]] == [
        (FORKLIFT, "operate a forklift", skill_review.CONFIRMED_SCORE)
    ] * 2
    assert skills[2].concept_uri is None  # "basket weaving" waits
    assert [s.words for s in skills[:2]] == ["Fork lift drivng", "fork LIFT drivng"]
    changed = session.scalars(
        select(AuditEvent.subject_id).where(
            AuditEvent.action == AuditAction.CHANGED, AuditEvent.actor_id == admin.id
        )
    ).all()
    assert sorted(changed) == sorted(worker.id for worker in unmapped[:2])
    learned = session.scalars(select(LearnedLabel)).one()
    assert (learned.concept_uri, learned.text) == (FORKLIFT, "Fork lift drivng")
    assert "basket weaving" in client.get("/admin/unmapped-skills").get_data(as_text=True)
    assert "drivng" not in client.get("/admin/unmapped-skills").get_data(as_text=True)


def test_mapping_without_choosing_a_skill_is_refused_on_the_field(
    client: WebClient, session: Session, unmapped, admin
) -> None:
    response = client.post(
        "/admin/unmapped-skills/map",
        {"words": "Fork lift drivng", "phrase": "forklift"},
        page="/admin/unmapped-skills/map?words=Fork+lift+drivng&phrase=forklift",
    )
    assert response.status_code == 400
    assert 'id="concept_id-error"' in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalars(select(WorkerSkill.concept_uri)).all() == [None, None, None]


def test_mapping_to_something_that_is_not_a_skill_is_refused(
    client: WebClient, session: Session, unmapped, admin
) -> None:
    occupation = session.scalar(select(Concept.id).where(Concept.uri.contains("/occupation/")))
    response = client.post(
        "/admin/unmapped-skills/map",
        {"words": "basket weaving", "phrase": "forklift", "concept_id": occupation},
        page="/admin/unmapped-skills/map?words=basket+weaving",
    )
    assert response.status_code == 400
    assert "Choose one of the skills offered." in response.get_data(as_text=True)


def test_words_nobody_is_waiting_with_are_not_found(client: WebClient, unmapped, admin) -> None:
    assert client.get("/admin/unmapped-skills/map?words=nothing+like+it").status_code == 404
