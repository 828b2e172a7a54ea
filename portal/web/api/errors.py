"""The API's one shape for every failure, whatever failed (an unknown path, a missing token, a
refused step, a field that is not acceptable, a crash):

    {"error": {"status": 422, "code": "invalid", "message": "...", "fields": {"name": ["..."]}}}

`fields` is there only when particular fields were refused. Messages are in the language the
request's Accept-Language asks for; a crash says so without a stack trace (Flask logs it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import Response, has_request_context, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from portal.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    TooManyAttempts,
    ValidationProblem,
)

API_PREFIX = "/api/"

CODES: Mapping[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
}
"""The `code` of each status, unless a failure names a more precise one."""


class ApiError(Exception):
    """A failure the API answers with `status`, a stable `code` and a message for people."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: Mapping[str, Sequence[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers


def is_api_request() -> bool:
    return has_request_context() and request.path.startswith(API_PREFIX)


def _message(status: int) -> str:
    """What a status means, in words (the titles the error pages use, where they fit)."""
    messages = {
        400: _("The request could not be understood"),
        401: _("Send an API token in the header Authorization: Bearer <token>."),
        403: _("You cannot open this page"),
        404: _("Page not found"),
        405: _("This action is not allowed here"),
        409: _("This cannot be done now"),
        413: _("What you sent is too large"),
        422: _("Some values are not acceptable: each field says why."),
        429: _("Too many requests"),
    }
    return messages.get(status) or _("Something went wrong on our side")


def error_response(
    status: int,
    *,
    code: str | None = None,
    message: str | None = None,
    fields: Mapping[str, Sequence[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    error: dict[str, object] = {
        "status": status,
        "code": code or CODES.get(status) or ("bad_request" if status < 500 else "server_error"),
        "message": message or _message(status),
    }
    if fields:
        error["fields"] = {name: [str(text) for text in texts] for name, texts in fields.items()}
    response = jsonify({"error": error})
    response.status_code = status
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


def from_api_error(error: ApiError) -> Response:
    return error_response(
        error.status,
        code=error.code,
        message=error.message,
        fields=error.fields,
        headers=error.headers,
    )


def from_http_exception(error: HTTPException) -> Response:
    """Werkzeug's errors (unknown path, wrong method, body too large ...) in the API's shape."""
    status = error.code or 500
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if status >= 500:
        return error_response(500)
    return error_response(status, headers=headers)


def from_domain_error(error: DomainError) -> Response:
    """A service's refusal: its message is meant for people; the status says what kind."""
    if isinstance(error, ValidationProblem):
        return error_response(422, message=error.message, fields={error.field: [error.message]})
    if isinstance(error, TooManyAttempts):
        return error_response(
            429, message=error.message, headers={"Retry-After": str(error.retry_after_seconds)}
        )
    kinds: Sequence[tuple[type[DomainError], int, str]] = (
        (NotFound, 404, "not_found"),
        (Forbidden, 403, "forbidden"),
        (InvalidTransition, 409, "invalid_transition"),
        (Conflict, 409, "conflict"),
    )
    status, code = next(
        ((status, code) for kind, status, code in kinds if isinstance(error, kind)),
        (400, "bad_request"),
    )
    return error_response(status, code=code, message=error.message)
