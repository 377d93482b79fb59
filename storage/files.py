"""Telegram file ids of pictures already uploaded once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StoredFile


async def stored_file_id(db: AsyncSession, key: str) -> str | None:
    """The file_id Telegram gave for this picture, if it was uploaded before."""
    stored = await db.get(StoredFile, key)
    return stored.file_id if stored else None


async def remember_file_id(db: AsyncSession, key: str, file_id: str, now: datetime) -> None:
    """Keep the file_id so the next send reuses it (the last upload wins a race)."""
    stored = await db.get(StoredFile, key)
    if stored is None:
        db.add(StoredFile(key=key, file_id=file_id, stored_at=now))
    else:
        stored.file_id, stored.stored_at = file_id, now
