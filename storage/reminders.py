"""Reminder rows: settings, finding due ones, and claiming sends with a compare-and-set."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Reminder, User

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


async def due_counts(db: AsyncSession, now: datetime) -> list[tuple[datetime, int]]:
    """How many reminders are due by `now`, per due time (a wave's size, for the broadcast plan)."""
    result = await db.execute(
        select(Reminder.next_due_utc, func.count())
        .join(User, User.id == Reminder.user_id)
        .where(
            Reminder.enabled.is_(True),
            Reminder.next_due_utc <= now,
            User.screening.in_(CLEARED_FOR_EXERCISE),
        )
        .group_by(Reminder.next_due_utc)
    )
    return [(due, int(count)) for due, count in result.all() if due is not None]


async def claim_reminders(
    db: AsyncSession, now: datetime, claims: Sequence[tuple[int, datetime | None, date | None]]
) -> set[int]:
    """Move each (user id, next due, sent on) reminder that is still due by `now`; return the
    user ids claimed, each by exactly one claimer.

    A read row stays due until someone claims it (a claim, snooze or skip always moves it past
    `now`), so "still due" is the compare-and-set: a second dispatcher finds the row moved. One
    statement per distinct (next due, sent on) pair: a wave at one local time is one statement.
    """
    together: dict[tuple[datetime | None, date | None], list[int]] = defaultdict(list)
    for user_id, next_due, sent_on in claims:
        together[next_due, sent_on].append(user_id)
    claimed: set[int] = set()
    for (next_due, sent_on), user_ids in together.items():
        values: dict[str, object] = {"next_due_utc": next_due}
        if sent_on is not None:
            values["last_sent_local_date"] = sent_on
        result = await db.execute(
            update(Reminder)
            .where(
                Reminder.user_id.in_(user_ids),
                Reminder.enabled.is_(True),
                Reminder.next_due_utc <= now,
                Reminder.user_id.in_(_cleared_users()),
            )
            .values(**values)
            .returning(Reminder.user_id)
            .execution_options(synchronize_session=False)
        )
        claimed.update(result.scalars().all())
    return claimed


async def disable_reminder(db: AsyncSession, user_id: int, now: datetime) -> None:
    """Stop reminding someone who blocked the bot."""
    await db.execute(update(Reminder).where(Reminder.user_id == user_id).values(enabled=False))
    await db.execute(update(User).where(User.id == user_id).values(blocked_bot_at=now))
