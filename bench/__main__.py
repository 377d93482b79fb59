"""`make bench`: measure, then write docs/benchmarks.md with the machine and the date.

Every figure is written as measured, beside its target and whether it was met.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from pydantic import SecretStr

from bench import broadcast, floors, population
from bench import latency as load
from bench.throughput import TOKEN, Rate, coach_rate, echo_rate
from bot.app import build_application
from bot.progress import load_progress, pain_line
from bot.reminders import dispatch_due
from bot.services import Services
from bot.settings import Settings
from content.library import library_for
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade_to_head
from storage.models import User
from storage.reminders import due_reminders
from tests.standin import TelegramStandIn

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "benchmarks.md"


@dataclass
class Figure:
    name: str
    measured: str
    target: str
    met: bool | None  # None: recorded for information, no target

    def row(self) -> str:
        verdict = {True: "met", False: "**missed**", None: "-"}[self.met]
        return f"| {self.name} | {self.measured} | {self.target} | {verdict} |"


def say(text: str) -> None:
    print(text, flush=True)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def bench_throughput(figures: list[Figure]) -> Rate:
    """The coach's updates/s beside the echo bot's; returns the echo bot's, for the floors."""
    say("throughput: coach (SQLite and PostgreSQL) and echo bot ...")
    echo = await echo_rate(3000)
    with tempfile.TemporaryDirectory() as folder:
        sqlite = await coach_rate(f"sqlite+aiosqlite:///{folder}/b.sqlite3", 20, Path(folder) / "p")
        dsn, url = await population.create_database()
        try:
            postgres = await coach_rate(url, 20, Path(folder) / "p")
        finally:
            await population.drop_database(dsn)
    figures.append(
        Figure(
            "Echo bot, updates/s (bare PTB, same in-memory Telegram)",
            f"{echo.per_second:,.0f}",
            "reference",
            None,
        )
    )
    # The target is PostgreSQL's, the several-instance design (issue 17); SQLite is shown beside.
    for label, rate, target in (("SQLite", sqlite, None), ("PostgreSQL", postgres, 0.15)):
        ratio = rate.per_second / echo.per_second
        figures.append(
            Figure(
                f"Coach, full onboarding + lumbar session, updates/s, one after another "
                f"({label}; {rate.updates} updates)",
                f"{rate.per_second:,.0f} ({ratio:.1%} of echo; "
                f"{1000 / rate.per_second:.2f} ms an update)",
                f">= {target:.0%} of echo" if target else "-",
                ratio >= target if target else None,
            )
        )
    return echo


async def bench_floors(figures: list[Figure], echo: Rate) -> None:
    say("floors: a press's Telegram calls alone, and its state change four ways ...")
    press = await floors.press_floor_rate(3000)
    costs = await floors.state_change_costs()
    figures.append(
        Figure(
            "Floor: a bare PTB bot making a press's Telegram calls (edit, send a question with "
            "buttons, answer), no database, presses/s",
            f"{press.per_second:,.0f} ({press.per_second / echo.per_second:.0%} of echo; "
            f"{1000 / press.per_second:.2f} ms a press)",
            "-",
            None,
        )
    )
    figures.append(
        Figure(
            "Floor: one press's state change on PostgreSQL (read, compare-and-set write, commit)",
            floors.describe_costs(costs),
            "-",
            None,
        )
    )


async def bench_concurrency(figures: list[Figure]) -> None:
    say("concurrency: many people at once, and latency under an open-loop load ...")
    with tempfile.TemporaryDirectory() as folder:
        pictures = Path(folder) / "pictures"
        async with population.fresh_database() as url:
            rate = await load.concurrent_rate(
                url, pictures, load.CONCURRENT_PEOPLE, load.CONCURRENT_TAPS
            )
        async with population.fresh_database() as url:
            latency = await load.open_loop_latency(
                url, pictures, load.OFFERED_PEOPLE, load.OFFERED_PER_SECOND, load.OFFERED_SECONDS
            )
        async with population.fresh_database() as url:  # the target's load, halved
            half = await load.open_loop_latency(
                url,
                pictures,
                load.OFFERED_PEOPLE // 2,
                load.OFFERED_PER_SECOND / 2,
                load.OFFERED_SECONDS,
            )
    figures.append(
        Figure(
            f"Coach, {rate.people} people tapping at once, updates/s (PostgreSQL; "
            f"{rate.updates} updates)",
            f"{rate.per_second:,.0f} ({rate.errors} failed)",
            "none failed",
            rate.errors == 0,
        )
    )
    figures += latency_figures(latency, "< 50 ms, all answered, none failed")
    figures += latency_figures(half, None)


