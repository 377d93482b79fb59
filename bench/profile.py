"""Where the coach's time goes: the throughput flow (bench/throughput.py) on PostgreSQL under
cProfile, printing the top entries by cumulative and by own time.

    python -m bench.profile [people] [entries]

The first person is a warm-up outside the profile (pictures drawn, caches filled), as in the
throughput figure; the profile covers the next `people` (10 by default).
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

from bench import population
from bench.fake_telegram import FakeTelegram
from bench.throughput import TOKEN
from bench.throughput import _run_session_flow as run_session_flow
from bot.app import build_application
from bot.settings import Settings


async def profiled(people: int) -> tuple[pstats.Stats, int, float]:
    """Profile `people` whole flows on a fresh PostgreSQL database; (stats, updates, seconds)."""
    dsn, url = await population.create_database()
    try:
        with tempfile.TemporaryDirectory() as folder:
            fake = FakeTelegram()
            settings = Settings(
                telegram_bot_token=SecretStr(TOKEN),
                database_url=url,
                picture_cache_dir=Path(folder),
                _env_file=None,  # type: ignore[call-arg]
            )
            app = build_application(settings, request=fake, rate_limited=False)
            async with app:
                assert app.post_init is not None
                await app.post_init(app)
                await run_session_flow(app, fake, 1)
                profile = cProfile.Profile()
                updates = 0
                started = time.perf_counter()
                profile.enable()
                for user_id in range(2, people + 2):
                    updates += await run_session_flow(app, fake, user_id)
                profile.disable()
                elapsed = time.perf_counter() - started
            assert app.post_shutdown is not None
            await app.post_shutdown(app)
    finally:
        await population.drop_database(dsn)
    return pstats.Stats(profile), updates, elapsed


def top(stats: pstats.Stats, order: str, entries: int) -> str:
    """The `entries` first lines of the profile sorted by `order`, paths shortened."""
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats(order).print_stats(entries)
    text = out.getvalue()
    for prefix in (str(Path(sys.prefix) / "lib"), str(Path(__file__).resolve().parent.parent)):
        text = text.replace(prefix + "/", "")
    return text[text.index("   ncalls") :]


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    entries = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    stats, updates, elapsed = asyncio.run(profiled(people))
    print(
        f"{updates} updates in {elapsed:.2f} s under the profiler "
        f"({elapsed / updates * 1000:.2f} ms an update, profiler included)"
    )
    print("\n## By cumulative time\n")
    print(top(stats, "cumulative", entries))
    print("## By own time\n")
    print(top(stats, "tottime", entries))


if __name__ == "__main__":
    main()
