"""The skill graph the matcher scores with: which held skill answers which wanted skill, and how.

Built once per taxonomy version, either from a :class:`Taxonomy` or from plain rows read from the
database; both paths go through :func:`skill_graph_from_rows`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from portal.matching.types import LINK_CREDIT, SkillGraph, SkillLink
from portal.taxonomy.model import Taxonomy

BROADER_LEVELS = 2
"""How far up the skill → skill hierarchy a narrower or broader skill still earns credit."""

MAX_GROUP_SIZE = 30
"""A skill group with more direct skills than this gives no same-group credit.

Large ESCO groups (up to ~220 skills) are catch-alls whose members have little in common, and
their pairs would make most of the graph. Same-group credit is the loosest link (0.3); at 30 the
market bound of 100k workers × 10k vacancies over the ESCO graph takes ~2.7 s, at 60 ~5 s
(benchmarks/matching.py, docs/benchmarks.md).
"""


def skill_graph(taxonomy: Taxonomy) -> SkillGraph:
    """The graph of one taxonomy; a skill's broader URIs that are not skills are its groups."""
    skill_uris = {skill.uri for skill in taxonomy.skills}
    skill_broader: list[tuple[str, str]] = []
    skill_group: list[tuple[str, str]] = []
    for skill in taxonomy.skills:
        for broader in skill.broader:
            pairs = skill_broader if broader in skill_uris else skill_group
            pairs.append((skill.uri, broader))
    return skill_graph_from_rows(
        skill_broader=skill_broader,
        skill_group=skill_group,
        relations=((r.skill_uri, r.related_uri) for r in taxonomy.skill_relations),
        occupation_isco=((o.uri, o.isco_code) for o in taxonomy.occupations),
    )


def skill_graph_from_rows(
    skill_broader: Iterable[tuple[str, str]],
    skill_group: Iterable[tuple[str, str]],
    relations: Iterable[tuple[str, str]],
    occupation_isco: Iterable[tuple[str, str]],
) -> SkillGraph:
    """The graph from rows: (skill, broader skill), (skill, its skill group), (skill, related
    skill) in either direction, and (occupation, ISCO unit group code).

    Every pair of distinct skills gets the link with the highest credit among those that apply.
    """
    candidates: dict[SkillLink, list[tuple[str, str]]] = {
        SkillLink.NARROWER: [],
        SkillLink.BROADER: [],
        SkillLink.RELATED: [],
        SkillLink.SAME_GROUP: [],
    }
    for ancestor, narrower in _ancestry(skill_broader):
        candidates[SkillLink.NARROWER].append((ancestor, narrower))
        candidates[SkillLink.BROADER].append((narrower, ancestor))
    for skill, related in relations:
        candidates[SkillLink.RELATED] += [(skill, related), (related, skill)]
    for members in _small_groups(skill_group):
        candidates[SkillLink.SAME_GROUP] += [(a, b) for a in members for b in members]

    links: dict[str, dict[str, SkillLink]] = defaultdict(dict)
    # best credit first, so that the first link seen for a pair is the one it keeps
    for link in sorted(candidates, key=LINK_CREDIT.__getitem__, reverse=True):
        for wanted, held in candidates[link]:
            if wanted != held:
                links[wanted].setdefault(held, link)
    return SkillGraph(links=dict(links), isco_of=dict(occupation_isco))


def _ancestry(skill_broader: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """(ancestor, skill) for every broader skill up to BROADER_LEVELS above a skill."""
    parents: dict[str, set[str]] = defaultdict(set)
    for skill, broader in skill_broader:
        parents[skill].add(broader)
    pairs: set[tuple[str, str]] = set()
    for skill in parents:
        level = {skill}
        for _ in range(BROADER_LEVELS):
            level = {parent for node in level for parent in parents.get(node, ())}
            pairs.update((ancestor, skill) for ancestor in level)
    return pairs


def _small_groups(skill_group: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The direct skills of each group of at most MAX_GROUP_SIZE skills, in the order given."""
    members: dict[str, dict[str, None]] = defaultdict(dict)
    for skill, group in skill_group:
        members[group][skill] = None
    return [list(skills) for skills in members.values() if len(skills) <= MAX_GROUP_SIZE]
