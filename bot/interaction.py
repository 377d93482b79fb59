"""Small pieces every flow uses: who is talking, sending a prompt, answering a button press."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from bot.callbacks import Callback, decode
from bot.services import CoachContext, Services
from storage.models import User
from storage.queries import get_or_create_user

logger = logging.getLogger(__name__)

Prompt = tuple[str, InlineKeyboardMarkup | None]
PressHandler = Callable[[Update, CoachContext, Callback], Coroutine[Any, Any, str | None]]


# Our own id of the user being served, for the one log line per update (never Telegram's).
internal_user_id: ContextVar[int | None] = ContextVar("internal_user_id", default=None)


async def current_user(db: AsyncSession, update: Update, services: Services) -> User:
    """The user behind this update, created on first contact."""
    assert update.effective_user is not None and update.effective_chat is not None
    user = await get_or_create_user(
        db, update.effective_user.id, update.effective_chat.id, services.clock()
    )
    internal_user_id.set(user.id)
    return user


async def send(context: CoachContext, chat_id: int, prompt: Prompt) -> None:
    """Send one message with its keyboard."""
    text, markup = prompt
    await context.bot.send_message(chat_id, text, reply_markup=markup)


def chat_id_of(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


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
