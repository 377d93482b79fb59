"""/forget: the pure flow in content/flows/forget.py (a confirmation bound to the question that
asked it, expiring after ten minutes), fed by the command and its buttons."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import timers
from bot.callbacks import Action, Callback, pattern
from bot.engine import PureFlow, RecordHandler, run_step
from bot.interaction import Prompt, on_press
from bot.services import CoachContext, Services
from content.flows import forget as flow
from content.flows.core import FlowEvent, FlowState
from storage.models import User
from storage.progress import delete_user
from storage.queries import get_active_session

FORGET = PureFlow(flow.FLOW, flow.advance)


async def env_for(db: AsyncSession, services: Services, user: User) -> flow.ForgetEnv:
    """The time now and a fresh token, should this step ask the question."""
    return flow.ForgetEnv(services.library.texts, services.clock(), secrets.token_hex(4))


def records(context: CoachContext) -> dict[type, RecordHandler]:
    """Deleting everything also stops a running hold timer of this Application."""

    async def forget_everything(
        db: AsyncSession, services: Services, user: User, effect: Any
    ) -> None:
        active = await get_active_session(db, user.id)
        if active is not None:
            timers.cancel(context.job_queue, active.id)
        await delete_user(db, user.id)

    return {flow.ForgetEverything: forget_everything}


async def ask_forget(update: Update, context: CoachContext) -> None:
    """/forget: ask to confirm."""
    await run_step(update, context, FORGET, FlowEvent(flow.Kind.ASK), env_for, records(context))


@on_press
async def on_forget(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Delete the user and everything that hangs off them, or keep it."""
    event = FlowEvent(flow.Kind.ANSWER, callback.args)
    return await run_step(update, context, FORGET, event, env_for, records(context))


async def current_prompt(
    db: AsyncSession, services: Services, user: User, state: FlowState
) -> Prompt | None:
    """None: deleting everything is never asked again unprompted; /forget asks anew."""
    return None


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    """/forget and its two buttons."""
    return [
        CommandHandler("forget", ask_forget),
        CallbackQueryHandler(on_forget, pattern=pattern(Action.FORGET)),
    ]
