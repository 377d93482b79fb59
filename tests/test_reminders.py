"""Reminders: the settings flow, the dispatcher with an injected clock, races, blocked users."""

import asyncio
from datetime import UTC, datetime, time, timedelta
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select
from telegram.error import NetworkError

from bot.reminders import dispatch_due
from bot.services import Services
from bot.settings import Settings
from content.library import library_for
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade_to_head
from storage.models import Reminder, User
from storage.queries import get_or_create_user
from storage.reminders import claim_reminders, save_reminder
from tests.conftest import TOKEN, FakeClock, RunningBot
from tests.flows import onboard
from tests.records import finished_session
from tests.standin import ScriptedUser, TelegramStandIn


async def set_reminder(user: ScriptedUser, at: str = "08:00", zone: str = "Berlin") -> str:
    """Set a daily reminder through /reminder; a time offered as a button is pressed."""
    await user.send("/reminder")
    question = await user.expect("When would you like")
    if at in question.labels:
        await user.press(at, on=question)
    else:
        await user.send(at)
    await user.expect("Which time zone")
    await user.send(zone)
    await user.expect("On which days")
    await user.press("Every day")
    return (await user.expect("Reminder set")).text


async def onboarded_with_reminder(user: ScriptedUser, at: str, zone: str) -> None:
    """Onboard, decline the first session and the reminder offer, then set a reminder."""
    await onboard(user)
    await user.press("Later")
    await user.expect("daily reminder")
    await set_reminder(user, at, zone)


async def dispatcher_services(database_url: str, now: datetime, **settings: object) -> Services:
    """The bot's services on a migrated database, without Telegram: the dispatcher alone."""
    engine = create_engine(database_url)
    await upgrade_to_head(engine)
    values: dict[str, object] = {
        "telegram_bot_token": SecretStr(TOKEN),
        "database_url": database_url,
    }
    return Services(
        Settings(**{**values, **settings}, _env_file=None),  # type: ignore[arg-type]
        library_for,
        engine,
        create_session_factory(engine),
        clock=lambda: now,
    )


async def add_due_reminders(services: Services, count: int, due: datetime) -> None:
    """Users 1..count (chat ids the same), screened clear, each with a reminder due at `due`."""
    async with services.transaction() as db:
        for telegram_id in range(1, count + 1):
            user = await get_or_create_user(db, telegram_id, telegram_id, due)
            user.screening = "clear"  # reminders go only to people cleared for exercise
            await save_reminder(
                db, user.id, local_time=time(7), weekdays=127, timezone="UTC", next_due_utc=due
            )


async def test_reminder_arrives_at_local_time_once_and_its_button_opens_a_session(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 27, 20, 0, tzinfo=UTC)  # Friday evening, before Berlin's DST
    user = new_user()
    await onboard(user)
    await user.press("Later")
    offer = await user.expect("daily reminder")
    await user.press("Yes, remind me daily", on=offer)
    await user.expect("When would you like")
    await user.send("7:30")
    await user.expect("Which time zone")
    await user.send("berlin")
    await user.expect("On which days")
    await user.press("Every day")
    confirmation = await user.expect("Reminder set")
    assert "07:30 (Europe/Berlin)" in confirmation and "Sat 28 Mar, 07:30" in confirmation
    await user.send("/reminder")
    current = await user.expect("Your reminder now")
    assert "07:30 (Europe/Berlin), every day. Next one: Sat 28 Mar, 07:30" in current
    await user.send("/cancel")
    await user.expect("Nothing you've done is lost")

    clock.now = datetime(2026, 3, 28, 6, 29, tzinfo=UTC)
    assert await dispatch_due(bot.services, bot.app.bot) == 0  # type: ignore[union-attr]
    clock.now = datetime(2026, 3, 28, 6, 30, tzinfo=UTC)  # 07:30 in Berlin (UTC+1)
    assert await dispatch_due(bot.services, bot.app.bot) == 1  # type: ignore[union-attr]
    assert await dispatch_due(bot.services, bot.app.bot) == 0  # type: ignore[union-attr]
    reminder = await user.expect("Time for your routine")
    async with bot.services.sessions() as db:
        row = (await db.execute(select(Reminder))).scalar_one()
    assert row.next_due_utc == datetime(2026, 3, 29, 5, 30, tzinfo=UTC)  # 07:30 in summer time

    await user.press("Start now", on=reminder)
    assert "how strong is your pain right now" in await user.reply()
    standin.assert_no_refusals()


