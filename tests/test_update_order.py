"""Concurrent across people, in order within a chat (bot/update_processor.py): many chats'
updates overlap, yet each chat's updates are handled one at a time in the order they came."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackContext,
    SimpleUpdateProcessor,
    TypeHandler,
)

from bot.app import build_application
from bot.update_processor import ChatOrderedUpdateProcessor, ordering_key
from bot.webhook import start_webhook
from tests.conftest import TOKEN, FakeClock, RunningBot, make_settings
from tests.standin import ScriptedUser, TelegramStandIn
from tests.test_webhook import SECRET, free_port


class OrderWatch:
    """Handlers that bracket each update (the first group and the last) with random awaits,
    and note per chat the order updates began in and whether two of one chat overlapped."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.began: dict[int, list[str]] = defaultdict(list)  # chat -> texts in the order begun
        self.running: dict[int, int] = {}  # chat -> the update of it being handled now
        self.overlaps: list[tuple[int, int, int]] = []  # (chat, running update, newcomer)
        self.most_chats_at_once = 0
        self.finished = 0
        self._all_finished = asyncio.Event()
        self.expected = 0

    async def _yield_randomly(self) -> None:
        for _ in range(self.random.randint(0, 6)):
            await asyncio.sleep(0)  # gives other updates a turn without any real waiting

    async def begin(self, update: Update, _context: Any) -> None:
        assert update.effective_chat is not None
        chat = update.effective_chat.id
        if chat in self.running:
            self.overlaps.append((chat, self.running[chat], update.update_id))
        self.running[chat] = update.update_id
        assert update.message is not None
        self.began[chat].append(update.message.text or "")
        self.most_chats_at_once = max(self.most_chats_at_once, len(self.running))
        await self._yield_randomly()

    async def end(self, update: Update, _context: Any) -> None:
        await self._yield_randomly()
        assert update.effective_chat is not None
        if self.running.get(update.effective_chat.id) == update.update_id:
            del self.running[update.effective_chat.id]
        self.finished += 1
        if self.finished == self.expected:
            self._all_finished.set()

    def watch(self, app: Application[Any, Any, Any, Any, Any, Any], expected: int) -> None:
        self.expected = expected
        app.add_handler(TypeHandler(Update, self.begin), group=-100)
        app.add_handler(TypeHandler(Update, self.end), group=100)

    async def all_finished(self) -> None:
        await asyncio.wait_for(self._all_finished.wait(), timeout=60)


def interleaved(sequences: dict[int, list[str]], rng: random.Random) -> list[tuple[int, str]]:
    """Every chat's items in its own order, the chats mixed at random."""
    remaining = {chat: list(items) for chat, items in sequences.items()}
    mixed = []
    while remaining:
        chat = rng.choice(sorted(remaining))
        mixed.append((chat, remaining[chat].pop(0)))
        if not remaining[chat]:
            del remaining[chat]
    return mixed


async def test_every_chat_is_handled_in_order_while_chats_overlap(
    standin: TelegramStandIn, database_url: str, clock: FakeClock
) -> None:
    """Through the real coach: 24 people send 4 messages each, mixed; Telegram's order is kept
    per chat, no chat has two updates running at once, several chats run at once, and no more
    than CONCURRENT_UPDATES of them."""
    runner = RunningBot(standin, database_url, clock, concurrent_updates=6)
    app = await runner.start()
    try:
        watch = OrderWatch(seed=17)
        people = {n: ScriptedUser(standin, f"P{n}") for n in range(24)}
        said = {n: ["/start", "hello", "/help", "thank you"] for n in people}
        watch.watch(app, expected=sum(map(len, said.values())))
        for n, text in interleaved(said, random.Random(3)):
            await people[n].send(text)
        await watch.all_finished()
    finally:
        await runner.stop()

    assert watch.overlaps == []
    assert dict(watch.began) == {person.user_id: said[n] for n, person in people.items()}
    assert 2 <= watch.most_chats_at_once <= 6
    processor = app.update_processor
    assert isinstance(processor, ChatOrderedUpdateProcessor)
    assert processor.busy_chats == 0  # idle chats leave nothing behind
    standin.assert_no_refusals()
    for person in people.values():  # and each was answered: /start gets the disclaimer
        assert standin.calls_to("sendMessage", person.user_id)


async def test_webhook_deliveries_beyond_the_default_pool_all_get_handled(
    standin: TelegramStandIn, postgres_url: str, clock: FakeClock
) -> None:
    """On PostgreSQL a webhook update holds its claim's connection while its handlers use
    another: with 20 updates at once (more than SQLAlchemy's default 15 connections) and 40
    people starting together, each is answered and no handler waits for a free connection."""
    port = free_port()
    settings = make_settings(
        standin,
        postgres_url,
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret=SECRET,
        concurrent_updates=20,
    )
    application = build_application(settings, clock=clock)
    async with application:
        assert application.post_init is not None
        await application.post_init(application)
        await application.start()
        server = await start_webhook(application, settings)
        try:
            people = [ScriptedUser(standin, f"P{n}") for n in range(40)]
            for person in people:
                await person.send("/start")
            for person in people:
                assert "not medical advice" in await person.reply()
        finally:
            await server.stop()
            await application.stop()
    assert application.post_shutdown is not None
    await application.post_shutdown(application)
    assert sorted(status for _, _, status in standin.deliveries) == [200] * 40
    standin.assert_no_refusals()


