"""One of everything a person can write into the portal, arranged through the services: accounts,
organisations, a region, workers with skills, experience and qualifications, vacancies in every
state, a matching round, placements with reasons and a fee report, notifications, learned and
unmapped words, an invite and a password reset. Every free text is `text`, so the security tests
can fill the portal with attack payloads (or plain words) and then open every page."""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    Concept,
    LanguageLevel,
    LearnedLabel,
    Notification,
    OrganisationKind,
    OutboxMessage,
    Placement,
    PlacementState,
    Recognition,
    Region,
    Role,
    User,
    Vacancy,
    Worker,
)
from portal.services import (
    accounts,
    matching,
    organisations,
    placements,
    provider_workers,
    regions,
    skill_review,
    taxonomy,
    vacancies,
    workers,
)
from portal.services.vacancies import SkillWords, VacancyInput
from portal.taxonomy.model import RelationType
from tests.conftest import PASSWORD
from tests.market import FORKLIFT, FORKLIFT_DRIVER, PALLETS, SAFETY, active_worker


@dataclass(frozen=True)
class World:
    """Ids (not rows: the world is used across sessions and requests) of what was arranged."""

    tag: str
    text: str
    emails: dict[Role, str]
    employer_organisation_id: int
    provider_organisation_id: int
    worker_id: int  # has a login; holds an offer waiting for an answer
    managed_id: int  # registered by the provider, invited; accepted a job, reporting a fee
    third_id: int  # registered by the provider; declined an offer
    skill_id: int
    experience_id: int
    qualification_id: int
    vacancy_id: int  # open, with candidates
    other_vacancy_id: int  # open
    draft_id: int  # sent back with a reason
    waiting_id: int  # submitted, in the moderation queue
    rejected_id: int
    offer_id: int  # offered to the worker, not answered yet
    accepted_id: int
    replaced_id: int  # a proposal an admin replaced, with a reason
    notification_id: int  # the worker's, about the offer
    learned_label_id: int
    unmapped_words: str
    skill_concept_id: int
    occupation_concept_id: int
    outbox_message_id: int
    invite_token: str
    reset_token: str


def build_world(session: Session, tag: str, text: str) -> World:
    """Arrange a world in the active taxonomy (store one first); `tag` keeps worlds apart."""
    concept = _concepts(session)
    regions.add_regions(session, [text])
    region = session.scalar(select(Region).where(Region.name == " ".join(text.split())))
    assert region is not None, "a world's text names its region: one world per text"
    people = _people(session, tag, text)
    admin, employer, provider, worker_user = (
        people[Role.ADMIN],
        people[Role.EMPLOYER],
        people[Role.PROVIDER],
        people[Role.WORKER],
    )
    assert employer.organisation_id is not None and provider.organisation_id is not None
    organisations.update_organisation(
        session,
        employer,
        employer.organisation_id,
        name=text,
        licence_number=None,
        region_id=region.id,
        contact_email=f"jobs-{tag}@example.org",
    )
    organisations.update_organisation(
        session, provider, provider.organisation_id, name=text, licence_number=text
    )

    worker = _own_worker(session, admin, worker_user, region, text, concept)
    managed = _managed_worker(session, provider, region, text, tag, "managed")
    third = _managed_worker(session, provider, region, text, tag, "third")
    unmapped_words = f"{text} ~"
    workers.add_skill(session, provider, managed, unmapped_words, concept_id=None)
    skill_review.map_unmapped_words(session, admin, unmapped_words, concept[PALLETS])
    learned = session.scalar(
        select(LearnedLabel).where(LearnedLabel.text == unmapped_words).order_by(LearnedLabel.id)
    )
    assert learned is not None

    vacancy = _open_vacancy(session, employer, admin, region, text, concept, positions=2)
    other = _open_vacancy(session, employer, admin, region, text, concept, positions=1)
    draft = _submitted_vacancy(session, employer, region, text, concept)
    vacancies.send_back(session, admin, draft.id, text)
    waiting = _submitted_vacancy(session, employer, region, text, concept)
    rejected = _submitted_vacancy(session, employer, region, text, concept)
    vacancies.reject(session, admin, rejected.id, text)

    matching.run_matching(session, admin)
    declined = placements.offer(session, employer, other.id, third.id)
    placements.decline(session, provider, declined.id, text)
    accepted = placements.offer(session, employer, vacancy.id, managed.id)
    placements.accept(session, provider, accepted.id, fee_asked=True, fee_details=text)
    offer = placements.offer(session, employer, vacancy.id, worker.id)
    replaced = _replaced_proposal(session, admin, employer, text, region, concept)

    invite = _capture(
        lambda link: provider_workers.invite_worker(session, provider, managed.id, link)
    )
    reset = _capture(
        lambda link: accounts.request_password_reset(
            session, worker_user.email, link, timedelta(hours=1)
        )
    )
    notification = session.scalar(
        select(Notification)
        .where(Notification.user_id == worker_user.id)
        .order_by(Notification.id.desc())
    )
    message = session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == worker_user.email)
        .order_by(OutboxMessage.id.desc())
    )
    assert notification is not None and message is not None
    unmapped = next(skill for skill in worker.skills if skill.concept_uri is None)
    confirmed = next(skill for skill in worker.skills if skill.concept_uri is not None)
    return World(
        tag=tag,
        text=text,
        emails={role: user.email for role, user in people.items()},
        employer_organisation_id=employer.organisation_id,
        provider_organisation_id=provider.organisation_id,
        worker_id=worker.id,
        managed_id=managed.id,
        third_id=third.id,
        skill_id=confirmed.id,
        experience_id=worker.experiences[0].id,
        qualification_id=worker.qualifications[0].id,
        vacancy_id=vacancy.id,
        other_vacancy_id=other.id,
        draft_id=draft.id,
        waiting_id=waiting.id,
        rejected_id=rejected.id,
        offer_id=offer.id,
        accepted_id=accepted.id,
        replaced_id=replaced.id,
        notification_id=notification.id,
        learned_label_id=learned.id,
        unmapped_words=unmapped.words,
        skill_concept_id=concept[FORKLIFT],
        occupation_concept_id=concept[FORKLIFT_DRIVER],
        outbox_message_id=message.id,
        invite_token=invite,
        reset_token=reset,
    )