def latency_figures(latency: load.Latency, target: str | None) -> list[Figure]:
    """The p50 and p99 rows of one open-loop run; `target` for the p99 (None: information)."""
    offered = (
        f"{latency.offered_per_second:.0f} taps/s due from {latency.people} people, open loop, "
        f"PostgreSQL; {latency.injected:,} taps"
    )
    all_answered = latency.answered == latency.injected and not latency.errors
    return [
        Figure(
            f"Tap-to-reply latency, p50 ({offered})",
            f"{latency.p50_ms:.1f} ms (bot handled {latency.handled_per_second:,.0f}/s)",
            "-",
            None,
        ),
        Figure(
            f"Tap-to-reply latency, p99 ({offered})",
            f"{latency.p99_ms:.1f} ms (max {latency.max_ms:.1f} ms; "
            f"{latency.answered:,} of {latency.injected:,} answered, {latency.errors} failed)",
            target or "-",
            (latency.p99_ms < 50 and all_answered) if target else None,
        ),
    ]


async def claim_query_ms(url: str) -> float:
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    samples = []
    try:
        for _ in range(40):
            async with sessions() as db:
                started = time.perf_counter()
                await due_reminders(db, datetime.now(UTC), 200)
                samples.append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    return median_ms(samples[5:])  # the first runs warm the connection and caches


def startup(url: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, "-m", "bench.startup", url, str(time.time())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )
    result: dict[str, float] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


async def delivered_per_second(url: str, dsn: str, count: int) -> tuple[float, int, int, int]:
    """Reminders per second through the real bot to a stand-in enforcing 30 messages/s."""
    standin = TelegramStandIn(TOKEN, global_rate_per_second=30)
    await standin.start()
    chat_ids = await population.make_due(dsn, count)
    for chat_id in chat_ids:
        standin.open_chat(chat_id, "R")
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        telegram_api_base_url=standin.base_url,
        database_url=url,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = build_application(settings)
    try:
        async with app:
            started = time.perf_counter()
            sent = await dispatch_due(app.bot_data["services"], app.bot)
            elapsed = time.perf_counter() - started
    finally:
        await standin.stop()
    delivered = [
        int(call.params["chat_id"])
        for call in standin.calls_to("sendMessage")
        if call.status == 200
    ]
    assert sent == len(delivered)
    refused = sum(1 for call in standin.calls_to("sendMessage") if call.status == 429)
    duplicates = len(delivered) - len(set(delivered))
    return len(delivered) / elapsed, len(set(delivered)), duplicates, refused


