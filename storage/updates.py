"""Claiming Telegram update ids, so a delivery Telegram retries is handled only once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import ProcessedUpdate


async def claim_update(db: AsyncConnection, update_id: int, now: datetime) -> bool:
    """True for the first instance to see this update id, False for every later delivery."""
    insert = postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert
    result = await db.execute(
        insert(ProcessedUpdate)
        .values(update_id=update_id, seen_at=now)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(ProcessedUpdate.update_id)
    )
    return result.scalar_one_or_none() is not None


async def forget_updates_before(db: AsyncSession, cutoff: datetime) -> None:
    """Drop old ids: Telegram stops retrying long before a day is over."""
    await db.execute(delete(ProcessedUpdate).where(ProcessedUpdate.seen_at < cutoff))
