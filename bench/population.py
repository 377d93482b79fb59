"""Bulk rows for benchmarks, made inside PostgreSQL with generate_series (seconds for 1M)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from tests import databases

ADMIN_DSN = databases.ADMIN_DSN


async def create_database() -> tuple[str, str]:
    """A fresh database for one benchmark: (asyncpg DSN, SQLAlchemy URL)."""
    return await databases.create_database("bench")


drop_database = databases.drop_database


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A new PostgreSQL database for one measurement (its SQLAlchemy URL), dropped after it."""
    dsn, url = await create_database()
    try:
        yield url
    finally:
        await drop_database(dsn)


async def add_users_with_reminders(dsn: str, first: int, last: int) -> None:
    """Users first..last, each with a daily reminder spread over the coming day (none due)."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            """
            INSERT INTO users (id, telegram_user_id, chat_id, created_at, dose_level, timezone,
                               best_streak, region, side, onboarded_at, screening)
            SELECT g, 7000000000 + g, 7000000000 + g, now(), 'standard', 'UTC', 0,
                   'lumbar', 'right', now(), 'clear'
            FROM generate_series($1::bigint, $2::bigint) AS g
            """,
            first,
            last,
        )
        await connection.execute(
            """
            INSERT INTO reminders (user_id, enabled, local_time, weekdays, timezone, next_due_utc)
            SELECT g, true, time '08:00', 127, 'UTC',
                   now() + interval '1 hour' + (g % 82800) * interval '1 second'
            FROM generate_series($1::bigint, $2::bigint) AS g
            """,
            first,
            last,
        )
        await connection.execute("SELECT setval('users_id_seq', $1)", last)
        await connection.execute("ANALYZE users; ANALYZE reminders")
    finally:
        await connection.close()


async def make_due(dsn: str, count: int) -> list[int]:
    """Make `count` reminders due now; return their users' chat ids."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            """
            UPDATE reminders SET next_due_utc = now() - interval '1 second'
            WHERE user_id IN (SELECT user_id FROM reminders ORDER BY user_id LIMIT $1)
            RETURNING user_id
            """,
            count,
        )
        return [7000000000 + row["user_id"] for row in rows]
    finally:
        await connection.close()


async def add_daily_sessions(dsn: str, users: int, days: int) -> None:
    """`users` users with one finished session every day for `days` days up to today."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            """
            INSERT INTO users (id, telegram_user_id, chat_id, created_at, dose_level, timezone,
                               best_streak, region, side, onboarded_at, screening)
            SELECT u, 8000000000 + u, 8000000000 + u, now() - interval '6 years', 'standard',
                   'UTC', 0, 'lumbar', 'right', now(), 'clear'
            FROM generate_series(1, $1) AS u
            """,
            users,
        )
        await connection.execute(
            """
            INSERT INTO exercise_sessions (user_id, status, phase, started_at, ended_at,
                local_date, region, side, dose_level, pain_before, pain_after, reach_before,
                symptom_change, step_index, set_number, ended_by_red_flag, stopped_early)
            SELECT u, 'completed', 'done', now() - d * interval '1 day',
                   now() - d * interval '1 day' + interval '12 minutes',
                   current_date - d, 'lumbar', 'right', 'standard', 3 + (d % 5), 2 + (d % 4),
                   2, 'same', 0, 1, false, false
            FROM generate_series(1, $1) AS u, generate_series(0, $2 - 1) AS d
            """,
            users,
            days,
        )
        await connection.execute("SELECT setval('users_id_seq', $1)", users)
        await connection.execute("ANALYZE exercise_sessions")
    finally:
        await connection.close()
