"""Build the Application: every way into the bot is registered here, in order."""

from __future__ import annotations

import functools
import gc
import logging
import time
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    BaseHandler,
    ContextTypes,
    Defaults,
    TypeHandler,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot import (
    exercise_setup,
    fallbacks,
    forget,
    language,
    learn,
    onboarding,
    pause,
    private,
    progress,
    psfs,
    raw_calls,
    reminder_settings,
    reminders,
    router,
    safety,
    session,
)
from bot.interaction import internal_user_id
from bot.rate_limits import BroadcastRateLimiter
from bot.services import (
    SERVICES_KEY,
    CoachApp,
    CoachContext,
    Services,
    retried_once_on_dropped_connection,
    utc_now,
)
from bot.settings import Settings
from bot.transport import AiohttpRequest
from bot.update_processor import ChatOrderedUpdateProcessor
from content.i18n import LANGUAGES
from content.library import library_for
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade_to_head
from storage.updates import forget_updates_before

logger = logging.getLogger(__name__)
updates_logger = logging.getLogger("bot.updates")

# my_chat_member: being added to a group or channel, to say there that the coach works privately.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
SPARE_CONNECTIONS = 5  # database connections beyond one per update handled at once
UPDATE_MEMORY = timedelta(days=1)  # Telegram gives up retrying a delivery well within a day


def build_application(
    settings: Settings,
    clock: Callable[[], datetime] = utc_now,
    *,
    request: BaseRequest | None = None,
    rate_limited: bool = True,
) -> CoachApp:
    """The bot as `python -m bot` runs it; tests build the same thing against the stand-in.

    Benchmarks pass an in-memory `request` and switch off the rate limiter, which would
    otherwise measure Telegram's 30 messages a second instead of the bot.
    """
    for each in LANGUAGES:  # fails loudly, before any connection, if content is broken
        library_for(each)
    warnings.filterwarnings("ignore", raw_calls.RAW_CALL_HINT, PTBUserWarning)
    # A webhook update on PostgreSQL holds its claim's connection while its handlers take
    # another (bot/deliveries.py): one more connection than updates at once can never run dry,
    # and the rest serve jobs (reminders, hold timers) and health checks.
    engine = create_engine(
        settings.database_url, connections=settings.concurrent_updates + SPARE_CONNECTIONS
    )
    services = Services(
        settings=settings,
        libraries=library_for,
        engine=engine,
        sessions=create_session_factory(engine),
        clock=clock,
    )

    async def post_init(application: CoachApp) -> None:
        await upgrade_to_head(engine)
        await language.set_commands(application.bot)
        assert application.job_queue is not None
        await session.rearm_timers(services, application.job_queue)
        # One job for every user's reminder; a late run still runs (PTB's default skips it).
        application.job_queue.run_repeating(
            reminders.dispatch_job,
            interval=settings.reminder_check_seconds,
            first=1,
            name=reminders.DISPATCH_JOB,
            job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        logger.info("bot ready as @%s", application.bot.username)

        application.job_queue.run_repeating(
            forget_old_updates, interval=3600, first=60, name="forget-old-updates"
        )

    async def post_shutdown(application: CoachApp) -> None:
        await engine.dispose()

    builder: Any = ApplicationBuilder()  # each option changes the builder's generic type
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        # Bot API calls over aiohttp (a third of httpx's CPU a request, bot/transport.py);
        # long polling keeps PTB's own client, waiting up to the polling timeout for an answer.
        builder = builder.get_updates_read_timeout(settings.polling_timeout_seconds + 10)
        builder = builder.request(AiohttpRequest())
    if rate_limited:
        # Free messages at a steady pace under Telegram's 30/s; paid broadcast up to ~1,000/s.
        pace = BroadcastRateLimiter(settings.messages_per_second, max_retries=3)
        builder = builder.rate_limiter(pace)
    # Different chats at once, each chat's updates in order (bot/update_processor.py).
    builder = builder.concurrent_updates(ChatOrderedUpdateProcessor(settings.concurrent_updates))
    application: CoachApp = (
        builder.token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{settings.telegram_api_base_url}/bot")
        .base_file_url(f"{settings.telegram_api_base_url}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .context_types(ContextTypes(context=CoachContext))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[SERVICES_KEY] = services

    # Group -3 runs first: the update is served in the person's language (bot/language.py).
    application.add_handler(
        TypeHandler(Update, language.use_persons_language), group=language.HANDLER_GROUP
    )
    # Group -2 runs next: anything from a group or channel gets one line and stops there.
    application.add_handlers(private.handlers(), group=private.HANDLER_GROUP)
    # In webhook mode a delivery seen before never gets here (bot/deliveries.py); polling
    # never repeats a confirmed update.
    # Group 0, first match wins: the flows, then the fallbacks that take whatever is left.
    # The activities flow is told what follows it at the end of onboarding.
    activities = psfs.handlers(after_onboarding=onboarding.offer_first_session)
    application.add_handlers([timed(handler) for handler in activities])
    flows = (
        onboarding,
        exercise_setup,
        session,
        reminder_settings,
        reminders,
        progress,
        pause,
        forget,
        safety,
        learn,
        language,
        router,
        fallbacks,
    )
    for flow in flows:
        application.add_handlers([timed(handler) for handler in flow.handlers()])
    application.add_error_handler(fallbacks.on_error)
    return application


def freeze_start_up() -> None:
    """Once the bot is built: what start-up loaded (libraries, the content in every language)
    lives as long as the process, so the garbage collector stops walking it. Otherwise every
    full collection stops the bot for about 100 ms, a few times in each big reminder wave."""
    gc.collect()
    gc.freeze()


async def forget_old_updates(context: CoachContext) -> None:
    services = context.services
    async with services.transaction() as db:
        await forget_updates_before(db, services.clock() - UPDATE_MEMORY)


H = TypeVar("H", bound=BaseHandler[Update, CoachContext, None])


def timed(handler: H) -> H:
    """Log one line per handled update: update id, our user id, handler and latency.

    A handler whose first transaction meets a dropped database connection runs once more.
    """
    name = f"{handler.callback.__module__.removeprefix('bot.')}.{handler.callback.__name__}"
    callback = retried_once_on_dropped_connection(handler.callback)

    @functools.wraps(callback)
    async def logged(update: Update, context: CoachContext) -> None:
        internal_user_id.set(None)
        started = time.perf_counter()
        outcome = "ok"
        try:
            await callback(update, context)
        except Exception:
            outcome = "error"
            raise
        finally:
            updates_logger.info(
                "update=%s user=%s handler=%s ms=%.1f outcome=%s",
                update.update_id,
                internal_user_id.get(),
                name,
                (time.perf_counter() - started) * 1000,
                outcome,
            )

    handler.callback = logged
    return handler
