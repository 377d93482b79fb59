"""Reminder waves with paid broadcast switched on: free while the free rate is in time, paid
only for the excess, free again once the day's Stars are spent, the budget shared between
instances; every reminder sent exactly once. The stand-in enforces Telegram's limits."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time

import pytest

from bot.app import build_application
from bot.reminders import dispatch_due
from bot.services import CoachApp, Services
from content.broadcast import paid_messages_affordable
from storage.broadcast import paid_messages_on, take_paid_messages
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade_to_head
from storage.queries import get_or_create_user
from storage.reminders import save_reminder
from tests.conftest import FakeClock, make_settings
from tests.standin import TelegramStandIn

DUE = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
TODAY = DUE.date()


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramStandIn]:
    """The stand-in with Telegram's limits: 30 free messages/s, 1,000/s with paid broadcast."""
    server = TelegramStandIn(
        "123456789:TEST-token_for-the-stand-in-0123456789",
        global_rate_per_second=30,
        paid_rate_per_second=1000,
    )
    await server.start()
    yield server
    await server.stop()


def coach(telegram: TelegramStandIn, database_url: str, **settings: object) -> CoachApp:
    values: dict[str, object] = {
        "allow_paid_broadcast": True,
        "paid_broadcast_daily_stars": 1000,
        "messages_per_second": 25,
        "paid_broadcast_within_minutes": 0.1,  # six seconds: 150 reminders at 25/s
        **settings,
    }
    return build_application(make_settings(telegram, database_url, **values), clock=FakeClock(DUE))


def services_of(app: CoachApp) -> Services:
    services = app.bot_data["services"]
    assert isinstance(services, Services)
    return services


async def add_due_reminders(telegram: TelegramStandIn, services: Services, count: int) -> None:
    await upgrade_to_head(services.engine)
    async with services.transaction() as db:
        for number in range(count):
            telegram_id = 5_000_000 + number
            telegram.open_chat(telegram_id, f"P{number}")
            user = await get_or_create_user(db, telegram_id, telegram_id, DUE)
            user.region, user.side, user.onboarded_at, user.screening = (
                "lumbar",
                "right",
                DUE,
                "clear",
            )
            user.screened_at = DUE
            await save_reminder(
                db, user.id, local_time=time(8), weekdays=127, timezone="UTC", next_due_utc=DUE
            )


def sent(telegram: TelegramStandIn, *, paid: bool) -> list[int]:
    """Chat ids that received a reminder, with or without the paid flag."""
    return [
        int(call.params["chat_id"])
        for call in telegram.calls_to("sendMessage")
        if call.status == 200 and (call.params.get("allow_paid_broadcast") is True) == paid
    ]


async def dispatch(app: CoachApp) -> int:
    async with app:
        return await dispatch_due(services_of(app), app.bot)


async def spent_today(services: Services) -> int:
    async with services.sessions() as db:
        return await paid_messages_on(db, TODAY)


async def test_a_wave_the_free_rate_delivers_in_time_goes_out_free(
    telegram: TelegramStandIn, sqlite_url: str
) -> None:
    app = coach(telegram, sqlite_url)
    await add_due_reminders(telegram, services_of(app), 40)
    assert await dispatch(app) == 40
    assert sent(telegram, paid=True) == []
    assert sorted(sent(telegram, paid=False)) == sorted(telegram.chats)  # each exactly once
    assert await spent_today(services_of(app)) == 0
    telegram.assert_no_refusals()


async def test_a_large_wave_pays_only_for_what_the_free_rate_cannot_deliver_in_time(
    telegram: TelegramStandIn, database_url: str
) -> None:
    app = coach(telegram, database_url)
    await add_due_reminders(telegram, services_of(app), 400)
    assert await dispatch(app) == 400
    paid, free = sent(telegram, paid=True), sent(telegram, paid=False)
    assert sorted(paid + free) == sorted(telegram.chats)  # each exactly once
    # Six seconds at 25/s: 150 free in time, the other 250 paid (batch rounding aside).
    assert 145 <= len(free) <= 150 and len(paid) == 400 - len(free)
    assert await spent_today(services_of(app)) == len(paid) == telegram.paid_messages
    telegram.assert_no_refusals()


async def test_a_spent_budget_falls_back_to_the_free_rate(
    telegram: TelegramStandIn, sqlite_url: str
) -> None:
    # 50 messages a day; 1.2 seconds at 25/s carry 30 of the 90 reminders in time.
    app = coach(
        telegram, sqlite_url, paid_broadcast_daily_stars=5, paid_broadcast_within_minutes=0.02
    )
    services = services_of(app)
    await add_due_reminders(telegram, services, 90)
    async with services.transaction() as db:  # earlier waves today took 30 of them
        assert await take_paid_messages(db, TODAY, 30, 50) == 30
    assert await dispatch(app) == 90
    paid, free = sent(telegram, paid=True), sent(telegram, paid=False)
    assert len(paid) == 20 and len(free) == 70  # 60 would help, 20 are left: the rest go free
    assert sorted(paid + free) == sorted(telegram.chats)
    assert await spent_today(services) == 50
    telegram.assert_no_refusals()


async def test_two_instances_drawing_at_once_never_overspend_the_shared_budget(
    postgres_url: str,
) -> None:
    engines = [create_engine(postgres_url, connections=4) for _ in range(2)]  # few: shared server
    await upgrade_to_head(engines[0])
    sessions = [create_session_factory(engine) for engine in engines]
    allowance = paid_messages_affordable(100)  # 100 Stars: 1,000 messages

    async def draw(instance: int) -> int:
        async with sessions[instance]() as db, db.begin():
            return await take_paid_messages(db, TODAY, 7, allowance)

    try:
        grants = await asyncio.gather(*(draw(n % 2) for n in range(200)))
        async with sessions[0]() as db:
            spent = await paid_messages_on(db, TODAY)
    finally:
        for engine in engines:
            await engine.dispose()
    assert sum(grants) == spent == allowance  # 1,400 asked for, exactly 1,000 granted
    assert sorted(set(grants)) == [0, 6, 7]  # the last grant is what was left


async def test_two_instances_share_one_wave_and_one_budget_on_postgresql(
    telegram: TelegramStandIn, postgres_url: str
) -> None:
    settings = {"paid_broadcast_daily_stars": 12, "messages_per_second": 12}  # 120 paid at most
    apps = [coach(telegram, postgres_url, **settings) for _ in range(2)]
    await add_due_reminders(telegram, services_of(apps[0]), 300)
    counts = await asyncio.gather(*(dispatch(app) for app in apps))
    paid, free = sent(telegram, paid=True), sent(telegram, paid=False)
    assert sum(counts) == 300 and all(counts)  # both instances sent some
    assert sorted(paid + free) == sorted(telegram.chats)  # each exactly once between them
    spent = await spent_today(services_of(apps[0]))
    assert spent == len(paid) == telegram.paid_messages <= 120
    telegram.assert_no_refusals()
