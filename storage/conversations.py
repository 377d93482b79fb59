"""Conversation states with a compare-and-set: a move is saved only from the version it read,
so a double tap or a second instance never applies one press twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState


async def load_conversation(db: AsyncSession, user_id: int) -> ConversationState | None:
    """The person's conversation row, read fresh from the database."""
    result = await db.execute(
        select(ConversationState)
        .where(ConversationState.user_id == user_id)
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def save_conversation(
    db: AsyncSession,
    user_id: int,
    *,
    read_version: int | None,
    flow: str,
    step: str,
    data: dict[str, Any],
    now: datetime,
) -> bool:
    """Store the next step if nobody moved the conversation since it was read at
    `read_version` (None: there was none); False if someone did."""
    if read_version is None:
        try:
            async with db.begin_nested():
                db.add(
                    ConversationState(
                        user_id=user_id, flow=flow, step=step, data=data, updated_at=now, version=1
                    )
                )
            return True
        except IntegrityError:
            return False
    result = await db.execute(
        _MOVE,
        {
            "moved_user_id": user_id,
            "read_version": read_version,
            "new_flow": flow,
            "new_step": step,
            "new_data": data,
            "now": now,
        },
    )
    return bool(getattr(result, "rowcount", 0) == 1)


# The compare-and-set of every conversation step, built once.
_MOVE = (
    update(ConversationState)
    .where(
        ConversationState.user_id == bindparam("moved_user_id"),
        ConversationState.version == bindparam("read_version"),
    )
    .values(
        flow=bindparam("new_flow"),
        step=bindparam("new_step"),
        data=bindparam("new_data", type_=ConversationState.__table__.c.data.type),
        updated_at=bindparam("now", type_=ConversationState.__table__.c.updated_at.type),
        version=ConversationState.version + 1,
    )
    .execution_options(synchronize_session=False)
)


async def end_conversation(db: AsyncSession, user_id: int, *, read_version: int | None) -> bool:
    """The conversation is over; False if it moved since it was read."""
    if read_version is None:
        return True
    result = await db.execute(
        delete(ConversationState).where(
            ConversationState.user_id == user_id, ConversationState.version == read_version
        )
    )
    return bool(getattr(result, "rowcount", 0) == 1)
