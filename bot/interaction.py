"""Small pieces every flow uses: who is talking, sending a prompt, answering a button press."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, MessageLimit
from telegram.error import BadRequest, TelegramError

from bot import first_read, raw_calls
from bot.callbacks import Callback, decode
from bot.services import CoachContext, Services, active_language
from content.library import visible_length
from content.texts import join_lines
from storage.first_read import adopt_user
from storage.models import User
from storage.queries import get_or_create_user

logger = logging.getLogger(__name__)

Prompt = tuple[str, InlineKeyboardMarkup | None]
TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH
PressHandler = Callable[[Update, CoachContext, Callback], Coroutine[Any, Any, str | None]]


# Our own id of the user being served, for the one log line per update (never Telegram's).
internal_user_id: ContextVar[int | None] = ContextVar("internal_user_id", default=None)


class NotPrivateChat(Exception):
    """A flow was reached from a group or channel; bot/private.py should have stopped it."""


async def current_user(db: AsyncSession, update: Update, services: Services) -> User:
    """The user behind this update, created on first contact (in a private chat only)."""
    assert update.effective_user is not None
    chat_id = chat_id_of(update)
    read = first_read.person_read(update.update_id)
    if read is not None and read.person is not None:
        user = adopt_user(db, read.person.user)
    else:
        user = await get_or_create_user(db, update.effective_user.id, chat_id, services.clock())
    if user.chat_id != chat_id:  # a first contact from a group, before groups were turned away
        user.chat_id = chat_id
    if user.language is None:  # first contact: keep the language this update is served in
        user.language = active_language.get()
    internal_user_id.set(user.id)
    return user


async def send(context: CoachContext, chat_id: int, prompt: Prompt) -> None:
    """Send one message with its keyboard."""
    text, markup = prompt
    await context.bot.send_message(chat_id, text, reply_markup=markup)


def chat_id_of(update: Update) -> int:
    """The private chat to answer in; never a group's, whose every member would see it."""
    chat = update.effective_chat
    assert chat is not None
    if chat.type != ChatType.PRIVATE:
        raise NotPrivateChat(chat.type)
    return chat.id


def is_private_chat(user: User) -> bool:
    """Whether the user's stored chat is their private one: Telegram gives a private chat the
    person's own id, and every group or channel another."""
    return user.chat_id == user.telegram_user_id


# Whether the press being handled changed its own message (a running timer, ticked days), so
# the press must not also close it. Set per press; a task's coroutines share it.
_pressed_message_changed: ContextVar[bool] = ContextVar("pressed_message_changed", default=False)


def on_press(handler: PressHandler) -> Callable[[Update, CoachContext], Coroutine[Any, Any, None]]:
    """Decode the button's data, run `handler`, close the answered question, and answer the
    press exactly once: one edit and one answer per press, besides what the handler sends.

    The handler returns a short notice for the answer (nothing was done: the question stays as
    it is), or None when the press was taken.
    """

    @functools.wraps(handler)
    async def wrapper(update: Update, context: CoachContext) -> None:
        query = update.callback_query
        assert query is not None
        callback = decode(query.data)
        if callback is None:
            await answer_press(query, context.services.library.texts("stale_button"))
            return
        _pressed_message_changed.set(False)
        notice = await handler(update, context, callback)
        if notice is None and not _pressed_message_changed.get():
            await close_answered_question(context, query)
        await answer_press(query, notice)

    return wrapper


# What Telegram says to an answer that comes too late: the press was answered already (by
# another instance, before its delivery was retried) or waited longer than Telegram keeps it.
_EXPIRED_PRESS = ("query is too old", "query id is invalid")


async def answer_press(query: CallbackQuery, notice: str | None = None) -> None:
    """Answer a button press (stop its spinner, show `notice`). A press Telegram no longer
    takes an answer for is harmless: what it did is saved, and the person sees the result."""
    try:
        await query.answer(notice)
    except BadRequest as error:
        if not any(reason in error.message.lower() for reason in _EXPIRED_PRESS):
            raise
        logger.info("press answered too late: %s", error.message)


def chosen_label(message: Message, data: str | None) -> str | None:
    """The label of the message's button that carries `data`; None if it has none (forged)."""
    markup = message.reply_markup
    if markup is None or data is None:
        return None
    for row in markup.inline_keyboard:
        for pressed in row:
            if pressed.callback_data == data:
                return pressed.text
    return None


async def close_answered_question(context: CoachContext, query: CallbackQuery) -> None:
    """Show the chosen answer under the question and take its buttons away, as people expect
    of an answered question in Telegram."""
    message = query.message
    if not isinstance(message, Message):
        return  # too old for Telegram to show us: nothing to edit
    label = chosen_label(message, query.data)
    if label is None:
        return
    answer = context.services.library.texts("answered", choice=label)
    bot, chat_id, message_id = context.bot, message.chat_id, message.message_id
    try:
        if message.caption is not None or message.effective_attachment is not None:
            caption = join_lines(message.caption_html or "", answer)
            if visible_length(caption) <= CAPTION_LIMIT:
                await raw_calls.edit_caption(bot, chat_id, message_id, caption, None)
            else:
                await raw_calls.edit_buttons(bot, chat_id, message_id, None)
        else:
            text = join_lines(message.text_html or "", answer)
            if visible_length(text) <= TEXT_LIMIT:
                await raw_calls.edit_text(bot, chat_id, message_id, text, None)
            else:
                await raw_calls.edit_buttons(bot, chat_id, message_id, None)
    except TelegramError as error:  # deleted, too old, blocked: the answer is taken all the same
        logger.info("could not close an answered question: %s", error)


def note_pressed_message_changed() -> None:
    """The press being handled changed its own message: leave it open, not closed."""
    _pressed_message_changed.set(True)


async def change_pressed_message(
    update: Update, text: str | None, markup: InlineKeyboardMarkup | None
) -> None:
    """Change the pressed message in place (its text or caption, and its keyboard); the press
    then leaves it open. `text` None changes only the keyboard."""
    note_pressed_message_changed()
    query = update.callback_query
    assert query is not None
    message = query.message
    if not isinstance(message, Message):
        return  # too old for Telegram to show us: nothing to change
    bot, chat_id, message_id = query.get_bot(), message.chat_id, message.message_id
    try:
        if text is None:
            await raw_calls.edit_buttons(bot, chat_id, message_id, markup)
        elif message.effective_attachment is not None:
            await raw_calls.edit_caption(bot, chat_id, message_id, text, markup)
        else:
            await raw_calls.edit_text(bot, chat_id, message_id, text, markup)
    except BadRequest as error:  # gone or unchanged: what the press did is saved all the same
        logger.info("could not change the pressed message: %s", error)
