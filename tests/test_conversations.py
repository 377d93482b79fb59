"""Conversation states move only from the version they were read at (SQLite and PostgreSQL)."""

from datetime import UTC, datetime

from storage.conversations import end_conversation, load_conversation, save_conversation
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade_to_head
from storage.queries import get_or_create_user

NOW = datetime(2026, 3, 10, 8, tzinfo=UTC)


async def test_a_conversation_move_from_a_stale_version_is_refused(database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade_to_head(engine)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as db, db.begin():
            user = await get_or_create_user(db, 1, 1, NOW)
            first = dict(flow="onboarding", step="region", data={}, now=NOW)
            assert await save_conversation(db, user.id, read_version=None, **first)  # type: ignore[arg-type]
            assert not await save_conversation(db, user.id, read_version=None, **first)  # type: ignore[arg-type]
            row = await load_conversation(db, user.id)
            assert row is not None and row.version == 1
            moved = dict(flow="onboarding", step="side", data={"region": "lumbar"}, now=NOW)
            assert await save_conversation(db, user.id, read_version=1, **moved)  # type: ignore[arg-type]
            assert not await save_conversation(db, user.id, read_version=1, **moved)  # type: ignore[arg-type]
            row = await load_conversation(db, user.id)
            assert row is not None and (row.step, row.version) == ("side", 2)
            assert not await end_conversation(db, user.id, read_version=1)
            assert await end_conversation(db, user.id, read_version=2)
            assert await load_conversation(db, user.id) is None
    finally:
        await engine.dispose()
