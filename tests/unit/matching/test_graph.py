from __future__ import annotations

from portal.matching.graph import MAX_GROUP_SIZE, skill_graph, skill_graph_from_rows
from portal.matching.types import SkillLink
from portal.taxonomy.model import (
    Label,
    Occupation,
    RelationType,
    Skill,
    SkillGroup,
    SkillRelation,
    Taxonomy,
)
from tests.conftest import small_taxonomy

BASE = "https://skills-portal.example/test"


def skill(key: str, *broader: str) -> Skill:
    return Skill(f"{BASE}/skill/{key}", (Label(key, "en"),), broader=broader)


def uri(key: str) -> str:
    return f"{BASE}/skill/{key}"


def group(key: str) -> SkillGroup:
    return SkillGroup(f"{BASE}/group/{key}", key, (Label(key, "en"),))


def hierarchy() -> Taxonomy:
    """driving ← drive a vehicle ← drive a lorry ← drive a tanker; welding related to cutting."""
    transport, metal = group("transport"), group("metal")
    return Taxonomy(
        name="hand-made",
        source="test",
        languages=("en",),
        skill_groups=(transport, metal),
        skills=(
            skill("driving", transport.uri),
            skill("vehicle", uri("driving")),
            skill("lorry", uri("vehicle")),
            skill("tanker", uri("lorry")),
            skill("welding", metal.uri),
            skill("cutting", metal.uri),
            skill("soldering"),
        ),
        occupations=(Occupation(f"{BASE}/occupation/driver", "8332", (Label("driver", "en"),)),),
        skill_relations=(SkillRelation(uri("welding"), uri("soldering"), RelationType.OPTIONAL),),
    )


def test_a_narrower_skill_answers_a_broader_one_up_to_two_levels() -> None:
    links = skill_graph(hierarchy()).links

    assert links[uri("driving")][uri("vehicle")] is SkillLink.NARROWER
    assert links[uri("driving")][uri("lorry")] is SkillLink.NARROWER
    assert uri("tanker") not in links[uri("driving")]


def test_a_broader_skill_answers_a_narrower_one_up_to_two_levels() -> None:
    links = skill_graph(hierarchy()).links

    assert links[uri("tanker")][uri("lorry")] is SkillLink.BROADER
    assert links[uri("tanker")][uri("vehicle")] is SkillLink.BROADER
    assert uri("driving") not in links[uri("tanker")]


def test_a_skill_relation_links_both_ways() -> None:
    links = skill_graph(hierarchy()).links

    assert links[uri("welding")][uri("soldering")] is SkillLink.RELATED
    assert links[uri("soldering")][uri("welding")] is SkillLink.RELATED


def test_skills_directly_in_one_group_answer_each_other_but_not_themselves() -> None:
    links = skill_graph(hierarchy()).links

    assert links[uri("welding")][uri("cutting")] is SkillLink.SAME_GROUP
    assert links[uri("cutting")][uri("welding")] is SkillLink.SAME_GROUP
    assert uri("welding") not in links[uri("welding")]


def test_a_pair_linked_several_ways_keeps_the_link_with_the_most_credit() -> None:
    graph = skill_graph_from_rows(
        skill_broader=[("b", "a")],
        skill_group=[("a", "g"), ("b", "g")],
        relations=[("a", "b")],
        occupation_isco=[],
    )

    assert graph.links["a"]["b"] is SkillLink.NARROWER
    assert graph.links["b"]["a"] is SkillLink.BROADER


def test_a_group_over_the_size_limit_gives_no_credit() -> None:
    members = [(f"s{i}", "big") for i in range(MAX_GROUP_SIZE + 1)]

    graph = skill_graph_from_rows(members, members[:0], relations=[], occupation_isco=[])
    big = skill_graph_from_rows([], members, relations=[], occupation_isco=[])
    small = skill_graph_from_rows([], members[:MAX_GROUP_SIZE], relations=[], occupation_isco=[])

    assert big.links == {}
    assert graph.links  # the same rows as broader skills still link
    assert small.links["s0"]["s1"] is SkillLink.SAME_GROUP


def test_occupations_map_to_their_isco_unit_group() -> None:
    graph = skill_graph(small_taxonomy())

    assert graph.isco_of == {
        f"{BASE}/occupation/forklift-driver": "8344",
        f"{BASE}/occupation/warehouse-operative": "9333",
    }


def test_the_taxonomy_and_the_rows_build_the_same_graph() -> None:
    taxonomy = small_taxonomy()
    skills = {s.uri for s in taxonomy.skills}

    from_rows = skill_graph_from_rows(
        skill_broader=[(s.uri, b) for s in taxonomy.skills for b in s.broader if b in skills],
        skill_group=[(s.uri, b) for s in taxonomy.skills for b in s.broader if b not in skills],
        relations=[(r.skill_uri, r.related_uri) for r in taxonomy.skill_relations],
        occupation_isco=[(o.uri, o.isco_code) for o in taxonomy.occupations],
    )

    assert from_rows == skill_graph(taxonomy)
    forklift, pallets = f"{BASE}/skill/forklift", f"{BASE}/skill/pallets"
    assert from_rows.links[forklift][pallets] is SkillLink.RELATED
