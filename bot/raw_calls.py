"""Bot API calls whose answer the coach never reads, made raw.

Telegram answers an edit with the whole edited message (and a send with the sent one). PTB
builds a `Message` from it, a good part of a call's CPU, for nothing when it is not read
(bench/NOTES.md). Edits and reminders therefore go through `do_api_request`, which keeps the
rest of what PTB does for a call: the rate limiter, the transport, and the same
`TelegramError`s. The parse mode is given here, since PTB's defaults are not applied to raw
calls.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode

# PTB's hint, on every raw call, that a typed method exists; bot/app.py silences it.
RAW_CALL_HINT = r"Please use 'Bot\.\w+' instead of 'Bot\.do_api_request"


async def call(bot: Any, method: str, fields: dict[str, Any]) -> None:
    """Make one Bot API call and drop Telegram's answer (None fields are left out, as PTB
    does: a missing reply_markup on an edit takes the buttons away)."""
    await bot.do_api_request(method, api_kwargs=fields)


async def _edit(
    bot: Any,
    method: str,
    chat_id: int,
    message_id: int,
    markup: InlineKeyboardMarkup | None,
    **content: Any,
) -> None:
    fields = {"chat_id": chat_id, "message_id": message_id, **content, "reply_markup": markup}
    await call(bot, method, fields)


async def edit_text(
    bot: Any, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    await _edit(
        bot, "editMessageText", chat_id, message_id, markup, text=text, parse_mode=ParseMode.HTML
    )


async def edit_caption(
    bot: Any, chat_id: int, message_id: int, caption: str, markup: InlineKeyboardMarkup | None
) -> None:
    await _edit(
        bot,
        "editMessageCaption",
        chat_id,
        message_id,
        markup,
        caption=caption,
        parse_mode=ParseMode.HTML,
    )


async def edit_buttons(
    bot: Any, chat_id: int, message_id: int, markup: InlineKeyboardMarkup | None
) -> None:
    await _edit(bot, "editMessageReplyMarkup", chat_id, message_id, markup)
