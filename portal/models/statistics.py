"""Statistics as last computed: the published (already suppressed) figures of one dashboard
view, kept so that the page does not count every worker again on each visit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base


class StatisticsSnapshot(Base):
    """One view's figures: `key` names the view (dimension, k, period, filters); `figures` is
    None when nobody registered in it."""

    __tablename__ = "statistics_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    computed_at: Mapped[datetime] = mapped_column(index=True)
    seconds: Mapped[float] = mapped_column(Float)
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)
