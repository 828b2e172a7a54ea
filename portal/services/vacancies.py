"""Vacancies: drafts, the no-fee pledge, moderation, the states a vacancy goes through, and
what the public may browse.

Only members of the employer organisation change its vacancies (admins moderate); only open
vacancies are public, and a vacancy opens only with the pledge and a verified organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel.numbers import list_currencies
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from portal.errors import Conflict, InvalidTransition, NotFound, ValidationProblem
from portal.models import (
    AuditAction,
    Concept,
    ConceptKind,
    LanguageLevel,
    Organisation,
    OrganisationKind,
    PayPeriod,
    Region,
    Role,
    SkillSource,
    User,
    Vacancy,
    VacancyLanguage,
    VacancySkill,
    VacancyState,
)
from portal.models.base import utcnow
from portal.models.vacancies import EDITABLE_STATES, POSITIONS_MAX, TITLE_MAX
from portal.models.workers import WORDS_MAX
from portal.services import audit, reference, taxonomy
from portal.services._tx import transaction, transaction_holding
from portal.services.pages import Page, paginate
from portal.services.translation import number
from portal.taxonomy.model import RelationType
from portal.taxonomy.resolve import normalise
from portal.text import Number

SUBJECT = "vacancy"
MAX_HOURS_PER_WEEK = 84
DESCRIPTION_MAX = 10_000


def state_label(state: VacancyState) -> str:
    """A vacancy's state in the page's language (badges and messages share these words)."""
    labels = {
        VacancyState.DRAFT: pgettext("vacancy state", "Draft"),
        VacancyState.SUBMITTED: pgettext("vacancy state", "Waiting for moderation"),
        VacancyState.SENT_BACK: pgettext("vacancy state", "Sent back for changes"),
        VacancyState.OPEN: pgettext("vacancy state", "Open"),
        VacancyState.FILLED: pgettext("vacancy state", "Filled"),
        VacancyState.CLOSED: pgettext("vacancy state", "Closed"),
        VacancyState.EXPIRED: pgettext("vacancy state", "Expired"),
        VacancyState.REJECTED: pgettext("vacancy state", "Rejected"),
    }
    return labels[state]


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    return frozenset(list_currencies())


# --- what an employer fills in -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SkillWords:
    """A skill the employer asks for: their words and, if chosen, the concept they mean."""

    words: str
    concept_id: int | None
    relation: RelationType
    source: SkillSource = SkillSource.TYPED


@dataclass(frozen=True, slots=True)
class VacancyInput:
    title: str
    positions: int
    region_id: int | None
    start_date: date | None
    occupation_id: int | None = None
    occupation_words: str = ""
    description: str = ""
    skills: tuple[SkillWords, ...] = ()
    workplace: str = ""
    end_date: date | None = None
    apply_by: date | None = None
    hours_per_week: float | None = None
    pay_amount: Decimal | None = None
    pay_currency: str | None = None
    pay_period: PayPeriod | None = None
    accommodation: bool = False
    transport: bool = False
    languages: tuple[tuple[str, LanguageLevel], ...] = ()
    no_fee_pledge: bool = False
    external_id: str | None = None
    lang: str = "en"  # the language the employer typed in


def check_vacancy(data: VacancyInput) -> None:
    """Raise ValidationProblem for the first field that is not acceptable."""
    if not data.title.strip():
        raise ValidationProblem("title", _("Give the vacancy a title."))
    if len(data.title) > TITLE_MAX:
        raise ValidationProblem("title", _("Use at most %(max)d characters.", max=TITLE_MAX))
    if len(data.description) > DESCRIPTION_MAX:
        raise ValidationProblem(
            "description", _("Use at most %(max)d characters.", max=DESCRIPTION_MAX)
        )
    if not 1 <= data.positions <= POSITIONS_MAX:
        raise ValidationProblem(
            "positions",
            _(
                "Positions must be a whole number from 1 to %(max)s.",
                max=number(Number(POSITIONS_MAX)),
            ),
        )
    if data.region_id is None:
        raise ValidationProblem("region_id", _("Choose the region of the workplace."))
    if data.start_date is None:
        raise ValidationProblem("start_date", _("Enter the start date."))
    if data.end_date is not None and data.end_date < data.start_date:
        raise ValidationProblem("end_date", _("The end date must be on or after the start date."))
    if data.apply_by is not None and data.end_date is not None and data.apply_by > data.end_date:
        raise ValidationProblem("apply_by", _("Applications must close before the work ends."))
    if data.hours_per_week is not None and not 0 < data.hours_per_week <= MAX_HOURS_PER_WEEK:
        raise ValidationProblem(
            "hours_per_week",
            _("Hours per week must be more than 0 and at most %(max)d.", max=MAX_HOURS_PER_WEEK),
        )
    _check_pay(data)
    seen: set[str] = set()
    for code, _level in data.languages:
        if code.lower() not in reference.language_codes() or code.lower() in seen:
            raise ValidationProblem(
                "languages",
                _("“%(code)s” is not a language code we know, or is listed twice.", code=code),
            )
        seen.add(code.lower())
    for skill in data.skills:
        if not skill.words.strip() or len(skill.words) > WORDS_MAX:
            raise ValidationProblem(
                "skills", _("Describe each skill in 1 to %(max)d characters.", max=WORDS_MAX)
            )


def _check_pay(data: VacancyInput) -> None:
    if data.pay_amount is None:
        return
    if data.pay_amount < 0:
        raise ValidationProblem("pay_amount", _("Pay cannot be below zero."))
    if not data.pay_currency or data.pay_currency.upper() not in currency_codes():
        raise ValidationProblem(
            "pay_currency",
            _(
                "“%(code)s” is not a currency code we know (like EUR, GBP, PLN).",
                code=data.pay_currency or "",
            ),
        )
    if data.pay_period is None:
        raise ValidationProblem("pay_period", _("Say whether the pay is per hour, day, week ..."))


# --- who may see and change a vacancy -----------------------------------------------------------


def _member(user: User, vacancy: Vacancy) -> bool:
    return user.role is Role.EMPLOYER and user.organisation_id == vacancy.organisation_id


def vacancy_for(session: Session, user: User, vacancy_id: int) -> Vacancy:
    """A vacancy of the user's own organisation (or any, for an admin); else NotFound."""
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None or not (_member(user, vacancy) or user.role is Role.ADMIN):
        raise NotFound(_("There is no such vacancy, or it is not yours."))
    return vacancy


