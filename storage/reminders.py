"""Reminder rows: settings, finding due ones, and claiming one send with a compare-and-set."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from content.statuses import SessionStatus
from storage.models import ExerciseSession, Reminder, User

# Screenings that allow an invitation to exercise (content.screening.may_exercise): anyone
# else, an emergency sign above all, is skipped by the claim itself.
CLEARED_FOR_EXERCISE = ("clear", "see_soon")


def _cleared_users() -> Any:
    return select(User.id).where(User.screening.in_(CLEARED_FOR_EXERCISE))


async def save_reminder(
    db: AsyncSession,
    user_id: int,
    *,
    local_time: time,
    weekdays: int,
    timezone: str,
    next_due_utc: datetime | None,
    enabled: bool = True,
) -> Reminder:
    """Create or replace the user's reminder settings."""
    reminder = await db.get(Reminder, user_id)
    if reminder is None:
        reminder = Reminder(user_id=user_id)
        db.add(reminder)
    reminder.local_time, reminder.weekdays, reminder.timezone = local_time, weekdays, timezone
    reminder.next_due_utc, reminder.enabled = next_due_utc, enabled
    await db.flush()
    return reminder


async def due_reminders(db: AsyncSession, now: datetime, limit: int) -> list[tuple[Reminder, User]]:
    """Up to `limit` enabled reminders due by `now`, oldest first (served by the due index),
    of people cleared for exercise."""
    result = await db.execute(
        select(Reminder, User)
        .join(User, User.id == Reminder.user_id)
        .where(
            Reminder.enabled.is_(True),
            Reminder.next_due_utc <= now,
            User.screening.in_(CLEARED_FOR_EXERCISE),
        )
        .order_by(Reminder.next_due_utc)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in result.all()]


async def claim_reminder(
    db: AsyncSession,
    user_id: int,
    *,
    was_due: datetime,
    next_due: datetime | None,
    sent_on: date | None,
) -> bool:
    """Move a reminder from `was_due` to `next_due`; True for exactly one claimer.

    Two dispatchers (or instances) racing for the same row: the second finds the due time
    already moved and gets False, so nobody receives two reminders for one due time. Someone
    flagged for a warning sign since the row was read is not claimed either.
    """
    values: dict[str, object] = {"next_due_utc": next_due}
    if sent_on is not None:
        values["last_sent_local_date"] = sent_on
    result = await db.execute(
        update(Reminder)
        .where(
            Reminder.user_id == user_id,
            Reminder.next_due_utc == was_due,
            Reminder.user_id.in_(_cleared_users()),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def session_done_on(db: AsyncSession, user_id: int, local_date: date) -> bool:
    """Whether the user finished (or partly did) a session on this local day."""
    result = await db.execute(
        select(
            exists().where(
                ExerciseSession.user_id == user_id,
                ExerciseSession.local_date == local_date,
                ExerciseSession.status == SessionStatus.COMPLETED,
            )
        )
    )
    return bool(result.scalar())


async def disable_reminder(db: AsyncSession, user_id: int, now: datetime) -> None:
    """Stop reminding someone who blocked the bot."""
    await db.execute(update(Reminder).where(Reminder.user_id == user_id).values(enabled=False))
    await db.execute(update(User).where(User.id == user_id).values(blocked_bot_at=now))
