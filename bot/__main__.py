"""`python -m bot` runs the bot: long polling, or a webhook server when WEBHOOK_URL is set;
without a token, the try-out (a chat page against an embedded stand-in);
`python -m bot migrate` only upgrades the schema."""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.app import ALLOWED_UPDATES, build_application, freeze_start_up
from bot.logs import configure_logging
from bot.settings import SettingsError, TokenMissing, load_settings
from bot.tryout import run as tryout
from bot.webhook import run_webhook
from storage.engine import create_engine
from storage.migrate import upgrade_to_head

logger = logging.getLogger("bot")


async def _migrate(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        settings = load_settings()
    except TokenMissing as error:
        if args:  # migrate or --webhook need a real bot
            print(f"error: {error}", file=sys.stderr)
            return 2
        return tryout.main()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, [settings.telegram_bot_token.get_secret_value()])
    if args[:1] == ["migrate"]:
        asyncio.run(_migrate(settings.database_url))
        logger.info("schema is up to date")
        return 0
    if settings.webhook_url or args[:1] == ["--webhook"]:
        if not settings.webhook_url:
            print("error: --webhook needs WEBHOOK_URL and WEBHOOK_SECRET", file=sys.stderr)
            return 2
        asyncio.run(run_webhook(settings))
        return 0
    application = build_application(settings)
    freeze_start_up()
    # run_polling stops cleanly on SIGINT and SIGTERM.
    application.run_polling(
        timeout=settings.polling_timeout_seconds,
        poll_interval=0.0,
        allowed_updates=ALLOWED_UPDATES,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