async def bench_reminders(figures: list[Figure]) -> None:
    dsn, url = await population.create_database()
    try:
        engine = create_engine(url)
        await upgrade_to_head(engine)
        await engine.dispose()
        claims, startups = {}, {}
        previous = 0
        for users in (10_000, 100_000, 1_000_000):
            say(f"reminders: {users:,} users ...")
            await population.add_users_with_reminders(dsn, previous + 1, users)
            previous = users
            claims[users] = await claim_query_ms(url)
            startups[users] = startup(url)
        for users, ms in claims.items():
            figures.append(
                Figure(
                    f"Due-claim query, {users:,} users (median)",
                    f"{ms:.2f} ms",
                    "< 20 ms at 1M",
                    ms < 20 if users == 1_000_000 else None,
                )
            )
        small, large = startups[10_000]["peak_rss_mb"], startups[1_000_000]["peak_rss_mb"]
        growth = large - small
        figures.append(
            Figure(
                "Process memory, 10k -> 1M users (peak RSS after start and one reminder pass)",
                f"{small:.0f} MB -> {large:.0f} MB (+{growth:.0f} MB)",
                "< 50 MB growth",
                growth < 50,
            )
        )
        for users, result in startups.items():
            seconds = result["startup_seconds"]
            figures.append(
                Figure(
                    f"Start-up to ready, {users:,} users",
                    f"{seconds:.2f} s",
                    "< 2 s at 1M",
                    seconds < 2 if users == 1_000_000 else None,
                )
            )
        for count in (300, 900):  # short: includes the wait before the first send; long: sustained
            say(f"reminders: delivering {count} against 30 messages/s ...")
            rate, unique, duplicates, refused = await delivered_per_second(url, dsn, count)
            figures.append(
                Figure(
                    f"Reminders delivered/s, {count} due among 1M, stand-in enforcing 30/s",
                    f"{rate:.1f}/s ({rate / 30:.1%}); {unique} of {count} delivered, "
                    f"{duplicates} twice; {refused} answered 429",
                    ">= 95% of 30/s, none lost or twice",
                    rate >= 0.95 * 30 and unique == count and duplicates == 0,
                )
            )
    finally:
        await population.drop_database(dsn)


async def bench_broadcast(figures: list[Figure]) -> None:
    say("paid broadcast: 10,000 reminders due within a minute against 1,000 messages/s ...")
    result = await broadcast.send_wave(10_000)
    figures.append(
        Figure(
            "Paid broadcast: 10,000 reminders due within one minute, stand-in enforcing "
            "30 free + 1,000/s in all (PostgreSQL)",
            broadcast.describe(result),
            ">= 95% of 1,000/s, each sent exactly once",
            broadcast.met(result),
        )
    )


async def bench_streak(figures: list[Figure]) -> None:
    say("streak: 5 years of daily history among 1M session rows ...")
    dsn, url = await population.create_database()
    try:
        engine = create_engine(url)
        await upgrade_to_head(engine)
        await population.add_daily_sessions(dsn, users=548, days=1825)
        settings = Settings(telegram_bot_token=SecretStr(TOKEN), database_url=url, _env_file=None)  # type: ignore[call-arg]
        services = Services(settings, library_for, engine, create_session_factory(engine))
        samples = []
        for _ in range(25):
            async with services.sessions() as db:
                user = await db.get(User, 1)
                assert user is not None
                started = time.perf_counter()
                progress = await load_progress(db, services, user)
                await pain_line(db, services, user)
                samples.append(time.perf_counter() - started)
        assert progress.streak.days == 1825, progress.streak
        connection = await asyncpg.connect(dsn)
        rows = await connection.fetchval("SELECT count(*) FROM exercise_sessions")
        await connection.close()
        ms = median_ms(samples[5:])
        figures.append(
            Figure(
                f"Streak summary, 5 years daily, one user among {rows:,} session rows",
                f"{ms:.2f} ms (median)",
                "< 10 ms",
                ms < 10,
            )
        )
        await engine.dispose()
    finally:
        await population.drop_database(dsn)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(
        next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_kb / 1024 / 1024:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


async def postgres_version() -> str:
    connection = await asyncpg.connect(population.ADMIN_DSN)
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


async def main() -> None:
    figures: list[Figure] = []
    echo = await bench_throughput(figures)
    await bench_floors(figures, echo)
    await bench_concurrency(figures)
    await bench_reminders(figures)
    await bench_broadcast(figures)
    await bench_streak(figures)
    REPORT.parent.mkdir(exist_ok=True)
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; "
        f"PostgreSQL {await postgres_version()} on the same machine. "
        "Run `make bench` to measure again.",
        "",
        "| figure | measured | target | |",
        "|---|---|---|---|",
        *(figure.row() for figure in figures),
        "",
        (ROOT / "bench" / "NOTES.md").read_text().strip(),
        "",
    ]
    REPORT.write_text("\n".join(lines))
    say(REPORT.read_text())


if __name__ == "__main__":
    asyncio.run(main())
