"""Logging set up once at start; secrets are masked in every record, whatever logged them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TextIO

# Below these levels libraries dump whole updates, API requests and SQL with its parameters,
# and so Telegram user ids: whatever LOG_LEVEL says, they log no lower.
LIBRARY_FLOORS = {
    "telegram": logging.INFO,
    "tornado": logging.INFO,
    "asyncio": logging.INFO,
    "sqlalchemy": logging.WARNING,  # INFO is every statement with its parameters
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
}


class SecretMask(logging.Filter):
    """Replace each secret with *** in the final message (httpx logs URLs with the token in)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self._secrets):
            for secret in self._secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if any(secret in text for secret in self._secrets):
                for secret in self._secrets:
                    text = text.replace(secret, "***")
                record.msg = f"{record.msg}\n{text}"
                record.exc_info, record.exc_text = None, None
        return True


def configure_logging(level: str, secrets: Iterable[str], stream: TextIO | None = None) -> None:
    """Log to `stream` (stderr) at `level`, masking secrets; keep chatty libraries quiet."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretMask(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name, floor in LIBRARY_FLOORS.items():
        logging.getLogger(name).setLevel(max(root.level, floor))
    # httpx logs every request URL at INFO, and the URL carries the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
