"""Progress through the stand-in: /streak text and picture, pause, export, forget."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

from PIL import Image
from sqlalchemy import func, select

from bot.progress import load_progress
from storage.models import Base, Pause, SessionExercise, User
from storage.safety import drop_exercise
from tests.conftest import FakeClock, RunningBot
from tests.flows import onboard
from tests.records import finished_session
from tests.standin import BotMessage, ScriptedUser, TelegramStandIn

# Not about anyone: exercise pictures' Telegram ids, bare update ids kept a day for dedup, and
# how many paid-broadcast messages each day took from the budget.
SHARED_TABLES = {"stored_files", "processed_updates", "paid_broadcast_days"}


def picture_of(standin: TelegramStandIn, message: BotMessage) -> Image.Image:
    """The uploaded PNG behind a photo or document message, opened and checked."""
    media = message.raw.get("photo", [None])[-1] or message.raw["document"]
    data = standin.files[media["file_id"]]
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.verify()
    return Image.open(io.BytesIO(data))


async def user_id_of(bot: RunningBot, person: ScriptedUser) -> int:
    async with bot.services.sessions() as db:
        return (
            await db.execute(select(User.id).where(User.telegram_user_id == person.user_id))
        ).scalar_one()


async def add_sessions(
    bot: RunningBot, user_id: int, days: list[date], level: str = "standard"
) -> None:
    """Finished sessions on these local days, each with one exercise done and pain 5 -> 3."""
    async with bot.services.transaction() as db:
        for day in days:
            session = finished_session(
                user_id,
                day,
                dose_level=level,
                pain_before=5,
                pain_after=3,
                reach_before=2,
                symptom_change="same",
            )
            session.exercises.append(
                SessionExercise(
                    position=0,
                    exercise_key="childs_pose",
                    side=None,
                    outcome="done",
                    sets_done=2,
                    recorded_at=session.started_at,
                )
            )
            db.add(session)


async def onboarded_on_tuesday_evening(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> tuple[ScriptedUser, int]:
    """A new, onboarded user at 20:00 UTC on Tuesday 10 March 2026, and their internal id."""
    clock.now = datetime(2026, 3, 10, 20, tzinfo=UTC)
    user = new_user()
    await onboard(user)
    return user, await user_id_of(bot, user)


async def test_streak_with_no_sessions_is_encouraging_and_has_a_picture(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await user.send("/streak")
    message = await user.reply()
    assert message.has_photo and "No sessions yet" in message
    image = picture_of(standin, message)
    assert image.format == "PNG" and 600 <= image.width <= 2000 and 400 <= image.height <= 2000
    assert message.labels == ["Pause for a flare or rest", "Export for my physio"]
    standin.assert_no_refusals()


async def test_a_session_just_after_local_midnight_counts_for_the_new_day(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    user = new_user()
    await onboard(user)
    async with bot.services.transaction() as db:
        row = (await db.execute(select(User))).scalar_one()
        row.timezone = "America/New_York"
    await add_sessions(bot, row.id, [date(2026, 3, 7)])  # the evening before
    clock.now = datetime(2026, 3, 8, 5, 10, tzinfo=UTC)  # 00:10 on 8 March in New York
    await user.send("/exercise")
    await user.press("4", on=await user.expect("how strong is your pain"))
    step = await user.expect("1/6")
    await user.press("■ Stop", on=step)
    await user.press("4", on=await user.expect("Session stopped"))
    await user.press("About the same", on=await user.expect("where are your symptoms"))
    await user.expect("stopped early")
    await user.send("/streak")
    summary = await user.expect("Your progress")
    # stopped before any exercise was done: today is still to do, yesterday's streak stays
    assert "Current streak: 1 day(s), today still to do" in summary

    await add_sessions(bot, row.id, [date(2026, 3, 8)])
    clock.now = datetime(2026, 3, 9, 3, 50, tzinfo=UTC)  # 23:50 on 8 March (now summer time)
    await user.send("/streak")
    assert "Current streak: 2 day(s), today done ✓" in await user.expect("Your progress")
    standin.assert_no_refusals()


async def test_hundreds_of_sessions_read_well_and_the_streak_reaches_back(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    user, user_id = await onboarded_on_tuesday_evening(bot, new_user, clock)
    async with bot.services.transaction() as db:
        row = await db.get(User, user_id)
        assert row is not None
        row.created_at = datetime(2024, 1, 1, tzinfo=UTC)
    today = date(2026, 3, 10)
    await add_sessions(bot, user_id, [today - timedelta(days=n) for n in range(400)])
    await user.send("/streak")
    summary = await user.expect("Your progress")
    assert "Current streak: 400 day(s), today done ✓" in summary
    assert "Best streak: 400 day(s)" in summary
    assert "This week: 2 of 3 sessions" in summary  # Monday and Tuesday
    assert "5.0 → 5.0" in summary and "no meaningful change" in summary
    picture_of(standin, summary)


async def test_an_old_pause_bridges_the_gap_between_two_long_runs_of_days(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    # The days come back as two runs, the newest 200 days and 190 older ones; the pause over
    # the 10 days between them joins them into one streak and one best streak.
    user, user_id = await onboarded_on_tuesday_evening(bot, new_user, clock)
    today = date(2026, 3, 10)
    gap = [today - timedelta(days=n) for n in range(200, 210)]
    async with bot.services.transaction() as db:
        row = await db.get(User, user_id)
        assert row is not None
        row.created_at = datetime(2024, 1, 1, tzinfo=UTC)
        db.add(Pause(user_id=user_id, starts_on=gap[-1], ends_on=gap[0]))
    days = [today - timedelta(days=n) for n in range(400)]
    await add_sessions(bot, user_id, [day for day in days if day not in gap])
    await user.send("/streak")
    summary = await user.expect("Your progress")
    assert "Current streak: 390 day(s), today done ✓" in summary
    assert "Best streak: 390 day(s)" in summary


async def test_a_pause_keeps_the_streak_and_ends_on_resume(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    user, user_id = await onboarded_on_tuesday_evening(bot, new_user, clock)
    await add_sessions(bot, user_id, [date(2026, 3, 9), date(2026, 3, 10)])
    await user.send("/pause")
    await user.press("1 week", on=await user.expect("For how long?"))
    assert "Paused until Mon 16 Mar" in await user.expect("Paused")
    clock.now = datetime(2026, 3, 14, 20, tzinfo=UTC)  # four days later, nothing done
    await user.send("/streak")
    summary = await user.expect("Your progress")
    assert "Current streak: 2 day(s)" in summary and "your streak is safe" in summary
    await user.press("End the pause", on=summary)
    await user.expect("Welcome back")
    await user.send("/streak")
    assert "Current streak: 2 day(s), today still to do" in await user.expect("Your progress")
    clock.now = datetime(2026, 3, 15, 20, tzinfo=UTC)  # a day after the pause: now it breaks
    await user.send("/streak")
    assert "Current streak: 0 day(s)" in await user.expect("Your progress")
    standin.assert_no_refusals()


async def test_export_parses_back_to_the_same_sessions(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    user, user_id = await onboarded_on_tuesday_evening(bot, new_user, clock)
    days = [date(2026, 3, 1), date(2026, 3, 5), date(2026, 3, 9)]
    await add_sessions(bot, user_id, days[:2])
    await add_sessions(bot, user_id, days[2:], level="gentle")
    await user.send("/export")
    table = await user.expect("spreadsheet")
    document = table.raw["document"]
    rows = list(csv.DictReader(io.StringIO(standin.files[document["file_id"]].decode())))
    assert [row["local_date"] for row in rows] == [d.isoformat() for d in days]
    assert [row["dose_level"] for row in rows] == ["standard", "standard", "gentle"]
    assert {(row["pain_before"], row["pain_after"], row["duration_min"]) for row in rows} == {
        ("5", "3", "12.0")
    }
    assert rows[0]["exercises_done"] == "Child's pose" and rows[0]["local_start"] == "09:00"
    summary = await user.expect("physiotherapist")
    page = picture_of(standin, summary)
    assert page.height > page.width * 0.7
    [upload] = [
        c for c in standin.calls_to("sendDocument") if c.params.get("caption", "").startswith("All")
    ]
    assert upload.uploaded_files == ("document",)
    standin.assert_no_refusals()


async def test_forget_deletes_every_row_about_the_user_and_only_theirs(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 10, 6, tzinfo=UTC)
    keeper, leaver = new_user("Keeper"), new_user("Leaver")
    for person in (keeper, leaver):
        await onboard(person)
        await person.press("Later")
        await person.press("Yes, remind me daily", on=await person.expect("daily reminder"))
        await person.press("08:00")
        await person.press("Keep", on=await person.expect("Which time zone"))
        await person.press("Every day", on=await person.expect("On which days"))
        await person.expect("Reminder set")
        await add_sessions(bot, await user_id_of(bot, person), [date(2026, 3, 9)])
        async with bot.services.transaction() as db:
            await drop_exercise(db, await user_id_of(bot, person), "glute_bridge", clock.now)
        await person.send("/pause")
        await person.press("3 days", on=await person.expect("For how long?"))
        await person.expect("Paused")
        await person.send("/exercise")
        await person.expect("how strong")  # an active session, and a conversation state
        await person.send("/settings")
        await person.expect("Where do you feel")

    async def rows_per_table() -> dict[str, int]:
        async with bot.services.sessions() as db:
            return {
                table.name: (await db.execute(select(func.count()).select_from(table))).scalar_one()
                for table in Base.metadata.sorted_tables
                if table.name not in SHARED_TABLES
            }

    before = await rows_per_table()
    assert all(count >= 2 for name, count in before.items())
    await leaver.send("/forget")
    question = await leaver.expect("cannot be undone")
    await leaver.press("No, keep it", on=question)
    await leaver.expect("Nothing was deleted")
    kept = await rows_per_table()
    # the question replaced the /settings step, and answering it used it up: nothing else changed
    assert kept == {**before, "conversation_states": before["conversation_states"] - 1}
    await leaver.send("/forget")
    question = await leaver.expect("cannot be undone")
    await leaver.press("Yes, delete everything", on=question)
    await leaver.expect("Everything I kept about you is deleted")
    after = await rows_per_table()
    assert after == {name: count // 2 for name, count in before.items()}
    async with bot.services.sessions() as db:
        remaining = (await db.execute(select(User.telegram_user_id))).scalars().all()
    assert remaining == [keeper.user_id]
    standin.assert_no_refusals()


async def test_a_past_run_counts_as_best_even_if_nobody_looked_while_it_lasted(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    user, user_id = await onboarded_on_tuesday_evening(bot, new_user, clock)
    run = [date(2026, 2, 20) + timedelta(days=n) for n in range(5)]  # 20-24 Feb, then a gap
    await add_sessions(bot, user_id, [*run, date(2026, 3, 10)])
    await user.send("/streak")
    summary = await user.expect("Your progress")
    assert "Current streak: 1 day(s), today done ✓" in summary
    assert "Best streak: 5 day(s)" in summary


async def test_a_word_typed_at_the_pause_question_asks_it_again_and_a_second_press_does_nothing(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    user, user_id = await onboarded_on_tuesday_evening(bot, new_user, clock)
    await user.send("/pause")
    first = await user.expect("For how long?")
    await user.send("a while")
    again = await user.expect("For how long?")
    assert again.message_id != first.message_id and "3 days" in again.labels
    await user.press("3 days", on=again)
    assert "Paused until Thu 12 Mar" in await user.expect("Paused")
    await user.press("1 week", on=first)  # the older question, after the pause began
    await user.send("/streak")
    await user.expect("Your progress")
    answers = [call.params.get("text") for call in standin.calls_to("answerCallbackQuery")]
    assert str(answers[-1]).startswith("That button belongs to an earlier step")
    async with bot.services.sessions() as db:
        count = select(func.count()).select_from(Pause).where(Pause.user_id == user_id)
        pauses = (await db.execute(count)).scalar_one()
    assert pauses == 1
    standin.assert_no_refusals()


async def test_the_picture_has_every_paused_day_also_before_any_session(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    _, user_id = await onboarded_on_tuesday_evening(bot, new_user, clock)
    today = date(2026, 3, 10)
    async with bot.services.transaction() as db:
        db.add(Pause(user_id=user_id, starts_on=today - timedelta(days=3), ends_on=None))
    async with bot.services.transaction() as db:
        user = await db.get(User, user_id)
        assert user is not None
        progress = await load_progress(db, bot.services, user)
    assert progress.paused == {today - timedelta(days=n) for n in range(4)}
    assert progress.pause is not None and progress.streak.days == 0
