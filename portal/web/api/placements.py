"""Placements through the API: those the caller is a party to (every one, for an admin), one
with its history, and the steps the pages take, through the same placement services. A step
that the placement's state does not allow is a conflict (409); one that only another party may
take is forbidden (403)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from portal.models import PlacementEvent, PlacementState, Role, User
from portal.services import audit, placements
from portal.services.placements import FEE_DETAILS_MAX, REASON_MAX, PlacementView
from portal.web.api.auth import api_account, token_required
from portal.web.api.blueprint import ID, blueprint
from portal.web.api.input import Body, Problems, Query, json_object
from portal.web.api.output import moment, paged
from portal.web.session import db_session


class Action(StrEnum):
    """A step someone takes, named by what they do."""

    OFFER = "offer"
    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no-show"


ACTION_TARGETS: Mapping[Action, PlacementState] = {
    Action.OFFER: PlacementState.OFFERED,
    Action.ACCEPT: PlacementState.ACCEPTED,
    Action.DECLINE: PlacementState.DECLINED,
    Action.WITHDRAW: PlacementState.WITHDRAWN,
    Action.START: PlacementState.STARTED,
    Action.FINISH: PlacementState.FINISHED,
    Action.NO_SHOW: PlacementState.NO_SHOW,
}
TRANSITION_FIELDS = ("action", "reason", "fee_asked", "fee_details")


@blueprint.get("/placements")
@token_required()
def placement_list() -> dict[str, Any]:
    problems = Problems()
    query = Query(problems)
    page, per_page = query.page()
    state = query.choice("state", PlacementState)
    problems.raise_any()
    account = api_account()
    found = placements.placement_list(db_session(), account, state, page=page, size=per_page)
    return paged(found, page, lambda views: [_document(account, view) for view in views])


@blueprint.get(f"/placements/<{ID}:placement_id>")
@token_required()
def placement(placement_id: int) -> dict[str, Any]:
    return _full_document(api_account(), placement_id)


@blueprint.post(f"/placements/<{ID}:placement_id>/transitions")
@token_required()
def take_step(placement_id: int) -> dict[str, Any]:
    """Take one step; the answer is the placement as it now stands."""
    session, account = db_session(), api_account()
    placements.placement_for(session, account, placement_id)  # strangers: not found, first
    problems = Problems()
    body = Body(json_object(), problems, known=TRANSITION_FIELDS)
    action = body.choice("action", Action, required=True)
    reason = body.text("reason", max_length=REASON_MAX)
    fee_asked = body.optional_boolean("fee_asked")
    fee_details = body.text("fee_details", max_length=FEE_DETAILS_MAX)
    problems.raise_any()
    if action is Action.OFFER:
        placements.offer_proposal(session, account, placement_id)
    elif action is Action.ACCEPT:
        placements.accept(
            session, account, placement_id, fee_asked=fee_asked, fee_details=fee_details
        )
    elif action is Action.DECLINE:
        placements.decline(session, account, placement_id, reason)
    elif action is Action.WITHDRAW:
        placements.withdraw(session, account, placement_id, reason)
    elif action is Action.NO_SHOW:
        placements.no_show(session, account, placement_id, reason)
    elif action is Action.START:
        placements.start(session, account, placement_id)
    elif action is Action.FINISH:
        placements.finish(session, account, placement_id)
    return _full_document(account, placement_id)


# --- documents ------------------------------------------------------------------------------------


def _document(account: User, view: PlacementView) -> dict[str, Any]:
    placement = view.placement
    document: dict[str, Any] = {
        "id": placement.id,
        "state": placement.state.value,
        "score": placement.score,
        "vacancy": {
            "id": view.vacancy.id,
            "title": view.vacancy.title,
            "employer": view.employer_name,
        },
        "worker": {"reference": view.worker_reference, "name": view.worker_name},
        "actions": [
            action.value for action, target in ACTION_TARGETS.items() if target in view.steps
        ],
        "offer_expires_at": moment(placement.offer_expires_at),
        "created_at": moment(placement.created_at),
        "updated_at": moment(placement.updated_at),
    }
    if account.role is Role.ADMIN:  # the answer to "were you asked to pay?" goes to admins
        document["fee_asked"] = placement.fee_asked
        document["fee_details"] = placement.fee_details
    return document


def _full_document(account: User, placement_id: int) -> dict[str, Any]:
    session = db_session()
    view = placements.placement_view(session, account, placement_id)
    events = placements.placement_events(session, account, placement_id)
    return {**_document(account, view), "events": _events(account, events)}


def _events(account: User, events: Iterable[PlacementEvent]) -> list[dict[str, Any]]:
    """The history; who acted is named to admins, and to others only as a kind of party."""
    return [
        {
            "at": moment(event.at),
            "from_state": event.from_state.value if event.from_state is not None else None,
            "to_state": event.to_state.value,
            "actor": (
                event.actor_label
                if account.role is Role.ADMIN
                else audit.role_in_label(event.actor_label)
            ),
            "reason": event.reason,
        }
        for event in events
    ]
