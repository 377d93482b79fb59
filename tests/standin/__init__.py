"""Scripted users for end-to-end tests, talking to the try-out's Telegram stand-in."""

from bot.tryout.standin.server import BotApiError, RecordedCall, TelegramStandIn
from tests.standin.users import BotMessage, ScriptedGroup, ScriptedUser

__all__ = [
    "BotApiError",
    "BotMessage",
    "RecordedCall",
    "ScriptedGroup",
    "ScriptedUser",
    "TelegramStandIn",
]
