"""Many people at once through the real Application (its per-chat update processor, handlers,
database, job queue) with Telegram in memory: updates/s when everyone taps as soon as they
see the answer, and tap-to-reply latency under an open-loop load.

Updates go in through the Application's update queue, as polling and the webhook put them.
Open loop: updates are injected on a schedule whether or not earlier ones were answered, so a
slow bot meets a growing backlog instead of fewer taps. Latency runs from the moment an update
was due to the first Bot API request made while handling it (an edit, a new message or the
answer to a press), measured in the bot: Telegram's own round trips come on top.
"""

from __future__ import annotations

import asyncio
import logging
import random
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from telegram import Update
from telegram.ext import TypeHandler
from telegram.request import RequestData

from bench.fake_telegram import FakeTelegram
from bench.throughput import TOKEN, message_update, press_update
from bot.app import build_application
from bot.services import SERVICES_KEY, CoachApp, CoachContext
from bot.settings import Settings

# What a simulated person taps, first match wins: onboarding with one activity, then sessions
# set by set. With none of these on screen (a session just ended) they ask for the next one.
PREFERRED_BUTTONS = (
    "I understand",
    "Low back",
    "Right",
    "No, none",
    "Sitting for 30 minutes",
    "Done",
    "Start now",
    "✓ Set done",
    "About the same",
    "No thanks",
    "5",
)
FIRST_CHAT_ID = 7_100_000_000
# The loads `make bench` and `make bench-quick` measure.
CONCURRENT_PEOPLE, CONCURRENT_TAPS = 100, 30
OFFERED_PEOPLE, OFFERED_PER_SECOND, OFFERED_SECONDS = 500, 500.0, 30.0

# The update being handled in this task, so the in-memory Telegram knows whose reply it gets.
handling: ContextVar[int | None] = ContextVar("handling", default=None)


class TimedTelegram(FakeTelegram):
    """The in-memory Telegram, noting when the first request made for each update arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.first_request_at: dict[int, float] = {}  # update id -> perf_counter()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        update_id = handling.get()
        if update_id is not None and update_id not in self.first_request_at:
            self.first_request_at[update_id] = time.perf_counter()
        return await super().do_request(url, method, request_data, *args, **kwargs)


class Person:
    """One simulated person: /start first, then whatever they see on screen."""

    def __init__(self, chat_id: int) -> None:
        self.chat_id = chat_id
        self.started = False

    def next_update(self, telegram: FakeTelegram) -> dict[str, Any]:
        if not self.started:
            self.started = True
            return message_update(self.chat_id, "/start")
        message = telegram.latest.get(self.chat_id)
        labels = [
            button["text"]
            for row in (message or {}).get("reply_markup", {}).get("inline_keyboard", [])
            for button in row
        ]
        for preferred in PREFERRED_BUTTONS:
            if any(label.startswith(preferred) for label in labels):
                shown, data = telegram.button(self.chat_id, preferred)
                return press_update(self.chat_id, shown, data)
        return message_update(self.chat_id, "/exercise")


class Handled:
    """Handlers around every update: the first notes whose update this task handles, the last
    that it is done (resolving whoever waits for it)."""

    def __init__(self) -> None:
        self.waiting: dict[int, asyncio.Future[None]] = {}
        self.finished_at: dict[int, float] = {}

    async def begin(self, update: Update, _context: CoachContext) -> None:
        handling.set(update.update_id)

    async def end(self, update: Update, _context: CoachContext) -> None:
        self.finished_at[update.update_id] = time.perf_counter()
        waiter = self.waiting.pop(update.update_id, None)
        if waiter is not None:
            waiter.set_result(None)

    def done(self, update_id: int) -> asyncio.Future[None]:
        future = self.waiting[update_id] = asyncio.get_running_loop().create_future()
        return future


class ErrorCount(logging.Handler):
    """Counts what the bot's error handler logs: an update that failed counts, however fast."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@dataclass
class RunningCoach:
    app: CoachApp
    telegram: TimedTelegram
    handled: Handled
    errors: ErrorCount

    async def tap(self, person: Person) -> None:
        """One tap, waiting until the bot has handled it."""
        update = person.next_update(self.telegram)
        done = self.handled.done(update["update_id"])
        self.app.update_queue.put_nowait(Update.de_json(update, self.app.bot))
        await asyncio.wait_for(done, timeout=120)


