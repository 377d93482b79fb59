"""Telegram file ids of pictures already uploaded once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StoredFile


async def stored_file_id(db: AsyncSession, key: str) -> str | None:
    """The file_id Telegram gave for this picture, if it was uploaded before."""
    stored = await db.get(StoredFile, key)
    return stored.file_id if stored else None


async def remember_file_id(db: AsyncSession, key: str, file_id: str, now: datetime) -> None:
    """Keep the file_id so the next send reuses it. Two people's first sessions (or two
    instances) may upload the same picture at once: one statement, and the last upload wins."""
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(StoredFile).values(key=key, file_id=file_id, stored_at=now)
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[StoredFile.key],
            set_={"file_id": statement.excluded.file_id, "stored_at": statement.excluded.stored_at},
        )
    )
