"""/pause and /resume: the pure flow in content/flows/pause.py, fed by commands and buttons."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import Action, Callback, pattern
from bot.engine import PureFlow, RecordHandler, prompt_of, run_step
from bot.interaction import Prompt, on_press
from bot.progress import local_today
from bot.services import CoachContext, Services
from content.flows import pause as flow
from content.flows.core import FlowEvent, FlowState
from storage.models import Pause, User
from storage.progress import open_pause

PAUSE = PureFlow(flow.FLOW, flow.advance)


async def env_for(db: AsyncSession, services: Services, user: User) -> flow.PauseEnv:
    """Today in the person's zone and the pause in force, if any."""
    today = local_today(services, user)
    pause = await open_pause(db, user.id, today)
    snapshot = flow.OpenPause(pause.starts_on, pause.ends_on) if pause else None
    return flow.PauseEnv(services.library.texts, today, snapshot)


async def _start(db: AsyncSession, services: Services, user: User, effect: Any) -> None:
    assert isinstance(effect, flow.StartPause)
    db.add(Pause(user_id=user.id, starts_on=effect.starts_on, ends_on=effect.ends_on))


async def _end(db: AsyncSession, services: Services, user: User, effect: Any) -> None:
    assert isinstance(effect, flow.EndPause)
    pause = await open_pause(db, user.id, effect.today)
    if pause is None:
        return
    if pause.starts_on >= effect.today:
        await db.delete(pause)  # begun today: as if it never was
    else:
        pause.ends_on = effect.today - timedelta(days=1)  # today counts again


RECORDS: dict[type, RecordHandler] = {flow.StartPause: _start, flow.EndPause: _end}


async def _step(update: Update, context: CoachContext, event: FlowEvent) -> str | None:
    return await run_step(update, context, PAUSE, event, env_for, RECORDS)


async def ask_pause(update: Update, context: CoachContext) -> None:
    """/pause: for how long."""
    await _step(update, context, FlowEvent(flow.Kind.ASK))


async def end_pause(update: Update, context: CoachContext) -> None:
    """/resume: end the pause today; today counts again."""
    await _step(update, context, FlowEvent(flow.Kind.RESUME))


@on_press
async def on_pause(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Pause buttons: ask (under /streak), a length, or end."""
    choice = callback.word(0)
    if choice == "ask":
        return await _step(update, context, FlowEvent(flow.Kind.ASK))
    if choice == "end":
        return await _step(update, context, FlowEvent(flow.Kind.RESUME))
    return await _step(update, context, FlowEvent(flow.Kind.LENGTH, (choice,)))


async def current_prompt(
    db: AsyncSession, services: Services, user: User, state: FlowState
) -> Prompt | None:
    """The pause question again, for someone who typed instead of pressing."""
    question = flow.current_question(state, await env_for(db, services, user))
    return prompt_of(question) if question else None


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    """/pause, /resume and the pause buttons."""
    return [
        CommandHandler("pause", ask_pause),
        CommandHandler("resume", end_pause),
        CallbackQueryHandler(on_pause, pattern=pattern(Action.PAUSE)),
    ]
