"""Two bot processes on one PostgreSQL database behind webhooks: any instance can take any
update, a user's state stays consistent, and due reminders go out once."""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.engine import create_engine, create_session_factory
from storage.models import ExerciseSession, User
from storage.queries import get_or_create_user
from storage.reminders import save_reminder
from tests.conftest import TOKEN
from tests.flows import onboard
from tests.standin import ScriptedUser, TelegramStandIn
from tests.test_webhook import free_port

ROOT = Path(__file__).resolve().parent.parent
SECRET = "two-instances-secret"


@pytest.fixture
async def two_instances(
    standin: TelegramStandIn, postgres_url: str, tmp_path: Path
) -> AsyncIterator[list[asyncio.subprocess.Process]]:
    processes = []
    for index in range(2):
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))},
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": standin.base_url,
            "DATABASE_URL": postgres_url,
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": SECRET,
            "REMINDER_CHECK_SECONDS": "0.3",
            "PICTURE_CACHE_DIR": str(tmp_path / "pictures"),
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
        workdir = tmp_path / f"instance{index}"
        workdir.mkdir()
        processes.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=workdir,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        )
    try:
        await standin.wait_for_webhooks(2)
        yield processes
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            await asyncio.wait_for(process.wait(), 30)


async def test_two_instances_share_users_and_never_double_send_reminders(
    two_instances: list[asyncio.subprocess.Process], standin: TelegramStandIn, postgres_url: str
) -> None:
    # A user goes through onboarding and part of a session; updates alternate between instances.
    user = ScriptedUser(standin)
    offer = await onboard(user)
    await user.press("Start now", on=offer)
    await user.press("5", on=await user.expect("how strong is your pain"))
    step = await user.expect("1/6")
    await user.press("✓ Set done", on=step)
    second = await user.expect("Set 2 of 2")
    await user.press("✓ Set done", on=second)
    assert "2/6" in await user.expect("Single knee to chest")
    targets = {url for _, url, status in standin.deliveries if status == 200}
    assert len(targets) == 2  # both instances really served this user

    # Forty reminders due now: both instances' dispatchers race for them.
    engine = create_engine(postgres_url)
    sessions = create_session_factory(engine)
    now = datetime.now(UTC)
    people = [ScriptedUser(standin, f"R{n}") for n in range(40)]
    async with sessions() as db, db.begin():
        for person in people:
            row = await get_or_create_user(db, person.user_id, person.user_id, now)
            row.screening = "clear"  # reminders go only to people cleared for exercise
            await save_reminder(
                db, row.id, local_time=time(8), weekdays=127, timezone="UTC", next_due_utc=now
            )
    for person in people:
        await person.expect("Time for your routine", timeout=30)
    await asyncio.sleep(1.5)  # several more dispatcher rounds on both instances
    for person in people:
        await person.no_reply(within=0.01)
    sends = [
        c
        for c in standin.calls_to("sendMessage")
        if "Time for your routine" in c.params.get("text", "")
    ]
    assert sorted(int(c.params["chat_id"]) for c in sends) == sorted(p.user_id for p in people)

    async with sessions() as db:
        owner = (
            await db.execute(select(User).where(User.telegram_user_id == user.user_id))
        ).scalar_one()
        session = (
            await db.execute(select(ExerciseSession).where(ExerciseSession.user_id == owner.id))
        ).scalar_one()
    await engine.dispose()
    assert (session.step_index, session.set_number, session.pain_before) == (1, 1, 5)
    standin.assert_no_refusals()

    for process in two_instances:
        process.send_signal(signal.SIGTERM)
    logs = []
    for process in two_instances:
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0
        logs.append(stdout.decode() + stderr.decode())
    assert all("handler=" in log for log in logs)  # each instance handled updates
    assert all(TOKEN not in log and SECRET not in log for log in logs)
    assert not any("error handling update" in log for log in logs)  # the error handler never ran
