"""Fresh PostgreSQL databases on the local server, for tests and benchmarks."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")


async def create_database(prefix: str = "t") -> tuple[str, str]:
    """A new, empty database: (asyncpg DSN, SQLAlchemy URL)."""
    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base}/{name}", f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


async def drop_database(url: str) -> None:
    """Drop a database made by create_database (given either of its two addresses)."""
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await admin.close()


def _name_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


async def terminate_backends(url: str, *, waiting_on_a_lock: bool = False) -> int:
    """Kill this test database's server connections (never another database's); how many.

    With `waiting_on_a_lock`, only those blocked on a row lock: a handler caught mid-transaction.
    """
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        rows = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()"
            " AND ($2::boolean IS FALSE OR wait_event_type = 'Lock')",
            _name_of(url),
            waiting_on_a_lock,
        )
    finally:
        await admin.close()
    return len(rows)


async def backends_waiting_on_a_lock(url: str) -> int:
    """How many of this test database's connections wait for a row lock right now."""
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        count = await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
            _name_of(url),
        )
    finally:
        await admin.close()
    return int(count)


@asynccontextmanager
async def database_down(url: str) -> AsyncIterator[None]:
    """While inside, this test database refuses connections and has none open: to the bot it
    is down, as in a PostgreSQL restart, while the server keeps serving everyone else."""
    name = _name_of(url)
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        await terminate_backends(url)
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
        await admin.close()
