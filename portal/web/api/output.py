"""Pieces every API answer shares: pages of a list, moments and days as ISO 8601 text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, TypeVar

from portal.services.pages import Page

T = TypeVar("T")


def moment(value: datetime | None) -> str | None:
    """A moment in UTC, like "2026-11-28T09:48:23.386948+00:00"."""
    return value.isoformat() if value is not None else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def paged(
    found: Page[T], requested: int, document: Callable[[Iterable[T]], list[dict[str, Any]]]
) -> dict[str, Any]:
    """{"items", "page", "per_page", "total"}. A page past the last is empty (the services
    show the last page instead, as the pages want), so that a client paging on stops."""
    past_the_end = requested > found.number
    return {
        "items": [] if past_the_end else document(found.items),
        "page": requested,
        "per_page": found.size,
        "total": found.total,
    }
