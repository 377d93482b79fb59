"""Where someone does the floor exercises (floor, bed or wall): asked in /settings, kept on
the user, and used by every session started after it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.callbacks import Action, Callback, pattern
from bot.interaction import Prompt, chat_id_of, current_user, on_press, send
from bot.keyboards import button, one_per_row
from bot.services import CoachContext, Services
from content.models import Setup


def setup_prompt(services: Services, current: Setup) -> Prompt:
    """The question with one button per setup; the current one is named in the text."""
    texts = services.library.texts
    return texts("ask_setup", current=texts(f"setup_{current.value}").lower()), one_per_row(
        [button(texts(f"setup_{each.value}"), Action.SETUP, each.value) for each in Setup]
    )


async def offer_setup(context: CoachContext, chat_id: int, current: str) -> None:
    """Ask where the floor exercises are done (sent by /settings beside its other question)."""
    await send(context, chat_id, setup_prompt(context.services, Setup(current)))


@on_press
async def on_setup(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Keep the chosen setup; sessions started from now on use it."""
    services = context.services
    texts = services.library.texts
    try:
        chosen = Setup(callback.word(0))
    except ValueError:
        return texts("stale_button")
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        if user.onboarded_at is None:
            return texts("no_profile")
        user.setup = chosen.value
    choice = texts(f"setup_{chosen.value}").lower()
    await send(context, chat_id_of(update), (texts("setup_saved", choice=choice), None))
    return None


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    return [CallbackQueryHandler(on_setup, pattern=pattern(Action.SETUP))]
