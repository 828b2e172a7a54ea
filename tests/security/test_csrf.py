"""CSRF: every route that changes state, found in the app's URL map (so a route added tomorrow is
checked too), refuses a post without a token, with a made-up token and with another browser's
token, as a logged-in user who may use it, and nothing in the database changes. The token-
authenticated /api/v1 routes are exempt by design: they take only Bearer tokens."""

from __future__ import annotations

import hashlib

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from portal.extensions import csrf
from portal.models import Region, Role
from portal.models.base import Base
from tests.conftest import WebClient
from tests.security.world import World
from tests.web.test_access import ACCESS, ANONYMOUS

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REFUSED = "This form has expired or was sent from somewhere else"
PREFERENCE = (ANONYMOUS, Role.WORKER, Role.EMPLOYER, Role.PROVIDER, Role.ADMIN)
"""Who posts: the first of these the route lets in (the world's ids belong to them)."""
FORM = {
    "name": "Planted by another site",
    "reason": "planted",
    "fee_asked": "no",
    "confirmation": "DELETE",
    "language": "fr",
    "email": "planted@example.org",
    "full_name": "Planted",
    "given_name": "Planted",
    "password": "correct horse battery staple",
    "new_password": "another horse battery staple",
    "confirm": "another horse battery staple",
    "role": "worker",
    "words": "planted",
    "go": "stay",
    "action": "draft",
}
"""What a forged form might send: enough for most routes to act if they let it through."""


def is_exempt_by_design(rule: Rule) -> bool:
    return rule.endpoint.startswith("api_v1") or rule.rule.startswith("/api/v1")


def state_changing_rules(app: Flask) -> list[Rule]:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if rule.methods and rule.methods & STATE_CHANGING and not is_exempt_by_design(rule)
        ),
        key=lambda rule: rule.rule,
    )


def _poster(rule: Rule) -> Role | str:
    allowed = ACCESS.get(rule.endpoint, frozenset({Role.ADMIN}))
    return next(who for who in PREFERENCE if who in allowed)


def _url(app: Flask, rule: Rule, who: Role | str, world: World) -> str:
    """The route's address with the world's ids: those of things `who` may change."""
    known = {
        "worker_id": {Role.PROVIDER: world.managed_id, Role.EMPLOYER: world.third_id}.get(
            who, world.worker_id
        ),
        "skill_id": world.skill_id,
        "experience_id": world.experience_id,
        "qualification_id": world.qualification_id,
        "occupation_id": world.occupation_concept_id,
        "vacancy_id": world.vacancy_id,
        "placement_id": world.offer_id,
        "notification_id": world.notification_id,
        "label_id": world.learned_label_id,
        "organisation_id": world.employer_organisation_id,
        "message_id": world.outbox_message_id,
        "concept_id": world.skill_concept_id,
        "token": world.reset_token if rule.rule.startswith("/password") else world.invite_token,
    }
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if name in known:
            values[name] = known[name]
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, IntegerConverter):
            values[name] = 1
        else:
            values[name] = "x"
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


def fingerprint(session: Session) -> str:
    """Every row of every table, hashed: any change, even an update, changes it."""
    session.expire_all()
    digest = hashlib.sha256()
    for table in Base.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        for row in session.execute(select(table).order_by(*order)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def csrf_failures(
    app: Flask, clients: dict, world: World, session: Session, *, rules: list[Rule] | None = None
) -> list[str]:
    """Each state-changing route posted with no token, a made-up one and another browser's: the
    posts not refused, and whether the database changed (a refused post changes nothing)."""
    others = WebClient(app.test_client())
    others.login(world.emails[Role.ADMIN])
    foreign = others.csrf_token("/admin/regions")
    rules = rules if rules is not None else state_changing_rules(app)
    before = fingerprint(session)
    failures = []
    for rule in rules:
        who = _poster(rule)
        client = clients[None if who == ANONYMOUS else who]
        url = _url(app, rule, who, world)
        method = sorted(rule.methods & STATE_CHANGING)[0]
        for token_name, token in (("no token", None), ("made-up", "x" * 40), ("foreign", foreign)):
            data = FORM if token is None else {**FORM, "csrf_token": token}
            response = client.client.open(url, method=method, data=data)
            if response.status_code != 400 or REFUSED not in response.text:
                failures.append(f"{method} {url} as {who}, {token_name}: {response.status_code}")
    if fingerprint(session) != before:
        failures.append("the database changed")
    return failures


def test_every_state_changing_route_refuses_a_post_without_a_valid_token(
    app: Flask, clients: dict, world: World, session: Session
) -> None:
    rules = state_changing_rules(app)

    failures = csrf_failures(app, clients, world, session, rules=rules)

    assert len(rules) >= 40, "the URL map was not read"
    assert not failures, "\n".join(failures)


def test_the_check_fails_when_csrf_protection_is_switched_off(
    app: Flask, clients: dict, world: World, session: Session
) -> None:
    app.config["WTF_CSRF_ENABLED"] = False

    failures = csrf_failures(app, clients, world, session)

    assert any(failure.startswith("POST /admin/regions as admin") for failure in failures)
    assert any("/logout" in failure for failure in failures)


@pytest.fixture
def unprotected_route(app: Flask) -> Rule:
    """A test-only route, exempted from CSRF, that plants a region (added before any request)."""

    def plant_region() -> str:
        with app.extensions["portal.db"].session_scope() as planted:
            planted.add(Region(name="Planted region"))
            planted.commit()
        return "planted"

    app.add_url_rule(
        "/test-only/plant", "test_only_plant", csrf.exempt(plant_region), methods=["POST"]
    )
    return next(rule for rule in app.url_map.iter_rules() if rule.endpoint == "test_only_plant")


def test_the_check_fails_for_a_new_route_exempted_from_csrf(
    app: Flask, unprotected_route: Rule, clients: dict, world: World, session: Session
) -> None:
    failures = csrf_failures(app, clients, world, session, rules=[unprotected_route])

    assert "POST /test-only/plant as admin, no token: 200" in failures
    assert "the database changed" in failures
    assert session.scalar(select(Region).where(Region.name == "Planted region")) is not None
