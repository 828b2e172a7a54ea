"""Worker profiles: who may see and change them, each registration step, skills in the worker's
own words, consent. Every change by someone other than the worker is in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.errors import NotFound, ValidationProblem
from portal.models import (
    AuditAction,
    Concept,
    ConceptKind,
    ConsentRecord,
    Evidence,
    ExperienceKind,
    LanguageLevel,
    Match,
    ProfileStatus,
    Recognition,
    Role,
    Sex,
    SkillSource,
    User,
    Worker,
    WorkerExperience,
    WorkerLanguage,
    WorkerQualification,
    WorkerRelocationRegion,
    WorkerSkill,
)
from portal.models.base import utcnow
from portal.models.workers import NAME_PART_MAX, PHONE_MAX, WORDS_MAX
from portal.services import audit, reference, taxonomy
from portal.services._tx import transaction, transaction_holding
from portal.taxonomy.model import RelationType
from portal.taxonomy.resolve import normalise

SUBJECT = "worker"
OLDEST_BIRTH_YEAR = 1930
YOUNGEST_AGE = 15
MAX_LANGUAGES = 20

# The consent a worker gives, versioned: the text shown is kept with the record.
CONSENT_TEXT_VERSION = "2026-11"
CONSENT_PURPOSES = ("matching", "contact-after-offer")


# --- who may see and change a profile -----------------------------------------------------------


def may_manage(user: User, worker: Worker) -> bool:
    """The worker themself, the labour provider that registered them, or an admin."""
    if user.role is Role.ADMIN:
        return True
    if user.role is Role.WORKER:
        return worker.user_id == user.id
    if user.role is Role.PROVIDER:
        return worker.provider_id is not None and worker.provider_id == user.organisation_id
    return False  # employers see workers only through matches to their own vacancies


def worker_for(session: Session, user: User, worker_id: int) -> Worker:
    """The worker `user` may manage, or NotFound (never a hint that it exists)."""
    worker = session.get(Worker, worker_id)
    if worker is None or not may_manage(user, worker):
        raise NotFound(_("There is no such worker, or you cannot see them."))
    return worker


def record_view(session: Session, user: User, worker: Worker) -> None:
    """Views by anyone but the worker are kept in the audit trail."""
    if worker.user_id == user.id:
        return
    with transaction(session):
        audit.record(session, user, AuditAction.VIEWED, SUBJECT, worker.id)


def own_profile(session: Session, user: User) -> Worker | None:
    return session.scalar(select(Worker).where(Worker.user_id == user.id))


def start_own_profile(session: Session, user: User) -> Worker:
    """The worker's profile, created (as a draft) on first use from the account's details."""
    worker = own_profile(session, user)
    if worker is not None:
        return worker
    given, _sep, family = user.full_name.partition(" ")
    with transaction(session):
        worker = Worker(
            user_id=user.id,
            given_name=given[:NAME_PART_MAX],
            family_name=family[:NAME_PART_MAX],
            email=user.email,
        )
        session.add(worker)
        session.flush()
        audit.record(session, user, AuditAction.CREATED, SUBJECT, worker.id)
    return worker


def _changed(session: Session, actor: User, worker: Worker, what: str) -> None:
    audit.record(session, actor, AuditAction.CHANGED, SUBJECT, worker.id, what)


# --- step 1: about you --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AboutYou:
    given_name: str
    family_name: str = ""
    email: str | None = None
    phone: str | None = None
    sex: Sex | None = None
    birth_year: int | None = None
    country_of_origin: str | None = None
    nationality: str | None = None
    languages: tuple[tuple[str, LanguageLevel], ...] = ()


def check_about_you(data: AboutYou, *, this_year: int | None = None) -> None:
    """Raise ValidationProblem for the first field that is not acceptable."""
    this_year = this_year or date.today().year
    if not data.given_name.strip():
        raise ValidationProblem("given_name", _("Enter your given name."))
    if not (data.email or "").strip() and not (data.phone or "").strip():
        raise ValidationProblem("email", _("Give an email address or a phone number, or both."))
    if data.phone and len(data.phone) > PHONE_MAX:
        raise ValidationProblem(
            "phone", _("A phone number has at most %(max)d characters.", max=PHONE_MAX)
        )
    youngest = this_year - YOUNGEST_AGE
    if data.birth_year is not None and not OLDEST_BIRTH_YEAR <= data.birth_year <= youngest:
        raise ValidationProblem(
            "birth_year",
            _(
                "The birth year must be between %(first)d and %(last)d.",
                first=OLDEST_BIRTH_YEAR,
                last=youngest,
            ),
        )
    for field_name, code in (
        ("country_of_origin", data.country_of_origin),
        ("nationality", data.nationality),
    ):
        if code and code.upper() not in reference.country_codes():
            raise ValidationProblem(
                field_name, _("“%(code)s” is not a country code we know.", code=code)
            )
    if len(data.languages) > MAX_LANGUAGES:
        raise ValidationProblem("languages", _("List at most %(n)d languages.", n=MAX_LANGUAGES))
    seen: set[str] = set()
    for code, _level in data.languages:
        if code.lower() not in reference.language_codes():
            raise ValidationProblem(
                "languages", _("“%(code)s” is not a language code we know.", code=code)
            )
        if code.lower() in seen:
            raise ValidationProblem("languages", _("Each language once, please."))
        seen.add(code.lower())


def save_about_you(session: Session, actor: User, worker: Worker, data: AboutYou) -> Worker:
    check_about_you(data)
    with transaction(session):
        set_about_you(session, actor, worker, data)
    return worker


def set_about_you(session: Session, actor: User, worker: Worker, data: AboutYou) -> None:
    """`save_about_you` in the caller's transaction, for checked `data`."""
    worker.given_name = data.given_name.strip()
    worker.family_name = data.family_name.strip()
    worker.email = (data.email or "").strip().lower() or None
    worker.phone = (data.phone or "").strip() or None
    worker.sex = data.sex
    worker.birth_year = data.birth_year
    worker.country_of_origin = (data.country_of_origin or "").upper() or None
    worker.nationality = (data.nationality or "").upper() or None
    worker.languages = [
        WorkerLanguage(code=code.lower(), level=level) for code, level in data.languages
    ]
    _changed(session, actor, worker, "about")


