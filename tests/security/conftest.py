"""Fixtures of the attack tests: the app answers errors as a user would get them (a 500 page,
not an exception in the test), and a world full of data. The XSS test lives in tests/browser,
beside the one browser the whole run shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from portal.models import Role
from tests.conftest import WebClient
from tests.security.world import World, build_world


@pytest.fixture
def app(app: Flask) -> Flask:
    """Unexpected errors become the portal's 500 page, as in production, so that a test can
    name every URL that fails instead of stopping at the first exception."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


@pytest.fixture
def world(session: Session, stored_taxonomy) -> World:
    return build_world(session, "w", "Plain words")


@pytest.fixture
def clients(app: Flask, world: World) -> Iterator[dict[Role | None, WebClient]]:
    """A logged-in client for each role of the world, and an anonymous one (None)."""
    clients: dict[Role | None, WebClient] = {None: WebClient(app.test_client())}
    for role, email in world.emails.items():
        clients[role] = WebClient(app.test_client())
        clients[role].login(email)
    yield clients
