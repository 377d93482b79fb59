"""Small pieces every flow uses: who is talking, sending a prompt, answering a button press."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot.callbacks import Callback, decode
from bot.services import CoachContext, Services
from storage.models import User
from storage.queries import get_or_create_user

logger = logging.getLogger(__name__)

Prompt = tuple[str, InlineKeyboardMarkup | None]
PressHandler = Callable[[Update, CoachContext, Callback], Coroutine[Any, Any, str | None]]


# Our own id of the user being served, for the one log line per update (never Telegram's).
internal_user_id: ContextVar[int | None] = ContextVar("internal_user_id", default=None)


class NotPrivateChat(Exception):
    """A flow was reached from a group or channel; bot/private.py should have stopped it."""


async def current_user(db: AsyncSession, update: Update, services: Services) -> User:
    """The user behind this update, created on first contact (in a private chat only)."""
    assert update.effective_user is not None
    chat_id = chat_id_of(update)
    user = await get_or_create_user(db, update.effective_user.id, chat_id, services.clock())
    if user.chat_id != chat_id:  # a first contact from a group, before groups were turned away
        user.chat_id = chat_id
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


def on_press(handler: PressHandler) -> Callable[[Update, CoachContext], Coroutine[Any, Any, None]]:
    """Decode the button's data, run `handler`, and answer the press exactly once.

    The handler returns a short notice for the answer, or None for a silent one.
    """

    @functools.wraps(handler)
    async def wrapper(update: Update, context: CoachContext) -> None:
        query = update.callback_query
        assert query is not None
        callback = decode(query.data)
        if callback is None:
            await query.answer(context.services.library.texts("stale_button"))
            return
        notice = await handler(update, context, callback)
        await query.answer(notice)

    return wrapper
