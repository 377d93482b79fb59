"""`make bench-quick`: the headline speed figures in a few minutes, on the local PostgreSQL.

The last line is the summary, in a fixed form scripts can read. `make bench` measures all of
this and more, and writes docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bench.latency import (
    CONCURRENT_PEOPLE,
    CONCURRENT_TAPS,
    OFFERED_PEOPLE,
    OFFERED_PER_SECOND,
    OFFERED_SECONDS,
    concurrent_rate,
    open_loop_latency,
)
from bench.population import fresh_database
from bench.throughput import coach_rate, echo_rate

SEQUENTIAL_PEOPLE = 20  # as `make bench` measures it (bench/__main__.py)


def say(text: str) -> None:
    print(text, flush=True)


async def main() -> None:
    say("echo bot, sequential ...")
    echo = await echo_rate(3000)
    with tempfile.TemporaryDirectory() as folder:
        pictures = Path(folder) / "pictures"  # drawn once, by the first measurement
        say(f"coach, sequential: {SEQUENTIAL_PEOPLE} people one after another ...")
        async with fresh_database() as url:
            coach = await coach_rate(url, SEQUENTIAL_PEOPLE, pictures)
        say(f"coach, concurrent: {CONCURRENT_PEOPLE} people tapping at once ...")
        async with fresh_database() as url:
            concurrent = await concurrent_rate(url, pictures, CONCURRENT_PEOPLE, CONCURRENT_TAPS)
        say(
            f"coach, open loop: {OFFERED_PER_SECOND:.0f} taps/s due from {OFFERED_PEOPLE} "
            f"people for {OFFERED_SECONDS:.0f} s ..."
        )
        async with fresh_database() as url:
            latency = await open_loop_latency(
                url, pictures, OFFERED_PEOPLE, OFFERED_PER_SECOND, OFFERED_SECONDS
            )
    say(f"concurrent: {concurrent.updates} updates, {concurrent.errors} failed")
    say(
        f"open loop: {latency.answered} of {latency.injected} answered, {latency.errors} failed, "
        f"handled {latency.handled_per_second:.0f}/s, p50 {latency.p50_ms:.1f} ms, "
        f"p99 {latency.p99_ms:.1f} ms, max {latency.max_ms:.1f} ms"
    )
    ratio = coach.per_second / echo.per_second
    say(
        f"throughput: coach {coach.per_second:.0f}/s vs echo {echo.per_second:.0f}/s = "
        f"{ratio:.1%} (PostgreSQL, sequential); "
        f"concurrent {concurrent.per_second:.0f}/s p99 {latency.p99_ms:.1f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
