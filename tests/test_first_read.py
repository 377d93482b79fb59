"""The read at the start of an update stands in for the flow's own reads once, and a place
moved since it (by a second instance) is refused at the write (SQLite and PostgreSQL)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr

from bot import first_read
from bot.engine import PureFlow, step_conversation
from bot.services import Services
from bot.settings import Settings
from content.flows.core import FlowEvent, FlowState, Transition
from content.library import library_for
from storage.conversations import load_conversation, save_conversation
from storage.engine import create_engine, create_session_factory
from storage.first_read import read_person
from storage.migrate import upgrade_to_head
from storage.queries import get_or_create_user

NOW = datetime(2026, 3, 10, 8, tzinfo=UTC)
TOKEN = "123456789:TEST-token_0123456789abcdefghijkl"


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    engine = create_engine(database_url)
    await upgrade_to_head(engine)
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        database_url=database_url,
        _env_file=None,  # type: ignore[call-arg]
    )
    yield Services(settings, library_for, engine, create_session_factory(engine), lambda: NOW)
    first_read.forget()
    await engine.dispose()


def _next_step(state: FlowState | None, event: FlowEvent, env: Any) -> Transition:
    return Transition(FlowState("test", "second", {"from": state.step if state else None}))


NEXT_STEP = PureFlow("test", _next_step)


async def _person_at_first_step(services: Services, telegram_user_id: int) -> int:
    async with services.transaction() as db:
        user = await get_or_create_user(db, telegram_user_id, telegram_user_id, NOW)
        user.language = "de"
        await save_conversation(
            db, user.id, read_version=None, flow="test", step="first", data={}, now=NOW
        )
        return user.id


async def test_the_first_read_brings_the_person_and_their_place_once(services: Services) -> None:
    user_id = await _person_at_first_step(services, 5)
    async with services.single_statement() as connection:
        assert await read_person(connection, 404) is None  # someone new
        person = await read_person(connection, 5)
    assert person is not None and person.conversation is not None
    assert (person.user["id"], person.user["language"]) == (user_id, "de")
    assert (person.conversation.step, person.conversation.version) == ("first", 1)

    first_read.remember(77, person)
    assert first_read.person_read(78) is None  # another update's read is never used
    assert first_read.person_read(77) is not None
    assert first_read.take_state(user_id + 1) == (False, None)  # someone else's place
    assert first_read.take_state(user_id) == (True, person.conversation)
    assert first_read.take_state(user_id) == (False, None)  # taken once
    async with services.transaction():
        pass
    assert first_read.person_read(77) is None  # the update's first transaction used it up


async def test_a_place_moved_after_the_first_read_is_refused_then_read_afresh(
    services: Services,
) -> None:
    user_id = await _person_at_first_step(services, 6)
    async with services.single_statement() as connection:
        person = await read_person(connection, 6)
    first_read.remember(90, person)
    async with services.transaction() as db:  # a second instance moves the place meanwhile
        moved = await save_conversation(
            db, user_id, read_version=1, flow="test", step="elsewhere", data={}, now=NOW
        )
        assert moved
    first_read.remember(90, person)  # as if that instance's write came after this update's read

    async with services.transaction() as db:
        user = await get_or_create_user(db, 6, 6, NOW)
        outcome = await step_conversation(
            db, services, user, NEXT_STEP, FlowEvent("next"), None, {}
        )
    assert outcome.effects is None  # refused: the press is not applied on a stale place

    async with services.transaction() as db:  # the next step reads the database again
        user = await get_or_create_user(db, 6, 6, NOW)
        outcome = await step_conversation(
            db, services, user, NEXT_STEP, FlowEvent("next"), None, {}
        )
        row = await load_conversation(db, user_id)
    assert outcome.effects == ()
    assert row is not None and (row.step, dict(row.data), row.version) == (
        "second",
        {"from": "elsewhere"},
        3,
    )
