"""The try-out's parts without a browser: safe HTML, the clock, what each chat shows, the page's
JSON API and event stream, and a clock jump that brings a due reminder at once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import tornado.httpclient
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest

from bot.tryout.clock import OffsetClock, next_at
from bot.tryout.page import Tryout, content_type
from bot.tryout.people import People, Person
from bot.tryout.run import bind_loopback, serve_page
from bot.tryout.telegram_html import page_html
from storage.queries import get_or_create_user
from storage.reminders import save_reminder
from tests.conftest import TOKEN, RunningBot
from tests.standin import TelegramStandIn

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
MP4 = b"\0\0\0\x18ftypmp42" + b"\0" * 32


@pytest.mark.parametrize(
    ("telegram", "page"),
    [
        ("<b>Bold</b> and <strong>strong</strong>", "<b>Bold</b> and <b>strong</b>"),
        ("<i>a</i><em>b</em><u>c</u><s>d</s>", "<i>a</i><i>b</i><u>c</u><s>d</s>"),
        ("<tg-spoiler>hidden</tg-spoiler>", '<span class="spoiler">hidden</span>'),
        ('<span class="tg-spoiler">x</span>', '<span class="spoiler">x</span>'),
        ("<code>1 &lt; 2</code>", "<code>1 &lt; 2</code>"),
        (
            '<a href="https://example.org/?a=1&amp;b=2">link</a>',
            '<a href="https://example.org/?a=1&amp;b=2" target="_blank" '
            'rel="noopener noreferrer">link</a>',
        ),
        ('<a href="javascript:alert(1)">link</a>', "<a>link</a>"),
        ("<script>alert(1)</script>", "alert(1)"),
        ('<img src=x onerror="alert(1)">text', "text"),
        ("<b>never closed", "<b>never closed</b>"),
        ("Line one\nLine two", "Line one\nLine two"),
    ],
)
def test_only_telegrams_tags_reach_the_page(telegram: str, page: str) -> None:
    assert page_html(telegram, "HTML") == page


def test_text_without_a_parse_mode_is_shown_as_typed() -> None:
    assert page_html("<b>5 > 3 & so</b>", None) == "&lt;b&gt;5 &gt; 3 &amp; so&lt;/b&gt;"


@pytest.mark.parametrize(
    ("local_now", "expected_local"),
    [
        (datetime(2026, 3, 10, 0, 45), datetime(2026, 3, 10, 8, 0)),  # this morning's is ahead
        (datetime(2026, 3, 10, 8, 0), datetime(2026, 3, 11, 8, 0)),
        (datetime(2026, 3, 10, 21, 30), datetime(2026, 3, 11, 8, 0)),
        (datetime(2026, 3, 28, 23, 0), datetime(2026, 3, 29, 8, 0)),  # across a DST change
    ],
)
def test_the_morning_jump_goes_to_the_next_0800_in_the_persons_zone(
    local_now: datetime, expected_local: datetime
) -> None:
    zone = ZoneInfo("Europe/Berlin")
    now = local_now.replace(tzinfo=zone).astimezone(UTC)
    assert next_at(now, zone, time(8)) == expected_local.replace(tzinfo=zone).astimezone(UTC)


def test_the_offset_clock_moves_forward_only() -> None:
    clock = OffsetClock()
    before = clock()
    assert clock.jump(timedelta(hours=1)) - before >= timedelta(hours=1)
    assert clock.jump_to(before) >= before + timedelta(hours=1)  # a jump back is no jump
    assert clock.offset == timedelta(hours=1)


class Chat:
    """One person on the page side, with the bot's side played through a real PTB Bot."""

    def __init__(self, people: People, bot: Bot) -> None:
        self.people, self.bot = people, bot
        self.person: Person = people.new_person()
        self.events: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.person.streams.add(self.events)

    async def next_event(self) -> dict[str, Any]:
        event = await asyncio.wait_for(self.events.get(), 5)
        assert event is not None
        return event


@pytest.fixture
async def chat(standin: TelegramStandIn) -> AsyncIterator[Chat]:
    bot = Bot(TOKEN, base_url=f"{standin.base_url}/bot")
    async with bot:
        yield Chat(People(standin, OffsetClock()), bot)


