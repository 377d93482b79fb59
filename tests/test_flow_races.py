"""A double tap or a second instance never applies one press twice: the same press, raced by
two transactions on PostgreSQL through the engine's compare-and-set, is applied once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.engine import (
    ConversationFlow,
    EnvBuilder,
    Outcome,
    RecordHandler,
    step_conversation,
)
from bot.onboarding import ONBOARDING, PROFILE_RECORDS
from bot.onboarding import env_for as onboarding_env
from bot.reminder_settings import RECORDS as REMINDER_RECORDS
from bot.reminder_settings import REMINDER
from bot.reminder_settings import env_for as reminder_env
from bot.services import Services
from content.flows import onboarding, reminder
from content.flows.core import FlowEvent
from storage.models import Reminder, User
from storage.queries import get_or_create_user
from tests.conftest import FakeClock, RunningBot
from tests.databases import backends_waiting_on_a_lock
from tests.standin import TelegramStandIn


async def step(
    services: Services,
    user_id: int,
    flow: ConversationFlow,
    event: FlowEvent,
    env_for: EnvBuilder,
    records: dict[type, RecordHandler],
) -> Outcome:
    """One press, in a transaction of its own."""
    async with services.transaction() as db:
        user = await db.get(User, user_id)
        assert user is not None
        return await step_conversation(
            db, services, user, flow, event, await env_for(db, services, user), records
        )


async def race_same_press(
    services: Services,
    database_url: str,
    user_id: int,
    flow: ConversationFlow,
    event: FlowEvent,
    env_for: EnvBuilder,
    records: dict[type, RecordHandler],
) -> tuple[list[Outcome], Counter[type]]:
    """Apply `event` twice at once: the first holds its transaction open until the second has
    read the same state and waits on the row; returns both outcomes and the records written."""
    written: Counter[type] = Counter()

    def counted(handler: RecordHandler) -> RecordHandler:
        async def record(db: Any, services: Services, user: User, effect: Any) -> None:
            written[type(effect)] += 1
            await handler(db, services, user, effect)

        return record

    counting = {kind: counted(handler) for kind, handler in records.items()}
    first_stepped = asyncio.Event()

    async def first() -> Outcome:
        async with services.transaction() as db:
            user = await db.get(User, user_id)
            assert user is not None
            env = await env_for(db, services, user)
            outcome = await step_conversation(db, services, user, flow, event, env, counting)
            first_stepped.set()
            # Only the server knows when the second press waits on this row: ask it.
            while await backends_waiting_on_a_lock(database_url) == 0:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        return outcome

    async def second() -> Outcome:
        await first_stepped.wait()
        return await step(services, user_id, flow, event, env_for, counting)

    outcomes = await asyncio.wait_for(asyncio.gather(first(), second()), timeout=20)
    return list(outcomes), written


@pytest.fixture
async def on_postgres(
    standin: TelegramStandIn, postgres_url: str, clock: FakeClock
) -> AsyncIterator[tuple[Services, int]]:
    """The real bot's services on a fresh PostgreSQL database, and one person's id."""
    running = RunningBot(standin, postgres_url, clock)
    await running.start()
    async with running.services.transaction() as db:
        user_id = (await get_or_create_user(db, 77, 77, clock())).id
    yield running.services, user_id
    await running.stop()


async def test_the_same_reminder_days_press_raced_twice_saves_once(
    on_postgres: tuple[Services, int], postgres_url: str
) -> None:
    services, user_id = on_postgres
    for event in (
        FlowEvent(reminder.Kind.BEGIN),
        FlowEvent(reminder.Kind.TIME, ("0800",)),
        FlowEvent(reminder.Kind.ZONE, ("keep",)),
    ):
        await step(services, user_id, REMINDER, event, reminder_env, REMINDER_RECORDS)
    every_day = FlowEvent(reminder.Kind.DAYS, ("all",))
    outcomes, written = await race_same_press(
        services, postgres_url, user_id, REMINDER, every_day, reminder_env, REMINDER_RECORDS
    )
    assert [outcome.effects is None for outcome in outcomes] == [False, True]
    assert written == Counter({reminder.SaveReminder: 1})
    async with services.transaction() as db:
        saved = await db.get(Reminder, user_id)
    assert saved is not None and saved.enabled and saved.weekdays == 0b1111111


async def test_the_same_onboarding_area_press_raced_twice_is_saved_once(
    on_postgres: tuple[Services, int], postgres_url: str
) -> None:
    services, user_id = on_postgres
    for event in (FlowEvent(onboarding.Kind.START), FlowEvent(onboarding.Kind.ACCEPT)):
        await step(services, user_id, ONBOARDING, event, onboarding_env, PROFILE_RECORDS)
    low_back = FlowEvent(onboarding.Kind.REGION, ("lumbar",))
    outcomes, written = await race_same_press(
        services, postgres_url, user_id, ONBOARDING, low_back, onboarding_env, PROFILE_RECORDS
    )
    assert [outcome.effects is None for outcome in outcomes] == [False, True]
    assert written == Counter({onboarding.SaveProfile: 1})
    async with services.transaction() as db:
        user = await db.get(User, user_id)
    assert user is not None and user.region == "lumbar"
