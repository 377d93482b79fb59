"""An instance killed with -9 loses no update: a webhook delivery is answered only once its
update is handled, so Telegram retries it on another instance, which takes it over once.
A SIGTERM finishes the deliveries in hand first. A press Telegram no longer takes an answer
for is harmless, and so is a hold timer left on one instance for someone forgotten on
another (found by the soak test)."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.engine import create_engine, create_session_factory
from storage.models import ExerciseSession, User
from storage.progress import delete_user
from tests.conftest import RunningBot
from tests.flows import onboard, start_session
from tests.processes import BotProcess
from tests.standin import BotMessage, ScriptedUser, TelegramStandIn
from tests.test_session_races import hold_sessions, wait_for_lock_waiters
from tests.test_webhook import free_port


@pytest.fixture
async def instances(
    standin: TelegramStandIn, postgres_url: str, tmp_path: Path
) -> AsyncIterator[list[BotProcess]]:
    """Two instances on one PostgreSQL database; each test starts them as it needs."""
    bots = [BotProcess(standin, postgres_url, free_port(), tmp_path / f"i{n}") for n in range(2)]
    yield bots
    for each in bots:
        if each.running:
            await each.terminate()


async def at_the_first_step(user: ScriptedUser) -> BotMessage:
    await onboard(user)
    return await start_session(user)


async def sets_done(postgres_url: str) -> tuple[int, int]:
    engine = create_engine(postgres_url)
    try:
        async with create_session_factory(engine)() as db:
            session = (await db.execute(select(ExerciseSession))).scalar_one()
    finally:
        await engine.dispose()
    return session.step_index, session.set_number


def assert_no_errors(*bots: BotProcess) -> None:
    for each in bots:
        assert "error handling update" not in each.log()
        assert "Traceback" not in each.log()


async def test_a_press_in_hand_when_its_instance_is_killed_is_handled_by_the_other_once(
    instances: list[BotProcess], standin: TelegramStandIn, postgres_url: str
) -> None:
    first, second = instances
    await first.start()
    await first.wait_ready()
    user = ScriptedUser(standin)
    step = await at_the_first_step(user)

    async with hold_sessions(postgres_url):  # the press is in hand, mid-transaction
        await user.press("✓ Set done", on=step)
        await wait_for_lock_waiters(postgres_url, 1)
        await second.start()
        await second.wait_ready()
        await first.kill()

    assert "Set 2 of 2" in await user.expect("Set 2 of 2", timeout=60)
    await user.no_reply(within=1)
    assert await sets_done(postgres_url) == (0, 2)  # applied once
    handled_by_second = [line for line in second.log().splitlines() if "handler=session" in line]
    assert handled_by_second, "the surviving instance never handled the press"
    standin.assert_no_refusals()
    assert_no_errors(first, second)


async def test_sigterm_finishes_the_delivery_in_hand_before_exiting(
    instances: list[BotProcess], standin: TelegramStandIn, postgres_url: str
) -> None:
    only = instances[0]
    await only.start()
    await only.wait_ready()
    user = ScriptedUser(standin)
    step = await at_the_first_step(user)

    async with hold_sessions(postgres_url):
        await user.press("✓ Set done", on=step)
        pressed = standin.last_update_id
        await wait_for_lock_waiters(postgres_url, 1)
        assert only.process is not None
        only.process.terminate()  # SIGTERM while the press waits on the row

    assert await only.terminate() == 0
    assert "Set 2 of 2" in await user.expect("Set 2 of 2", timeout=10)
    assert (pressed, only.url, 200) in standin.deliveries  # answered, by the instance itself
    assert await sets_done(postgres_url) == (0, 2)
    assert_no_errors(only)


async def test_a_press_too_old_to_answer_still_counts_and_reaches_no_error_handler(
    bot: RunningBot, standin: TelegramStandIn
) -> None:
    user = ScriptedUser(standin)
    step = await at_the_first_step(user)
    query_id = await user.press("✓ Set done", on=step)
    standin.expire_callback_query(query_id)  # answered elsewhere, or waited too long
    assert "Set 2 of 2" in await user.expect("Set 2 of 2")
    answer = await user.answer_to(query_id)
    assert answer.status == 400  # the answer was tried and refused, as Telegram would


async def test_a_hold_timer_of_someone_forgotten_meanwhile_ends_quietly(
    bot: RunningBot, standin: TelegramStandIn
) -> None:
    # /forget on another instance deletes the person but cannot cancel this instance's timer.
    user = ScriptedUser(standin)
    step = await at_the_first_step(user)
    await user.press("▶ Start", on=step)
    await user.expect("Holding")
    [(_, data)] = [b for b in step.buttons if b[0].startswith("▶")]
    async with bot.services.transaction() as db:
        person = (
            await db.execute(select(User).where(User.telegram_user_id == user.user_id))
        ).scalar_one()
        await delete_user(db, person.id)
    await bot.fire_timer(int(data.split("|")[2]))
    await user.no_reply(within=0.5)
