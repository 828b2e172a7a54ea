"""The blueprint every route of the API joins (`routes.py` gathers them), and what each of its
answers carries."""

from __future__ import annotations

from flask import Blueprint, Response

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

ID_MAX = 2_147_483_647
ID = f"int(min=1, max={ID_MAX})"
"""A row id in a path, as PostgreSQL's integer holds it: any other number is simply not found."""


@blueprint.after_request
def _not_stored(response: Response) -> Response:
    """Answers depend on who asks: no cache keeps them, unless a view said otherwise."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response
