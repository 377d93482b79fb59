"""The chat page in headless Chromium showing what Telegram shows: formatting made safe, inline
keyboards and toasts, pictures, animations and files, edits in place, deletions, reply keyboards
with a location button. The coach runs in a thread; the test also speaks as the bot."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.services import CoachApp
from bot.tryout.clock import OffsetClock
from bot.tryout.page import Tryout
from bot.tryout.people import People
from bot.tryout.run import bind_loopback, serve_page
from tests.browsers import PHONE, SCREENSHOTS, WAIT_MS
from tests.conftest import TOKEN, RunningBot
from tests.standin import TelegramStandIn

T = TypeVar("T")
MP4 = b"\0\0\0\x18ftypmp42" + b"\0" * 64


class CoachInAThread:
    """The try-out's coach and page on an event loop of their own, beside Playwright's."""

    def __init__(self, database: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.standin = TelegramStandIn(TOKEN)
        self.runner: RunningBot | None = None
        self.url = self.run(self._start(database))

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(work, self.loop)
        return future.result(timeout=30)

    async def _start(self, database: Path) -> str:
        await self.standin.start()
        clock = OffsetClock()
        self.runner = RunningBot(self.standin, f"sqlite+aiosqlite:///{database}", clock)
        app = await self.runner.start()
        sockets = bind_loopback(0)
        self.server = serve_page(Tryout(People(self.standin, clock), clock, app), sockets)
        return f"http://127.0.0.1:{sockets[0].getsockname()[1]}"

    @property
    def app(self) -> CoachApp:
        assert self.runner is not None and self.runner.app is not None
        return self.runner.app

    def stop(self) -> None:
        async def stop() -> None:
            self.server.stop()
            assert self.runner is not None
            await self.runner.stop()
            await self.standin.stop()

        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@pytest.fixture
def coach(tmp_path: Path) -> Iterator[CoachInAThread]:
    running = CoachInAThread(tmp_path / "tryout.sqlite3")
    yield running
    running.stop()


def png() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (320, 200), (90, 160, 220)).save(picture, "PNG")
    return picture.getvalue()


def person_of(page: Page) -> int:
    page.wait_for_function("() => sessionStorage.getItem('person')", timeout=WAIT_MS)
    return int(page.evaluate("() => sessionStorage.getItem('person')"))


def test_the_page_shows_what_telegram_would(coach: CoachInAThread, browser: Browser) -> None:
    page = browser.new_page(viewport=PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(coach.url)
    chat_id = person_of(page)
    bot = coach.app.bot

    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Old button", callback_data="9|zz")],
            [InlineKeyboardButton("Read more", url="https://example.org/")],
        ]
    )
    sent = coach.run(
        bot.send_message(
            chat_id,
            "<b>Bold</b>, <i>italic</i>, <tg-spoiler>secret</tg-spoiler> and "
            '<a href="https://example.org/">a link</a> &lt;script&gt;',
            reply_markup=keyboard,
        )
    )
    row = page.locator(f"#m-bot-{sent.message_id}")
    expect(row.locator(".text b")).to_have_text("Bold")
    expect(row.locator(".text i")).to_have_text("italic")
    expect(row.locator(".text a")).to_have_attribute("href", "https://example.org/")
    expect(row.locator(".text")).to_contain_text("<script>")  # shown as text, never run
    expect(row.locator(".kb", has_text="Read more")).to_have_attribute(
        "href", "https://example.org/"
    )
    spoiler = row.locator(".spoiler")
    spoiler.click()
    expect(spoiler).to_have_class("spoiler shown")

    row.locator(".kb", has_text="Old button").click()  # the coach answers a stale button
    expect(page.locator("#toast")).to_contain_text("That button belongs to an earlier step")

    coach.run(bot.edit_message_text("Edited in place", chat_id, sent.message_id))
    expect(row.locator(".text")).to_contain_text("Edited in place")
    expect(row.locator(".meta")).to_contain_text("edited")
    expect(row.locator(".kb")).to_have_count(0)

    photo = coach.run(bot.send_photo(chat_id, png(), caption="A <b>picture</b>"))
    picture = page.locator(f"#m-bot-{photo.message_id} img.media")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 320", arg=picture.element_handle()
    )
    coach.run(bot.send_animation(chat_id, MP4, caption="An animation", filename="move.mp4"))
    video = page.locator("video.media").last
    for attribute in ("autoplay", "loop", "muted", "playsinline"):
        expect(video).to_have_attribute(attribute, "")
    coach.run(bot.send_document(chat_id, b"date,pain\n2026-03-10,4\n", filename="sessions.csv"))
    expect(page.locator("a.doc").last).to_have_attribute("download", "sessions.csv")

    coach.run(bot.delete_message(chat_id, sent.message_id))
    expect(row).to_have_count(0)

    share = KeyboardButton("Share my location", request_location=True)
    coach.run(
        bot.send_message(chat_id, "Where are you?", reply_markup=ReplyKeyboardMarkup([[share]]))
    )
    page.locator("#reply-keyboard button", has_text="Share my location").click()
    page.locator("#cities button", has_text="Berlin").click()
    expect(page.locator(".row.out").last).to_contain_text("📍 Berlin", timeout=WAIT_MS)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "tryout-page-features-phone.png", animations="disabled")
    coach.run(bot.send_message(chat_id, "Thanks", reply_markup=ReplyKeyboardRemove()))
    expect(page.locator("#reply-keyboard")).to_be_hidden()

    page.locator("#text").press_sequentially("/he")  # typing a command suggests matching ones
    expect(page.locator("#commands button:visible")).to_have_count(1)
    answers = page.locator(".row.in").count()
    page.locator("#commands button", has_text="/help").click()  # the coach answers here too
    expect(page.locator("#text")).to_have_value("")
    expect(page.locator(".row.in")).to_have_count(answers + 1, timeout=WAIT_MS)

    page.click("#clock-toggle")
    shown_before = page.locator("#clock-now").inner_text()
    page.get_by_role("button", name="Jump 1 hour").click()
    expect(page.locator("#clock-now")).not_to_have_text(shown_before, timeout=WAIT_MS)

    page.click("#new-person")  # starts again as someone else, with an empty chat
    page.wait_for_function(f"() => sessionStorage.getItem('person') !== '{chat_id}'")
    expect(page.locator(".row")).to_have_count(0)
    assert person_of(page) != chat_id
    assert not errors, errors
