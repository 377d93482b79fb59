"""Warning signs at any time: /warning and the menu button lead to the emergency advice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import timers
from bot.callbacks import Action, Callback, pattern
from bot.interaction import Prompt, chat_id_of, current_user, on_press, send
from bot.keyboards import button, one_per_row
from bot.services import CoachContext, Services
from content.rules import Screening
from content.texts import Html, escape, join_lines
from storage.models import User
from storage.queries import get_active_session, set_state

EMERGENCY_STEP = "emergency"


def emergency_prompt(services: Services, preface: str = "") -> Prompt:
    """The emergency advice; no exercise is offered with it."""
    return join_lines(preface, services.library.texts("emergency_advice")), None


def bulleted(signs: list[str]) -> Html:
    return Html("\n".join(f"• {escape(sign)}" for sign in signs))


async def mark_emergency(
    db: AsyncSession, services: Services, context: CoachContext, user: User
) -> None:
    """Block exercise until the user screens again, and end any session in progress."""
    now = services.clock()
    user.screening = Screening.EMERGENCY.value
    user.screened_at = now
    session = await get_active_session(db, user.id)
    if session is not None:
        timers.cancel(context.job_queue, session.id)
        session.status, session.ended_at, session.phase = "partial", now, "done"
        session.ended_by_red_flag = True
    await set_state(db, user.id, EMERGENCY_STEP, {}, now)


def warning_prompt(services: Services) -> Prompt:
    texts, flags = services.library.texts, services.library.red_flags
    signs = [sign for group in flags.emergency for sign in group.signs]
    return (
        join_lines(texts("warning_intro"), bulleted(signs)),
        one_per_row(
            [
                button(texts("button_warning_yes"), Action.WARNING, "yes"),
                button(texts("button_warning_no"), Action.WARNING, "no"),
            ]
        ),
    )


async def warning(update: Update, context: CoachContext) -> None:
    """/warning: list the emergency signs and ask whether one is happening."""
    await send(context, chat_id_of(update), warning_prompt(context.services))


@on_press
async def on_warning(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Yes: end everything and show the emergency advice. No: back to the menu."""
    from bot.menu import menu_prompt  # the menu offers this flow, so import at use

    services = context.services
    if callback.word(0) not in ("yes", "no"):
        return services.library.texts("stale_button")
    if callback.word(0) == "no":
        await send(context, chat_id_of(update), menu_prompt(services))
        return None
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        await mark_emergency(db, services, context, user)
    await send(context, chat_id_of(update), emergency_prompt(services))
    return None


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    return [
        CommandHandler("warning", warning),
        CallbackQueryHandler(on_warning, pattern=pattern(Action.WARNING)),
    ]