def public_vacancy(session: Session, vacancy_id: int, today: date | None = None) -> Vacancy:
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None or vacancy.state is not VacancyState.OPEN or _expired(vacancy, today):
        raise NotFound(_("This vacancy is not open."))
    return vacancy


def readable_vacancy(session: Session, user: User, vacancy_id: int) -> Vacancy:
    """A vacancy `user` may read: one of their organisation's (any, for an admin) in whatever
    state, otherwise only an open one, as the public pages show it; else NotFound."""
    try:
        return vacancy_for(session, user, vacancy_id)
    except NotFound:
        return public_vacancy(session, vacancy_id)


def _employer_organisation(session: Session, user: User) -> Organisation:
    organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    if user.role is not Role.EMPLOYER or organisation is None:
        raise NotFound(_("Only employers post vacancies."))
    return organisation


# --- drafts -------------------------------------------------------------------------------------


def create_draft(
    session: Session, user: User, data: VacancyInput, *, organisation: Organisation | None = None
) -> Vacancy:
    """A new draft for the user's organisation (an admin names the organisation).

    The same vacancy posted again (a form sent twice) is not made twice: the organisation's
    live vacancy with the same content and pledge is returned instead.
    """
    if organisation is None:
        organisation = _employer_organisation(session, user)
    elif user.role is not Role.ADMIN or organisation.kind is not OrganisationKind.EMPLOYER:
        raise NotFound(_("Only employers post vacancies."))
    check_vacancy(data)
    with transaction_holding(session, organisation):
        vacancy = Vacancy(
            organisation_id=organisation.id, created_by_id=user.id, state=VacancyState.DRAFT
        )
        _apply(session, user, vacancy, data)  # not in the session until it is known to be new
        same = _same_vacancy(session, vacancy, pledge=vacancy.no_fee_pledge)
        if same is not None:
            return same
        session.add(vacancy)
        session.flush()
        audit.record(session, user, AuditAction.CREATED, SUBJECT, vacancy.id)
        _learn_confirmed_words(session, user, data)
    return vacancy


