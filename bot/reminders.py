"""Daily reminders: the /reminder settings flow, the reminder itself, and the dispatcher.

One repeating job (not one job per user) finds due rows by an indexed column, claims each with
a compare-and-set, commits, then sends. A crash between commit and send loses that batch's
in-flight reminders rather than ever sending one twice: a missed nudge is better than a double.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import date, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from telegram import Update
from telegram.error import Forbidden
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import Action, Callback, pattern
from bot.interaction import Prompt, chat_id_of, current_user, on_press, send
from bot.keyboards import button, one_per_row, rows
from bot.services import CoachContext, Services
from content.schedule import EVERY_DAY, WEEKDAYS, find_zone, next_due_utc, parse_time
from content.texts import Html
from storage.models import ExerciseSession, Reminder, User
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


@cache
def known_zones() -> set[str]:
    return zoneinfo.available_timezones()


def _time_word(at: time) -> str:
    return at.strftime("%H%M")


def _parse_time_word(word: str) -> time | None:
    return time(int(word[:2]), int(word[2:])) if len(word) == 4 and word.isdigit() else None


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
            [button(texts("button_keep_zone", zone=user.timezone), Action.REMINDER_ZONE, "keep")]
        )
    return texts("reminder_ask_days"), one_per_row(
        [
            button(texts("button_every_day"), Action.REMINDER_DAYS, "all"),
            button(texts("button_weekdays"), Action.REMINDER_DAYS, "weekdays"),
        ]
    )


async def reminder_command(update: Update, context: CoachContext) -> None:
    """/reminder: choose a time, a zone and days."""
    await start_flow(update, context)


async def start_flow(update: Update, context: CoachContext) -> None:
    services = context.services
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        await set_state(db, user.id, TIME_STEP, {}, services.clock())
        prompt = prompt_for(services, user, TIME_STEP, {})
    await send(context, chat_id_of(update), prompt)


async def _advance(update: Update, context: CoachContext, step: str, value: str) -> str | None:
    """Take an answer for `step` (from a button or typed) and ask the next question."""
    services = context.services
    texts = services.library.texts
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        state = await get_state(db, user.id)
        if state is None or state.step != step:
            return texts("stale_button")
        data = dict(state.data)
        prompt: Prompt
        if step == TIME_STEP:
            at = _parse_time_word(value) or parse_time(value)
            if at is None:
                prompt = texts("reminder_time_unknown"), None
            else:
                data["time"] = _time_word(at)
                await set_state(db, user.id, ZONE_STEP, data, services.clock())
                prompt = prompt_for(services, user, ZONE_STEP, data)
        elif step == ZONE_STEP:
            zone = user.timezone if value == "keep" else find_zone(value, known_zones())
            if zone is None:
                prompt = texts("reminder_zone_unknown"), None
            else:
                user.timezone = zone
                await set_state(db, user.id, DAYS_STEP, data, services.clock())
                prompt = prompt_for(services, user, DAYS_STEP, data)
        else:
            prompt = await _save(db, services, user, data, value)
    await send(context, chat_id_of(update), prompt)
    return None


async def _save(db: Any, services: Services, user: User, data: dict[str, Any], days: str) -> Prompt:
    texts = services.library.texts
    at = _parse_time_word(data["time"])
    assert at is not None
    weekdays = WEEKDAYS if days == "weekdays" else EVERY_DAY
    zone = ZoneInfo(user.timezone)
    due = next_due_utc(at, zone, weekdays, services.clock())
    await save_reminder(
        db, user.id, local_time=at, weekdays=weekdays, timezone=user.timezone, next_due_utc=due
    )
    await clear_state(db, user.id)
    next_text = due.astimezone(zone).strftime("%a %d %b, %H:%M") if due else "-"
    return texts(
        "reminder_set",
        time=at.strftime("%H:%M"),
        zone=user.timezone,
        days=texts("reminder_days_weekdays" if days == "weekdays" else "reminder_days_every"),
        next=next_text,
    ), None


async def on_typed(update: Update, context: CoachContext, step: str) -> None:
    """A typed time or place while the reminder flow waits for one."""
    assert update.message is not None
    await _advance(update, context, step, update.message.text or "")


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


def reminder_offer(services: Services) -> Prompt:
    texts = services.library.texts
    return texts("reminder_offer"), rows(
        [button(texts("button_set_reminder"), Action.MENU, "reminder")],
        [button(texts("button_no_reminder"), Action.MENU, "noreminder")],
    )


def current_streak(days: set[date], today: date) -> int:
    """Days in a row with a session, counting back from today (or yesterday if today is open)."""
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


async def _streak(db: Any, user_id: int, today: date) -> int:
    result = await db.execute(
        select(ExerciseSession.local_date)
        .where(
            ExerciseSession.user_id == user_id,
            ExerciseSession.status != "active",
            ExerciseSession.local_date >= today - timedelta(days=400),
        )
        .distinct()
    )
    return current_streak(set(result.scalars()), today)


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


async def dispatch_due(services: Services, bot: Any) -> int:
    """Claim and send every due reminder in bounded batches; return how many were sent."""
    settings = services.settings
    grace = timedelta(hours=settings.reminder_grace_hours)
    sent = 0
    while True:
        now = services.clock()
        outbox: list[tuple[int, int, Prompt]] = []
        async with services.transaction() as db:
            batch = await due_reminders(db, now, settings.reminder_batch_size)
            for reminder, user in batch:
                zone = ZoneInfo(reminder.timezone)
                today = now.astimezone(zone).date()
                was_due = reminder.next_due_utc
                assert was_due is not None
                following = next_due_utc(reminder.local_time, zone, reminder.weekdays, now)
                too_late = now - was_due > grace
                done = await session_done_on(db, user.id, today)
                send_now = not too_late and not done
                claimed = await claim_reminder(
                    db,
                    user.id,
                    was_due=was_due,
                    next_due=following,
                    sent_on=today if send_now else None,
                )
                if claimed and send_now:
                    streak = await _streak(db, user.id, today)
                    outbox.append((user.id, user.chat_id, reminder_prompt(services, streak)))
        for user_id, chat_id, (text, markup) in outbox:
            try:
                await bot.send_message(chat_id, text, reply_markup=markup)
                sent += 1
            except Forbidden:
                logger.info("user %s blocked the bot; reminders turned off", user_id)
                async with services.transaction() as db:
                    await disable_reminder(db, user_id, services.clock())
        if len(batch) < settings.reminder_batch_size:
            return sent


async def dispatch_job(context: CoachContext) -> None:
    """The repeating job: send what is due now."""
    sent = await dispatch_due(context.services, context.bot)
    if sent:
        logger.info("sent %d reminder(s)", sent)


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    return [
        CommandHandler("reminder", reminder_command),
        CallbackQueryHandler(on_time, pattern=pattern(Action.REMINDER_TIME)),
        CallbackQueryHandler(on_zone, pattern=pattern(Action.REMINDER_ZONE)),
        CallbackQueryHandler(on_days, pattern=pattern(Action.REMINDER_DAYS)),
        CallbackQueryHandler(on_off, pattern=pattern(Action.REMINDER_OFF)),
        CallbackQueryHandler(on_reminder_action, pattern=pattern(Action.REMINDER_NOW)),
    ]