async def test_messages_edits_deletions_and_toasts_reach_the_page_as_telegram_shows_them(
    chat: Chat, standin: TelegramStandIn
) -> None:
    chat_id = chat.person.user_id
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    sent = await chat.bot.send_message(chat_id, "<b>Hi</b> there", "HTML", reply_markup=keyboard)
    shown = (await chat.next_event())["item"]
    assert shown["html"] == "<b>Hi</b> there" and shown["from"] == "bot"
    assert shown["buttons"] == [[{"text": "Go", "data": "go", "url": None}]]

    assert chat.people.press(chat.person, sent.message_id, "go")
    query_id = next(iter(standin._open_callback_queries))
    await chat.bot.answer_callback_query(query_id, "Saved")
    assert await chat.next_event() == {"type": "toast", "text": "Saved", "alert": False}

    await chat.bot.edit_message_reply_markup(chat_id, sent.message_id, reply_markup=None)
    edited = await chat.next_event()
    assert edited["type"] == "edit" and edited["item"]["id"] == shown["id"]
    assert edited["item"]["buttons"] == [] and edited["item"]["html"] == "<b>Hi</b> there"
    await chat.bot.edit_message_text("<i>Changed</i>", chat_id, sent.message_id, parse_mode="HTML")
    assert (await chat.next_event())["item"]["html"] == "<i>Changed</i>"

    await chat.bot.delete_message(chat_id, sent.message_id)
    assert await chat.next_event() == {"type": "delete", "id": shown["id"]}
    assert chat.person.snapshot()["items"] == []
    assert not chat.people.press(chat.person, sent.message_id, "go")  # gone: nothing to press


async def test_a_call_telegram_would_refuse_is_shown_in_the_chat_for_developers(
    chat: Chat,
) -> None:
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await chat.bot.send_message(chat.person.user_id, "<b>never closed", "HTML")
    notice = (await chat.next_event())["item"]
    assert notice["from"] == "system"
    assert notice["html"] == (
        "Telegram would refuse sendMessage: Bad Request: can't parse entities: unclosed start tag"
    )


async def test_pictures_animations_and_documents_are_shown_with_their_captions(
    chat: Chat, standin: TelegramStandIn
) -> None:
    chat_id = chat.person.user_id
    await chat.bot.send_photo(chat_id, PNG, caption="<b>Step 1</b>", parse_mode="HTML")
    photo = (await chat.next_event())["item"]
    assert photo["media"]["kind"] == "photo" and photo["html"] == "<b>Step 1</b>"
    await chat.bot.send_animation(chat_id, MP4, caption="Like this", filename="move.mp4")
    animation = (await chat.next_event())["item"]["media"]
    assert animation["kind"] == "animation" and animation["name"] == "move.mp4"
    await chat.bot.send_document(chat_id, b"date,pain\n", filename="sessions.csv")
    document = (await chat.next_event())["item"]["media"]
    assert document["name"] == "sessions.csv"

    file_id = animation["url"].removeprefix("/file/")
    assert content_type(standin.files[file_id], animation["name"]) == "video/mp4"
    assert content_type(PNG, "") == "image/png"
    assert content_type(b"date,pain\n", "sessions.csv") == "text/csv"


async def test_a_reply_keyboard_stays_until_removed_and_a_one_time_one_until_used(
    chat: Chat,
) -> None:
    chat_id = chat.person.user_id
    share = KeyboardButton("Share my location", request_location=True)
    await chat.bot.send_message(
        chat_id, "Where are you?", reply_markup=ReplyKeyboardMarkup([[share, "Skip"]])
    )
    await chat.next_event()
    keyboard = (await chat.next_event())["keyboard"]
    assert keyboard["rows"] == [
        [{"text": "Share my location", "location": True}, {"text": "Skip", "location": False}]
    ]
    await chat.bot.send_message(chat_id, "Thanks", reply_markup=ReplyKeyboardRemove())
    await chat.next_event()
    assert await chat.next_event() == {"type": "keyboard", "keyboard": None}

    once = ReplyKeyboardMarkup([["Yes", "No"]], one_time_keyboard=True)
    await chat.bot.send_message(chat_id, "Ready?", reply_markup=once)
    await chat.next_event()
    assert (await chat.next_event())["keyboard"]["one_time"]
    chat.people.send_text(chat.person, "Yes")
    mine = (await chat.next_event())["item"]
    assert mine["from"] == "me" and mine["html"] == "Yes"
    assert await chat.next_event() == {"type": "keyboard", "keyboard": None}
    assert chat.person.snapshot()["keyboard"] is None


@pytest.fixture
async def tryout(standin: TelegramStandIn, tmp_path: Path) -> AsyncIterator[Tryout]:
    clock = OffsetClock()
    runner = RunningBot(standin, f"sqlite+aiosqlite:///{tmp_path / 'tryout.sqlite3'}", clock)
    app = await runner.start()
    try:
        yield Tryout(People(standin, clock), clock, app)
    finally:
        await runner.stop()