def _same_vacancy(
    session: Session, vacancy: Vacancy, *, pledge: bool, besides: int | None = None
) -> Vacancy | None:
    """A live vacancy of the same organisation, without a reference of its own, that says
    what `vacancy` says and has the pledge as given."""
    candidates = session.scalars(
        select(Vacancy)
        .where(
            Vacancy.organisation_id == vacancy.organisation_id,
            Vacancy.title == vacancy.title,
            Vacancy.state.in_(CLOSABLE),
            Vacancy.external_id.is_(None),
            Vacancy.no_fee_pledge.is_(pledge),
            Vacancy.id != (besides or 0),
        )
        .order_by(Vacancy.id)
    )
    return next((found for found in candidates if _content(found) == _content(vacancy)), None)


def update_draft(session: Session, user: User, vacancy_id: int, data: VacancyInput) -> Vacancy:
    vacancy = vacancy_for(session, user, vacancy_id)
    if vacancy.state not in EDITABLE_STATES:
        raise InvalidTransition(_("Only drafts and vacancies sent back for changes can be edited."))
    check_vacancy(data)
    with transaction(session):
        _apply(session, user, vacancy, data)
        audit.record(session, user, AuditAction.CHANGED, SUBJECT, vacancy.id)
        _learn_confirmed_words(session, user, data)
    return vacancy


def _learn_confirmed_words(session: Session, user: User, data: VacancyInput) -> None:
    """Words an employer typed and then matched to a concept teach the resolver, as a
    worker's do, in the vacancy's transaction (words with nothing to learn from, such as only
    punctuation, are skipped: learning never blocks the save)."""
    confirmed = [
        (skill.concept_id, skill.words)
        for skill in data.skills
        if skill.concept_id is not None and skill.source is SkillSource.TYPED
    ]
    if data.occupation_id is not None and data.occupation_words.strip():
        confirmed.append((data.occupation_id, data.occupation_words))
    for concept_id, words in confirmed:
        if normalise(words):
            taxonomy.record_learned_words(session, user, concept_id, words, data.lang)


def opens_on_import(state: VacancyState | None, no_fee_pledge: bool, verified: bool) -> bool:
    """Whether an uploaded row opens its vacancy at once: a new vacancy or a draft, with the
    pledge, of a verified organisation. A vacancy an admin sent back waits for its next
    submission; an open one stays open."""
    return state in (None, VacancyState.DRAFT) and no_fee_pledge and verified


def save_imported(
    session: Session,
    actor: User | None,
    organisation: Organisation,
    data: VacancyInput,
    vacancy: Vacancy | None,
) -> Vacancy:
    """Create or update (`vacancy`) one uploaded vacancy of `organisation`, in the caller's
    transaction: vacancy_import has checked who imports, the row and the vacancy's state.

    `actor` is None on the command line. An open vacancy's content is replaced and it stays open.
    """
    check_vacancy(data)
    opens = opens_on_import(
        vacancy.state if vacancy else None, data.no_fee_pledge, organisation.is_verified
    )
    if vacancy is None:
        vacancy = Vacancy(
            organisation_id=organisation.id,
            created_by_id=actor.id if actor is not None else None,
            state=VacancyState.DRAFT,
        )
    action = AuditAction.CHANGED if vacancy.id else AuditAction.CREATED
    _apply(session, actor, vacancy, data)  # before add: _apply's queries autoflush
    session.add(vacancy)
    if opens:
        _open(vacancy)
    session.flush()
    audit.record(
        session, actor, action, SUBJECT, vacancy.id, "upload, opened" if opens else "upload"
    )
    return vacancy


def import_changes(
    session: Session, organisation: Organisation, data: VacancyInput, vacancy: Vacancy
) -> bool:
    """Whether saving uploaded `data` over the stored `vacancy` changes anything (its content,
    pledge or state): a row that changes nothing is left alone, so that a file uploaded again
    writes nothing (no "changed" event, no new skill rows)."""
    if opens_on_import(vacancy.state, data.no_fee_pledge, organisation.is_verified):
        return True
    scratch = Vacancy()  # never added to the session
    _apply(session, None, scratch, data)
    return (scratch.external_id, scratch.no_fee_pledge, _content(scratch)) != (
        vacancy.external_id,
        vacancy.no_fee_pledge,
        _content(vacancy),
    )


def _content(vacancy: Vacancy) -> tuple[object, ...]:
    """What a vacancy says (not its state, pledge, reference or who made it): two vacancies
    with the same content are the same job."""
    return (
        *(getattr(vacancy, name) for name in _CONTENT),
        sorted((language.code, language.min_level) for language in vacancy.languages),
        [
            (skill.relation, skill.words, skill.concept_uri, skill.concept_label, skill.source)
            for skill in vacancy.skills
        ],
    )


