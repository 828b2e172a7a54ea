"""What a vacancy's page and the vacancy lists show, in the page's language: the skills under
the taxonomy's names where it has them (the employer's words otherwise), the region, the
organisation, the languages with their levels.

Shared by the public page, the employer's page and the admin's review page. Read-only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Concept, LanguageLevel, Organisation, Region, Vacancy
from portal.services import reference, taxonomy
from portal.services.organisations import SECTORS
from portal.taxonomy.model import RelationType


@dataclass(frozen=True, slots=True)
class SkillLine:
    name: str  # the taxonomy's name in the page's language, or the employer's words
    words: str | None  # the employer's own words, when they say something else


@dataclass(frozen=True, slots=True)
class LanguageLine:
    name: str
    level: LanguageLevel


@dataclass(frozen=True, slots=True)
class VacancyPage:
    vacancy: Vacancy
    organisation: Organisation
    region: str
    occupation: str | None
    occupation_id: int | None  # in the active taxonomy, for a link to its page
    sector: str | None
    essential: tuple[SkillLine, ...]
    optional: tuple[SkillLine, ...]
    languages: tuple[LanguageLine, ...]


@dataclass(frozen=True, slots=True)
class VacancyRow:
    """One line of a list of vacancies."""

    vacancy: Vacancy
    organisation: str
    region: str
    occupation: str | None


def active_concept_ids(session: Session, uris: Iterable[str | None]) -> dict[str, int]:
    """The ids, in the active taxonomy, of the concepts with these URIs (those it has)."""
    wanted = {uri for uri in uris if uri}
    version = taxonomy.active_version(session)
    if not wanted or version is None:
        return {}
    rows = session.execute(
        select(Concept.uri, Concept.id).where(
            Concept.version_id == version.id, Concept.uri.in_(wanted)
        )
    )
    return dict(rows.all())


def sector_of(isco_code: str | None) -> str | None:
    return str(SECTORS[isco_code[0]]) if isco_code and isco_code[0] in SECTORS else None


def vacancy_page(session: Session, vacancy: Vacancy, lang: str) -> VacancyPage:
    uris = [vacancy.occupation_uri, *(skill.concept_uri for skill in vacancy.skills)]
    ids = active_concept_ids(session, uris)
    names = taxonomy.preferred_labels(session, ids.values(), lang)

    def name_of(uri: str | None, fallback: str | None) -> str | None:
        return names.get(ids[uri], fallback) if uri in ids else fallback

    lines: dict[RelationType, list[SkillLine]] = {relation: [] for relation in RelationType}
    for skill in vacancy.skills:
        name = name_of(skill.concept_uri, skill.concept_label) or skill.words
        same = skill.words.casefold() in {name.casefold(), (skill.concept_label or "").casefold()}
        lines[skill.relation].append(SkillLine(name, None if same else skill.words))
    return VacancyPage(
        vacancy=vacancy,
        organisation=session.get_one(Organisation, vacancy.organisation_id),
        region=_region_names(session, [vacancy.region_id]).get(vacancy.region_id, ""),
        occupation=name_of(vacancy.occupation_uri, vacancy.occupation_label),
        occupation_id=ids.get(vacancy.occupation_uri or ""),
        sector=sector_of(vacancy.isco_code),
        essential=tuple(lines[RelationType.ESSENTIAL]),
        optional=tuple(lines[RelationType.OPTIONAL]),
        languages=tuple(
            LanguageLine(reference.language_name(language.code, lang), language.min_level)
            for language in vacancy.languages
        ),
    )


def vacancy_rows(session: Session, vacancies: Sequence[Vacancy], lang: str) -> list[VacancyRow]:
    regions = _region_names(session, [vacancy.region_id for vacancy in vacancies])
    organisations = _organisation_names(session, [vacancy.organisation_id for vacancy in vacancies])
    ids = active_concept_ids(session, [vacancy.occupation_uri for vacancy in vacancies])
    names = taxonomy.preferred_labels(session, ids.values(), lang)
    return [
        VacancyRow(
            vacancy=vacancy,
            organisation=organisations.get(vacancy.organisation_id, ""),
            region=regions.get(vacancy.region_id, ""),
            occupation=names.get(ids[vacancy.occupation_uri], vacancy.occupation_label)
            if vacancy.occupation_uri in ids
            else vacancy.occupation_label,
        )
        for vacancy in vacancies
    ]


def _region_names(session: Session, region_ids: Iterable[int]) -> dict[int, str]:
    wanted = set(region_ids)
    if not wanted:
        return {}
    rows = session.execute(select(Region.id, Region.name).where(Region.id.in_(wanted)))
    return dict(rows.all())


def _organisation_names(session: Session, organisation_ids: Iterable[int]) -> dict[int, str]:
    wanted = set(organisation_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))
    )
    return dict(rows.all())
