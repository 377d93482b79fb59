"""The menu a returning user sees, and /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import Action, Callback, pattern
from bot.interaction import Prompt, chat_id_of, on_press, send
from bot.keyboards import button, one_per_row
from bot.services import CoachContext, Services
from content.screening import may_exercise
from storage.models import User

MENU_ITEMS = ("session", "progress", "learn", "settings", "warning", "help")
# Words other flows put on menu buttons (the offers after onboarding and after a session).
OFFER_ITEMS = ("reminder", "noreminder")
BLOCKED_ITEMS = ("learn", "help")


def menu_prompt(services: Services, user: User) -> Prompt:
    """The menu; someone with a warning sign is offered no session, only the way back."""
    texts = services.library.texts
    if not may_exercise(user.screening) and user.onboarded_at is not None:
        return blocked_prompt(services)
    return texts("menu"), one_per_row(
        [button(texts(f"button_menu_{item}"), Action.MENU, item) for item in MENU_ITEMS]
    )


def blocked_prompt(services: Services) -> Prompt:
    """Exercise is off after a warning sign: say so, and offer the way back."""
    texts = services.library.texts
    return texts("blocked_by_emergency"), one_per_row(
        [
            button(texts("button_checked"), Action.CHECKED),
            *(button(texts(f"button_menu_{item}"), Action.MENU, item) for item in BLOCKED_ITEMS),
        ]
    )


def help_prompt(services: Services) -> Prompt:
    texts = services.library.texts
    return texts("help", about=texts("about")), None


async def show_help(update: Update, context: CoachContext) -> None:
    """/help: what the coach can and cannot do, and its commands."""
    await send(context, chat_id_of(update), help_prompt(context.services))


@on_press
async def on_menu(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Open what the menu button names."""
    from bot import learn, onboarding, progress, reminders, safety, session  # these import the menu

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
        await reminders.start_flow(update, context)
    elif item == "noreminder":
        await send(context, chat_id_of(update), (context.services.library.texts("later"), None))
    elif item == "warning":
        await safety.warning(update, context)
    else:
        await show_help(update, context)
    return None


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    return [
        CommandHandler("help", show_help),
        CallbackQueryHandler(on_menu, pattern=pattern(Action.MENU)),
    ]