_CONTENT = (
    "title",
    "occupation_words",
    "occupation_uri",
    "occupation_label",
    "isco_code",
    "description",
    "positions",
    "region_id",
    "workplace",
    "start_date",
    "end_date",
    "apply_by",
    "hours_per_week",
    "pay_amount",
    "pay_currency",
    "pay_period",
    "accommodation",
    "transport",
)


def _apply(session: Session, user: User | None, vacancy: Vacancy, data: VacancyInput) -> None:
    occupation = _concept(session, data.occupation_id, ConceptKind.OCCUPATION, "occupation_id")
    vacancy.external_id = data.external_id
    vacancy.title = data.title.strip()
    vacancy.occupation_words = data.occupation_words.strip()[:WORDS_MAX]
    vacancy.occupation_uri = occupation.uri if occupation else None
    vacancy.occupation_label = (
        taxonomy.preferred_labels(session, [occupation.id], "en").get(occupation.id)
        if occupation
        else None
    )
    vacancy.isco_code = occupation.isco_code if occupation else None
    vacancy.description = data.description.strip()
    vacancy.positions = data.positions
    vacancy.region_id = data.region_id  # type: ignore[assignment]  # checked above
    vacancy.workplace = data.workplace.strip()[:200]
    vacancy.start_date = data.start_date  # type: ignore[assignment]
    vacancy.end_date = data.end_date
    vacancy.apply_by = data.apply_by
    vacancy.hours_per_week = data.hours_per_week
    vacancy.pay_amount = data.pay_amount
    vacancy.pay_currency = data.pay_currency.upper() if data.pay_currency else None
    vacancy.pay_period = data.pay_period
    vacancy.accommodation = data.accommodation
    vacancy.transport = data.transport
    vacancy.languages = [
        VacancyLanguage(code=code.lower(), min_level=level) for code, level in data.languages
    ]
    vacancy.skills = _skills(session, data.skills)
    if data.no_fee_pledge and not vacancy.no_fee_pledge:
        vacancy.pledged_at = utcnow()
        vacancy.pledged_by_id = user.id if user is not None else None
    vacancy.no_fee_pledge = data.no_fee_pledge
    if not data.no_fee_pledge:
        vacancy.pledged_at = None
        vacancy.pledged_by_id = None


def _concept(
    session: Session, concept_id: int | None, kind: ConceptKind, field_name: str
) -> Concept | None:
    if concept_id is None:
        return None
    concept = session.get(Concept, concept_id)
    active = taxonomy.active_version(session)
    if (
        concept is None
        or concept.kind is not kind
        or active is None
        or (concept.version_id != active.id)
    ):
        raise ValidationProblem(field_name, _("Choose one of the entries offered."))
    return concept


def _skills(session: Session, wanted: tuple[SkillWords, ...]) -> list[VacancySkill]:
    ids = [skill.concept_id for skill in wanted if skill.concept_id is not None]
    labels = taxonomy.preferred_labels(session, ids, "en")
    skills: list[VacancySkill] = []
    seen: set[str] = set()  # each concept (or each unmatched phrase) once; the first wins
    for skill in wanted:
        concept = _concept(session, skill.concept_id, ConceptKind.SKILL, "skills")
        key = concept.uri if concept else f"words: {skill.words.strip().casefold()}"
        if key in seen:
            continue
        seen.add(key)
        skills.append(
            VacancySkill(
                relation=skill.relation,
                words=" ".join(skill.words.split())[:WORDS_MAX],
                concept_uri=concept.uri if concept else None,
                concept_label=labels.get(concept.id) if concept else None,
                source=skill.source,
            )
        )
    return skills


# --- states -------------------------------------------------------------------------------------


def submit(session: Session, user: User, vacancy_id: int) -> Vacancy:
    """Send a draft to moderation; without the no-fee pledge it cannot go."""
    vacancy = vacancy_for(session, user, vacancy_id)
    if vacancy.state not in EDITABLE_STATES:
        raise InvalidTransition(_("This vacancy has already been submitted."))
    if not vacancy.no_fee_pledge:
        raise ValidationProblem(
            "no_fee_pledge",
            _(
                "Confirm that workers pay no recruitment fees or related costs: no pledge, no "
                "publication."
            ),
        )
    with transaction(session):
        vacancy.state = VacancyState.SUBMITTED
        audit.record(session, user, AuditAction.CHANGED, SUBJECT, vacancy.id, "submitted")
    return vacancy


