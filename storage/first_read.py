"""The one read at the start of every update: the person's row and their conversation state in
a single statement, outside any transaction (what the update's flow would read first anyway).

The flow's own transaction then writes with compare-and-set conditions (the conversation's
version), so a state read here that another instance has since moved is refused at the write,
exactly as one read inside the transaction would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from storage.models import ConversationState, User

_USERS = User.__table__
_STATES = ConversationState.__table__
_USER_COLUMNS = tuple(column.name for column in _USERS.columns)
_STATE_COLUMNS = [column.label(f"state_{column.name}") for column in _STATES.columns]
# Built once: building a statement costs more than running it on a warm connection.
_READ = (
    select(_USERS, *_STATE_COLUMNS)
    .select_from(_USERS.outerjoin(_STATES, _STATES.c.user_id == _USERS.c.id))
    .where(_USERS.c.telegram_user_id == bindparam("telegram_user_id"))
)


@dataclass(frozen=True)
class ConversationRow:
    """A conversation state as read: where the person is in which flow, and its version."""

    user_id: int
    flow: str
    step: str
    data: dict[str, Any]
    version: int


@dataclass(frozen=True)
class PersonRow:
    """The person's `users` row (column name to value) and their conversation, if any."""

    user: dict[str, Any]
    conversation: ConversationRow | None


async def read_person(connection: AsyncConnection, telegram_user_id: int) -> PersonRow | None:
    """The person with this Telegram id and their conversation; None if never seen."""
    result = await connection.execute(_READ, {"telegram_user_id": telegram_user_id})
    row = result.mappings().one_or_none()
    if row is None:
        return None
    user = {name: row[name] for name in _USER_COLUMNS}
    conversation = None
    if row["state_user_id"] is not None:
        conversation = ConversationRow(
            user_id=row["state_user_id"],
            flow=row["state_flow"],
            step=row["state_step"],
            data=dict(row["state_data"] or {}),
            version=row["state_version"],
        )
    return PersonRow(user, conversation)


def adopt_user(db: AsyncSession, values: dict[str, Any]) -> User:
    """The user as first read, joined to `db` as if loaded by it (no second read)."""
    loaded = db.identity_map.get(identity_key(User, values["id"]))
    if isinstance(loaded, User):
        return loaded
    user = User(**values)
    make_transient_to_detached(user)
    db.add(user)
    return user
