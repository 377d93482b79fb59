"""Webhook mode: our own tornado server (PTB's custom-webhook pattern) with a secret-checked
Telegram route and a health route for a load balancer; updates go on the Application's queue."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from typing import Any

import tornado.httpserver
import tornado.web
from sqlalchemy import text
from telegram import Update

from bot.app import ALLOWED_UPDATES, build_application
from bot.services import CoachApp, Services
from bot.settings import Settings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"


class TelegramUpdates(tornado.web.RequestHandler):
    """POST /<path>: one update from Telegram, accepted only with the right secret header."""

    def initialize(self, coach: CoachApp, secret: str) -> None:
        self.coach = coach  # tornado's own `application` is the web app
        self.secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.set_status(403)  # not Telegram, or a misconfigured proxy
            return
        try:
            data: Any = json.loads(self.request.body)
            update = Update.de_json(data, self.coach.bot)
        except (ValueError, TypeError, KeyError):
            self.set_status(400)
            return
        if update is None:
            self.set_status(400)
            return
        await self.coach.update_queue.put(update)
        self.set_status(200)

    def log_exception(self, *args: Any) -> None:  # no request details (headers hold the secret)
        logger.warning("webhook request failed")


class Health(tornado.web.RequestHandler):
    """GET /healthz: 200 when the database answers, 503 otherwise. Details only at DEBUG."""

    def initialize(self, services: Services) -> None:
        self.services = services

    async def get(self) -> None:
        try:
            async with self.services.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # any failure means unhealthy; the reason is for operators, at DEBUG
            logger.debug("health check failed", exc_info=True)
            self.set_status(503)
            self.finish("unavailable")
            return
        self.finish("ok")


def web_application(application: CoachApp, settings: Settings) -> tornado.web.Application:
    assert settings.webhook_secret is not None
    services = application.bot_data["services"]
    return tornado.web.Application(
        [
            (
                f"/{settings.webhook_path.strip('/')}",
                TelegramUpdates,
                {"coach": application, "secret": settings.webhook_secret.get_secret_value()},
            ),
            (HEALTH_PATH, Health, {"services": services}),
        ],
        log_function=lambda handler: None,  # tornado's access log would print every request
    )


async def start_webhook(application: CoachApp, settings: Settings) -> tornado.httpserver.HTTPServer:
    """Tell Telegram where to deliver, then serve; the Application must be initialized."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    await application.bot.set_webhook(
        url=settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=ALLOWED_UPDATES,
    )
    server = tornado.httpserver.HTTPServer(web_application(application, settings))
    server.listen(settings.webhook_port, settings.webhook_listen)
    logger.info("webhook server listening on port %d", settings.webhook_port)
    return server


async def run_webhook(settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM, then stop cleanly."""
    application = build_application(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with application:
        assert application.post_init is not None
        await application.post_init(application)
        await application.start()
        server = await start_webhook(application, settings)
        await stop.wait()
        server.stop()
        await application.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
