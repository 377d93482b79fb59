"""Queries behind the stop rules: dropped exercises, an exercise's outcomes session after
session, and the pain before each session for the advice to contact a clinician."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from content.statuses import ExerciseOutcome, SessionStatus
from storage.models import DroppedExercise, ExerciseSession, SessionExercise

ACTIVE = SessionStatus.ACTIVE


async def dropped_exercise_keys(db: AsyncSession, user_id: int) -> list[str]:
    """The exercises left out of this person's routine, oldest drop first."""
    result = await db.execute(
        select(DroppedExercise.exercise_key)
        .where(DroppedExercise.user_id == user_id)
        .order_by(DroppedExercise.dropped_at)
    )
    return list(result.scalars().all())


async def drop_exercise(db: AsyncSession, user_id: int, exercise_key: str, now: datetime) -> None:
    """Leave an exercise out of this person's routine from their next session on."""
    if await db.get(DroppedExercise, (user_id, exercise_key)) is None:
        db.add(DroppedExercise(user_id=user_id, exercise_key=exercise_key, dropped_at=now))
        await db.flush()


async def exercise_outcomes(
    db: AsyncSession, user_id: int, exercise_key: str, limit: int, *, before: int | None = None
) -> list[str]:
    """How the exercise ended in each of the newest `limit` sessions that reached it (those
    before session `before`, if given), oldest first; "stopped" on either side counts."""
    query = (
        select(SessionExercise.session_id, SessionExercise.outcome)
        .join(ExerciseSession, ExerciseSession.id == SessionExercise.session_id)
        .where(ExerciseSession.user_id == user_id, SessionExercise.exercise_key == exercise_key)
    )
    if before is not None:
        query = query.where(ExerciseSession.id < before)
    result = await db.execute(
        query.order_by(SessionExercise.session_id.desc()).limit(
            limit * 2
        )  # at most two sides a session
    )
    by_session: dict[int, str] = {}
    for session_id, outcome in result.all():
        if by_session.get(session_id) != ExerciseOutcome.STOPPED:
            by_session[session_id] = outcome
    newest = sorted(by_session)[-limit:]
    return [by_session[session_id] for session_id in newest]


async def pains_before(db: AsyncSession, user_id: int) -> list[tuple[date, int]]:
    """(local date, pain before) of every session that recorded it, oldest first."""
    result = await db.execute(
        select(ExerciseSession.local_date, ExerciseSession.pain_before)
        .where(ExerciseSession.user_id == user_id, ExerciseSession.pain_before.is_not(None))
        .order_by(ExerciseSession.started_at, ExerciseSession.id)
    )
    return [(day, pain) for day, pain in result.all() if pain is not None]
