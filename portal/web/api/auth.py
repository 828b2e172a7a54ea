"""Who calls the API: the user of the bearer token in the Authorization header, with exactly
that user's rights. A cookie session is never looked at, so the API needs no CSRF token."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, request
from flask_babel import gettext as _

from portal.models import Role, User
from portal.services import api_tokens
from portal.web.api.errors import ApiError
from portal.web.session import db_session

P = ParamSpec("P")
R = TypeVar("R")

SCHEME = "Bearer"


def api_account() -> User:
    """The user whose token this request carries (only behind `token_required`)."""
    return g.api_account  # type: ignore[no-any-return]


def _authenticated() -> User:
    scheme, _sep, secret = request.headers.get("Authorization", "").strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != SCHEME.lower() or not secret:
        raise ApiError(
            401,
            "unauthorized",
            _("Send an API token in the header Authorization: Bearer <token>."),
            headers={"WWW-Authenticate": f'{SCHEME} realm="api"'},
        )
    user = api_tokens.user_for_token(db_session(), secret)
    if user is None:
        raise ApiError(
            401,
            "invalid_token",
            _("This API token is unknown, revoked or expired, or its account is closed."),
            headers={"WWW-Authenticate": f'{SCHEME} realm="api", error="invalid_token"'},
        )
    return user


def token_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let in requests with a live token whose user has one of `roles` (any that may hold
    tokens when none are named); 401 without one, 403 for another role."""
    allowed = frozenset(roles) or api_tokens.TOKEN_ROLES

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            user = _authenticated()
            if user.role not in allowed:
                raise ApiError(403, "forbidden", _("Your account cannot use this part of the API."))
            g.api_account = user
            return view(*args, **kwargs)

        return wrapped

    return decorate
