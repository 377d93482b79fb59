"""What every handler needs, built once at start: settings, content, database, clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot

from bot.settings import Settings
from content.library import Library

SERVICES_KEY = "services"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    library: Library
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime] = utc_now

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A database session that commits on success and rolls back on error."""
        async with self.sessions() as db, db.begin():
            yield db


class CoachContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The handler context, with typed access to our services instead of raw bot_data."""

    @property
    def services(self) -> Services:
        services = self.application.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        return services


# The bot, user/chat/bot data and job queue types are PTB's defaults; only the context is ours.
CoachApp = Application[Any, CoachContext, Any, Any, Any, Any]
