"""Build the Application: every way into the bot is registered here, in order."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from telegram import BotCommand
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, Defaults

from bot import fallbacks, learn, menu, onboarding, progress, reminders, safety, session
from bot.services import SERVICES_KEY, CoachApp, CoachContext, Services, utc_now
from bot.settings import Settings
from content.library import load_library
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade_to_head

logger = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("start", "Set up, or open the menu"),
    BotCommand("exercise", "Today's session"),
    BotCommand("learn", "About pinched nerves"),
    BotCommand("settings", "Change area or side"),
    BotCommand("reminder", "Set your daily reminder"),
    BotCommand("streak", "Your streak and progress"),
    BotCommand("pause", "Pause for a flare or rest"),
    BotCommand("export", "Your sessions for your physio"),
    BotCommand("warning", "Report a warning sign"),
    BotCommand("forget", "Delete everything about you"),
    BotCommand("cancel", "Leave what you're doing"),
    BotCommand("help", "What I can and cannot do"),
]


def build_application(settings: Settings, clock: Callable[[], datetime] = utc_now) -> CoachApp:
    """The bot as `python -m bot` runs it; tests build the same thing against the stand-in."""
    library = load_library()  # fails loudly, before any connection, if content is broken
    engine = create_engine(settings.database_url)
    services = Services(
        settings=settings,
        library=library,
        engine=engine,
        sessions=create_session_factory(engine),
        clock=clock,
    )

    async def post_init(application: CoachApp) -> None:
        await upgrade_to_head(engine)
        await application.bot.set_my_commands(COMMANDS)
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

    async def post_shutdown(application: CoachApp) -> None:
        await engine.dispose()

    application: CoachApp = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{settings.telegram_api_base_url}/bot")
        .base_file_url(f"{settings.telegram_api_base_url}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .context_types(ContextTypes(context=CoachContext))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .get_updates_read_timeout(settings.polling_timeout_seconds + 10)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[SERVICES_KEY] = services

    # Group 0, first match wins: the flows, then the fallbacks that take whatever is left.
    for flow in (onboarding, session, reminders, progress, safety, learn, menu, fallbacks):
        application.add_handlers(flow.handlers())
    application.add_error_handler(fallbacks.on_error)
    return application
