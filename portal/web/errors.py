"""Error pages in HTML or JSON, as the client asked: never a stack trace."""

from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.errors import Conflict, DomainError, Forbidden, NotFound
from portal.web.api import errors as api_errors
from portal.web.forms import STALE_FORM

HANDLED = (400, 401, 403, 404, 405, 409, 413, 429, 500)


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def render_error(status: int, message: str | None = None) -> ResponseReturnValue:
    titles = {
        400: _("The request could not be understood"),
        401: _("Please log in"),
        403: _("You cannot open this page"),
        404: _("Page not found"),
        405: _("This action is not allowed here"),
        409: _("This cannot be done now"),
        413: _("What you sent is too large"),
        429: _("Too many requests"),
        500: _("Something went wrong on our side"),
    }
    title = titles.get(status, titles[500])
    if _wants_json():
        return jsonify({"error": {"status": status, "title": title, "message": message}}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def http_error(error: HTTPException) -> ResponseReturnValue:
    _rollback()
    if api_errors.is_api_request():
        return api_errors.from_http_exception(error)
    status = error.code or 500
    return render_error(status if status in HANDLED else 400)


def unexpected_error(error: Exception) -> ResponseReturnValue:
    """Flask has already logged the exception with its traceback; the user sees a plain page."""
    _rollback()
    if api_errors.is_api_request():
        return api_errors.error_response(500)
    return render_error(500)


def csrf_error(error: CSRFError) -> ResponseReturnValue:
    _rollback()
    return render_error(400, str(STALE_FORM))


def domain_error(error: DomainError) -> ResponseReturnValue:
    _rollback()
    if api_errors.is_api_request():
        return api_errors.from_domain_error(error)
    status = {NotFound: 404, Forbidden: 403, Conflict: 409}.get(type(error), 400)
    return render_error(status, error.message)


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(InternalServerError, unexpected_error)
    app.register_error_handler(DomainError, domain_error)
    app.register_error_handler(api_errors.ApiError, _api_error)


def _api_error(error: api_errors.ApiError) -> ResponseReturnValue:
    _rollback()
    return api_errors.from_api_error(error)
