"""Daily reminders: the reminder itself, its buttons, and the dispatcher (the /reminder
settings are bot/reminder_settings.py).

One repeating job (not one job per user) finds due rows by an indexed column, claims each with
a compare-and-set, commits, then sends. A crash between commit and send loses that batch's
in-flight reminders rather than ever sending one twice: a missed nudge is better than a double.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.callbacks import Action, Callback, pattern
from bot.interaction import Prompt, chat_id_of, current_user, is_private_chat, on_press, send
from bot.keyboards import button, rows
from bot.progress import load_streak
from bot.services import CoachContext, Services, is_database_unavailable, speaking
from content.schedule import next_due_utc
from content.texts import Html
from storage.models import Reminder
from storage.progress import open_pause
from storage.reminders import (
    claim_reminder,
    disable_reminder,
    due_reminders,
    session_done_on,
)

logger = logging.getLogger(__name__)

SNOOZE = timedelta(hours=1)
DISPATCH_JOB = "reminder-dispatch"
FIRST_BATCH = 20


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
                with speaking(user.language):  # a job: no update set the language
                    prompt = reminder_prompt(services, streak.days)
                outbox.append((user.id, user.chat_id, prompt))
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
    """The reminder's own buttons: snooze and skip today."""
    return [
        CallbackQueryHandler(on_reminder_action, pattern=pattern(Action.REMINDER_NOW)),
    ]
