"""Smaller hardening: LOG_LEVEL checked with the one-line settings error, a SQLite file only its
owner can read, and no Telegram user id in any log line, the error handler's included."""

import asyncio
import io
import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.logs import configure_logging
from bot.settings import SettingsError, load_settings
from storage.engine import create_engine
from tests.conftest import TOKEN, RunningBot
from tests.flows import onboard, start_session
from tests.standin import ScriptedUser, TelegramStandIn


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A clean environment with a token, in a folder without a .env file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    return monkeypatch


@pytest.mark.parametrize("level", ["LOUD", "verbose", "10", "INFO!"])
def test_an_unknown_log_level_is_one_line_naming_it(
    environment: pytest.MonkeyPatch, level: str
) -> None:
    environment.setenv("LOG_LEVEL", level)
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert "LOG_LEVEL" in message and "DEBUG" in message and "\n" not in message


def test_a_log_level_in_any_case_is_accepted(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("LOG_LEVEL", " warning ")
    assert load_settings().log_level == "WARNING"


def test_paid_broadcast_without_a_daily_budget_is_one_line_naming_it(
    environment: pytest.MonkeyPatch,
) -> None:
    environment.setenv("ALLOW_PAID_BROADCAST", "true")
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert "PAID_BROADCAST_DAILY_STARS" in message and "\n" not in message
    environment.setenv("PAID_BROADCAST_DAILY_STARS", "50")
    settings = load_settings()
    assert settings.allow_paid_broadcast and settings.paid_broadcast_daily_stars == 50


def test_paid_broadcast_is_off_unless_switched_on(environment: pytest.MonkeyPatch) -> None:
    assert load_settings().allow_paid_broadcast is False


def test_a_check_across_settings_is_one_line_too(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("WEBHOOK_URL", "https://bot.example.org/telegram")
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert "WEBHOOK_SECRET is required" in message and "\n" not in message


async def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "coach.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))
            for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
                mode = stat.S_IMODE((path.parent / name).stat().st_mode)
                assert mode == 0o600, f"{name}: {oct(mode)}"
    finally:
        await engine.dispose()


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """What the bot would write to stderr with LOG_LEVEL=DEBUG, as configured at start."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    stream = io.StringIO()
    configure_logging("DEBUG", [TOKEN], stream=stream)
    yield stream
    root.handlers[:], root.level = saved_handlers, saved_level
    for name, level in saved_levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.error_handler_expected  # a user who blocked the bot makes a reply fail on purpose
async def test_no_telegram_user_id_in_debug_logs_through_a_flow_and_an_error(
    debug_log: io.StringIO, bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    step = await start_session(user)
    await user.press("■ Stop", on=step)
    await user.expect("How strong is your pain now")
    user.block_bot()
    await user.send("/streak")  # sending the picture is refused: the error handler runs
    for _ in range(500):  # up to 10 s on a busy machine
        if "error handling update" in debug_log.getvalue():
            break
        await asyncio.sleep(0.02)
    logs = debug_log.getvalue()
    assert "error handling update" in logs and "user=1" in logs  # our id, not Telegram's
    assert "handler=session.on_session_press" in logs  # the flow was logged
    assert str(user.user_id) not in logs
    assert TOKEN not in logs
