"""The async engine and session factory, set up for SQLite (WAL, foreign keys) or PostgreSQL."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def create_engine(database_url: str, connections: int | None = None) -> AsyncEngine:
    """Build the engine; for a SQLite file, create its folder and turn on WAL and foreign keys.

    `connections`: at most this many PostgreSQL connections, opened as needed and kept (the
    default: SQLAlchemy's pool of 5 and 10 more at busy times).
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            _create_private_file(Path(url.database))
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        return engine
    # No ping before each use (a round trip per transaction, a fifth of a button press's
    # time): a connection found dead is invalidated with the whole pool, and handlers, hold
    # timers and the first read of an update run once more (bot.services), reminder passes
    # on their next tick.
    if connections is None:
        return create_async_engine(url)
    return create_async_engine(url, pool_size=connections, max_overflow=0)


def _create_private_file(path: Path) -> None:
    """Create the database file readable and writable by its owner only (0600): it holds health
    data. SQLite gives its -wal and -shm files the same mode. An existing file is left as is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the single writer; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # SQLite's advice for WAL: safe against application crashes, syncs at checkpoints.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def is_postgresql(engine: AsyncEngine) -> bool:
    """Whether the engine talks to PostgreSQL (row locks with SKIP LOCKED are available)."""
    return engine.dialect.name == "postgresql"
