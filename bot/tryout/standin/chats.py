"""What the stand-in remembers: chats, the calls the bot made, and what happened in each chat."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

BOT_USER = {
    "id": 999000111,
    "is_bot": True,
    "first_name": "Nerve Coach",
    "username": "nerve_coach_bot",
}
SENDING_METHODS = {"sendMessage", "sendPhoto", "sendDocument", "sendAnimation"}
EDITING_METHODS = {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}


class BotApiError(AssertionError):
    """A test expected no refusals from the stand-in, but the bot caused some."""


@dataclass
class RecordedCall:
    method: str
    params: dict[str, Any]
    status: int
    description: str = ""
    uploaded_files: tuple[str, ...] = ()
    at: float = 0.0


@dataclass
class ChatEvent:
    """Something the bot did in a chat that a user would notice."""

    kind: str  # "message" or "edit"
    message: dict[str, Any]


@dataclass(frozen=True)
class Observed:
    """One thing that happened in a chat, for watchers such as the try-out's chat page.

    kind is "user" (the person sent something), "message", "edit", "delete", "answer" (a
    callback query answered) or "refused" (a call Telegram would refuse; params then hold the
    method and the description); params are the bot's call as sent (text with its markup)."""

    kind: str
    chat_id: int
    message: dict[str, Any]
    params: dict[str, Any]


Observer = Callable[[Observed], None]


@dataclass
class Chat:
    chat_id: int
    first_name: str  # a private chat's person; a group's or channel's title
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: asyncio.Queue[ChatEvent] = field(default_factory=asyncio.Queue)
    blocked: bool = False
    type: str = "private"  # or "group", "supergroup", "channel"
    language_code: str = "en"  # the person's Telegram language (IETF tag), sent with each update

    def as_dict(self) -> dict[str, Any]:
        """The chat as Telegram shows it in a message."""
        if self.type == "private":
            return {"id": self.chat_id, "type": "private", "first_name": self.first_name}
        return {"id": self.chat_id, "type": self.type, "title": self.first_name}
