"""Storage against a real SQLite file and the local PostgreSQL: migrations, constraints, claims."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.engine import create_engine, create_session_factory
from storage.files import remember_file_id, stored_file_id
from storage.migrate import upgrade_to_head
from storage.models import ConversationState, ExerciseSession, SessionExercise, User
from storage.progress import session_runs
from storage.queries import (
    clear_timer,
    get_active_session,
    get_or_create_user,
    get_state,
    move_session,
    set_state,
    start_session,
)
from tests.records import finished_session

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await upgrade_to_head(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


async def test_migrations_create_every_table_and_run_twice_safely(engine: AsyncEngine) -> None:
    await upgrade_to_head(engine)  # a second start finds nothing to do
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert {
        "users",
        "conversation_states",
        "exercise_sessions",
        "session_exercises",
        "reminders",
        "alembic_version",
    } <= tables


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await engine.dispose()


async def test_a_session_cannot_belong_to_a_missing_user(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    with pytest.raises(IntegrityError):
        async with sessions() as db, db.begin():
            db.add(
                finished_session(
                    999, date(2026, 3, 10), status="active", phase="pain_before", ended_at=None
                )
            )


async def test_datetimes_come_back_aware_in_utc(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as db, db.begin():
        await get_or_create_user(db, 42, 42, NOW)
    async with sessions() as db:
        user = await get_or_create_user(db, 42, 42, NOW)
        assert user.created_at == NOW and user.created_at.tzinfo is not None


async def test_conversation_state_round_trips_and_deleting_a_user_removes_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as db, db.begin():
        user = await get_or_create_user(db, 7, 7, NOW)
        await set_state(db, user.id, "screen", {"order": ["a", "b"], "index": 1}, NOW)
        await set_state(db, user.id, "screen", {"order": ["a", "b"], "index": 2}, NOW)
    async with sessions() as db, db.begin():
        user = await get_or_create_user(db, 7, 7, NOW)
        state = await get_state(db, user.id)
        assert state is not None and state.data == {"order": ["a", "b"], "index": 2}
        await db.delete(user)
    async with sessions() as db:
        assert (await db.execute(text("SELECT count(*) FROM conversation_states"))).scalar() == 0
        assert await db.get(ConversationState, 1) is None


async def test_moving_a_session_succeeds_once_from_the_expected_position(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as db, db.begin():
        user = await get_or_create_user(db, 8, 8, NOW)
        user.region, user.side = "lumbar", "right"
        session = await start_session(
            db, user, now=NOW, local_date=date(2026, 3, 10), dose_level="standard"
        )
    async with sessions() as db, db.begin():
        assert await move_session(
            db, session.id, expected=("pain_before", 0, 1), to=("exercise", 0, 1)
        )
        assert not await move_session(
            db, session.id, expected=("pain_before", 0, 1), to=("exercise", 0, 1)
        )
        assert await move_session(
            db, session.id, expected=("exercise", 0, 1), to=("exercise", 0, 1), timer_ends_at=NOW
        )
        assert await clear_timer(db, session.id, 0, 1)
        assert not await clear_timer(db, session.id, 0, 1)  # a second release of the same hold
    async with sessions() as db:
        active = await get_active_session(db, session.user_id)
        assert active is not None and active.phase == "exercise" and active.timer_ends_at is None


async def test_telegram_ids_are_unique(sessions: async_sessionmaker[AsyncSession]) -> None:
    with pytest.raises(IntegrityError):
        async with sessions() as db, db.begin():
            for _ in range(2):
                db.add(
                    User(
                        telegram_user_id=5,
                        chat_id=5,
                        created_at=NOW,
                        dose_level="standard",
                        timezone="UTC",
                    )
                )
                await db.flush()


async def test_migrations_and_models_describe_the_same_schema(engine: AsyncEngine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from storage.models import Base

    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert differences == []


async def test_two_people_uploading_one_picture_at_once_store_it_without_error(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Chats run concurrently, so two first sessions may upload the same picture together:
    the later upload waits for the earlier one's transaction and then wins, with no error."""
    key = "cat-cow-both-floor-abc"

    async def remember(file_id: str) -> None:
        async with sessions() as db, db.begin():
            await remember_file_id(db, key, file_id, NOW)

    async with sessions() as first, first.begin():
        await remember_file_id(first, key, "first upload", NOW)
        second = asyncio.create_task(remember("second upload"))
        # Long enough for the second to finish, if it does not wait for the first (it must).
        await asyncio.wait({second}, timeout=0.5)
    await second

    async with sessions() as db:
        assert await stored_file_id(db, key) == "second upload"


async def test_counted_sessions_come_back_as_runs_of_days_across_a_new_year(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    def session(user_id: int, day: date, status: str) -> ExerciseSession:
        return finished_session(user_id, day, status=status)

    async with sessions() as db, db.begin():
        user = await get_or_create_user(db, 7, 7, NOW)
        other = await get_or_create_user(db, 8, 8, NOW)
        await db.flush()
        completed = [date(2025, 12, 30), date(2025, 12, 31), date(2025, 12, 31), date(2026, 1, 1)]
        db.add_all(session(user.id, day, "completed") for day in completed)
        db.add(session(other.id, date(2026, 1, 2), "completed"))  # someone else's day
        partly_done = session(user.id, date(2026, 1, 5), "partial")
        nothing_done = session(user.id, date(2026, 1, 6), "partial")
        db.add_all([partly_done, nothing_done, session(user.id, date(2026, 1, 7), "active")])
        await db.flush()
        for partial, outcome in [(partly_done, "done"), (nothing_done, "skipped")]:
            db.add(
                SessionExercise(
                    session_id=partial.id,
                    position=0,
                    exercise_key="knee_to_chest",
                    outcome=outcome,
                    recorded_at=NOW,
                )
            )
        db.add(session(user.id, date(2026, 1, 8), "completed"))
    async with sessions() as db:
        assert await session_runs(db, user.id) == [
            (date(2025, 12, 30), date(2026, 1, 1), 4),
            (date(2026, 1, 5), date(2026, 1, 5), 1),
            (date(2026, 1, 8), date(2026, 1, 8), 1),
        ]
        assert await session_runs(db, 999) == []