# --- step 2: skills -----------------------------------------------------------------------------


def add_skill(
    session: Session,
    actor: User,
    worker: Worker,
    words: str,
    *,
    concept_id: int | None,
    score: float | None = None,
    evidence: Evidence = Evidence.SELF_DECLARED,
    source: SkillSource = SkillSource.TYPED,
    lang: str = "en",
) -> WorkerSkill:
    """Keep the worker's words and, if they confirmed one, the concept they mean.

    Words confirmed as a concept teach the resolver; words without a concept are kept as
    unmapped, for review. A skill the profile already lists (the same concept, or the same
    unmapped words) is not added again: the one listed is returned.
    """
    words = " ".join(words.split())
    if not words:
        raise ValidationProblem("words", _("Describe the skill in a few words."))
    if len(words) > WORDS_MAX:
        raise ValidationProblem("words", _("Use at most %(max)d characters.", max=WORDS_MAX))
    concept = _skill_concept(session, concept_id) if concept_id is not None else None
    label = None
    if concept is not None:
        label = taxonomy.preferred_labels(session, [concept.id], lang).get(concept.id)
    with transaction_holding(session, worker):
        listed = _listed_skill(session, worker, concept.uri if concept else None, words)
        if listed is not None:
            return listed
        if concept is not None and source is SkillSource.TYPED:
            taxonomy.record_learned_words(session, actor, concept.id, words, lang)
        skill = WorkerSkill(
            words=words,
            concept_uri=concept.uri if concept else None,
            concept_label=label,
            score=score,
            evidence=evidence,
            source=source,
        )
        worker.skills.append(skill)
        _changed(session, actor, worker, "skills")
    return skill


def _listed_skill(
    session: Session, worker: Worker, concept_uri: str | None, words: str
) -> WorkerSkill | None:
    """The worker's skill with this concept, or (without one) these unmapped words."""
    key = normalise(words)
    for skill in session.scalars(select(WorkerSkill).where(WorkerSkill.worker_id == worker.id)):
        if concept_uri is not None and skill.concept_uri == concept_uri:
            return skill
        if concept_uri is None and skill.concept_uri is None and normalise(skill.words) == key:
            return skill
    return None


def _skill_concept(session: Session, concept_id: int) -> Concept:
    concept = session.get(Concept, concept_id)
    active = taxonomy.active_version(session)
    if (
        concept is None
        or concept.kind is not ConceptKind.SKILL
        or active is None
        or concept.version_id != active.id
    ):
        raise ValidationProblem("concept_id", _("Choose one of the skills offered."))
    return concept


def remove_skill(session: Session, actor: User, worker: Worker, skill_id: int) -> None:
    skill = session.get(WorkerSkill, skill_id)
    if skill is None or skill.worker_id != worker.id:
        raise NotFound(_("There is no such skill on this profile."))
    with transaction(session):
        worker.skills.remove(skill)
        _changed(session, actor, worker, "skills")


def set_skill_evidence(
    session: Session, actor: User, worker: Worker, skill_id: int, evidence: Evidence
) -> None:
    skill = session.get(WorkerSkill, skill_id)
    if skill is None or skill.worker_id != worker.id:
        raise NotFound(_("There is no such skill on this profile."))
    with transaction(session):
        skill.evidence = evidence
        _changed(session, actor, worker, "skills")


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    concept_id: int
    label: str
    already_listed: bool


