"""The deployment's regions: where workers are, where they would go, where the work is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow

REGION_NAME_MAX = 100


class Region(Base):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(REGION_NAME_MAX), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
