"""/reminder settings: the pure flow in content/flows/reminder.py (a time pressed or typed, a
zone kept, typed, shared as a location or picked by its time now, the days, or off), fed by
commands, buttons, typed text and shared locations. The reminder itself is bot/reminders.py.
"""

from __future__ import annotations

import math
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import Action, Callback, pattern
from bot.engine import PureFlow, RecordHandler, prompt_of, run_step
from bot.interaction import Prompt, chat_id_of, on_press, send
from bot.services import CoachContext, Services
from content.flows import reminder as flow
from content.flows.core import FlowEvent, FlowState
from content.rules import Screening
from storage.models import Reminder, User
from storage.reminders import save_reminder

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder


@cache
def _zone_finder() -> TimezoneFinder:
    # Imported on the first shared location: with numpy it adds about 100 ms to start-up.
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()  # loads its offline map once


def zone_at(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a shared location, from an offline map; None off the map."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None  # the map raises on these; a real client never sends them
    return _zone_finder().timezone_at(lat=latitude, lng=longitude)


REMINDER = PureFlow(flow.FLOW, flow.advance)


def view_of(reminder: Reminder) -> flow.ReminderView:
    return flow.ReminderView(
        reminder.local_time,
        reminder.weekdays,
        reminder.timezone,
        reminder.next_due_utc,
        reminder.enabled,
    )


async def env_for(db: AsyncSession, services: Services, user: User) -> flow.ReminderEnv:
    """The person's zone and reminder as stored, and whether exercise is off."""
    reminder = await db.get(Reminder, user.id)
    return flow.ReminderEnv(
        services.library.texts,
        services.clock(),
        user.timezone,
        view_of(reminder) if reminder is not None else None,
        blocked=user.screening == Screening.EMERGENCY,
    )


async def _set_zone(db: AsyncSession, services: Services, user: User, effect: Any) -> None:
    assert isinstance(effect, flow.SetZone)
    user.timezone = effect.zone


async def _save(db: AsyncSession, services: Services, user: User, effect: Any) -> None:
    assert isinstance(effect, flow.SaveReminder)
    await save_reminder(
        db,
        user.id,
        local_time=effect.local_time,
        weekdays=effect.weekdays,
        timezone=effect.zone,
        next_due_utc=effect.next_due_utc,
    )


async def _turn_off(db: AsyncSession, services: Services, user: User, effect: Any) -> None:
    reminder = await db.get(Reminder, user.id)
    if reminder is not None:
        reminder.enabled = False


RECORDS: dict[type, RecordHandler] = {
    flow.SetZone: _set_zone,
    flow.SaveReminder: _save,
    flow.TurnRemindersOff: _turn_off,
}


async def _step(update: Update, context: CoachContext, event: FlowEvent) -> str | None:
    return await run_step(update, context, REMINDER, event, env_for, RECORDS)


async def start_flow(update: Update, context: CoachContext) -> None:
    """/reminder: show the reminder as it is now (if any), then ask for a time."""
    await _step(update, context, FlowEvent(flow.Kind.BEGIN))


async def current_prompt(
    db: AsyncSession, services: Services, user: User, state: FlowState
) -> Prompt | None:
    """The reminder question again, for someone who sent something else."""
    return prompt_of(flow.current_question(state, await env_for(db, services, user)))


def takes_text(state: FlowState) -> bool:
    """Whether typed text or a shared location answers the reminder question at `state`."""
    return flow.takes_text(state)


async def on_typed(update: Update, context: CoachContext) -> None:
    """A typed time or place, or a shared location, while the reminder flow waits for one."""
    message = update.message
    assert message is not None
    if message.location is not None:
        zone = zone_at(message.location.latitude, message.location.longitude)
        text = zone or ""  # off the map: "I couldn't find that place"
    else:
        text = message.text or ""
    toast = await _step(update, context, FlowEvent(flow.Kind.TYPED, text=text))
    if toast is not None:  # typed text has no button to show a notice on
        await send(context, chat_id_of(update), (toast, None))


@on_press
async def on_time(update: Update, context: CoachContext, callback: Callback) -> str | None:
    return await _step(update, context, FlowEvent(flow.Kind.TIME, callback.args))


@on_press
async def on_zone(update: Update, context: CoachContext, callback: Callback) -> str | None:
    return await _step(update, context, FlowEvent(flow.Kind.ZONE, callback.args))


@on_press
async def on_days(update: Update, context: CoachContext, callback: Callback) -> str | None:
    return await _step(update, context, FlowEvent(flow.Kind.DAYS, callback.args))


@on_press
async def on_off(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Turn reminders off."""
    return await _step(update, context, FlowEvent(flow.Kind.OFF))


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    """/reminder and the settings' buttons."""
    return [
        CommandHandler("reminder", start_flow),
        CallbackQueryHandler(on_time, pattern=pattern(Action.REMINDER_TIME)),
        CallbackQueryHandler(on_zone, pattern=pattern(Action.REMINDER_ZONE)),
        CallbackQueryHandler(on_days, pattern=pattern(Action.REMINDER_DAYS)),
        CallbackQueryHandler(on_off, pattern=pattern(Action.REMINDER_OFF)),
    ]
