"""Daily reminders: the reminder itself, its buttons, and the dispatcher (the /reminder
settings are bot/reminder_settings.py).

One repeating job (not one job per user) finds due rows by an indexed column, claims them with
a compare-and-set, commits, then sends. A crash between commit and send loses that batch's
in-flight reminders rather than ever sending one twice: a missed nudge is better than a double.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import raw_calls
from bot.broadcast import PaidShare
from bot.callbacks import Action, Callback, pattern
from bot.interaction import Prompt, chat_id_of, current_user, is_private_chat, on_press, send
from bot.keyboards import button, rows
from bot.progress import PICTURE_DAYS, load_history
from bot.services import CoachContext, Services, is_database_unavailable, speaking
from content.schedule import next_due_utc
from content.streaks import current_streak, day_runs, paused_days
from content.texts import Html
from storage.models import Reminder, User
from storage.progress import counted_days_of, pauses_of
from storage.reminders import claim_reminders, disable_reminder, due_reminders

logger = logging.getLogger(__name__)

SNOOZE = timedelta(hours=1)
DISPATCH_JOB = "reminder-dispatch"
# A small first batch starts the sending at once; each next one is 2.5 times the last, up to
# REMINDER_BATCH_SIZE, so it is claimed in about the time the last one takes to send.
FIRST_BATCH = 40
FREE_SENDERS = 2  # requests in flight for the free pace
PAID_SENDERS = 8  # for 1,000 a second: 16 or 24 measured no faster, with longer answers


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


def reminder_prompt(services: Services, streak: int) -> tuple[Html, str]:
    """The reminder's text and its buttons, the latter as the JSON Telegram takes."""
    texts = services.library.texts
    streak_text: Html = texts("streak_days", days=streak) if streak else texts("streak_none")
    keyboard = reminder_keyboard(
        texts("button_start_now"), texts("button_snooze"), texts("button_skip_today")
    )
    return texts("reminder_due", streak=streak_text), keyboard


@functools.lru_cache(maxsize=64)
def reminder_keyboard(start: str, snooze: str, skip: str) -> str:
    """The reminder's buttons in one language, serialized once: a wave sends the same buttons
    thousands of times, and PTB would build their JSON again for every message."""
    markup = rows(
        [button(start, Action.MENU, "session")],
        [button(snooze, Action.REMINDER_NOW, "snooze"), button(skip, Action.REMINDER_NOW, "skip")],
    )
    return json.dumps(markup.to_dict())


Outgoing = tuple[int, int, tuple[Html, str]]  # (user id, chat id, the reminder)


async def claim_batch(services: Services, limit: int) -> tuple[list[Outgoing], bool]:
    """Claim up to one batch of due reminders; returns what to send, and whether more may wait.

    Claims commit before anything is sent: a crash loses at most this batch, never repeats it.
    A few statements serve the whole batch (who did today's session, who is paused, their
    streaks, the claim), so a wave can be read as fast as paid broadcast sends it.
    """
    grace = timedelta(hours=services.settings.reminder_grace_hours)
    now = services.clock()
    outbox: list[Outgoing] = []
    async with services.transaction() as db:
        batch = await due_reminders(db, now, limit)
        todays = {
            user.id: now.astimezone(ZoneInfo(reminder.timezone)).date() for reminder, user in batch
        }
        since = min(todays.values(), default=now.date()) - timedelta(days=PICTURE_DAYS)
        days = await counted_days_of(db, list(todays), since)
        pauses = await pauses_of(db, list(todays), since)
        claims: list[tuple[int, datetime | None, date | None]] = []
        wanted: dict[int, User] = {}
        for reminder, user in batch:
            today = todays[user.id]
            assert reminder.next_due_utc is not None
            zone = ZoneInfo(reminder.timezone)
            following = next_due_utc(reminder.local_time, zone, reminder.weekdays, now)
            too_late = now - reminder.next_due_utc > grace
            done = days[user.id].get(today, False)
            paused = today in paused_days(pauses[user.id], today, today)
            # A chat that is not the person's own (a group, from before groups were turned
            # away) never gets a reminder: everyone there would see it.
            send_now = not too_late and not done and not paused and is_private_chat(user)
            claims.append((user.id, following, today if send_now else None))
            if send_now:
                wanted[user.id] = user
        claimed = await claim_reminders(db, now, claims)
        for user_id, user in wanted.items():
            if user_id not in claimed:
                continue
            today = todays[user_id]
            streak = current_streak(
                day_runs(days[user_id]), paused_days(pauses[user_id], since, today), today
            )
            if streak.reached is not None and streak.reached <= since:  # longer than the window
                streak = (await load_history(db, user, today)).streak(today)
            with speaking(user.language):  # a job: no update set the language
                prompt = reminder_prompt(services, streak.days)
            outbox.append((user_id, user.chat_id, prompt))
    return outbox, len(batch) == limit