def _for_admin(session: Session, admin: User, vacancy_id: int) -> Vacancy:
    if admin.role is not Role.ADMIN:
        raise NotFound(_("There is no such vacancy, or it is not yours."))
    return vacancy_for(session, admin, vacancy_id)


def approve(session: Session, admin: User, vacancy_id: int) -> Vacancy:
    """Publish a submitted vacancy of a verified organisation."""
    vacancy = _for_admin(session, admin, vacancy_id)
    if vacancy.state is not VacancyState.SUBMITTED:
        raise InvalidTransition(_("Only submitted vacancies can be approved."))
    organisation = session.get(Organisation, vacancy.organisation_id)
    if organisation is None or not organisation.is_verified:
        raise Conflict(_("Verify the organisation first: unverified employers cannot publish."))
    if not vacancy.no_fee_pledge:
        raise Conflict(_("This vacancy has no no-fee pledge and cannot be published."))
    with transaction(session):
        _open(vacancy)
        audit.record(session, admin, AuditAction.CHANGED, SUBJECT, vacancy.id, "approved")
    return vacancy


def _open(vacancy: Vacancy) -> None:
    vacancy.state = VacancyState.OPEN
    vacancy.published_at = utcnow()
    vacancy.moderation_note = ""


def send_back(session: Session, admin: User, vacancy_id: int, reason: str) -> Vacancy:
    return _moderate(session, admin, vacancy_id, reason, VacancyState.SENT_BACK, "sent back")


def reject(session: Session, admin: User, vacancy_id: int, reason: str) -> Vacancy:
    return _moderate(session, admin, vacancy_id, reason, VacancyState.REJECTED, "rejected")


def _moderate(
    session: Session, admin: User, vacancy_id: int, reason: str, state: VacancyState, what: str
) -> Vacancy:
    vacancy = _for_admin(session, admin, vacancy_id)
    if vacancy.state is not VacancyState.SUBMITTED:
        raise InvalidTransition(_("Only submitted vacancies can be moderated."))
    reason = reason.strip()
    if not reason:
        raise ValidationProblem("reason", _("Say why, so that the employer can act on it."))
    with transaction(session):
        vacancy.state = state
        vacancy.moderation_note = reason[:1000]
        audit.record(session, admin, AuditAction.CHANGED, SUBJECT, vacancy.id, what)
    return vacancy


CLOSABLE = frozenset(
    {VacancyState.DRAFT, VacancyState.SUBMITTED, VacancyState.SENT_BACK, VacancyState.OPEN}
)


def close(session: Session, user: User, vacancy_id: int) -> Vacancy:
    vacancy = vacancy_for(session, user, vacancy_id)
    if vacancy.state not in CLOSABLE:
        raise InvalidTransition(
            _("This vacancy is already in the state “%(state)s”.", state=state_label(vacancy.state))
        )
    with transaction(session):
        vacancy.state = VacancyState.CLOSED
        _stop_taking_workers(session, vacancy)
        audit.record(session, user, AuditAction.CHANGED, SUBJECT, vacancy.id, "closed")
    return vacancy


def _stop_taking_workers(session: Session, vacancy: Vacancy) -> None:
    """A vacancy that closes or expires withdraws its unanswered proposals and offers; the
    workers it hired keep their jobs."""
    from portal.services import placements  # placements needs this module: import at use

    placements.withdraw_unanswered(session, vacancy_id=vacancy.id, reason=placements.VACANCY_ENDED)


def duplicate(session: Session, user: User, vacancy_id: int) -> Vacancy:
    """A new draft with the same content; the pledge must be given again. A copy made before
    and not changed since is returned instead of another one (the button pressed twice)."""
    source = vacancy_for(session, user, vacancy_id)
    with transaction_holding(session, source):
        copy = Vacancy(
            organisation_id=source.organisation_id,
            created_by_id=user.id,
            state=VacancyState.DRAFT,
            **{name: getattr(source, name) for name in _CONTENT},
        )
        copy.skills = [
            VacancySkill(
                relation=s.relation,
                words=s.words,
                concept_uri=s.concept_uri,
                concept_label=s.concept_label,
                source=s.source,
            )
            for s in source.skills
        ]
        copy.languages = [
            VacancyLanguage(code=lang.code, min_level=lang.min_level) for lang in source.languages
        ]
        untouched = _same_vacancy(session, copy, pledge=False, besides=source.id)
        if untouched is not None and untouched.state is VacancyState.DRAFT:
            return untouched
        session.add(copy)
        session.flush()
        audit.record(session, user, AuditAction.CREATED, SUBJECT, copy.id, f"copy of {source.id}")
    return copy


