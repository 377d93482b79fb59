"""The database going away under a running bot: people are asked to try again in a minute,
reminder passes fail in one line and the next tick works, dropped connections are replaced."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import time, timedelta

import asyncpg
import pytest
from sqlalchemy import select
from telegram.ext import Job

from bot import reminders
from bot.app import build_application
from storage.models import ExerciseSession
from storage.queries import get_or_create_user
from storage.reminders import save_reminder
from tests.conftest import FakeClock, RunningBot, make_settings
from tests.databases import (
    backends_waiting_on_a_lock,
    database_down,
    terminate_backends,
)
from tests.flows import onboard
from tests.standin import ScriptedUser, TelegramStandIn
from tests.test_webhook import free_port

TRY_AGAIN = "try again in a minute"
PASS_FAILED = "reminder pass failed"


@pytest.fixture
async def pg_bot(
    standin: TelegramStandIn, postgres_url: str, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    runner = RunningBot(standin, postgres_url, clock, reminder_check_seconds=0.2)
    await runner.start()
    yield runner
    await runner.stop()


async def wait_until(condition: Callable[[], Awaitable[object]], timeout: float = 10) -> None:
    """Poll `condition` until it is true; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        assert loop.time() < deadline, "condition never came true"
        await asyncio.sleep(0.05)


async def test_while_the_database_is_down_people_are_asked_to_try_again_then_carry_on(
    pg_bot: RunningBot, standin: TelegramStandIn, postgres_url: str
) -> None:
    user = ScriptedUser(standin)
    await user.send("/start")
    disclaimer = await user.expect("not medical advice")

    async with database_down(postgres_url):
        await user.send("/start")
        assert TRY_AGAIN in await user.reply()
        query_id = await user.press("I understand", on=disclaimer)
        assert TRY_AGAIN in await user.reply()
        await user.no_reply(within=0.3)  # one reply per update, not one per handler group
        answered = [c.params["callback_query_id"] for c in standin.calls_to("answerCallbackQuery")]
        assert query_id in answered  # the button stops spinning too

    await user.press("I understand", on=disclaimer)
    assert "Where do you feel" in await user.reply()
    standin.assert_no_refusals()


async def test_a_reminder_pass_fails_in_one_line_while_the_database_is_down_and_the_next_sends(
    pg_bot: RunningBot,
    standin: TelegramStandIn,
    postgres_url: str,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    person = ScriptedUser(standin, "Robin")
    async with pg_bot.services.transaction() as db:
        row = await get_or_create_user(db, person.user_id, person.user_id, clock())
        row.screening = "clear"  # reminders go only to people cleared for exercise
        await save_reminder(
            db,
            row.id,
            local_time=time(9),
            weekdays=127,
            timezone="UTC",
            next_due_utc=clock() + timedelta(hours=1),
        )

    def failed_passes() -> list[logging.LogRecord]:
        return [r for r in caplog.records if PASS_FAILED in r.getMessage()]

    async def two_passes_failed() -> bool:
        return len(failed_passes()) >= 2

    with caplog.at_level(logging.INFO):
        async with database_down(postgres_url):
            clock.advance(hours=1, minutes=1)
            await wait_until(two_passes_failed)
        # Each failed pass is one line, without a traceback, and nothing was sent meanwhile.
        assert all(r.exc_info is None and "\n" not in r.getMessage() for r in failed_passes())
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert "Time for your routine" in await person.expect("Time for your routine")
    await person.no_reply(within=0.6)  # several more ticks: sent once
    standin.assert_no_refusals()


async def test_a_connection_dropped_mid_transaction_is_retried_once_and_the_press_works(
    pg_bot: RunningBot,
    standin: TelegramStandIn,
    postgres_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = ScriptedUser(standin)
    await onboard(user)
    await user.press("Start now")
    question = await user.expect("how strong is your pain right now")

    async with pg_bot.services.transaction() as db:
        session = (await db.execute(select(ExerciseSession))).scalar_one()
    # Every pooled connection dies, as when PostgreSQL restarts: the press below still works.
    assert await terminate_backends(postgres_url) >= 1

    # Hold the session's row, so the press's transaction waits on it, then kill that
    # connection: the handler meets a dropped connection in the middle of its transaction.
    dsn = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    holder = await asyncpg.connect(dsn)
    try:
        holding = holder.transaction()
        await holding.start()
        await holder.execute("SELECT 1 FROM exercise_sessions WHERE id = $1 FOR UPDATE", session.id)
        with caplog.at_level(logging.INFO):
            await user.press("5", on=question)
            await wait_until(lambda: backends_waiting_on_a_lock(postgres_url))
            assert await terminate_backends(postgres_url, waiting_on_a_lock=True) == 1
            await holding.rollback()
            step = await user.expect("1/")
    finally:
        await holder.close()
    assert "■ Stop session" in step.labels  # a way to stop, as with every exercise
    assert any("database connection dropped" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    async with pg_bot.services.transaction() as db:
        again = await db.get(ExerciseSession, session.id)
        assert again is not None and (again.pain_before, again.phase) == (5, "exercise")
    await user.no_reply(within=0.3)
    standin.assert_no_refusals()


async def test_an_unreachable_database_gets_try_again_and_a_reminder_pass_that_ends(
    standin: TelegramStandIn, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere"
    app = build_application(make_settings(standin, nowhere), clock=clock)
    async with app:  # no post_init: there is no schema to upgrade on a closed port
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        try:
            user = ScriptedUser(standin)
            with caplog.at_level(logging.INFO):
                await user.send("/start")
                assert TRY_AGAIN in await user.reply()
                # Run the reminder job as the job queue would; before the fix it waited forever.
                await asyncio.wait_for(Job(reminders.dispatch_job).run(app), 10)
            failed = [r for r in caplog.records if PASS_FAILED in r.getMessage()]
            assert len(failed) == 1 and failed[0].exc_info is None
            assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        finally:
            await app.updater.stop()
            await app.stop()
    standin.assert_no_refusals()
