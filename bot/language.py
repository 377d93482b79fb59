"""The person's language: picked for every update before any flow runs, and changed by /language.

How the coach knows which language to speak (see also bot/services.py):
- Before every other handler (group -3), `use_persons_language` reads the language stored for
  the person and sets `active_language`; someone not yet stored gets the one their Telegram
  is set to (`language_code`: ru, uk, es, pt, de; English for anything else), which is stored
  when they are first saved (bot.interaction.current_user).
- Jobs have no update: the reminder job sets each person's language while writing to them,
  and a hold timer's job sets the language of the session's person (bot/timers.py).
- `/language` shows one button per language, each named in itself; a press stores the choice
  and answers in the new language at once.
- The command menu is set per language with setMyCommands' language_code (`set_commands`).
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import first_read
from bot.callbacks import Action, Callback, pattern
from bot.interaction import Prompt, chat_id_of, current_user, on_press, send
from bot.keyboards import button, one_per_row
from bot.services import (
    CoachContext,
    Services,
    active_language,
    is_database_unavailable,
    retried_once_on_dropped_connection,
)
from content.i18n import LANGUAGES, SOURCE_LANGUAGE, known_language, language_from_telegram
from content.library import library_for
from storage.first_read import PersonRow, read_person
from storage.languages import set_language

logger = logging.getLogger(__name__)

HANDLER_GROUP = -3  # before everything else, even the private-chat check: it answers in words

# The commands in the menu, in order; each one's description is the text `command_<name>`.
COMMAND_NAMES = (
    "start", "exercise", "learn", "settings", "reminder", "streak", "activities", "pause",
    "export", "warning", "language", "forget", "cancel", "help",
)  # fmt: skip
# Callback data is lower-case ASCII: "pt_br" stands for "pt_BR".
_BY_WORD = {code.lower(): code for code in LANGUAGES}


async def use_persons_language(update: Update, context: CoachContext) -> None:
    """Serve this update in the person's stored language, or their Telegram's at first contact.

    The one read here also brings the person's row and conversation state for the update's
    flow (bot/first_read.py), so the flow does not read them again."""
    person = update.effective_user
    language = SOURCE_LANGUAGE
    first_read.forget()
    if person is not None:
        language = language_from_telegram(person.language_code)
        try:
            found = await _read_person(context.services, person.id)
        except Exception as error:
            if not is_database_unavailable(error):
                raise
            # The flow that follows meets the same outage and says so, in Telegram's language.
            logger.info("language not read, the database is unavailable: %s", type(error).__name__)
        else:
            first_read.remember(update.update_id, found)
            if found is not None and found.user["language"]:
                language = known_language(found.user["language"])
    active_language.set(language)


@retried_once_on_dropped_connection
async def _read_person(services: Services, telegram_user_id: int) -> PersonRow | None:
    async with services.single_statement() as connection:
        return await read_person(connection, telegram_user_id)


def language_prompt(services: Services) -> Prompt:
    """The question, with one button per language; the current one is ticked."""
    current = active_language.get()
    labels = [
        (f"✓ {name}" if code == current else name, code.lower()) for code, name in LANGUAGES.items()
    ]
    return services.library.texts("language_question"), one_per_row(
        [button(label, Action.LANGUAGE, word) for label, word in labels]
    )


async def language_command(update: Update, context: CoachContext) -> None:
    """/language: offer every language the coach speaks."""
    services = context.services
    async with services.transaction() as db:
        await current_user(db, update, services)
    await send(context, chat_id_of(update), language_prompt(services))


@on_press
async def on_language(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """A language was picked: store it and say so in it."""
    services = context.services
    language = _BY_WORD.get(callback.word(0))
    if language is None:  # only a forged press names a language we do not speak
        return services.library.texts("stale_button")
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        await set_language(db, user.id, language)
    active_language.set(language)
    await send(context, chat_id_of(update), (services.library.texts("language_saved"), None))
    return None


def commands(language: str) -> list[BotCommand]:
    """The command menu in `language`."""
    texts = library_for(language).texts
    return [BotCommand(name, texts(f"command_{name}")) for name in COMMAND_NAMES]


async def set_commands(bot: Bot) -> None:
    """The command menu: English by default, and each other language for its speakers."""
    await bot.set_my_commands(commands(SOURCE_LANGUAGE))
    for language in LANGUAGES:
        if language != SOURCE_LANGUAGE:
            # Telegram knows languages by their two-letter code: pt_BR serves every "pt".
            await bot.set_my_commands(commands(language), language_code=language[:2])


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    return [
        CommandHandler("language", language_command),
        CallbackQueryHandler(on_language, pattern=pattern(Action.LANGUAGE)),
    ]