async def send_reminder(services: Services, bot: Any, reminder: Outgoing, *, paid: bool) -> bool:
    """Send one claimed reminder; someone who blocked the bot has reminders turned off."""
    user_id, chat_id, (text, keyboard) = reminder
    message = {
        "chat_id": chat_id,
        "text": text,
        "parse_mode": ParseMode.HTML,
        "reply_markup": keyboard,
    }
    if paid:
        message["allow_paid_broadcast"] = True
    try:
        # Raw: building the sent Message from Telegram's answer is about a fifth of a send's
        # CPU at paid broadcast's 1,000 a second, and it is never read.
        await raw_calls.call(bot, "sendMessage", message)
        return True
    except (Forbidden, BadRequest) as error:
        if isinstance(error, BadRequest) and "chat not found" not in error.message.lower():
            logger.warning("reminder for user %s refused: %s", user_id, error.message)
            return False
        logger.info("user %s blocked the bot or left; reminders turned off", user_id)
        async with services.transaction() as db:
            await disable_reminder(db, user_id, services.clock())
    except TelegramError as error:  # this one reminder is lost; the rest still go out
        logger.warning("reminder for user %s not sent: %s", user_id, error)
    return False


async def dispatch_due(services: Services, bot: Any) -> int:
    """Claim and send every due reminder in bounded batches; return how many were sent.

    Claiming runs beside sending, so Telegram's rate is never left idle waiting for the
    database: a small first batch starts the sending at once, and at most about two batches
    wait claimed but unsent (what a crash at that moment would lose). Each batch is split
    between the free lane and, when the wave is too big for the free rate to deliver in time,
    the paid lane (bot/broadcast.py decides how many, and the daily budget allows them).
    """
    size = services.settings.reminder_batch_size
    free_lane: asyncio.Queue[Outgoing | None] = asyncio.Queue(maxsize=size)
    paid_lane: asyncio.Queue[Outgoing | None] = asyncio.Queue(maxsize=size)
    share = await PaidShare.plan(services)
    failure: Exception | None = None

    async def claim_all() -> None:
        nonlocal failure
        limit = min(FIRST_BATCH, size)
        try:
            while True:
                outbox, more = await claim_batch(services, limit)
                paid = await share.take(len(outbox))
                # The free lane's share first: its pace has nothing to spare, so its reminders
                # must not wait until the paid lane has room for the whole batch.
                for reminder in outbox[paid:]:
                    await free_lane.put(reminder)
                for reminder in outbox[:paid]:
                    await paid_lane.put(reminder)
                if not more:
                    break
                limit = min(limit * 5 // 2, size)
        except Exception as error:  # raised once what was already claimed has gone out
            failure = error
        # The senders must never wait for a batch that will not come (the job runs with
        # max_instances=1, so a hang would silence every reminder).
        for lane, senders in ((free_lane, FREE_SENDERS), (paid_lane, PAID_SENDERS)):
            for _ in range(senders):
                await lane.put(None)

    async def send_from(lane: asyncio.Queue[Outgoing | None], paid: bool) -> tuple[int, int]:
        sent = failed = 0
        while (reminder := await lane.get()) is not None:
            if await send_reminder(services, bot, reminder, paid=paid):
                sent += 1
            else:
                failed += 1
        return sent, failed

    claiming = asyncio.create_task(claim_all())
    senders = [asyncio.create_task(send_from(free_lane, False)) for _ in range(FREE_SENDERS)]
    paying = [asyncio.create_task(send_from(paid_lane, True)) for _ in range(PAID_SENDERS)]
    try:
        free_results = await asyncio.gather(*senders)
        paid_results = await asyncio.gather(*paying)
        await claiming
    finally:
        for task in (claiming, *senders, *paying):  # sending failed: stop the rest
            if not task.done():
                task.cancel()
        await asyncio.gather(claiming, *senders, *paying, return_exceptions=True)
    await share.give_back(sum(failed for _, failed in paid_results))  # Telegram charged none
    if failure is not None:
        raise failure
    return sum(sent for sent, _ in free_results + paid_results)


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
