"""Alembic environment: runs on the engine `portal.schema` hands over."""

from __future__ import annotations

from alembic import context

from portal.models import Base

config = context.config
engine = config.attributes["engine"]


def include_name(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """Leave tables of other tools (none yet) alone when comparing."""
    return True


with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
