"""Every session transition is a compare-and-set: two instances on one PostgreSQL database
racing the same press (a double tap delivered to both) apply it once."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import func, select

from bot.app import build_application
from bot.services import CoachApp
from bot.webhook import start_webhook
from storage.models import ExerciseSession, SessionExercise
from tests.conftest import FakeClock, make_settings
from tests.databases import backends_waiting_on_a_lock
from tests.flows import onboard, start_session
from tests.standin import BotMessage, ScriptedUser, TelegramStandIn
from tests.test_webhook import free_port

SECRET = "race-secret"
ALREADY_NOTED = "Already noted."


@pytest.fixture
async def two_apps(
    standin: TelegramStandIn, postgres_url: str, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[list[CoachApp]]:
    """Two Applications in webhook mode sharing the stand-in and one database, as two
    instances behind a load balancer; the stand-in delivers to them in turn."""
    apps = []
    servers = []
    for index in range(2):
        port = free_port()
        settings = make_settings(
            standin,
            postgres_url,
            webhook_url=f"http://127.0.0.1:{port}/telegram",
            webhook_listen="127.0.0.1",
            webhook_port=port,
            webhook_secret=SECRET,
            picture_cache_dir=tmp_path / f"pictures{index}",
        )
        app = build_application(settings, clock=clock)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        servers.append(await start_webhook(app, settings))
        apps.append(app)
    yield apps
    for app, server in zip(apps, servers, strict=True):
        await server.stop()
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)


async def race(
    user: ScriptedUser,
    standin: TelegramStandIn,
    postgres_url: str,
    label: str,
    on: BotMessage,
    next_fragment: str,
) -> list[str]:
    """Press `label` twice at once, one delivery to each instance, both held at the session's
    row until both are in flight, so their transactions truly overlap. Returns each press's
    answer notice ("" for a silent one) once the next question came, and came only once."""
    async with hold_sessions(postgres_url):
        first = await user.press(label, on=on)
        second = await user.press(label, on=on)
        await wait_for_lock_waiters(postgres_url, 2)
    delivered = {u: url for u, url, status in standin.deliveries if status == 200}
    assert len({delivered[u] for u in sorted(delivered)[-2:]}) == 2  # one press per instance
    await user.expect(next_fragment, timeout=30)
    answers: dict[str, str] = {}
    for _ in range(300):
        answers = {
            call.params["callback_query_id"]: call.params.get("text") or ""
            for call in standin.calls_to("answerCallbackQuery")
        }
        if first in answers and second in answers:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("a press was never answered")
    await asyncio.sleep(0.5)  # a second application would be speaking by now
    again = [reply.text[:50] for reply in user.drain() if next_fragment in reply]
    assert not again, f"the press was applied twice: {again}"
    return [answers[first], answers[second]]


@asynccontextmanager
async def hold_sessions(postgres_url: str) -> AsyncIterator[None]:
    """Lock every exercise session row from outside the bot while inside."""
    connection = await asyncpg.connect(postgres_url.replace("+asyncpg", ""))
    try:
        async with connection.transaction():
            await connection.execute("SELECT 1 FROM exercise_sessions FOR UPDATE")
            yield
    finally:
        await connection.close()


async def wait_for_lock_waiters(postgres_url: str, count: int) -> None:
    for _ in range(200):
        if await backends_waiting_on_a_lock(postgres_url) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} transactions never waited on the held row together")


async def stopped_records(app: CoachApp) -> int:
    async with app.bot_data["services"].transaction() as db:
        query = select(func.count()).select_from(SessionExercise)
        return int((await db.execute(query.where(SessionExercise.outcome == "stopped"))).scalar())


async def the_session(app: CoachApp) -> ExerciseSession:
    async with app.bot_data["services"].transaction() as db:
        return (await db.execute(select(ExerciseSession))).scalar_one()


Setup = Callable[[ScriptedUser, BotMessage], Awaitable[BotMessage]]


async def at_step(user: ScriptedUser, step: BotMessage) -> BotMessage:
    return step


async def at_what_happened(user: ScriptedUser, step: BotMessage) -> BotMessage:
    await user.press("It hurts", on=step)
    return await user.expect("What happened?")


async def at_pain_after(user: ScriptedUser, step: BotMessage) -> BotMessage:
    await user.press("■ Stop session", on=step)
    return await user.expect("How strong is your pain now")


async def at_symptom_change(user: ScriptedUser, step: BotMessage) -> BotMessage:
    question = await at_pain_after(user, step)
    await user.press("3", on=question)
    return await user.expect("where are your symptoms now")


@pytest.mark.parametrize(
    ("setup", "label", "next_fragment"),
    [
        (at_step, "✓ Set done", "Set 2 of 2"),
        (at_step, "It hurts", "What happened?"),
        (at_step, "■ Stop session", "How strong is your pain now"),
        (at_what_happened, "Sharper pain", "Let's stop"),
        (at_pain_after, "3", "where are your symptoms now"),
        (at_symptom_change, "About the same", "Session saved (stopped early)"),
    ],
    ids=["set-done", "it-hurts", "stop", "hurt-reason", "pain-after", "symptom-change"],
)
async def test_a_press_raced_on_two_instances_applies_once(
    two_apps: list[CoachApp],
    standin: TelegramStandIn,
    postgres_url: str,
    setup: Setup,
    label: str,
    next_fragment: str,
) -> None:
    user = ScriptedUser(standin)
    await onboard(user)
    question = await setup(user, await start_session(user))
    before = await the_session(two_apps[0])

    answers = await race(user, standin, postgres_url, label, question, next_fragment)

    assert sorted(answers) == ["", ALREADY_NOTED]
    after = await the_session(two_apps[0])
    assert after.version > before.version
    if label == "Sharper pain":
        assert await stopped_records(two_apps[0]) == 1
    if label == "About the same":
        assert after.status == "partial" and after.symptom_change == "same"
    standin.assert_no_refusals()


async def test_a_stale_stop_after_stopping_changes_nothing(
    two_apps: list[CoachApp], standin: TelegramStandIn
) -> None:
    user = ScriptedUser(standin)
    await onboard(user)
    step = await start_session(user)
    question = await at_pain_after(user, step)
    # The old step's button, pressed again (its message now asks about pain after).
    [stop] = [data for label, data in step.buttons if label == "■ Stop session"]
    await user.press_data(step.message_id, stop)
    await user.no_reply(within=0.5)
    assert (await the_session(two_apps[0])).phase == "pain_after"
    answers = standin.calls_to("answerCallbackQuery")
    assert answers[-1].params.get("text") == ALREADY_NOTED
    await user.press("3", on=question)
    assert "where are your symptoms now" in await user.reply()
