"""Query functions: each takes an AsyncSession and does one thing; the caller commits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from content.statuses import SessionStatus
from storage.models import ConversationState, ExerciseSession, SessionExercise, User

ACTIVE = SessionStatus.ACTIVE


async def get_user(db: AsyncSession, telegram_user_id: int) -> User | None:
    """The user with this Telegram id, if they have talked to the bot before."""
    result = await db.execute(select(User).where(User.telegram_user_id == telegram_user_id))
    return result.scalar_one_or_none()


async def get_or_create_user(
    db: AsyncSession, telegram_user_id: int, chat_id: int, now: datetime
) -> User:
    """The user with this Telegram id, created on first contact."""
    user = await get_user(db, telegram_user_id)
    if user is None:
        user = User(
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            created_at=now,
            dose_level="standard",
            timezone="UTC",
        )
        db.add(user)
        await db.flush()
    return user


async def get_state(db: AsyncSession, user_id: int) -> ConversationState | None:
    """Where the user is in a flow, if anywhere."""
    return await db.get(ConversationState, user_id)


async def set_state(
    db: AsyncSession, user_id: int, step: str, data: dict[str, Any], now: datetime
) -> None:
    """Move the user to `step` (of no engine flow, such as the emergency stop), keeping `data`.

    The version moves too, so an engine flow's press read before this is refused."""
    state = await db.get(ConversationState, user_id)
    if state is None:
        db.add(ConversationState(user_id=user_id, step=step, data=dict(data), updated_at=now))
    else:
        state.flow, state.step, state.data, state.updated_at = "", step, dict(data), now
        state.version += 1
    await db.flush()


async def clear_state(db: AsyncSession, user_id: int) -> None:
    """The user is in no flow."""
    await db.execute(delete(ConversationState).where(ConversationState.user_id == user_id))


async def start_session(
    db: AsyncSession,
    user: User,
    *,
    now: datetime,
    local_date: date,
    dose_level: str,
    dropped_keys: list[str] | None = None,
    notches: dict[str, int] | None = None,
) -> ExerciseSession:
    """A new active session for the user's current region and side, without `dropped_keys`."""
    session = ExerciseSession(
        user_id=user.id,
        status=ACTIVE,
        phase="pain_before",
        started_at=now,
        local_date=local_date,
        region=user.region or "",
        side=user.side or "",
        dose_level=dose_level,
        setup=user.setup,
        reach_before=user.reach,
        step_index=0,
        set_number=1,
        ended_by_red_flag=False,
        stopped_early=False,
        dropped_keys=list(dropped_keys or []),
        notches=dict(notches or {}),
    )
    db.add(session)
    await db.flush()
    return session


async def get_active_session(db: AsyncSession, user_id: int) -> ExerciseSession | None:
    """The user's unfinished session, if any (the newest, should there be several)."""
    result = await db.execute(
        select(ExerciseSession)
        .where(ExerciseSession.user_id == user_id, ExerciseSession.status == ACTIVE)
        .order_by(ExerciseSession.id.desc())
        .options(selectinload(ExerciseSession.exercises))
        .limit(1)
    )
    return result.scalar_one_or_none()


async def get_user_session(
    db: AsyncSession, session_id: int, user_id: int
) -> ExerciseSession | None:
    """A session by id, only if it belongs to this user."""
    result = await db.execute(_USER_SESSION, {"session_id": session_id, "user_id": user_id})
    return result.unique().scalar_one_or_none()


# Read on every press of a session: built once, the exercises joined in (one round trip).
_USER_SESSION = (
    select(ExerciseSession)
    .where(
        ExerciseSession.id == bindparam("session_id"),
        ExerciseSession.user_id == bindparam("user_id"),
    )
    .options(joinedload(ExerciseSession.exercises))
)


