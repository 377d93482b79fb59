"""What every handler needs, built once at start: settings, content, database, clock.

The content comes in the language of the person being served: `active_language` is set once
per update (bot/language.py, before any other handler, from the person's stored choice or
their Telegram language at first contact) and per job (reminders, hold timers), so
`services.library` is in their language in every handler without the handler asking.
"""

from __future__ import annotations

import functools
import logging
import socket
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot

from bot import first_read
from bot.settings import Settings
from content.i18n import SOURCE_LANGUAGE, known_language
from content.library import Library

SERVICES_KEY = "services"

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
# The language of the person this update or job is for (a code from content.i18n.LANGUAGES).
active_language: ContextVar[str] = ContextVar("active_language", default=SOURCE_LANGUAGE)


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Within the block, `services.library` is in `language` (for jobs that serve many people)."""
    token = active_language.set(known_language(language))
    try:
        yield
    finally:
        active_language.reset(token)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Attempt:
    """What one run of a handler has done to the database so far."""

    committed: int = 0


# Set while a handler runs under `retried_once_on_dropped_connection`.
_attempt: ContextVar[_Attempt | None] = ContextVar("database_attempt", default=None)


@dataclass
class Services:
    settings: Settings
    libraries: Callable[[str], Library]  # content by language, e.g. content.library.library_for
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime] = utc_now
    # Telegram file ids of uploaded pictures, by picture: once known they never change
    # (storage/files.py keeps them for restarts and other instances).
    file_ids: dict[str, str] = field(default_factory=dict)

    @property
    def library(self) -> Library:
        """The content in the language of the person being served."""
        return self.libraries(active_language.get())

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A database session that commits on success and rolls back on error."""
        try:
            async with self.sessions() as db, db.begin():
                yield db
        finally:
            first_read.spend()
        attempt = _attempt.get()
        if attempt is not None:
            attempt.committed += 1

    @asynccontextmanager
    async def single_statement(self) -> AsyncIterator[AsyncConnection]:
        """A connection outside any transaction, for one statement that stands alone (a read,
        or a write that is atomic by itself): no BEGIN and COMMIT round trips around it."""
        async with self.engine.connect() as connection:
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")


def is_dropped_connection(error: BaseException) -> bool:
    """The database connection died under a statement (a PostgreSQL restart, a killed backend)."""
    return isinstance(error, exc.DBAPIError) and error.connection_invalidated


def is_database_unavailable(error: BaseException) -> bool:
    """The database could not be reached or answered with a driver error: worth a retry later."""
    # A refused or timed-out connect reaches us as the socket's own error, not SQLAlchemy's.
    unreachable = (ConnectionError, TimeoutError, socket.gaierror)
    return isinstance(error, (exc.DBAPIError, exc.TimeoutError, *unreachable))


def retried_once_on_dropped_connection(
    callback: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    """Run `callback` again, once, when its first transaction failed on a dropped connection.

    Handlers write before they speak, so a run whose first transaction failed has neither
    stored nor sent anything, and running it again retries exactly that transaction. A run
    that already committed something is not repeated: that would apply its first part twice.
    """

    @functools.wraps(callback)
    async def retried(*args: P.args, **kwargs: P.kwargs) -> T:
        for again in (False, True):
            attempt = _Attempt()
            token = _attempt.set(attempt)
            try:
                return await callback(*args, **kwargs)
            except exc.DBAPIError as error:
                if again or attempt.committed or not is_dropped_connection(error):
                    raise
                logger.warning("database connection dropped; running %s again", callback.__name__)
            finally:
                _attempt.reset(token)
        raise AssertionError("unreachable: the second run returns or raises")

    return retried


class CoachContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The handler context, with typed access to our services instead of raw bot_data."""

    @property
    def services(self) -> Services:
        services = self.application.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        return services


# The bot, user/chat/bot data and job queue types are PTB's defaults; only the context is ours.
CoachApp = Application[Any, CoachContext, Any, Any, Any, Any]
