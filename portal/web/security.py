"""Who is logged in, what each role may open, and the headers every response carries."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeGuard, TypeVar

from flask import Flask, Response, abort, session
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user, login_required

from portal.extensions import login_manager
from portal.models import Role, User
from portal.services import accounts
from portal.web.session import db_session

P = ParamSpec("P")
R = TypeVar("R")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


class LoggedIn(UserMixin):  # type: ignore[misc]
    """The logged-in user together with the token of its server-side login session."""

    def __init__(self, user: User, token: str) -> None:
        self.user = user
        self.token = token

    def get_id(self) -> str:
        return self.token

    @property
    def role(self) -> Role:
        return self.user.role

    @property
    def full_name(self) -> str:
        return self.user.full_name


def init_login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load(token: str) -> LoggedIn | None:
        user = accounts.user_for_session(db_session(), token)
        return LoggedIn(user, token) if user is not None else None


def is_local_path(target: str | None) -> TypeGuard[str]:
    r"""A path on this site, safe to redirect to: never "//host" or "/\host", which browsers
    take as another site, nor one with a control character (browsers drop tabs and line breaks
    from a URL, so "/\t/host" would be "//host")."""
    return (
        target is not None
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
    )


def current_account() -> User:
    """The logged-in user's account (only call behind `login_required`)."""
    return current_user.user  # type: ignore[no-any-return]


def roles_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let in only logged-in users with one of `roles`; others get 403 (or the login page)."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        @login_required  # type: ignore[misc]
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[no-any-return]

    return decorate


def add_security_headers(response: Response) -> Response:
    headers: dict[str, Any] = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    if session.get("_user_id") is not None:  # a logged-in browser (Flask-Login's key)
        response.headers["Cache-Control"] = "no-store"
    return response
