"""Domain errors: what a use case can refuse, in words a user can act on.

Pure Python; the web layer turns each into a page or a form message, the CLI into a line.
"""

from __future__ import annotations


class DomainError(Exception):
    """A use case refused: the message is safe to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class Conflict(DomainError):
    pass


class InvalidTransition(DomainError):
    pass


class ValidationProblem(DomainError):
    """Input that is well-formed but not acceptable; `field` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class TooManyAttempts(DomainError):
    """Refused for a while after too many failures (login throttling)."""

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