def _concepts(session: Session) -> dict[str, int]:
    active = taxonomy.active_version(session)
    assert active is not None, "store a taxonomy first"
    rows = session.execute(
        select(Concept.uri, Concept.id).where(Concept.version_id == active.id)
    ).all()
    return {uri: concept_id for uri, concept_id in rows}


def _people(session: Session, tag: str, text: str) -> dict[Role, User]:
    people = {}
    for role in Role:
        organisation = None
        if role in (Role.EMPLOYER, Role.PROVIDER):
            organisation = organisations.create_organisation(
                session, kind=OrganisationKind(role.value), name=text, verified=True
            )
        people[role] = accounts.create_user(
            session,
            email=f"{role.value}-{tag}@example.org",
            full_name=text,
            password=PASSWORD,
            role=role,
            organisation=organisation,
        )
    return people


def _own_worker(
    session: Session, admin: User, user: User, region: Region, text: str, concept: dict[str, int]
) -> Worker:
    worker = active_worker(session, region, user=user, name=text, skills=(SAFETY,))
    workers.save_about_you(
        session,
        admin,
        worker,
        workers.AboutYou(
            given_name=text,
            family_name=text,
            email=user.email,
            languages=(("en", LanguageLevel.B2),),
        ),
    )
    workers.add_skill(session, user, worker, text, concept_id=concept[FORKLIFT])
    workers.add_skill(session, user, worker, text, concept_id=None)
    workers.add_experience(session, user, worker, text, occupation_id=None, years=2)
    workers.add_qualification(
        session,
        user,
        worker,
        title=text,
        country="UA",
        level=text,
        recognition=Recognition.REQUESTED,
    )
    session.refresh(worker)
    return worker


def _managed_worker(
    session: Session, provider: User, region: Region, text: str, tag: str, who: str
) -> Worker:
    worker = active_worker(
        session,
        region,
        name=text,
        skills=(FORKLIFT, SAFETY),
        provider_id=provider.organisation_id,
        external_id=text if who == "managed" else None,  # unique per provider
    )
    worker.family_name = text
    worker.email = f"{who}-{tag}@example.org"
    session.commit()
    return worker


_NUMBERS = itertools.count(1)


def _input(region: Region, text: str, concept: dict[str, int], positions: int) -> VacancyInput:
    """A vacancy of the world; each differs (the same vacancy posted again is not made twice)."""
    return VacancyInput(
        title=text,
        positions=positions,
        region_id=region.id,
        start_date=date.today() + timedelta(days=7),
        occupation_id=concept[FORKLIFT_DRIVER],
        occupation_words=text,
        description=f"{text}\n{text} ({next(_NUMBERS)})",
        workplace=text,
        skills=(
            SkillWords(text, concept[FORKLIFT], RelationType.ESSENTIAL),
            SkillWords(text, concept[SAFETY], RelationType.ESSENTIAL),
            SkillWords(text, None, RelationType.OPTIONAL),
        ),
        no_fee_pledge=True,
    )


def _submitted_vacancy(
    session: Session, employer: User, region: Region, text: str, concept: dict[str, int]
) -> Vacancy:
    draft = vacancies.create_draft(session, employer, _input(region, text, concept, 1))
    return vacancies.submit(session, employer, draft.id)


def _open_vacancy(
    session: Session,
    employer: User,
    admin: User,
    region: Region,
    text: str,
    concept: dict[str, int],
    *,
    positions: int,
) -> Vacancy:
    draft = vacancies.create_draft(session, employer, _input(region, text, concept, positions))
    vacancies.submit(session, employer, draft.id)
    return vacancies.approve(session, admin, draft.id)


