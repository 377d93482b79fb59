"""Reminders with the real repeating job and real time (a few seconds), against the stand-in."""

from datetime import UTC, datetime, time
from pathlib import Path

from storage.queries import get_or_create_user
from storage.reminders import save_reminder
from tests.conftest import FakeClock, RunningBot
from tests.standin import ScriptedUser, TelegramStandIn


async def add_users_due_now(runner: RunningBot, users: list[ScriptedUser], due: datetime) -> None:
    async with runner.services.transaction() as db:
        for user in users:
            row = await get_or_create_user(db, user.user_id, user.user_id, due)
            row.region, row.side, row.onboarded_at, row.screening = "lumbar", "right", due, "clear"
            row.screened_at = due
            await save_reminder(
                db, row.id, local_time=time(8), weekdays=127, timezone="UTC", next_due_utc=due
            )


async def test_the_repeating_job_delivers_every_due_reminder_once_within_the_rate_limit(
    standin: TelegramStandIn, tmp_path: Path
) -> None:
    standin.global_rate_per_second = 5  # Telegram answers 429 past this; the bot must wait
    clock = FakeClock(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    runner = RunningBot(
        standin,
        f"sqlite+aiosqlite:///{tmp_path / 'coach.sqlite3'}",
        clock,
        reminder_check_seconds=0.2,
        reminder_batch_size=5,  # 12 due users: three batches
    )
    await runner.start()
    users = [ScriptedUser(standin, f"U{n}") for n in range(12)]
    try:
        await add_users_due_now(runner, users, clock.now)
        for user in users:
            reminder = await user.expect("Time for your routine", timeout=20)
            assert reminder.labels[0] == "Start now"
        await users[0].press("Start now")
        assert "how strong is your pain" in await users[0].reply()
        for user in users[1:]:
            await user.no_reply(within=0.05)
    finally:
        await runner.stop()
    sends = standin.calls_to("sendMessage")
    assert any(call.status == 429 for call in sends)  # the limit was really hit...
    delivered = [int(call.params["chat_id"]) for call in sends if call.status == 200]
    assert sorted(delivered) == sorted(u.user_id for u in users)  # one reminder each
    [started] = [c for c in standin.calls_to("sendAnimation") if c.status == 200]
    assert int(started.params["chat_id"]) == users[0].user_id  # the first exercise