def occupation_checklist(
    session: Session, worker: Worker, occupation_id: int, lang: str = "en"
) -> list[ChecklistItem]:
    """The essential skills of an occupation, for the worker to tick."""
    listed = {skill.concept_uri for skill in worker.skills}
    return [
        ChecklistItem(item.concept_id, item.label, item.uri in listed)
        for item in taxonomy.occupation_skills(
            session, occupation_id, lang, relation=RelationType.ESSENTIAL
        )
    ]


def add_checklist_skills(
    session: Session, actor: User, worker: Worker, concept_ids: list[int], lang: str = "en"
) -> int:
    """Add the ticked skills the profile does not list yet; returns how many were added."""
    added = 0
    labels = taxonomy.preferred_labels(session, concept_ids, lang)
    with transaction_holding(session, worker):
        listed = set(
            session.scalars(
                select(WorkerSkill.concept_uri).where(WorkerSkill.worker_id == worker.id)
            )
        )
        for concept_id in concept_ids:
            concept = _skill_concept(session, concept_id)
            if concept.uri in listed:
                continue
            worker.skills.append(
                WorkerSkill(
                    words=labels.get(concept.id, concept.uri)[:WORDS_MAX],
                    concept_uri=concept.uri,
                    concept_label=labels.get(concept.id),
                    score=100.0,
                    source=SkillSource.CHECKLIST,
                )
            )
            listed.add(concept.uri)
            added += 1
        if added:
            _changed(session, actor, worker, "skills")
    return added


# --- step 3: experience and qualifications -----------------------------------------------------


def add_experience(
    session: Session,
    actor: User,
    worker: Worker,
    words: str,
    *,
    occupation_id: int | None,
    years: float,
    kind: ExperienceKind = ExperienceKind.PAID,
    lang: str = "en",
) -> WorkerExperience:
    words = " ".join(words.split())
    if not words:
        raise ValidationProblem("words", _("Say what the work was."))
    if not 0 <= years <= 70:
        raise ValidationProblem("years", _("Years must be between 0 and 70."))
    occupation = None
    if occupation_id is not None:
        occupation = session.get(Concept, occupation_id)
        if occupation is None or occupation.kind is not ConceptKind.OCCUPATION:
            raise ValidationProblem("occupation_id", _("Choose one of the occupations offered."))
    label = (
        taxonomy.preferred_labels(session, [occupation.id], lang).get(occupation.id)
        if occupation
        else None
    )
    with transaction_holding(session, worker):
        experience = WorkerExperience(
            words=words[:WORDS_MAX],
            occupation_uri=occupation.uri if occupation else None,
            occupation_label=label,
            years=round(years, 1),
            kind=kind,
        )
        same = _listed_row(session, worker, experience, ("occupation_uri", "years", "kind"))
        if same is not None:  # the same work sent twice
            return same
        worker.experiences.append(experience)
        _changed(session, actor, worker, "experience")
    return experience


def _listed_row(
    session: Session,
    worker: Worker,
    new: WorkerExperience | WorkerQualification,
    names: tuple[str, ...],
) -> Any:
    """The worker's stored row that says what `new` says (its words or title in any case)."""
    model = type(new)
    words = "title" if model is WorkerQualification else "words"
    wanted = (normalise(getattr(new, words)), *(getattr(new, name) for name in names))
    for stored in session.scalars(select(model).where(model.worker_id == worker.id)).all():
        said = (normalise(getattr(stored, words)), *(getattr(stored, name) for name in names))
        if said == wanted:
            return stored
    return None


def remove_experience(session: Session, actor: User, worker: Worker, experience_id: int) -> None:
    experience = session.get(WorkerExperience, experience_id)
    if experience is None or experience.worker_id != worker.id:
        raise NotFound(_("There is no such experience on this profile."))
    with transaction(session):
        worker.experiences.remove(experience)
        _changed(session, actor, worker, "experience")


def add_qualification(
    session: Session,
    actor: User,
    worker: Worker,
    *,
    title: str,
    country: str | None,
    level: str,
    recognition: Recognition,
) -> WorkerQualification:
    title = " ".join(title.split())
    if not title:
        raise ValidationProblem("title", _("Enter the qualification's title."))
    if country and country.upper() not in reference.country_codes():
        raise ValidationProblem(
            "country", _("“%(code)s” is not a country code we know.", code=country)
        )
    with transaction_holding(session, worker):
        qualification = WorkerQualification(
            title=title[:WORDS_MAX],
            country=(country or "").upper() or None,
            level=level.strip()[:100],
            recognition=recognition,
        )
        same = _listed_row(session, worker, qualification, ("country", "level", "recognition"))
        if same is not None:  # the same qualification sent twice
            return same
        worker.qualifications.append(qualification)
        _changed(session, actor, worker, "qualifications")
    return qualification


