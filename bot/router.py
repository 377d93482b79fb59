"""Where each menu button leads: the one module that knows every flow a menu button opens.

The menu (bot/menu.py) only builds prompts; this router imports the flows, and nothing imports
the router but bot/app.py, so no flow ever imports another back through the menu.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import learn, onboarding, progress, reminder_settings, safety, session
from bot.callbacks import Action, Callback, pattern
from bot.interaction import chat_id_of, on_press, send
from bot.menu import MENU_ITEMS, OFFER_ITEMS, help_prompt
from bot.services import CoachContext


async def show_help(update: Update, context: CoachContext) -> None:
    """/help: what the coach can and cannot do, and its commands."""
    await send(context, chat_id_of(update), help_prompt(context.services))


@on_press
async def on_menu(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Open what the menu button names."""
    item = callback.word(0)
    if item not in MENU_ITEMS + OFFER_ITEMS:  # forged, or from a newer version
        return context.services.library.texts("stale_button")
    if item == "session":
        await session.begin(update, context)
    elif item == "progress":
        await progress.show_streak(update, context)
    elif item == "learn":
        await learn.show_learn(update, context)
    elif item == "settings":
        await onboarding.settings(update, context)
    elif item == "reminder":
        await reminder_settings.start_flow(update, context)
    elif item == "noreminder":
        await send(context, chat_id_of(update), (context.services.library.texts("later"), None))
    elif item == "warning":
        await safety.warning(update, context)
    else:
        await show_help(update, context)
    return None


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    """/help and the menu's buttons."""
    return [
        CommandHandler("help", show_help),
        CallbackQueryHandler(on_menu, pattern=pattern(Action.MENU)),
    ]
