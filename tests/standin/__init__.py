"""A Telegram Bot API stand-in served on loopback, with scripted users, for end-to-end tests."""

from tests.standin.server import BotApiError, RecordedCall, TelegramStandIn
from tests.standin.users import BotMessage, ScriptedUser

__all__ = ["BotApiError", "BotMessage", "RecordedCall", "ScriptedUser", "TelegramStandIn"]
