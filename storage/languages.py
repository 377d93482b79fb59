"""Each person's language: read before every update, changed by /language."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ExerciseSession, User


async def language_of_session(db: AsyncSession, session_id: int) -> str | None:
    """The language of the person doing this exercise session (for hold timers' jobs)."""
    result = await db.execute(
        select(User.language)
        .join(ExerciseSession, ExerciseSession.user_id == User.id)
        .where(ExerciseSession.id == session_id)
    )
    return result.scalar_one_or_none()


async def set_language(db: AsyncSession, user_id: int, language: str) -> None:
    """Store the person's choice of language."""
    await db.execute(update(User).where(User.id == user_id).values(language=language))