async def move_session(
    db: AsyncSession,
    session_id: int,
    *,
    expected: tuple[str, int, int],
    to: tuple[str, int, int],
    timer_ends_at: datetime | None = None,
) -> bool:
    """Move a session from (phase, step, set) `expected` to `to`; False if it had moved already.

    The condition makes double taps, a late timer and a second instance harmless.
    """
    phase, step, set_number = expected
    result = await db.execute(
        update(ExerciseSession)
        .where(
            ExerciseSession.id == session_id,
            ExerciseSession.status == ACTIVE,
            ExerciseSession.phase == phase,
            ExerciseSession.step_index == step,
            ExerciseSession.set_number == set_number,
        )
        .values(
            phase=to[0],
            step_index=to[1],
            set_number=to[2],
            timer_ends_at=timer_ends_at,
            version=ExerciseSession.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def clear_timer(db: AsyncSession, session_id: int, step: int, set_number: int) -> bool:
    """Take the running timer of this set; False if it was already taken or the set moved on."""
    result = await db.execute(
        update(ExerciseSession)
        .where(
            ExerciseSession.id == session_id,
            ExerciseSession.status == ACTIVE,
            ExerciseSession.step_index == step,
            ExerciseSession.set_number == set_number,
            ExerciseSession.timer_ends_at.is_not(None),
        )
        .values(timer_ends_at=None, version=ExerciseSession.version + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def claim_session(db: AsyncSession, session_id: int, version: int) -> bool:
    """Take an active session read at `version` for one transition; True for exactly one taker.

    The version moves on, so a press (or instance) that read the session before this commits
    finds it changed and reads it again; on PostgreSQL it waits here for this one to finish.
    """
    result = await db.execute(
        update(ExerciseSession)
        .where(
            ExerciseSession.id == session_id,
            ExerciseSession.version == version,
            ExerciseSession.status == ACTIVE,
        )
        .values(version=ExerciseSession.version + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def running_timers(db: AsyncSession) -> list[ExerciseSession]:
    """Active sessions with a hold timer running, to re-arm after a restart."""
    result = await db.execute(
        select(ExerciseSession).where(
            ExerciseSession.status == ACTIVE, ExerciseSession.timer_ends_at.is_not(None)
        )
    )
    return list(result.scalars())


def record_exercise(
    db: AsyncSession,
    session: ExerciseSession,
    *,
    position: int,
    exercise_key: str,
    side: str | None,
    outcome: str,
    sets_done: int,
    now: datetime,
    hurt_reason: str | None = None,
) -> None:
    """Note what happened to one step of the routine."""
    session.exercises.append(
        SessionExercise(
            position=position,
            exercise_key=exercise_key,
            side=side,
            outcome=outcome,
            hurt_reason=hurt_reason,
            sets_done=sets_done,
            recorded_at=now,
        )
    )


async def recent_sessions(db: AsyncSession, user_id: int, limit: int) -> list[ExerciseSession]:
    """The user's newest ended sessions, oldest first, with their exercises."""
    result = await db.execute(
        select(ExerciseSession)
        .where(ExerciseSession.user_id == user_id, ExerciseSession.status != ACTIVE)
        .order_by(ExerciseSession.id.desc())
        .options(selectinload(ExerciseSession.exercises))
        .limit(limit)
    )
    return list(reversed(result.scalars().all()))


async def recent_feedback(
    db: AsyncSession, user_id: int, per_exercise: int
) -> dict[str, list[str]]:
    """The newest feedback taps for each exercise, oldest first (a few per exercise)."""
    result = await db.execute(
        select(SessionExercise.exercise_key, SessionExercise.feedback)
        .join(ExerciseSession, ExerciseSession.id == SessionExercise.session_id)
        .where(ExerciseSession.user_id == user_id, SessionExercise.feedback.is_not(None))
        .order_by(SessionExercise.recorded_at.desc(), SessionExercise.id.desc())
        .limit(per_exercise * 40)
    )
    taps: dict[str, list[str]] = {}
    for key, feedback in result.all():
        if feedback is not None and len(taps.setdefault(key, [])) < per_exercise:
            taps[key].insert(0, feedback)
    return taps
