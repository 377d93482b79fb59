"""Alembic environment: runs on a connection handed over by storage.migrate, or on DATABASE_URL."""

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from storage.engine import create_engine
from storage.models import Base

target_metadata = Base.metadata


def run_on_connection(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_on_database_url(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(run_on_connection)
    await engine.dispose()


handed_over = context.config.attributes.get("connection")
if handed_over is not None:
    run_on_connection(handed_over)
else:
    asyncio.run(run_on_database_url(os.environ["DATABASE_URL"]))
