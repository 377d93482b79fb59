"""Shared fixtures: the Telegram stand-in, per-test databases, the real bot against them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from pydantic import SecretStr

from bot import fallbacks
from bot.app import build_application
from bot.services import CoachApp, Services
from bot.settings import Settings
from tests.browsers import headless_chromium
from tests.databases import create_database, drop_database
from tests.standin import ScriptedUser, TelegramStandIn

TOKEN = "123456789:TEST-token_for-the-stand-in-0123456789"

# httpx logs every request URL, and the URL carries the token.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("tornado.access").setLevel(logging.CRITICAL)  # the stand-in sees URLs too


class FakeClock:
    """A clock tests move by hand; the bot reads time only through it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 10, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


class ErrorHandlerWatch(logging.Handler):
    """Collects what the bot's error handler (bot/fallbacks.py on_error) logs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.funcName == fallbacks.on_error.__name__:
            self.records.append(record)


@pytest.fixture(autouse=True)
def fail_if_the_error_handler_ran(request: pytest.FixtureRequest) -> Iterator[None]:
    """A crash must not hide behind the friendly "something went wrong" reply.

    Tests that cause an error on purpose say so with @pytest.mark.error_handler_expected.
    """
    watch = ErrorHandlerWatch()
    error_logger = logging.getLogger(fallbacks.__name__)
    error_logger.addHandler(watch)
    try:
        yield
    finally:
        error_logger.removeHandler(watch)
    if watch.records and request.node.get_closest_marker("error_handler_expected") is None:
        crashes = "\n".join(
            f"{record.getMessage()}: {record.exc_info[1] if record.exc_info else ''!r}"
            for record in watch.records
        )
        pytest.fail(f"the bot's error handler ran {len(watch.records)} time(s):\n{crashes}")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'coach.sqlite3'}"


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database for one test, dropped after it."""
    _, url = await create_database()
    yield url
    await drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Each test using this runs twice: on a SQLite file and on the local PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'coach.sqlite3'}"
        return
    _, url = await create_database()
    yield url
    await drop_database(url)


@pytest.fixture
async def standin() -> AsyncIterator[TelegramStandIn]:
    server = TelegramStandIn(TOKEN)
    await server.start()
    yield server
    await server.stop()


def make_settings(standin: TelegramStandIn, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "telegram_bot_token": SecretStr(TOKEN),
        "telegram_api_base_url": standin.base_url,
        "database_url": database_url,
        "polling_timeout_seconds": 1,
        **overrides,
    }
    return Settings(**values, _env_file=None)  # type: ignore[arg-type]


class RunningBot:
    """Starts and stops the real Application the way run_polling does, against the stand-in."""

    def __init__(
        self, standin: TelegramStandIn, database_url: str, clock: FakeClock, **settings: object
    ) -> None:
        self.standin, self.database_url, self.clock = standin, database_url, clock
        self.settings = settings
        self.app: CoachApp | None = None

    async def start(self) -> CoachApp:
        settings = make_settings(self.standin, self.database_url, **self.settings)
        app = build_application(settings, clock=self.clock)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)  # run_polling calls it; starting by hand must too
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        self.app = app
        return app

    async def stop(self) -> None:
        app, self.app = self.app, None
        if app is None:
            return
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)

    async def restart(self) -> CoachApp:
        await self.stop()
        return await self.start()

    @property
    def services(self) -> Services:
        assert self.app is not None
        services = self.app.bot_data["services"]
        assert isinstance(services, Services)
        return services

    async def fire_timer(self, session_id: int) -> None:
        """Run a session's hold timer now instead of waiting for it."""
        assert self.app is not None and self.app.job_queue is not None
        jobs = self.app.job_queue.get_jobs_by_name(f"hold-timer:{session_id}")
        assert jobs, f"no timer running for session {session_id}"
        for job in jobs:
            job.schedule_removal()
            await job.run(self.app)


@pytest.fixture
async def bot(
    standin: TelegramStandIn, sqlite_url: str, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    runner = RunningBot(standin, sqlite_url, clock)
    await runner.start()
    yield runner
    await runner.stop()


@pytest.fixture
def new_user(standin: TelegramStandIn) -> Callable[..., ScriptedUser]:
    def make(first_name: str = "Alex") -> ScriptedUser:
        return ScriptedUser(standin, first_name)

    return make


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Headless Chromium (Debian's), for the try-out's page."""
    yield from headless_chromium()
