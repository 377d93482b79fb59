"""Bring the schema to the newest Alembic revision, safely when several instances start at once."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import is_postgresql

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number: instances starting together on PostgreSQL queue behind this lock.
_MIGRATION_LOCK_KEY = 7_274_311


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migrations, optionally bound to an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Apply every migration not yet applied."""
    async with engine.begin() as connection:
        if is_postgresql(engine):
            await connection.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})"))
        await connection.run_sync(_upgrade)
