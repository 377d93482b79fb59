"""Webhook mode: our own tornado server (PTB's custom-webhook pattern) with a secret-checked
Telegram route and a health route for a load balancer. Each delivery is answered once its
update is handled (bot/deliveries.py), so an instance that dies never loses an update."""

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

from bot.app import ALLOWED_UPDATES, build_application, freeze_start_up
from bot.deliveries import Deliveries
from bot.services import CoachApp, Services
from bot.settings import Settings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1024 * 1024  # an update is a few kilobytes; Telegram sends no files inline


@tornado.web.stream_request_body
class TelegramUpdates(tornado.web.RequestHandler):
    """POST /<path>: one update from Telegram, accepted only with the right secret header.

    The body is streamed so an oversized one is refused (413) before it is read or parsed.
    """

    def initialize(self, coach: CoachApp, deliveries: Deliveries, secret: str) -> None:
        self.coach = coach  # tornado's own `application` is the web app
        self.deliveries = deliveries
        self.secret = secret
        self.body = bytearray()
        self.too_large = False
        self.refused = False  # answered in prepare(): the body that follows is not read

    def prepare(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.refused = True
            self.set_status(403)  # not Telegram, or a misconfigured proxy
            self.finish()
            return
        declared = self.request.headers.get("Content-Length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            self._refuse_as_too_large()

    def data_received(self, chunk: bytes) -> None:
        if self.refused or self.too_large:
            return  # refused already: let the rest pass unread
        if len(self.body) + len(chunk) > MAX_BODY_BYTES:  # a chunked body may declare no length
            self.too_large = True
            self.body.clear()
            return
        self.body.extend(chunk)

    async def post(self) -> None:
        if self.too_large:
            self._refuse_as_too_large()
            return
        update = self._parse()
        if update is None:
            self.set_status(400)  # Telegram would retry, but this was never an update
            return
        if not await self.deliveries.handle(update):
            self.set_status(503)  # shutting down: Telegram retries, on another instance
            return
        self.set_status(200)

    def _parse(self) -> Update | None:
        """The update in the body, or None for anything that is not one (of any shape)."""
        try:
            data: Any = json.loads(self.body)
        except ValueError:  # not JSON, or not UTF-8
            return None
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return None
        try:
            return Update.de_json(data, self.coach.bot)
        except Exception as error:  # a field of the wrong shape: PTB raises whatever it hit
            # Only the kind of error: the body and its traceback carry Telegram user ids.
            logger.info("webhook body is not a valid update (%s)", type(error).__name__)
            return None

    def _refuse_as_too_large(self) -> None:
        self.too_large = self.refused = True
        self.set_status(413)
        self.finish()

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


def web_application(
    application: CoachApp, deliveries: Deliveries, settings: Settings
) -> tornado.web.Application:
    assert settings.webhook_secret is not None
    services = application.bot_data["services"]
    updates_route = {
        "coach": application,
        "deliveries": deliveries,
        "secret": settings.webhook_secret.get_secret_value(),
    }
    return tornado.web.Application(
        [
            (f"/{settings.webhook_path.strip('/')}", TelegramUpdates, updates_route),
            (HEALTH_PATH, Health, {"services": services}),
        ],
        log_function=lambda handler: None,  # tornado's access log would print every request
    )


class WebhookServer:
    """The listening server and the deliveries it has in hand."""

    def __init__(self, server: tornado.httpserver.HTTPServer, deliveries: Deliveries) -> None:
        self.server = server
        self.deliveries = deliveries

    async def stop(self) -> None:
        """Stop listening, refuse new deliveries, and finish those in hand."""
        self.server.stop()
        await self.deliveries.finish()
        await self.server.close_all_connections()


async def start_webhook(application: CoachApp, settings: Settings) -> WebhookServer:
    """Tell Telegram where to deliver, then serve; the Application must be initialized."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    await application.bot.set_webhook(
        url=settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=ALLOWED_UPDATES,
    )
    deliveries = Deliveries(application, application.bot_data["services"])
    server = tornado.httpserver.HTTPServer(web_application(application, deliveries, settings))
    server.listen(settings.webhook_port, settings.webhook_listen)
    logger.info("webhook server listening on port %d", settings.webhook_port)
    return WebhookServer(server, deliveries)


async def run_webhook(settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM, then finish the deliveries in hand and stop."""
    application = build_application(settings)
    freeze_start_up()
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
        await server.stop()
        await application.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
