"""`python -m bot` as an operator runs it: settings errors, /start, clean stop, no token in logs."""

import asyncio
import os
import re
import signal
import socket
import stat
import sys
from pathlib import Path

import tornado.httpclient

from tests.conftest import TOKEN
from tests.standin import ScriptedUser, TelegramStandIn

ROOT = Path(__file__).resolve().parent.parent


def bot_environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL"))}
    env.update({"PYTHONUNBUFFERED": "1", **overrides})
    return env


async def run_bot(tmp_path: Path, env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_missing_token_starts_the_tryout_with_one_line_naming_its_page(
    tmp_path: Path,
) -> None:
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=\nWEBHOOK_SECRET=\n")  # as copied, unfilled
    env = bot_environment(tmp_path, TRYOUT_PORT="0", PYTHONPATH=str(ROOT))
    process = await run_bot(tmp_path, env)
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        found = re.fullmatch(
            r"No TELEGRAM_BOT_TOKEN: try the coach at http://127\.0\.0\.1:(\d+) "
            r"\(get a token from @BotFather to go live\)\n",
            line,
        )
        assert found, line
        page = await tornado.httpclient.AsyncHTTPClient().fetch(
            f"http://127.0.0.1:{found.group(1)}/"
        )
        assert b"Nerve Coach" in page.body
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert stdout == b"" and stderr == b""  # that one line, nothing else
    assert (tmp_path / "data" / "tryout.sqlite3").exists()


async def test_a_taken_tryout_port_is_named_in_one_line(tmp_path: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        env = bot_environment(tmp_path, TRYOUT_PORT=str(port), PYTHONPATH=str(ROOT))
        process = await run_bot(tmp_path, env)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        taken.close()
    assert process.returncode == 2 and stdout == b""
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0] and "TRYOUT_PORT" in lines[0]


async def test_migrate_without_a_token_says_how_to_get_one(tmp_path: Path) -> None:
    process = await run_bot(tmp_path, bot_environment(tmp_path), "migrate")
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0] and "@BotFather" in lines[0]


async def test_malformed_token_is_refused_without_echoing_it(tmp_path: Path) -> None:
    env = bot_environment(tmp_path, TELEGRAM_BOT_TOKEN="not-a-token-secret-value")
    process = await run_bot(tmp_path, env)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in stderr.decode() and "secret-value" not in stderr.decode()


async def test_an_unknown_log_level_exits_at_once_with_one_line_naming_it(tmp_path: Path) -> None:
    env = bot_environment(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, LOG_LEVEL="LOUD")
    process = await run_bot(tmp_path, env)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "LOG_LEVEL" in lines[0]


async def test_python_m_bot_answers_start_and_stops_cleanly_on_sigterm(
    tmp_path: Path, standin: TelegramStandIn
) -> None:
    env = bot_environment(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=standin.base_url,
        POLLING_TIMEOUT_SECONDS="1",
        LOG_LEVEL="DEBUG",
        PYTHONPATH=str(ROOT),
    )
    process = await run_bot(tmp_path, env)
    try:
        user = ScriptedUser(standin, "Pat")
        await user.send("/start")
        reply = await user.reply(timeout=60)
        assert "Hi Pat" in reply
        database = tmp_path / "data" / "coach.sqlite3"  # the default database, created
        assert stat.S_IMODE(database.stat().st_mode) == 0o600  # health data: the owner's only
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    logs = stdout.decode() + stderr.decode()
    assert process.returncode == 0, logs
    assert TOKEN not in logs and TOKEN.split(":")[1] not in logs
    assert "error handling update" not in logs  # the error handler never ran
    assert str(user.user_id) not in logs  # not even at DEBUG
    assert "getUpdates" in logs or "Application started" in logs  # DEBUG logging really ran
