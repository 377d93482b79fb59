"""Updates per second through the real Application for a full session flow, next to a bare PTB
echo bot measured the same way (in-memory Telegram, updates fed with process_update)."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bench.fake_telegram import FakeTelegram
from bot.app import build_application
from bot.services import CoachApp
from bot.settings import Settings

TOKEN = "123456789:BENCH-token_0123456789abcdefghijkl"
_update_ids = itertools.count(1)


@dataclass(frozen=True)
class Rate:
    updates: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"U{user_id}"}


def message_update(user_id: int, text: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private"},
        "from": _user(user_id),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": next(_update_ids), "message": message}


def press_update(user_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "from": _user(user_id),
            "message": message,
            "chat_instance": "bench",
            "data": data,
        },
    }


async def _run_session_flow(app: CoachApp, fake: FakeTelegram, user_id: int) -> int:
    """One person from /start through a whole lumbar session; returns the updates sent."""
    sent = 0

    async def feed(update: dict[str, Any]) -> None:
        nonlocal sent
        sent += 1
        await app.process_update(Update.de_json(update, app.bot))

    async def press(label: str) -> None:
        message, data = fake.button(user_id, label)
        await feed(press_update(user_id, message, data))

    await feed(message_update(user_id, "/start"))
    for label in ("I understand", "Low back", "Right", "No", "No", "No", "No", "No", "Thigh", "5"):
        await press(label)
    for label in ("Sitting for 30 minutes", "Done", "4"):  # one hard activity, rated
        await press(label)
    await press("Start now")
    await press("4")  # pain before
    while "How strong is your pain now" not in fake.shown(user_id):
        await press("✓ Set done")
    await press("3")
    await press("About the same")
    return sent


async def coach_rate(database_url: str, users: int, cache_dir: Path) -> Rate:
    fake = FakeTelegram()
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        database_url=database_url,
        picture_cache_dir=cache_dir,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = build_application(settings, request=fake, rate_limited=False)
    async with app:
        assert app.post_init is not None
        await app.post_init(app)
        await _run_session_flow(app, fake, 1)  # warm-up: pictures drawn, caches filled
        started = time.perf_counter()
        updates = 0
        for user_id in range(2, users + 2):
            updates += await _run_session_flow(app, fake, user_id)
        elapsed = time.perf_counter() - started
    assert app.post_shutdown is not None
    await app.post_shutdown(app)
    return Rate(updates, elapsed)


async def echo_rate(updates: int) -> Rate:
    fake = FakeTelegram()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(update.message.text or "")

    app = Application.builder().token(TOKEN).request(fake).get_updates_request(fake).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        started = time.perf_counter()
        for n in range(updates):
            await app.process_update(
                Update.de_json(message_update(10_000 + n % 50, "hello"), app.bot)
            )
        elapsed = time.perf_counter() - started
    return Rate(updates, elapsed)
