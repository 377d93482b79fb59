"""The try-out's Telegram: a Bot API stand-in on loopback that checks every call like Telegram.

The tests use it too, with scripted users (tests/standin)."""

from bot.tryout.standin.server import (
    BotApiError,
    Chat,
    ChatEvent,
    Observed,
    RecordedCall,
    TelegramStandIn,
)
from bot.tryout.standin.validation import Rejection, check_text

__all__ = [
    "BotApiError",
    "Chat",
    "ChatEvent",
    "Observed",
    "RecordedCall",
    "Rejection",
    "TelegramStandIn",
    "check_text",
]