async def test_a_sticker_in_the_reminder_flow_asks_the_same_question_again(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    await user.press("Later")
    await user.expect("daily reminder")
    await user.send("/reminder")
    await user.expect("When would you like")
    await user.send_sticker()
    assert "When would you like" in await user.reply()
    await user.send("half past seven")
    assert "couldn't read that time" in await user.reply()
    await user.send("7:30")
    await user.expect("Which time zone")
    await user.send("Atlantis")
    assert "couldn't find that place" in await user.reply()
    await user.send_voice()
    assert "Which time zone" in await user.reply()
    standin.assert_no_refusals()


async def test_after_downtime_a_recent_reminder_goes_out_late_and_an_old_one_is_skipped(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
    late, stale = new_user("Late"), new_user("Stale")
    await onboarded_with_reminder(late, "07:00", "Europe/London")  # due 06:00 UTC
    await onboarded_with_reminder(stale, "08:00", "UTC")  # due time moved below
    async with bot.services.transaction() as db:
        stale_user = (
            await db.execute(select(User).where(User.telegram_user_id == stale.user_id))
        ).scalar_one()
        row = await db.get(Reminder, stale_user.id)
        assert row is not None
        row.next_due_utc = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
    clock.now = datetime(2026, 6, 1, 7, 30, tzinfo=UTC)  # 1.5 h after one, 4.5 h after the other
    assert await dispatch_due(bot.services, bot.app.bot) == 1  # type: ignore[union-attr]
    await late.expect("Time for your routine")
    await stale.no_reply()


async def test_one_failing_reminder_does_not_stop_the_others(database_url: str) -> None:
    due = datetime(2026, 6, 1, 7, tzinfo=UTC)
    services = await dispatcher_services(database_url, due)
    await add_due_reminders(services, 5, due)

    class FlakyBot(RecordingBot):
        async def do_api_request(self, endpoint: str, api_kwargs: dict[str, Any]) -> None:
            if api_kwargs["chat_id"] == 3:
                raise NetworkError("connection reset")
            await super().do_api_request(endpoint, api_kwargs)

    bot = FlakyBot()
    assert await dispatch_due(services, bot) == 4
    await services.engine.dispose()
    assert sorted(bot.sent) == [1, 2, 4, 5]


async def test_a_user_who_blocked_the_bot_stops_getting_reminders(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
    user = new_user()
    await onboarded_with_reminder(user, "07:00", "UTC")
    user.block_bot()
    clock.now = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    assert await dispatch_due(bot.services, bot.app.bot) == 0  # type: ignore[union-attr]
    async with bot.services.sessions() as db:
        row = (await db.execute(select(Reminder))).scalar_one()
        assert row.enabled is False


async def test_two_dispatchers_racing_never_claim_the_same_reminder(database_url: str) -> None:
    due = datetime(2026, 6, 1, 7, tzinfo=UTC)
    services = await dispatcher_services(database_url, due)
    await add_due_reminders(services, 50, due)

    async def dispatcher() -> list[int]:
        claimed: list[int] = []
        for first in range(1, 51, 5):  # batches of five, as the dispatcher claims them
            batch = [
                (user_id, due + timedelta(days=1), due.date())
                for user_id in range(first, first + 5)
            ]
            async with services.transaction() as db:
                claimed.extend(await claim_reminders(db, due, batch))
        return claimed

    first, second = await asyncio.gather(dispatcher(), dispatcher())
    await services.engine.dispose()
    assert sorted(first + second) == list(range(1, 51))  # every reminder once, none twice


async def reach_zone_question(user: ScriptedUser) -> None:
    await onboard(user)
    await user.press("Later")
    await user.expect("daily reminder")
    await user.send("/reminder")
    await user.expect("When would you like")
    await user.press("08:00")
    await user.expect("Which time zone")


async def test_a_shared_location_sets_the_time_zone(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    user = new_user()
    await reach_zone_question(user)
    await user.share_location(-33.87, 151.21)  # Sydney
    await user.expect("On which days")
    await user.press("Every day")
    confirmation = await user.expect("Reminder set")
    assert "Australia/Sydney" in confirmation and "Wed 25 Nov, 08:00" in confirmation


async def test_picking_the_current_local_time_sets_a_fixed_offset(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    user = new_user()
    await reach_zone_question(user)
    await user.press("Pick my current time")
    grid = await user.expect("Which of these is the time")
    assert "daylight-saving" in grid and "17:30" in grid.labels  # India, UTC+5:30
    await user.press("21:00", on=grid)  # UTC+9
    await user.expect("On which days")
    await user.press("Every day")
    confirmation = await user.expect("Reminder set")
    assert "Etc/GMT-9" in confirmation and "Wed 25 Nov, 08:00" in confirmation


async def test_chosen_days_toggle_on_one_message_and_are_kept(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 11, 24, 12, tzinfo=UTC)  # a Tuesday
    user = new_user()
    await reach_zone_question(user)
    await user.send("UTC")
    await user.expect("On which days")
    await user.press("Choose days")
    picker = await user.expect("Tap the days")
    await user.press("Done", on=picker)
    await user.no_reply()
    assert (
        standin.calls_to("answerCallbackQuery")[-1].params["text"]
        == "Please pick at least one day."
    )
    await user.press("Mon", on=picker)
    assert "✓ Mon" in (await user.expect("Tap the days")).labels
    await user.press("Sat", on=picker)
    edited = await user.expect("Tap the days")
    assert edited.kind == "edit" and {"✓ Mon", "✓ Sat"} <= set(edited.labels)
    await user.press("Done", on=picker)
    confirmation = await user.expect("Reminder set")
    assert "Mon, Sat" in confirmation and "Sat 28 Nov, 08:00" in confirmation
    standin.assert_no_refusals()


async def remind_at(bot: RunningBot, user: ScriptedUser, clock: FakeClock) -> None:
    """Set 08:00 UTC every day and deliver the reminder due at 08:00 on 1 June."""
    clock.now = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
    await onboarded_with_reminder(user, "08:00", "UTC")
    clock.now = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    assert await dispatch_due(bot.services, bot.app.bot) == 1  # type: ignore[union-attr]


async def test_snooze_reminds_again_an_hour_later(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    user = new_user()
    await remind_at(bot, user, clock)
    reminder = await user.expect("Time for your routine")
    await user.press("Snooze", on=reminder)
    await user.expect("again in an hour")
    clock.advance(minutes=59)
    assert await dispatch_due(bot.services, bot.app.bot) == 0  # type: ignore[union-attr]
    clock.advance(minutes=1)
    assert await dispatch_due(bot.services, bot.app.bot) == 1  # type: ignore[union-attr]
    await user.expect("Time for your routine")


async def test_skip_today_waits_until_tomorrow(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    user = new_user()
    await remind_at(bot, user, clock)
    reminder = await user.expect("Time for your routine")
    await user.press("Skip today", on=reminder)
    await user.expect("No reminder for the rest of today")
    async with bot.services.sessions() as db:
        row = (await db.execute(select(Reminder))).scalar_one()
    assert row.next_due_utc == datetime(2026, 6, 2, 8, 0, tzinfo=UTC)


async def test_no_reminder_when_todays_session_is_done(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
    user = new_user()
    await onboarded_with_reminder(user, "08:00", "UTC")
    async with bot.services.transaction() as db:
        db.add(finished_session(1, clock.now.date(), started_at=clock.now, ended_at=None))
    clock.now = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    assert await dispatch_due(bot.services, bot.app.bot) == 0  # type: ignore[union-attr]
    await user.no_reply()
    async with bot.services.sessions() as db:
        row = (await db.execute(select(Reminder))).scalar_one()
    assert row.next_due_utc == datetime(2026, 6, 2, 8, 0, tzinfo=UTC)  # tomorrow, not lost


class RecordingBot:
    """Stands in for the Telegram bot in dispatcher races: records who was sent what."""

    def __init__(self) -> None:
        self.sent: list[int] = []

    async def do_api_request(self, endpoint: str, api_kwargs: dict[str, Any]) -> None:
        assert endpoint == "sendMessage"
        await asyncio.sleep(0)  # let the other dispatcher run in between
        self.sent.append(api_kwargs["chat_id"])


async def test_two_dispatchers_racing_never_double_send(database_url: str) -> None:
    due = datetime(2026, 6, 1, 7, tzinfo=UTC)
    instances = [
        await dispatcher_services(database_url, due, reminder_batch_size=7) for _ in range(2)
    ]
    await add_due_reminders(instances[0], 40, due)
    bot = RecordingBot()
    counts = await asyncio.gather(*(dispatch_due(services, bot) for services in instances))
    for services in instances:
        await services.engine.dispose()
    assert sorted(bot.sent) == list(range(1, 41))  # everyone once, nobody twice
    assert sum(counts) == 40
