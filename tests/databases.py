"""Fresh PostgreSQL databases on the local server, for tests and benchmarks."""

from __future__ import annotations

import os
import uuid

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