async def open_every_connection(engine: AsyncEngine) -> None:
    """Open the whole pool before measuring: a running bot has long had its connections open,
    and opening one (a PostgreSQL backend, asyncpg's type setup) takes milliseconds."""
    held: list[AsyncConnection] = []
    try:
        for _ in range(engine.pool.size()):  # type: ignore[attr-defined]
            connection = await engine.connect()
            held.append(connection)
            await connection.exec_driver_sql("SELECT 1")
    finally:
        for connection in held:
            await connection.close()


@asynccontextmanager
async def running_coach(database_url: str, cache_dir: Path) -> AsyncIterator[RunningCoach]:
    """The bot started as `python -m bot` starts it, minus polling, with pictures drawn."""
    telegram = TimedTelegram()
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        database_url=database_url,
        picture_cache_dir=cache_dir,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = build_application(settings, request=telegram, rate_limited=False)
    handled = Handled()
    app.add_handler(TypeHandler(Update, handled.begin), group=-1000)
    app.add_handler(TypeHandler(Update, handled.end), group=1000)
    await app.initialize()
    assert app.post_init is not None and app.post_shutdown is not None
    await app.post_init(app)
    await app.start()
    errors = ErrorCount()
    logging.getLogger("bot.fallbacks").addHandler(errors)
    coach = RunningCoach(app, telegram, handled, errors)
    try:
        warm_up = Person(FIRST_CHAT_ID - 1)  # draws the pictures, fills the caches
        for _ in range(40):
            await coach.tap(warm_up)
        await open_every_connection(app.bot_data[SERVICES_KEY].engine)
        yield coach
    finally:
        logging.getLogger("bot.fallbacks").removeHandler(errors)
        await app.stop()
        await app.shutdown()
        await app.post_shutdown(app)


@dataclass(frozen=True)
class Rate:
    updates: int
    seconds: float
    people: int
    errors: int

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds


async def concurrent_rate(database_url: str, cache_dir: Path, people: int, taps: int) -> Rate:
    """Updates/s with `people` tapping at once, each as soon as their last tap was handled."""
    async with running_coach(database_url, cache_dir) as coach:
        crowd = [Person(FIRST_CHAT_ID + n) for n in range(people)]

        async def keep_tapping(person: Person) -> None:
            for _ in range(taps):
                await coach.tap(person)

        started = time.perf_counter()
        await asyncio.gather(*(keep_tapping(person) for person in crowd))
        elapsed = time.perf_counter() - started
    return Rate(people * taps, elapsed, people, coach.errors.count)


@dataclass(frozen=True)
class Latency:
    offered_per_second: float
    people: int
    injected: int
    answered: int
    handled_per_second: float  # injected updates over the time until the last was handled
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int


async def open_loop_latency(
    database_url: str, cache_dir: Path, people: int, per_second: float, seconds: float
) -> Latency:
    """Tap-to-reply latency with `per_second` taps due from `people` people, on a schedule.

    Each second every person taps once, in a random order, on whatever they see (a person
    whose last tap is unanswered taps the same screen again, as people do).
    """
    rng = random.Random(17)
    async with running_coach(database_url, cache_dir) as coach:
        crowd = [Person(FIRST_CHAT_ID + n) for n in range(people)]
        rounds = round(seconds * per_second / people)
        order = [person for _ in range(rounds) for person in rng.sample(crowd, len(crowd))]
        due_at: dict[int, float] = {}
        start = time.perf_counter() + 0.05
        for slot, person in enumerate(order):
            due = start + slot / per_second
            if (wait := due - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            update = person.next_update(coach.telegram)  # late: injected at once, still due then
            due_at[update["update_id"]] = due
            coach.app.update_queue.put_nowait(Update.de_json(update, coach.app.bot))
        deadline = time.perf_counter() + 120
        while not due_at.keys() <= coach.handled.finished_at.keys():
            if time.perf_counter() > deadline:
                break
            await asyncio.sleep(0.05)
        replies = coach.telegram.first_request_at
        latencies = [replies[key] - due for key, due in due_at.items() if key in replies]
        last_handled = max(coach.handled.finished_at.get(key, 0.0) for key in due_at)
        errors = coach.errors.count
    percentiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return Latency(
        offered_per_second=per_second,
        people=people,
        injected=len(due_at),
        answered=len(latencies),
        handled_per_second=len(due_at) / (last_handled - start),
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=percentiles[98] * 1000,
        max_ms=max(latencies) * 1000,
        errors=errors,
    )