async def test_a_jump_to_the_morning_sends_the_due_reminder_at_once(tryout: Tryout) -> None:
    person = tryout.people.new_person()
    events: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
    person.streams.add(events)
    zone = ZoneInfo("Asia/Tokyo")
    morning = next_at(tryout.clock(), zone, time(8))
    async with tryout.services.transaction() as db:
        user = await get_or_create_user(db, person.user_id, person.user_id, tryout.clock())
        user.region, user.side, user.screening = "lumbar", "right", "clear"
        user.onboarded_at, user.timezone = tryout.clock(), zone.key
        await save_reminder(
            db, user.id, local_time=time(8), weekdays=127, timezone=zone.key, next_due_utc=morning
        )

    assert not await tryout.jump(person, "next-week")
    assert await tryout.jump(person, "next-0800")
    assert abs(tryout.clock() - morning) < timedelta(seconds=5)
    reminder = events.get_nowait()  # sent before the jump's answer, not by the next round
    assert reminder is not None and "Time for your routine" in reminder["item"]["html"]
    assert events.get_nowait() == {"type": "clock"}
    assert (await tryout.clock_state(person))["zone"] == "Asia/Tokyo"

    before = tryout.clock()
    assert await tryout.jump(person, "hour")
    assert timedelta(hours=1) <= tryout.clock() - before < timedelta(hours=1, seconds=5)
    assert events.get_nowait() == {"type": "clock"}  # the next reminder is a day away
    assert events.empty()


async def fetch(url: str, body: object = None, **options: Any) -> tornado.httpclient.HTTPResponse:
    method = "GET" if body is None else "POST"
    payload = None if body is None else body if isinstance(body, bytes) else json.dumps(body)
    headers = {"Content-Type": "application/json", **options.pop("headers", {})}
    return await tornado.httpclient.AsyncHTTPClient().fetch(
        url, method=method, body=payload, headers=headers, raise_error=False, **options
    )


async def test_the_page_api_answers_each_mistake_with_a_clear_status(tryout: Tryout) -> None:
    sockets = bind_loopback(0)
    server = serve_page(tryout, sockets)
    base = f"http://127.0.0.1:{sockets[0].getsockname()[1]}"
    try:
        assert b"Nerve Coach" in (await fetch(base + "/")).body
        created = json.loads((await fetch(base + "/api/people", {})).body)
        assert {"command": "exercise", "description": "Today's session"} in created["commands"]
        person = f"{base}/api/people/{created['person']}"

        assert (await fetch(person + "/text", {"text": "/start"})).code == 200
        assert (await fetch(person + "/text", {"text": "  "})).code == 400
        assert (await fetch(person + "/text", b"{not json")).code == 400
        assert (await fetch(person + "/press", {"message_id": 999, "data": "x"})).code == 410
        assert (await fetch(person + "/location", {"city": "Atlantis"})).code == 400
        assert (await fetch(person + "/location", {"city": "Tokyo"})).code == 200
        assert (await fetch(person + "/clock", {"jump": "back"})).code == 400
        assert (await fetch(f"{base}/api/people/1/clock")).code == 404
        assert (await fetch(f"{base}/file/nothing")).code == 404
        foreign = await fetch(person + "/clock", headers={"Host": "attacker.example"})
        assert foreign.code == 403
        form = await fetch(person + "/text", b"text=hi", headers={"Content-Type": "text/plain"})
        assert form.code == 415  # what another site's page could send without asking

        # The bot answers /start in its own time; the snapshot below is read once it has.
        tab = tryout.people.by_id[int(created["person"])]
        for _ in range(200):
            if any("Hi " in item["html"] for item in tab.items.values() if item["from"] == "bot"):
                break
            await asyncio.sleep(0.05)
        chunks: list[bytes] = []
        with pytest.raises(tornado.httpclient.HTTPClientError, match="Timeout"):
            # An event stream never ends by itself: a second is enough for the snapshot.
            await fetch(person + "/events", streaming_callback=chunks.append, request_timeout=1)
        snapshot = json.loads(b"".join(chunks).split(b"\n\n")[0].removeprefix(b"data: "))
        mine = [item["html"] for item in snapshot["items"] if item["from"] == "me"]
        assert mine == ["/start", "📍 Tokyo"]
        assert any("Hi " in item["html"] for item in snapshot["items"] if item["from"] == "bot")
    finally:
        server.stop()