def _expired(vacancy: Vacancy, today: date | None) -> bool:
    today = today or date.today()
    last_day = vacancy.apply_by or vacancy.end_date
    return last_day is not None and last_day < today


def expire_due(session: Session, today: date | None = None) -> int:
    """Open vacancies whose application window (or the work) has ended become expired."""
    today = today or date.today()
    due = session.scalars(
        select(Vacancy).where(
            Vacancy.state == VacancyState.OPEN,
            func.coalesce(Vacancy.apply_by, Vacancy.end_date) < today,
        )
    ).all()
    with transaction(session):
        for vacancy in due:
            vacancy.state = VacancyState.EXPIRED
            _stop_taking_workers(session, vacancy)
            audit.record(session, None, AuditAction.CHANGED, SUBJECT, vacancy.id, "expired")
    return len(due)


# --- lists --------------------------------------------------------------------------------------


def organisation_vacancies(session: Session, user: User, *, page: int, size: int) -> Page[Vacancy]:
    organisation = _employer_organisation(session, user)
    statement = (
        select(Vacancy)
        .where(Vacancy.organisation_id == organisation.id)
        .order_by(Vacancy.updated_at.desc(), Vacancy.id.desc())
    )
    return paginate(session, statement, page, size)


def vacancy_list(session: Session, user: User, *, page: int, size: int) -> Page[Vacancy]:
    """The vacancies `user` sees listed: an employer its organisation's (every state, as
    `organisation_vacancies`), an admin every one, anyone else the open ones (as `browse`)."""
    if user.role is Role.EMPLOYER:
        return organisation_vacancies(session, user, page=page, size=size)
    if user.role is Role.ADMIN:
        statement = select(Vacancy).order_by(Vacancy.updated_at.desc(), Vacancy.id.desc())
        return paginate(session, statement, page, size)
    return browse(session, BrowseFilters(), page=page, size=size)


def moderation_queue(session: Session, *, page: int, size: int) -> Page[Vacancy]:
    statement = (
        select(Vacancy)
        .where(Vacancy.state == VacancyState.SUBMITTED)
        .order_by(Vacancy.updated_at, Vacancy.id)
    )
    return paginate(session, statement, page, size)


@dataclass(frozen=True, slots=True)
class BrowseFilters:
    words: str = ""
    sector: str | None = None  # ISCO-08 major group, one digit
    region_id: int | None = None
    starts_by: date | None = None  # work starting on or before this day
    accommodation: bool = False


def browse(
    session: Session, filters: BrowseFilters, *, page: int, size: int, today: date | None = None
) -> Page[Vacancy]:
    """Open vacancies for workers, providers and the public, newest first."""
    return paginate(session, _browse_statement(filters, today or date.today()), page, size)


def _browse_statement(filters: BrowseFilters, today: date) -> Select[tuple[Vacancy]]:
    statement = select(Vacancy).where(
        Vacancy.state == VacancyState.OPEN,
        or_(
            func.coalesce(Vacancy.apply_by, Vacancy.end_date).is_(None),
            func.coalesce(Vacancy.apply_by, Vacancy.end_date) >= today,
        ),
    )
    words = " ".join(filters.words.split()).lower()[:100]
    for word in words.split(" ") if words else ():
        pattern = f"%{_escape_like(word)}%"
        statement = statement.where(
            or_(
                func.lower(Vacancy.title).like(pattern, escape="\\"),
                func.lower(Vacancy.description).like(pattern, escape="\\"),
                func.lower(func.coalesce(Vacancy.occupation_label, "")).like(pattern, escape="\\"),
                func.lower(Vacancy.workplace).like(pattern, escape="\\"),
            )
        )
    if filters.sector:
        statement = statement.where(Vacancy.isco_code.like(f"{filters.sector[:1]}%"))
    if filters.region_id is not None:
        statement = statement.where(Vacancy.region_id == filters.region_id)
    if filters.starts_by is not None:
        statement = statement.where(Vacancy.start_date <= filters.starts_by)
    if filters.accommodation:
        statement = statement.where(Vacancy.accommodation.is_(True))
    return statement.order_by(Vacancy.published_at.desc(), Vacancy.id.desc())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def region_name(session: Session, region_id: int) -> str:
    region = session.get(Region, region_id)
    return region.name if region else ""
