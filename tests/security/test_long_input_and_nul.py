"""Over-long text, NUL and other control characters in every form field, on SQLite and on
PostgreSQL: each is refused with a message on the field (or the request is refused as a whole),
never a 5xx or a stack trace, and none of it is stored. PostgreSQL cannot store NUL and refuses
text longer than its column, so the portal must refuse both before the database does."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from portal.models import Role
from portal.web import forms as portal_forms
from tests.conftest import WebClient
from tests.security.fuzz import Sent, fill_each_field, page_forms, stored_problems, unclean
from tests.security.payloads import CONTROL_TEXT, LONG_TEXT, NUL_TEXT, ODD_INPUT
from tests.security.world import World, pages_of

ROLES = [None, *Role]
CSRF_REFUSED = "This form has expired or was sent from somewhere else"


def _label(role: Role | None) -> str:
    return role.value if role else "anonymous"


def _refused_on_the_field(sent: Sent) -> bool:
    """A message tied to the field (its error element), the whole request refused, or (for a
    button with a reason) a redirect to the page that says what went wrong."""
    if sent.kind == "password" and sent.payload == CONTROL_TEXT:
        return True  # kept as typed: passwords are never shown
    if sent.status in (403, 404, 409, 413):
        return True
    if sent.status in (302, 303):
        return 'class="flash flash-error"' in sent.redirected_to
    return sent.status == 400 and f'id="{sent.field_id}-error"' in sent.body


@pytest.mark.parametrize("role", ROLES, ids=_label)
def test_odd_input_in_every_field_is_refused_on_the_field_and_never_stored(
    role: Role | None, world: World, clients: dict[Role | None, WebClient], session: Session
) -> None:
    forms, broken = page_forms(clients[role], pages_of(world)[role])
    typed = fill_each_field(clients[role], forms, ODD_INPUT, typed=True, follow=True)
    others = fill_each_field(clients[role], forms, (NUL_TEXT, LONG_TEXT), typed=False)

    assert not broken, broken
    unclean_answers = [f"{s}: {unclean(s)}" for s in [*typed, *others] if unclean(s)]
    assert not unclean_answers, "\n".join(unclean_answers)
    assert [str(s) for s in [*typed, *others] if CSRF_REFUSED in s.body] == []
    not_on_the_field = [str(s) for s in typed if not _refused_on_the_field(s)]
    assert not not_on_the_field, "\n".join(not_on_the_field)
    assert stored_problems(session) == []


def test_the_world_itself_stores_nothing_odd(world: World, session: Session) -> None:
    """The check above would blame the forms for what the arrangement stored."""
    assert stored_problems(session) == []


@pytest.mark.parametrize(
    "payload", [NUL_TEXT, CONTROL_TEXT, LONG_TEXT], ids=["nul", "control", "long"]
)
def test_a_worker_name_with_odd_input_is_refused_with_a_message_on_the_name(
    payload: str, world: World, clients: dict[Role | None, WebClient]
) -> None:
    about = f"/workers/{world.worker_id}/profile/about"
    response = clients[Role.WORKER].post(
        about, {"given_name": payload, "email": world.emails[Role.WORKER], "go": "stay"}
    )

    assert response.status_code == 400
    assert 'id="given_name-error"' in response.text


def test_the_check_fails_when_the_forms_let_control_characters_through(
    world: World,
    clients: dict[Role | None, WebClient],
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The forms' shared refusal switched off: NUL reaches the database (stored by SQLite, an
    error of PostgreSQL) and no field says anything."""
    monkeypatch.setattr(portal_forms, "_refuse_control_characters", lambda fields: True)
    worker = clients[Role.WORKER]
    forms, _broken = page_forms(worker, [f"/workers/{world.worker_id}/profile/about"])
    about = [form for form in forms if form.action.endswith("/profile/about")]

    sent = fill_each_field(worker, about, (NUL_TEXT,), typed=True, follow=True)

    not_refused = [s for s in sent if unclean(s) or not _refused_on_the_field(s)]
    assert not_refused
    assert stored_problems(session) or any(unclean(s) for s in not_refused)
