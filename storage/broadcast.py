"""The paid-broadcast budget: messages paid for per UTC day, shared by every instance.

Taking from the budget is a compare-and-set on one row per day, so two instances drawing at
the same moment never spend more than the day's allowance between them.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PaidBroadcastDay


async def paid_messages_on(db: AsyncSession, day: date) -> int:
    """How many messages were paid for on this UTC day."""
    spent = await db.scalar(
        select(PaidBroadcastDay.paid_messages).where(PaidBroadcastDay.day == day)
    )
    return int(spent or 0)


async def take_paid_messages(db: AsyncSession, day: date, wanted: int, allowance: int) -> int:
    """Take up to `wanted` messages from the day's `allowance`; return how many were granted."""
    if wanted <= 0:
        return 0
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    await db.execute(
        insert(PaidBroadcastDay)
        .values(day=day, paid_messages=0)
        .on_conflict_do_nothing(index_elements=["day"])
    )
    while True:
        spent = await paid_messages_on(db, day)
        granted = min(wanted, allowance - spent)
        if granted <= 0:
            return 0
        result = await db.execute(
            update(PaidBroadcastDay)
            .where(PaidBroadcastDay.day == day, PaidBroadcastDay.paid_messages == spent)
            .values(paid_messages=spent + granted)
        )
        if getattr(result, "rowcount", 0) == 1:  # else another instance drew first: read again
            return granted


async def give_back_paid_messages(db: AsyncSession, day: date, count: int) -> None:
    """Return messages taken but not sent (refused or failed): Telegram charges only sent ones."""
    if count > 0:
        await db.execute(
            update(PaidBroadcastDay)
            .where(PaidBroadcastDay.day == day)
            .values(paid_messages=PaidBroadcastDay.paid_messages - count)
        )
