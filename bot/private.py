"""Private chats only. In a group, supergroup or channel the coach says so in one line, with a
link to a private chat, and stores nothing: these handlers run before every other (group -2)
and stop the update there. Everyone in a group would see what the coach sends.
"""

from __future__ import annotations

import logging

from telegram import ChatMember, ChatMemberUpdated, LinkPreviewOptions, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    MessageHandler,
    filters,
)

from bot.interaction import answer_press
from bot.services import CoachContext

logger = logging.getLogger(__name__)
updates_logger = logging.getLogger("bot.updates")

HANDLER_GROUP = -2  # before every flow: nothing about a group is written
NOT_PRIVATE = ~filters.ChatType.PRIVATE


def private_only_text(context: CoachContext) -> str:
    """One line: the coach works in a private chat, and the link that opens one."""
    link = f"https://t.me/{context.bot.username}"
    return context.services.library.texts("private_only", link=link)


async def command_outside_private(update: Update, context: CoachContext) -> None:
    """A command in a group: say in one line where the coach works, then stop."""
    message = update.effective_message
    assert message is not None
    _log(update, "private.command_outside_private")
    await _say(context, message.chat_id, private_only_text(context))
    raise ApplicationHandlerStop


async def ignore_outside_private(update: Update, context: CoachContext) -> None:
    """Anything else said in a group or channel (chatter, edits, posts): leave it alone."""
    _log(update, "private.ignore_outside_private")
    raise ApplicationHandlerStop


async def press_outside_private(update: Update, context: CoachContext) -> None:
    """A button pressed outside a private chat (only a forged one can be): answer, do nothing.

    Presses in private chats pass on to the flows. (ChatType filters look at messages only.)
    """
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        return
    query = update.callback_query
    assert query is not None
    _log(update, "private.press_outside_private")
    await answer_press(query, private_only_text(context))
    raise ApplicationHandlerStop


async def added_to_chat(update: Update, context: CoachContext) -> None:
    """Added to a group or channel: say once, there, where the coach works. A change in a
    private chat (blocked, unblocked) passes on."""
    change = update.my_chat_member
    assert change is not None
    if change.chat.type == ChatType.PRIVATE:
        return
    if _joined(change):
        _log(update, "private.added_to_chat")
        await _say(context, change.chat.id, private_only_text(context))
    raise ApplicationHandlerStop


def _joined(change: ChatMemberUpdated) -> bool:
    present = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER}
    return change.new_chat_member.status in present and change.old_chat_member.status not in present


async def _say(context: CoachContext, chat_id: int, text: str) -> None:
    try:
        await context.bot.send_message(
            chat_id, text, link_preview_options=LinkPreviewOptions(is_disabled=True)
        )
    except TelegramError as error:  # e.g. a channel where the coach may not post: nothing lost
        logger.info("could not say where the coach works: %s", error)


def _log(update: Update, handler: str) -> None:
    updates_logger.info("update=%s user=None handler=%s outcome=ok", update.update_id, handler)


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    """First match wins within the group; private updates match none of these but the press
    check, which lets them through."""
    return [
        MessageHandler(
            NOT_PRIVATE & filters.UpdateType.MESSAGE & filters.COMMAND, command_outside_private
        ),
        MessageHandler(NOT_PRIVATE, ignore_outside_private),
        CallbackQueryHandler(press_outside_private),
        ChatMemberHandler(added_to_chat, ChatMemberHandler.MY_CHAT_MEMBER),
    ]