@pytest.fixture
async def bare_app(
    standin: TelegramStandIn,
) -> AsyncIterator[Any]:
    """A plain PTB Application (no coach handlers) against the stand-in, given a processor."""
    started: list[Application[Any, Any, Any, Any, Any, Any]] = []

    async def build(processor: BaseUpdateProcessor) -> Application[Any, Any, Any, Any, Any, Any]:
        app = (
            Application.builder()
            .token(TOKEN)
            .base_url(f"{standin.base_url}/bot")
            .concurrent_updates(processor)
            .updater(None)
            .build()
        )
        await app.initialize()
        await app.start()
        started.append(app)
        return app

    yield build
    for app in started:
        await app.stop()
        await app.shutdown()


def message_update(app: Any, update_id: int, chat_id: int, text: str = "hi") -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "P"},
                "text": text,
            },
        },
        app.bot,
    )


@pytest.mark.parametrize(
    ("processor_type", "keeps_order"),
    [(ChatOrderedUpdateProcessor, True), (SimpleUpdateProcessor, False)],
    ids=["ours", "plain-concurrency"],
)
async def test_plain_concurrency_would_break_the_order_this_watch_checks(
    bare_app: Any, processor_type: type[BaseUpdateProcessor], keeps_order: bool
) -> None:
    """The same watch on a bare Application: PTB's plain concurrency mixes a chat's updates up
    (so the check above has teeth); ours keeps them in order, 40 chats of 10 updates each."""
    app = await bare_app(processor_type(16))
    watch = OrderWatch(seed=5)
    sent = {chat: [str(n) for n in range(10)] for chat in range(1000, 1040)}
    arrivals = interleaved(sent, random.Random(8))
    watch.watch(app, expected=len(arrivals))
    for update_id, (chat, text) in enumerate(arrivals, start=1):
        await app.update_queue.put(message_update(app, update_id, chat, text))
    await watch.all_finished()

    assert (watch.overlaps == [] and dict(watch.began) == sent) is keeps_order
    assert watch.most_chats_at_once >= 2


async def test_a_person_tapping_fast_holds_one_slot_not_all(bare_app: Any) -> None:
    """With two slots, 30 quick updates from one chat do not hold up another chat's update."""
    app = await bare_app(ChatOrderedUpdateProcessor(2))
    finished: list[int] = []
    all_done = asyncio.Event()

    async def slow_turn(update: Update, _context: CallbackContext[Any, Any, Any, Any]) -> None:
        for _ in range(3):
            await asyncio.sleep(0)
        assert update.effective_chat is not None
        finished.append(update.effective_chat.id)
        if len(finished) == 31:
            all_done.set()

    app.add_handler(TypeHandler(Update, slow_turn))
    for update_id in range(1, 31):
        await app.update_queue.put(message_update(app, update_id, chat_id=1))
    await app.update_queue.put(message_update(app, 31, chat_id=2))
    await asyncio.wait_for(all_done.wait(), timeout=30)

    assert finished.index(2) < 5  # it ran beside the flood, not after it


PERSON = {"id": 42, "is_bot": False, "first_name": "P"}
GROUP = {"id": -7, "type": "group", "title": "G"}
MESSAGE = {
    "message_id": 1,
    "date": 0,
    "chat": {"id": 42, "type": "private"},
    "from": PERSON,
    "text": "hi",
}
INLINE_PRESS = {"id": "q", "from": PERSON, "chat_instance": "c", "inline_message_id": "i"}
ADDED_TO_GROUP = {
    "chat": GROUP,
    "from": PERSON,
    "date": 0,
    "old_chat_member": {"user": PERSON, "status": "left"},
    "new_chat_member": {"user": PERSON, "status": "member"},
}
POLL = {
    "id": "p",
    "question": "?",
    "options": [],
    "total_voter_count": 0,
    "is_closed": False,
    "is_anonymous": True,
    "type": "regular",
    "allows_multiple_answers": False,
    "allows_revoting": False,
    "members_only": False,
}


@pytest.mark.parametrize(
    ("kind", "body", "key"),
    [
        ("message", MESSAGE, 42),
        ("callback_query", INLINE_PRESS, 42),  # a press on an inline message has no chat
        ("my_chat_member", ADDED_TO_GROUP, -7),
        ("poll", POLL, None),  # nobody's: runs beside everything
    ],
)
def test_updates_are_ordered_by_chat_then_person(
    kind: str, body: dict[str, Any], key: int | None
) -> None:
    assert ordering_key(Update.de_json({"update_id": 1, kind: body}, None)) == key


def test_what_is_not_an_update_is_nobodys() -> None:
    assert ordering_key(RuntimeError("a polling error PTB passes along")) is None
