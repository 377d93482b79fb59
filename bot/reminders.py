"""Daily reminders: the /reminder settings flow, the reminder itself, and the dispatcher.

One repeating job (not one job per user) finds due rows by an indexed column, claims each with
a compare-and-set, commits, then sends. A crash between commit and send loses that batch's
in-flight reminders rather than ever sending one twice: a missed nudge is better than a double.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import zoneinfo
from datetime import timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler
from timezonefinder import TimezoneFinder

from bot.callbacks import Action, Callback, pattern
from bot.interaction import (
    Prompt,
    change_pressed_message,
    chat_id_of,
    current_user,
    is_private_chat,
    on_press,
    send,
)
from bot.keyboards import button, one_per_row, rows
from bot.menu import blocked_prompt
from bot.progress import load_streak
from bot.services import CoachContext, Services, is_database_unavailable
from content.rules import Screening
from content.schedule import (
    EVERY_DAY,
    OFFSET_ZONES,
    WEEKDAYS,
    clock_word,
    find_zone,
    next_due_utc,
    offset_choices,
    parse_clock_word,
    parse_time,
    weekdays_of,
)
from content.texts import Html, join_lines
from storage.models import Reminder, User
from storage.progress import open_pause
from storage.queries import clear_state, get_state, set_state
from storage.reminders import (
    claim_reminder,
    disable_reminder,
    due_reminders,
    save_reminder,
    session_done_on,
)

logger = logging.getLogger(__name__)

TIME_STEP, ZONE_STEP, DAYS_STEP = "reminder_time", "reminder_zone", "reminder_days"
TEXT_STEPS = {TIME_STEP, ZONE_STEP}
STEPS = {TIME_STEP, ZONE_STEP, DAYS_STEP}
COMMON_TIMES = ("0700", "0800", "1200", "1800", "2000")
SNOOZE = timedelta(hours=1)
DISPATCH_JOB = "reminder-dispatch"
FIRST_BATCH = 20


@cache
def known_zones() -> set[str]:
    return zoneinfo.available_timezones()


# A button word of one letter and an index: "o3" (the fourth offset zone), "t0" (Monday).
_INDEX_WORD = re.compile(r"([a-z])([0-9]{1,2})", re.ASCII)


def index_word(word: str, letter: str, count: int) -> int | None:
    """The index in a button word such as "o3", if it has this letter and is below `count`."""
    match = _INDEX_WORD.fullmatch(word)
    if match is None or match.group(1) != letter:
        return None
    index = int(match.group(2))
    return index if index < count else None


def days_text(services: Services, mask: int) -> str:
    texts = services.library.texts
    if mask == EVERY_DAY:
        return texts("reminder_days_every")
    if mask == WEEKDAYS:
        return texts("reminder_days_weekdays")
    names = texts("day_names").split()
    return ", ".join(names[day] for day in weekdays_of(mask))


def days_keyboard(services: Services, mask: int) -> InlineKeyboardMarkup:
    """Seven toggles (ticked when chosen) and Done."""
    texts = services.library.texts
    names = texts("day_names").split()
    toggles = [
        button(("✓ " if mask & (1 << day) else "") + name, Action.REMINDER_DAYS, f"t{day}")
        for day, name in enumerate(names)
    ]
    return rows(
        toggles[:4], toggles[4:], [button(texts("button_done"), Action.REMINDER_DAYS, "done")]
    )


def prompt_for(services: Services, user: User, step: str, data: dict[str, Any]) -> Prompt:
    texts = services.library.texts
    if step == TIME_STEP:
        times = [button(f"{w[:2]}:{w[2:]}", Action.REMINDER_TIME, w) for w in COMMON_TIMES]
        return texts("reminder_ask_time"), rows(
            times, [button(texts("button_reminder_off"), Action.REMINDER_OFF)]
        )
    if step == ZONE_STEP:
        current = texts("reminder_zone_current", zone=user.timezone)
        return texts("reminder_ask_zone", current=current), rows(
            [button(texts("button_keep_zone", zone=user.timezone), Action.REMINDER_ZONE, "keep")],
            [button(texts("button_pick_time"), Action.REMINDER_ZONE, "times")],
        )
    if "days" in data:
        return texts("reminder_pick_days"), days_keyboard(services, data["days"])
    return texts("reminder_ask_days"), one_per_row(
        [
            button(texts("button_every_day"), Action.REMINDER_DAYS, "all"),
            button(texts("button_weekdays"), Action.REMINDER_DAYS, "weekdays"),
            button(texts("button_choose_days"), Action.REMINDER_DAYS, "pick"),
        ]
    )


def local_time_prompt(services: Services) -> Prompt:
    """Buttons with the time it is now in each offset, to pick one's own."""
    choices = offset_choices(services.clock())
    buttons = [button(shown, Action.REMINDER_ZONE, f"o{index}") for index, shown in choices]
    return services.library.texts("reminder_pick_time"), rows(
        *[buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    )


@cache
def _zone_finder() -> TimezoneFinder:
    return TimezoneFinder()  # loads its offline map once


def zone_at(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a shared location, from an offline map; None off the map."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None  # the map raises on these; a real client never sends them
    return _zone_finder().timezone_at(lat=latitude, lng=longitude)


async def reminder_command(update: Update, context: CoachContext) -> None:
    """/reminder: choose a time, a zone and days."""
    await start_flow(update, context)


async def start_flow(update: Update, context: CoachContext) -> None:
    """Show the reminder as it is now (if any), then ask for a time."""
    services = context.services
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        if user.screening == Screening.EMERGENCY:  # no invitations to exercise until cleared
            await send(context, chat_id_of(update), blocked_prompt(services))
            return
        await set_state(db, user.id, TIME_STEP, {}, services.clock())
        reminder = await db.get(Reminder, user.id)
        text, markup = prompt_for(services, user, TIME_STEP, {})
        if reminder is not None and reminder.enabled:
            text = join_lines(describe(services, reminder, "reminder_current"), text)
    await send(context, chat_id_of(update), (text, markup))


def describe(services: Services, reminder: Reminder, key: str) -> Html:
    """The reminder's time, zone, days and next instant, in the user's local time."""
    zone = ZoneInfo(reminder.timezone)
    due = reminder.next_due_utc
    return services.library.texts(
        key,
        time=reminder.local_time.strftime("%H:%M"),
        zone=reminder.timezone,
        days=days_text(services, reminder.weekdays),
        next=due.astimezone(zone).strftime("%a %d %b, %H:%M") if due else "-",
    )


# What answering a step gives: a message to send, a keyboard to swap in place, or a notice.
Answer = tuple[str, InlineKeyboardMarkup | None] | InlineKeyboardMarkup | str


async def _advance(update: Update, context: CoachContext, step: str, value: str) -> str | None:
    """Take an answer for `step` (from a button or typed) and ask the next question."""
    services = context.services
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        state = await get_state(db, user.id)
        if state is None or state.step != step:
            return services.library.texts("stale_button")
        answer = await _ANSWERS[step](db, services, user, dict(state.data), value)
    if isinstance(answer, str):
        return answer
    if isinstance(answer, InlineKeyboardMarkup):
        await _show_toggles(update, answer)
    else:
        await send(context, chat_id_of(update), answer)
    return None


async def _answer_time(
    db: AsyncSession, services: Services, user: User, data: dict[str, Any], value: str
) -> Answer:
    at = parse_time(value)
    if at is None:
        return services.library.texts("reminder_time_unknown"), None
    data["time"] = clock_word(at)
    await set_state(db, user.id, ZONE_STEP, data, services.clock())
    return prompt_for(services, user, ZONE_STEP, data)


async def _answer_zone(
    db: AsyncSession, services: Services, user: User, data: dict[str, Any], value: str
) -> Answer:
    if value == "times":
        return local_time_prompt(services)
    zone = _zone_from_answer(value, user)
    if zone is None:
        return services.library.texts("reminder_zone_unknown"), None
    user.timezone = zone
    await set_state(db, user.id, DAYS_STEP, data, services.clock())
    return prompt_for(services, user, DAYS_STEP, data)


async def _answer_days(
    db: AsyncSession, services: Services, user: User, data: dict[str, Any], value: str
) -> Answer:
    if value in PRESET_DAYS:
        return await _save(db, services, user, data, PRESET_DAYS[value])
    mask = data.get("days", 0)
    if value == "done":
        return (
            await _save(db, services, user, data, mask)
            if mask
            else services.library.texts("reminder_days_none")
        )
    day = index_word(value, "t", 7)
    if day is not None:
        mask ^= 1 << day
    data["days"] = mask
    await set_state(db, user.id, DAYS_STEP, data, services.clock())
    if day is not None:
        return days_keyboard(services, mask)
    return prompt_for(services, user, DAYS_STEP, data)


_ANSWERS = {TIME_STEP: _answer_time, ZONE_STEP: _answer_zone, DAYS_STEP: _answer_days}
PRESET_DAYS = {"all": EVERY_DAY, "weekdays": WEEKDAYS}


def _zone_from_answer(value: str, user: User) -> str | None:
    """A zone from a button word ("keep", "o<index>") or from what was typed."""
    if value == "keep":
        return user.timezone
    if (offset := index_word(value, "o", len(OFFSET_ZONES))) is not None:
        return OFFSET_ZONES[offset]
    return find_zone(value, known_zones())


async def _show_toggles(update: Update, markup: InlineKeyboardMarkup) -> None:
    """Tick or untick a day on the same message: one edit, no new message."""
    await change_pressed_message(update, None, markup)


async def _save(
    db: AsyncSession, services: Services, user: User, data: dict[str, Any], weekdays: int
) -> Prompt:
    at = parse_clock_word(data["time"])
    assert at is not None, "only a valid time reaches the days step"
    due = next_due_utc(at, ZoneInfo(user.timezone), weekdays, services.clock())
    reminder = await save_reminder(
        db, user.id, local_time=at, weekdays=weekdays, timezone=user.timezone, next_due_utc=due
    )
    await clear_state(db, user.id)
    return describe(services, reminder, "reminder_set"), None


async def on_typed(update: Update, context: CoachContext, step: str) -> None:
    """A typed time or place, or a shared location, while the reminder flow waits for one."""
    message = update.message
    assert message is not None
    if message.location is not None:
        zone = zone_at(message.location.latitude, message.location.longitude)
        await _advance(update, context, step, zone or "")
    else:
        await _advance(update, context, step, message.text or "")


@on_press
async def on_time(update: Update, context: CoachContext, callback: Callback) -> str | None:
    return await _advance(update, context, TIME_STEP, callback.word(0))


@on_press
async def on_zone(update: Update, context: CoachContext, callback: Callback) -> str | None:
    return await _advance(update, context, ZONE_STEP, callback.word(0))


@on_press
async def on_days(update: Update, context: CoachContext, callback: Callback) -> str | None:
    return await _advance(update, context, DAYS_STEP, callback.word(0))


@on_press
async def on_off(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Turn reminders off."""
    services = context.services
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        reminder = await db.get(Reminder, user.id)
        if reminder is not None:
            reminder.enabled = False
        await clear_state(db, user.id)
    await send(context, chat_id_of(update), (services.library.texts("reminder_off"), None))
    return None


@on_press
async def on_reminder_action(
    update: Update, context: CoachContext, callback: Callback
) -> str | None:
    """Buttons on a reminder: snooze an hour, or skip today ("Start now" is the menu's)."""
    services = context.services
    texts = services.library.texts
    action = callback.word(0)
    if action not in ("snooze", "skip"):
        return texts("stale_button")
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        reminder = await db.get(Reminder, user.id)
        if reminder is None or not reminder.enabled:
            return texts("stale_button")
        now = services.clock()
        if action == "snooze":
            reminder.next_due_utc = now + SNOOZE
            notice = texts("reminder_snoozed")
        else:
            zone = ZoneInfo(reminder.timezone)
            reminder.next_due_utc = next_due_utc(
                reminder.local_time,
                zone,
                reminder.weekdays,
                now,
                not_on_or_before=now.astimezone(zone).date(),
            )
            notice = texts("reminder_skipped")
    await send(context, chat_id_of(update), (notice, None))
    return None


async def reschedule_reminder(db: AsyncSession, services: Services, user_id: int) -> None:
    """Point an enabled reminder at its next due time from now (exercise switched back on)."""
    reminder = await db.get(Reminder, user_id)
    if reminder is not None and reminder.enabled:
        zone = ZoneInfo(reminder.timezone)
        now = services.clock()
        reminder.next_due_utc = next_due_utc(reminder.local_time, zone, reminder.weekdays, now)


def reminder_offer(services: Services) -> Prompt:
    texts = services.library.texts
    return texts("reminder_offer"), rows(
        [button(texts("button_set_reminder"), Action.MENU, "reminder")],
        [button(texts("button_no_reminder"), Action.MENU, "noreminder")],
    )


def reminder_prompt(services: Services, streak: int) -> Prompt:
    texts = services.library.texts
    streak_text: Html = texts("streak_days", days=streak) if streak else texts("streak_none")
    return texts("reminder_due", streak=streak_text), rows(
        [button(texts("button_start_now"), Action.MENU, "session")],
        [
            button(texts("button_snooze"), Action.REMINDER_NOW, "snooze"),
            button(texts("button_skip_today"), Action.REMINDER_NOW, "skip"),
        ],
    )


Outbox = list[tuple[int, int, Prompt]]  # (user id, chat id, reminder)


async def claim_batch(services: Services, limit: int) -> tuple[Outbox, bool]:
    """Claim up to one batch of due reminders; returns what to send, and whether more may wait.

    Claims commit before anything is sent: a crash loses at most this batch, never repeats it.
    """
    grace = timedelta(hours=services.settings.reminder_grace_hours)
    now = services.clock()
    outbox: Outbox = []
    async with services.transaction() as db:
        batch = await due_reminders(db, now, limit)
        for reminder, user in batch:
            zone = ZoneInfo(reminder.timezone)
            today = now.astimezone(zone).date()
            was_due = reminder.next_due_utc
            assert was_due is not None
            following = next_due_utc(reminder.local_time, zone, reminder.weekdays, now)
            too_late = now - was_due > grace
            done = await session_done_on(db, user.id, today)
            paused = await open_pause(db, user.id, today) is not None
            # A chat that is not the person's own (a group, from before groups were turned
            # away) never gets a reminder: everyone there would see it.
            send_now = not too_late and not done and not paused and is_private_chat(user)
            claimed = await claim_reminder(
                db,
                user.id,
                was_due=was_due,
                next_due=following,
                sent_on=today if send_now else None,
            )
            if claimed and send_now:
                streak, _, _ = await load_streak(db, user, today)
                outbox.append((user.id, user.chat_id, reminder_prompt(services, streak.days)))
    return outbox, len(batch) == limit


async def send_batch(services: Services, bot: Any, outbox: Outbox) -> int:
    """Send claimed reminders; someone who blocked the bot has reminders turned off."""
    sent = 0
    for user_id, chat_id, (text, markup) in outbox:
        try:
            await bot.send_message(chat_id, text, reply_markup=markup)
            sent += 1
        except (Forbidden, BadRequest) as error:
            if isinstance(error, BadRequest) and "chat not found" not in error.message.lower():
                logger.warning("reminder for user %s refused: %s", user_id, error.message)
                continue
            logger.info("user %s blocked the bot or left; reminders turned off", user_id)
            async with services.transaction() as db:
                await disable_reminder(db, user_id, services.clock())
        except TelegramError as error:  # this one reminder is lost; the rest still go out
            logger.warning("reminder for user %s not sent: %s", user_id, error)
    return sent


async def dispatch_due(services: Services, bot: Any) -> int:
    """Claim and send every due reminder in bounded batches; return how many were sent.

    Claiming runs beside sending, so Telegram's rate is never left idle waiting for the
    database: a small first batch starts the sending at once, and at most two batches wait
    claimed but unsent (what a crash at that moment would lose).
    """
    # A claim that fails travels through the queue too: the sender must never wait for a batch
    # that will not come (the job runs with max_instances=1, so a hang silences every reminder).
    waiting: asyncio.Queue[Outbox | BaseException | None] = asyncio.Queue(maxsize=2)

    async def claim_all() -> None:
        limit = min(FIRST_BATCH, services.settings.reminder_batch_size)
        try:
            while True:
                outbox, more = await claim_batch(services, limit)
                await waiting.put(outbox)
                if not more:
                    break
                limit = services.settings.reminder_batch_size
        except Exception as error:
            await waiting.put(error)
            return
        await waiting.put(None)

    claiming = asyncio.create_task(claim_all())
    sent = 0
    try:
        while (outbox := await waiting.get()) is not None:
            if isinstance(outbox, BaseException):
                raise outbox
            sent += await send_batch(services, bot, outbox)
    finally:
        if not claiming.done():  # sending failed: do not leave the claimer blocked on the queue
            claiming.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await claiming
    return sent


async def dispatch_job(context: CoachContext) -> None:
    """The repeating job: send what is due now. A failed pass logs one line; the next tick
    starts afresh (what it had claimed but not sent is lost, never sent twice)."""
    try:
        sent = await dispatch_due(context.services, context.bot)
    except Exception as error:
        if not is_database_unavailable(error):
            raise
        logger.warning("reminder pass failed, the database is unavailable: %s", _one_line(error))
        return
    if sent:
        logger.info("sent %d reminder(s)", sent)


def _one_line(error: BaseException) -> str:
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first}"


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    return [
        CommandHandler("reminder", reminder_command),
        CallbackQueryHandler(on_time, pattern=pattern(Action.REMINDER_TIME)),
        CallbackQueryHandler(on_zone, pattern=pattern(Action.REMINDER_ZONE)),
        CallbackQueryHandler(on_days, pattern=pattern(Action.REMINDER_DAYS)),
        CallbackQueryHandler(on_off, pattern=pattern(Action.REMINDER_OFF)),
        CallbackQueryHandler(on_reminder_action, pattern=pattern(Action.REMINDER_NOW)),
    ]