def _replaced_proposal(
    session: Session,
    admin: User,
    employer: User,
    text: str,
    region: Region,
    concept: dict[str, int],
) -> Placement:
    """A vacancy of its own with two candidates: one proposed, then replaced by the other."""
    vacancy = _open_vacancy(session, employer, admin, region, text, concept, positions=1)
    first, second = (
        active_worker(session, region, name=text, skills=(FORKLIFT, SAFETY)) for _ in range(2)
    )
    matching.rescore_vacancy(session, vacancy.id)
    placements.create_proposals(session, None, [(first.id, vacancy.id, 90.0)])
    session.commit()
    proposal = session.scalar(
        select(Placement).where(
            Placement.vacancy_id == vacancy.id, Placement.state == PlacementState.PROPOSED
        )
    )
    assert proposal is not None
    return placements.override_proposal(session, admin, proposal.id, second.id, text)


def _capture(send) -> str:
    """The token of the link a service mails (it never returns it)."""
    links: list[str] = []

    def link_for(token: str) -> str:
        links.append(token)
        return f"http://portal.example/{token}"

    send(link_for)
    assert links, "no link was made"
    return links[-1]


def pages_of(world: World) -> dict[Role | None, list[str]]:
    """The pages that show what the world holds, by who opens them (None: anyone)."""
    w = world
    q = quote(w.text)
    return {
        None: [
            "/",
            "/login",
            "/register",
            "/password/forgot",
            f"/password/reset/{w.reset_token}",
            f"/invite/{w.invite_token}",
            "/vacancies/",
            f"/vacancies/?q={q}",
            f"/vacancies/{w.vacancy_id}",
            f"/taxonomy/?q={q}",
            f"/taxonomy/skills/{w.skill_concept_id}",
            f"/taxonomy/occupations/{w.occupation_concept_id}",
        ],
        Role.WORKER: [
            "/worker/",
            f"/workers/{w.worker_id}/profile/about",
            f"/workers/{w.worker_id}/profile/skills",
            f"/workers/{w.worker_id}/profile/skills/occupation/{w.occupation_concept_id}",
            f"/workers/{w.worker_id}/profile/experience",
            f"/workers/{w.worker_id}/profile/availability",
            f"/workers/{w.worker_id}/profile/review",
            "/worker/matches",
            f"/placements/{w.offer_id}/accept",
            f"/workers/{w.worker_id}/data",
            f"/workers/{w.worker_id}/data/withdraw-consent",
            f"/workers/{w.worker_id}/data/delete",
            "/notifications/",
            "/account/password",
        ],
        Role.PROVIDER: [
            "/provider/",
            "/provider/workers",
            f"/provider/workers?q={q}",
            "/provider/workers/new",
            f"/provider/workers/{w.managed_id}",
            f"/provider/workers/{w.third_id}",
            f"/workers/{w.managed_id}/profile/about",
            f"/workers/{w.managed_id}/matches",
            f"/workers/{w.managed_id}/data",
            "/provider/workers/upload",
            f"/organisations/{w.provider_organisation_id}",
            f"/organisations/{w.provider_organisation_id}/edit",
            "/notifications/",
        ],
        Role.EMPLOYER: [
            "/employer/",
            "/employer/vacancies",
            "/employer/vacancies/new",
            f"/employer/vacancies/{w.vacancy_id}",
            f"/employer/vacancies/{w.draft_id}",  # sent back: the moderator's reason
            f"/employer/vacancies/{w.rejected_id}",
            f"/employer/vacancies/{w.draft_id}/edit",
            f"/employer/vacancies/{w.vacancy_id}/close",
            f"/employer/vacancies/{w.vacancy_id}/candidates",
            "/employer/vacancies/upload",
            f"/organisations/{w.employer_organisation_id}",
            f"/organisations/{w.employer_organisation_id}/edit",
            "/notifications/",
        ],
        Role.ADMIN: [
            "/admin/",
            "/admin/organisations?show=all",
            "/admin/outbox",
            f"/admin/outbox/{w.outbox_message_id}",
            "/admin/learned-labels",
            f"/admin/learned-labels/{w.learned_label_id}/remove",
            "/admin/audit",
            f"/admin/audit?worker={w.worker_id}",
            f"/admin/audit/workers/{w.worker_id}",
            "/admin/regions",
            "/admin/unmapped-skills",
            f"/admin/unmapped-skills/map?words={quote(w.unmapped_words)}",
            "/admin/moderation",
            f"/admin/moderation/{w.waiting_id}",
            "/admin/placements",
            "/admin/placements?state=withdrawn",
            f"/admin/placements/{w.accepted_id}",
            f"/admin/placements/{w.replaced_id}",
            f"/admin/placements/{w.offer_id}",
            "/admin/matching",
            "/admin/statistics",
            "/notifications/",
            f"/workers/{w.worker_id}/profile/review",
            f"/workers/{w.third_id}/matches",
            f"/organisations/{w.employer_organisation_id}",
        ],
    }


def csv_file(columns: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    """A CSV upload with these columns (cells not given are empty)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()
