"""`make run` without a token: the coach as in production, against the embedded Bot API
stand-in, with a chat page on loopback to talk to it."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sys

import tornado.httpserver
import tornado.netutil
from pydantic import SecretStr

from bot.app import ALLOWED_UPDATES, build_application
from bot.logs import configure_logging
from bot.settings import Settings
from bot.tryout.clock import OffsetClock
from bot.tryout.page import Tryout, close_streams, page_application
from bot.tryout.people import People
from bot.tryout.standin import TelegramStandIn

logger = logging.getLogger(__name__)

# Shaped like a real token (the settings check the shape); only the stand-in ever sees it.
TRYOUT_TOKEN = "1000000001:TRYOUT-only-the-embedded-stand-in-knows-me"
# Try-out people never mix with a real bot's users.
TRYOUT_DATABASE_URL = "sqlite+aiosqlite:///data/tryout.sqlite3"


def load_tryout_settings() -> Settings:
    """The person's settings with the try-out's token, database and no webhook (load_settings
    has already found nothing wrong but the missing token)."""
    return Settings(
        telegram_bot_token=SecretStr(TRYOUT_TOKEN),
        database_url=TRYOUT_DATABASE_URL,
        webhook_url=None,
        webhook_secret=None,
    )


def announcement(port: int) -> str:
    """The one line `make run` prints without a token."""
    return (
        f"No TELEGRAM_BOT_TOKEN: try the coach at http://127.0.0.1:{port} "
        "(get a token from @BotFather to go live)"
    )


def main() -> int:
    """Run the try-out until SIGINT or SIGTERM. Quiet logs unless LOG_LEVEL was asked for."""
    base = load_tryout_settings()
    level = base.log_level if "log_level" in base.model_fields_set else "WARNING"
    configure_logging(level, [TRYOUT_TOKEN])
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
    try:
        sockets = bind_loopback(base.tryout_port)
    except OSError as error:
        print(
            f"error: cannot serve the try-out page on 127.0.0.1:{base.tryout_port} "
            f"({error.strerror}); set TRYOUT_PORT to a free port",
            file=sys.stderr,
        )
        return 2
    asyncio.run(run_tryout(base, sockets))
    return 0


async def run_tryout(base: Settings, sockets: list[socket.socket]) -> None:
    """Stand-in, bot and page in one event loop; print the page's address once all is up."""
    standin = TelegramStandIn(TRYOUT_TOKEN, recording=False)
    await standin.start()
    clock = OffsetClock()
    settings = base.model_copy(update={"telegram_api_base_url": standin.base_url})
    application = build_application(settings, clock=clock)
    people = People(standin, clock)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with application:
            assert application.post_init is not None and application.updater is not None
            await application.post_init(application)
            await application.start()
            await application.updater.start_polling(
                timeout=settings.polling_timeout_seconds,
                poll_interval=0.0,
                allowed_updates=ALLOWED_UPDATES,
            )
            server = serve_page(Tryout(people, clock, application), sockets)
            print(announcement(sockets[0].getsockname()[1]), flush=True)
            await stop.wait()
            server.stop()
            close_streams(people)
            await application.updater.stop()
            await application.stop()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
    finally:
        await standin.stop()


def bind_loopback(port: int) -> list[socket.socket]:
    """The page's listening socket on 127.0.0.1 only (port 0: any free one)."""
    return tornado.netutil.bind_sockets(port, "127.0.0.1", family=socket.AF_INET)


def serve_page(tryout: Tryout, sockets: list[socket.socket]) -> tornado.httpserver.HTTPServer:
    """Serve the chat page on sockets from `bind_loopback`."""
    server = tornado.httpserver.HTTPServer(page_application(tryout))
    server.add_sockets(sockets)
    return server
