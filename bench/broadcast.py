"""Paid broadcast: 10,000 reminders due within one minute, sent through the real bot (its
rate limiter, claims and budget on PostgreSQL) to the stand-in enforcing Telegram's limits:
30 free messages a second, 1,000 a second in all with `allow_paid_broadcast`.

`python -m bench.broadcast` runs it alone; `make bench` runs it with the rest.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import asyncpg
from pydantic import SecretStr

from bench import population
from bench.throughput import TOKEN
from bot.app import build_application, freeze_start_up
from bot.reminders import dispatch_due
from bot.settings import Settings
from content.broadcast import PAID_MESSAGES_PER_SECOND, STARS_PER_PAID_MESSAGE
from storage.engine import create_engine
from storage.migrate import upgrade_to_head
from tests.standin import TelegramStandIn

FIRST_CHAT = 9_000_000_000


@dataclass(frozen=True)
class Broadcast:
    due: int
    seconds: float
    delivered: int  # distinct people who got their reminder
    twice: int  # reminders delivered more than once
    paid: int
    refused: int  # answered 429

    @property
    def per_second(self) -> float:
        return (self.delivered + self.twice) / self.seconds


async def add_wave(dsn: str, count: int) -> None:
    """`count` people whose reminders fell due over the last minute, each with a week of
    sessions behind them (so the streak and done-today reads have rows to find)."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            """
            INSERT INTO users (id, telegram_user_id, chat_id, created_at, dose_level, timezone,
                               best_streak, region, side, onboarded_at, screening)
            SELECT g, $2::bigint + g, $2::bigint + g, now() - interval '30 days', 'standard',
                   'UTC', 0, 'lumbar', 'right', now() - interval '30 days', 'clear'
            FROM generate_series(1, $1) AS g
            """,
            count,
            FIRST_CHAT,
        )
        await connection.execute(
            """
            INSERT INTO reminders (user_id, enabled, local_time, weekdays, timezone, next_due_utc)
            SELECT g, true, time '08:00', 127, 'UTC', now() - (g % 60) * interval '1 second'
            FROM generate_series(1, $1) AS g
            """,
            count,
        )
        await connection.execute(
            """
            INSERT INTO exercise_sessions (user_id, status, phase, started_at, ended_at,
                local_date, region, side, dose_level, pain_before, pain_after, reach_before,
                symptom_change, step_index, set_number, ended_by_red_flag, stopped_early)
            SELECT u, 'completed', 'done', now() - d * interval '1 day',
                   now() - d * interval '1 day' + interval '12 minutes',
                   current_date - d, 'lumbar', 'right', 'standard', 3, 2, 2, 'same', 0, 1,
                   false, false
            FROM generate_series(1, $1) AS u, generate_series(1, 7) AS d
            """,
            count,
        )
        await connection.execute("SELECT setval('users_id_seq', $1)", count)
        await connection.execute("ANALYZE users; ANALYZE reminders; ANALYZE exercise_sessions")
    finally:
        await connection.close()


Sends = list[tuple[int, int, bool]]  # (chat id, HTTP status, sent with the paid flag)


def serve_telegram(count: int, pipe: Connection) -> None:
    """The stand-in in a process of its own, as Telegram is: the bot's process does only the
    bot's work. Sends its address, serves until told to stop, then sends back every send."""

    async def serve() -> None:
        standin = TelegramStandIn(
            TOKEN, global_rate_per_second=30, paid_rate_per_second=PAID_MESSAGES_PER_SECOND
        )
        for number in range(1, count + 1):
            standin.open_chat(FIRST_CHAT + number, "R")
        # Telegram does not stop answering while it tidies its memory: the stand-in's heap
        # grows with every call it records, and its full collections paused all answers for
        # 70-230 ms a few times a wave, time the bot cannot make up under 1,000 in any second.
        gc.disable()
        pipe.send(await standin.start())
        await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
        await standin.stop()
        pipe.send(
            [
                (
                    int(call.params["chat_id"]),
                    call.status,
                    call.params.get("allow_paid_broadcast") is True,
                )
                for call in standin.calls_to("sendMessage")
            ]
        )

    asyncio.run(serve())


def receive(pipe: Connection, sender: BaseProcess) -> Any:
    """The next message from the stand-in's process; fails instead of waiting on a dead one."""
    while not pipe.poll(1):
        if not sender.is_alive():
            raise RuntimeError("the stand-in's process ended early")
    return pipe.recv()


async def send_wave(count: int = 10_000) -> Broadcast:
    """The wave, sent once by the bot with paid broadcast on and a budget that covers it."""
    dsn, url = await population.create_database()
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    telegram = multiprocessing.get_context("spawn").Process(
        target=serve_telegram, args=(count, theirs), daemon=True
    )
    telegram.start()
    sends: Sends = []
    try:
        engine = create_engine(url)
        await upgrade_to_head(engine)
        await engine.dispose()
        await add_wave(dsn, count)
        base_url = await asyncio.to_thread(receive, ours, telegram)
        settings = Settings(
            telegram_bot_token=SecretStr(TOKEN),
            telegram_api_base_url=base_url,
            database_url=url,
            allow_paid_broadcast=True,
            paid_broadcast_daily_stars=int(count * STARS_PER_PAID_MESSAGE) + 1,
            paid_broadcast_within_minutes=0,  # due is due: pay for whatever cannot go free now
            _env_file=None,  # type: ignore[call-arg]
        )
        app = build_application(settings)
        freeze_start_up()  # as `python -m bot` does once the bot is built
        async with app:
            started = time.perf_counter()
            sent = await dispatch_due(app.bot_data["services"], app.bot)
            seconds = time.perf_counter() - started
        ours.send("stop")
        sends = await asyncio.to_thread(receive, ours, telegram)
    finally:
        telegram.join(10)
        if telegram.is_alive():
            telegram.kill()
        await population.drop_database(dsn)
    delivered = [chat_id for chat_id, status, _ in sends if status == 200]
    assert sent == len(delivered), (sent, len(delivered))
    return Broadcast(
        due=count,
        seconds=seconds,
        delivered=len(set(delivered)),
        twice=len(delivered) - len(set(delivered)),
        paid=sum(1 for _, status, paid in sends if status == 200 and paid),
        refused=sum(1 for _, status, _ in sends if status == 429),
    )


def describe(result: Broadcast) -> str:
    stars = result.paid * STARS_PER_PAID_MESSAGE
    return (
        f"{result.per_second:,.0f}/s ({result.per_second / PAID_MESSAGES_PER_SECOND:.1%}) "
        f"in {result.seconds:.1f} s; {result.delivered:,} of {result.due:,} delivered, "
        f"{result.twice} twice; {result.paid:,} paid ({stars:,.1f} Stars), "
        f"{result.due - result.paid:,} free; {result.refused} answered 429"
    )


def met(result: Broadcast) -> bool:
    return (
        result.per_second >= 0.95 * PAID_MESSAGES_PER_SECOND
        and result.delivered == result.due
        and result.twice == 0
    )


if __name__ == "__main__":
    outcome = asyncio.run(send_wave())
    print(describe(outcome), "- target met" if met(outcome) else "- target MISSED")
