"""Queries behind streaks, the progress picture, the export and deleting a user's data.

Each reads one user's rows by (user_id, local_date), bounded by a start date, a limit or the
user's own history (the streak's runs, a row for each run of days), never the whole table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Integer,
    and_,
    delete,
    exists,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from content.statuses import ExerciseOutcome, SessionStatus
from storage.models import ExerciseSession, Pause, SessionExercise, User

PAIN_ROWS_PER_END = 60  # enough rows for 7 days at several sessions a day


def counts_for_streak() -> ColumnElement[bool]:
    """A finished session, or a partial one in which at least one exercise was done."""
    some_done = exists().where(
        SessionExercise.session_id == ExerciseSession.id,
        SessionExercise.outcome == ExerciseOutcome.DONE,
    )
    return or_(
        ExerciseSession.status == SessionStatus.COMPLETED,
        and_(ExerciseSession.status == SessionStatus.PARTIAL, some_done),
    )


async def _plain_rows(db: AsyncSession, statement: Executable) -> Sequence[Any]:
    """Rows of plain columns on the session's connection, without the ORM's per-row loading,
    which they do not need. Flushed first, as an ORM query would, so a session ended in this
    transaction counts."""
    await db.flush()
    connection = await db.connection()
    return (await connection.execute(statement)).all()


class day_number(FunctionElement[int]):
    """A date as a whole number that grows by one a day, in each database's date arithmetic."""

    type = Integer()
    inherit_cache = True


@compiles(day_number, "postgresql")
def _day_number_postgresql(element: day_number, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} - DATE '1970-01-01')"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element: day_number, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) AS INTEGER)"


async def session_runs(db: AsyncSession, user_id: int) -> list[tuple[date, date, int]]:
    """The user's counted sessions as runs of consecutive local days, oldest first: (first
    day, last day, sessions in it). Years of daily sessions are one row."""
    day = ExerciseSession.local_date
    # Consecutive days minus their rank among the user's days give one number for the whole
    # run (gaps and islands); it grows with the days, so ordering by it orders the runs.
    island = day_number(day) - func.dense_rank().over(order_by=day)
    numbered = (
        select(day.label("day"), island.label("island"))
        .where(ExerciseSession.user_id == user_id, counts_for_streak())
        .subquery()
    )
    rows = await _plain_rows(
        db,
        select(func.min(numbered.c.day), func.max(numbered.c.day), func.count())
        .group_by(numbered.c.island)
        .order_by(numbered.c.island),
    )
    return [(first_day, last_day, int(sessions)) for first_day, last_day, sessions in rows]


async def session_days(db: AsyncSession, user_id: int, since: date) -> dict[date, str]:
    """Local days with a counted session from `since`, each with its highest dose level."""
    statement = select(ExerciseSession.local_date, ExerciseSession.dose_level).where(
        ExerciseSession.user_id == user_id,
        ExerciseSession.local_date >= since,
        counts_for_streak(),
    )
    days: dict[date, str] = {}
    for day, level in await _plain_rows(db, statement):
        if days.get(day) != "standard":
            days[day] = level
    return days


async def counted_days_of(
    db: AsyncSession, user_ids: Sequence[int], since: date
) -> dict[int, dict[date, bool]]:
    """For many users at once: each local day with a counted session since `since`, and
    whether one of that day's sessions was completed (the reminder's "done today")."""
    result = await db.execute(
        select(ExerciseSession.user_id, ExerciseSession.local_date, ExerciseSession.status)
        .where(
            ExerciseSession.user_id.in_(user_ids),
            ExerciseSession.local_date >= since,
            counts_for_streak(),
        )
        .distinct()
    )
    days: dict[int, dict[date, bool]] = {user_id: {} for user_id in user_ids}
    for user_id, day, status in result.all():
        completed = status == SessionStatus.COMPLETED
        days[user_id][day] = days[user_id].get(day, False) or completed
    return days


async def pauses_of(
    db: AsyncSession, user_ids: Sequence[int], since: date
) -> dict[int, list[tuple[date, date | None]]]:
    """For many users at once: the pauses that overlap the days from `since` on."""
    result = await db.execute(
        select(Pause.user_id, Pause.starts_on, Pause.ends_on).where(
            Pause.user_id.in_(user_ids), or_(Pause.ends_on.is_(None), Pause.ends_on >= since)
        )
    )
    pauses: dict[int, list[tuple[date, date | None]]] = {user_id: [] for user_id in user_ids}
    for user_id, starts_on, ends_on in result.all():
        pauses[user_id].append((starts_on, ends_on))
    return pauses


async def pauses_of_user(db: AsyncSession, user_id: int) -> list[Pause]:
    """Every pause the user has taken, oldest first (a few rows)."""
    result = await db.execute(select(Pause).where(Pause.user_id == user_id).order_by(Pause.id))
    return list(result.scalars())


async def open_pause(db: AsyncSession, user_id: int, today: date) -> Pause | None:
    """The pause covering today, if any."""
    result = await db.execute(
        select(Pause)
        .where(
            Pause.user_id == user_id,
            Pause.starts_on <= today,
            or_(Pause.ends_on.is_(None), Pause.ends_on >= today),
        )
        .order_by(Pause.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def pain_by_day(
    db: AsyncSession, user_id: int, since: date
) -> list[tuple[date, int | None, int | None]]:
    """(local day, pain before, pain after) of every session since `since`, oldest first."""
    result = await db.execute(
        select(ExerciseSession.local_date, ExerciseSession.pain_before, ExerciseSession.pain_after)
        .where(ExerciseSession.user_id == user_id, ExerciseSession.local_date >= since)
        .order_by(ExerciseSession.local_date, ExerciseSession.id)
    )
    return [(day, before, after) for day, before, after in result.all()]


async def first_and_last_pains(db: AsyncSession, user_id: int) -> list[tuple[date, int]]:
    """Pain before each session from the start and the end of the history (for the trend)."""
    recorded = [ExerciseSession.user_id == user_id, ExerciseSession.pain_before.is_not(None)]
    columns = (ExerciseSession.local_date, ExerciseSession.pain_before)
    first = select(*columns).where(*recorded).order_by(ExerciseSession.local_date)
    last = select(*columns).where(*recorded).order_by(ExerciseSession.local_date.desc())
    both = union_all(
        first.limit(PAIN_ROWS_PER_END).subquery().select(),
        last.limit(PAIN_ROWS_PER_END).subquery().select(),
    )
    rows = {(day, pain) for day, pain in await _plain_rows(db, both) if pain is not None}
    return sorted(rows)


async def sessions_for_export(db: AsyncSession, user_id: int) -> list[ExerciseSession]:
    """Every session of the user, oldest first, with what happened to each exercise."""
    result = await db.execute(
        select(ExerciseSession)
        .where(ExerciseSession.user_id == user_id)
        .order_by(ExerciseSession.started_at, ExerciseSession.id)
        .options(selectinload(ExerciseSession.exercises))
    )
    return list(result.scalars())


async def delete_user(db: AsyncSession, user_id: int) -> None:
    """Delete the user; every row about them goes with it (foreign keys cascade)."""
    await db.execute(delete(User).where(User.id == user_id))