def remove_qualification(
    session: Session, actor: User, worker: Worker, qualification_id: int
) -> None:
    qualification = session.get(WorkerQualification, qualification_id)
    if qualification is None or qualification.worker_id != worker.id:
        raise NotFound(_("There is no such qualification on this profile."))
    with transaction(session):
        worker.qualifications.remove(qualification)
        _changed(session, actor, worker, "qualifications")


# --- step 4: availability -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Availability:
    region_id: int | None
    relocate_anywhere: bool = False
    relocation_region_ids: tuple[int, ...] = field(default=())
    available_from: date | None = None
    available_until: date | None = None


def save_availability(session: Session, actor: User, worker: Worker, data: Availability) -> Worker:
    if data.region_id is None:
        raise ValidationProblem("region_id", _("Choose the region where you are now."))
    if data.available_from is None:
        raise ValidationProblem("available_from", _("Enter the first day you can start."))
    if data.available_until is not None and data.available_until < data.available_from:
        raise ValidationProblem(
            "available_until", _("The last day must be on or after the first day.")
        )
    with transaction(session):
        worker.region_id = data.region_id
        worker.relocate_anywhere = data.relocate_anywhere
        worker.relocation_regions = [
            WorkerRelocationRegion(region_id=region_id)
            for region_id in sorted(set(data.relocation_region_ids))
            if region_id != data.region_id
        ]
        worker.available_from = data.available_from
        worker.available_until = data.available_until
        _changed(session, actor, worker, "availability")
    return worker


# --- step 5: review and consent -----------------------------------------------------------------


def missing_for_activation(worker: Worker) -> list[str]:
    """What the profile still lacks before the worker can be matched (field names)."""
    missing = []
    if not worker.email and not worker.phone:
        missing.append("contact")
    if not worker.skills:
        missing.append("skills")
    if worker.region_id is None or worker.available_from is None:
        missing.append("availability")
    return missing


def give_consent(
    session: Session, actor: User, worker: Worker, purposes: tuple[str, ...]
) -> Worker:
    """Record the consents (with the text version shown); the profile becomes active.

    A consent already given to the same text is not recorded again."""
    if "matching" not in purposes:
        raise ValidationProblem(
            "consent_matching",
            _("Without this consent we cannot show your profile to employers."),
        )
    unknown = set(purposes) - set(CONSENT_PURPOSES)
    if unknown:
        raise ValidationProblem("consent_matching", _("Unknown consent purpose."))
    if missing_for_activation(worker):
        raise ValidationProblem(
            "consent_matching", _("Finish the steps marked as incomplete first.")
        )
    now = utcnow()
    with transaction_holding(session, worker):
        given = set(
            session.scalars(
                select(ConsentRecord.purpose).where(
                    ConsentRecord.worker_id == worker.id,
                    ConsentRecord.text_version == CONSENT_TEXT_VERSION,
                    ConsentRecord.withdrawn_at.is_(None),
                )
            )
        )
        purposes = tuple(purpose for purpose in purposes if purpose not in given)
        if not purposes and worker.status is ProfileStatus.ACTIVE:
            return worker
        for purpose in purposes:
            worker.consents.append(
                ConsentRecord(
                    purpose=purpose,
                    text_version=CONSENT_TEXT_VERSION,
                    given_at=now,
                    given_by_id=actor.id,
                )
            )
        worker.status = ProfileStatus.ACTIVE
        _changed(session, actor, worker, "consent given")
    return worker


def withdraw_consent(session: Session, actor: User, worker: Worker) -> Worker:
    """Stop all processing for matching; the profile is kept until the worker deletes it.

    Their matches go, and their unanswered proposals and offers are withdrawn.
    """
    from portal.services import placements  # placements needs this module: import at use

    now = utcnow()
    with transaction(session):
        for consent in worker.consents:
            if consent.withdrawn_at is None:
                consent.withdrawn_at = now
        worker.status = ProfileStatus.CONSENT_WITHDRAWN
        placements.withdraw_unanswered(session, worker_id=worker.id, reason=placements.WORKER_LEFT)
        session.execute(delete(Match).where(Match.worker_id == worker.id))
        audit.record(session, actor, AuditAction.CONSENT_WITHDRAWN, SUBJECT, worker.id)
    return worker


def unmapped_skills(session: Session) -> list[WorkerSkill]:
    """Words no concept was confirmed for: for admins to review."""
    return list(
        session.scalars(
            select(WorkerSkill).where(WorkerSkill.concept_uri.is_(None)).order_by(WorkerSkill.id)
        )
    )
