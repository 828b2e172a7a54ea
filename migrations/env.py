"""Alembic environment: runs on the engine `portal.schema` hands over."""

from __future__ import annotations

from alembic import context

from portal.models import Base

config = context.config
engine = config.attributes["engine"]


def _sqlite_foreign_keys(connection, on: bool) -> None:  # type: ignore[no-untyped-def]
    """SQLite rebuilds a table to alter it (batch mode); with foreign keys enforced, dropping
    the old table would cascade or fail. The pragma only works outside a transaction, so it is
    sent on the driver's connection before SQLAlchemy begins one."""
    driver = connection.connection.driver_connection
    driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(connection, on=False)
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if sqlite:
            violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.commit()
            if violations:
                raise RuntimeError(f"the migration left broken references: {violations[:5]}")
    finally:
        if sqlite:
            _sqlite_foreign_keys(connection, on=True)
