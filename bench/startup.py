"""`python -m bench.startup URL`: start the Application on a populated database the way
`python -m bot` does (Telegram faked), run one reminder pass, print start-up time and memory."""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path

from pydantic import SecretStr

from bench.fake_telegram import FakeTelegram
from bench.throughput import TOKEN
from bot.app import build_application
from bot.reminders import dispatch_due
from bot.settings import Settings


async def measure(database_url: str, launched_at: float) -> dict[str, float]:
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        database_url=database_url,
        picture_cache_dir=Path("/tmp/bench-pictures"),
        _env_file=None,  # type: ignore[call-arg]
    )
    app = build_application(settings, request=FakeTelegram())
    async with app:
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        ready = time.time() - launched_at  # from process launch, interpreter and imports included
        await dispatch_due(app.bot_data["services"], app.bot)
        await app.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"startup_seconds": ready, "peak_rss_mb": rss_mb}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(measure(sys.argv[1], float(sys.argv[2])))))
