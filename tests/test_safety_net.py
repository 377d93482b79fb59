"""The safety net end to end through the stand-in: a warning sign switches every invitation to
exercise off until a fresh screening, every change re-screens, and the stop rules hold."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.reminders import dispatch_due
from storage.models import ExerciseSession, User
from tests.conftest import FakeClock, RunningBot
from tests.flows import (
    answer_safety_questions,
    choose_area_and_side,
    onboard,
    start_session,
    what_hurts,
)
from tests.records import finished_session
from tests.standin import BotMessage, ScriptedUser, TelegramStandIn

CHECKED = "I've been checked and may exercise"


async def stored_user(bot: RunningBot) -> User:
    async with bot.services.sessions() as db:
        return (await db.execute(select(User))).scalar_one()


async def dispatch(bot: RunningBot) -> int:
    assert bot.app is not None
    return await dispatch_due(bot.services, bot.app.bot)


async def set_daily_reminder_at_eight(user: ScriptedUser) -> None:
    await user.press("Later")
    await user.press("Yes, remind me daily", on=await user.expect("daily reminder"))
    await user.press("08:00")
    await user.press("Keep", on=await user.expect("Which time zone"))
    await user.press("Every day", on=await user.expect("On which days"))
    await user.expect("Reminder set")


def assert_offers_no_exercise(message: BotMessage) -> None:
    assert "switched off" in message
    assert "emergency department" in message  # what to do now comes first, every time
    assert CHECKED in message.labels
    assert not any("session" in label.lower() for label in message.labels)


async def test_an_emergency_flagged_person_gets_no_reminder_also_after_a_restart(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
    user = new_user()
    await onboard(user)
    await set_daily_reminder_at_eight(user)
    await user.send("/warning")
    await user.press("Yes, an urgent sign", on=await user.expect("Get urgent help now"))
    await user.expect("urgent help now")

    clock.now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    assert await dispatch(bot) == 0
    await bot.restart()
    clock.now = datetime(2026, 3, 11, 8, 5, tzinfo=UTC)
    assert await dispatch(bot) == 0
    await user.no_reply()

    for command in ("/start", "/exercise", "/reminder"):  # no path offers a session
        await user.send(command)
        blocked = await user.reply()
        assert_offers_no_exercise(blocked)

    # The way back: "I've been checked", then a fresh screening that is clear.
    await user.press(CHECKED, on=blocked)
    await user.press("Thigh", on=await answer_safety_questions(user))
    await user.press("3", on=await user.expect("How strong is your pain right now"))
    await user.expect("You're set up")
    assert (await stored_user(bot)).screening == "clear"
    assert await dispatch(bot) == 0  # not the stale due time of this morning
    clock.now = datetime(2026, 3, 12, 8, 0, tzinfo=UTC)
    assert await dispatch(bot) == 1
    await user.expect("Time for your routine")
    standin.assert_no_refusals()


async def test_the_claim_itself_skips_someone_flagged_after_the_reminder_was_read(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    from storage.reminders import claim_reminders, due_reminders

    clock.now = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
    user = new_user()
    await onboard(user)
    await set_daily_reminder_at_eight(user)
    clock.now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    async with bot.services.transaction() as db:
        [(reminder, row)] = await due_reminders(db, clock.now, 10)
        was_due = reminder.next_due_utc
        row.screening = "emergency"  # flagged between reading and claiming
        await db.flush()
        assert was_due is not None
        claimed = await claim_reminders(
            db, clock.now, [(row.id, was_due + timedelta(days=1), clock.now.date())]
        )
    assert not claimed


async def test_a_settings_change_to_both_sides_re_screens_and_finds_sciatica_in_both_legs(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user, side="Right")
    await user.press("Later")
    await user.send("/settings")
    await user.press("Low back", on=await user.expect("Where do you feel"))
    await user.press("Both sides", on=await user.expect("Which side"))
    reach = await answer_safety_questions(user)
    assert any("safety questions" in message for message in user.seen[-8:])
    assert (await stored_user(bot)).side == "right"  # nothing saved before the screening
    await user.press("Thigh", on=reach)
    advice = await user.expect("urgent help now")
    assert "both" in advice
    stored = await stored_user(bot)
    assert (stored.side, stored.screening) == ("right", "emergency")


async def test_a_settings_change_to_the_neck_asks_about_both_arms(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    await user.press("Later")
    await user.send("/settings")
    await user.press("Neck", on=await user.expect("Where do you feel"))
    await user.press("Left", on=await user.expect("Which side"))
    for _ in range(8):
        question = await user.reply()
        if "Both arms or both hands" in question:
            await user.press("Yes, at least one", on=question)
            break
        await user.press("No", on=question)
    else:
        raise AssertionError("the neck's both-arms question was never asked")
    await user.expect("urgent help now")
    assert (await stored_user(bot)).region == "lumbar"


async def test_a_clean_settings_change_is_saved_after_the_screening(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    await user.press("Later")
    await user.send("/settings")
    await user.press("Mid back", on=await user.expect("Where do you feel"))
    await user.press("Left", on=await user.expect("Which side"))
    reach = await answer_safety_questions(user)
    assert "Round to the front of the chest or belly" in reach.labels
    await user.press("Round to the front", on=reach)  # the condition itself, not a red flag
    saved = await user.expect("Saved")
    assert "mid back, symptoms on the left" in saved and "Start today's session" in saved.labels
    stored = await stored_user(bot)
    assert (stored.region, stored.side, stored.reach, stored.screening) == (
        "thoracic",
        "left",
        2,
        "clear",
    )


async def test_weekly_check_comes_before_the_first_session_of_a_new_week_only(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # a Tuesday
    user = new_user()
    await onboard(user)
    await start_session(user)  # screened this week: no check
    await user.send("/cancel")
    await user.expect("Nothing you've done is lost")

    clock.now = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)  # the next Monday
    await user.send("/exercise")
    check = await user.expect("Any new warning signs since last week?")
    assert check.labels == [
        "Yes, an urgent sign",
        "Yes, a see-soon sign",
        "No new signs, let's go",
    ]
    assert "saddle" in check and "Losing weight" in check
    await user.press("No new signs", on=check)
    assert "how strong is your pain right now" in await user.reply()
    await user.send("/cancel")
    await user.expect("Nothing you've done is lost")
    clock.advance(days=2)
    await user.send("/exercise")  # the same week: asked once only
    assert "how strong is your pain right now" in await user.reply()
    await user.send("/cancel")
    await user.expect("Nothing you've done is lost")

    clock.now = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)  # see-soon signs are asked weekly
    await user.send("/exercise")
    await user.press("Yes, a see-soon sign", on=await user.expect("since last week"))
    await user.press("I understand", on=await user.expect("checked by a doctor soon"))
    assert "how strong is your pain right now" in await user.reply()  # exercise goes on
    assert (await stored_user(bot)).screening == "see_soon"
    await user.send("/cancel")
    await user.expect("Nothing you've done is lost")

    clock.now = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    await user.send("/exercise")
    await user.press("Yes, an urgent sign", on=await user.expect("since last week"))
    await user.expect("urgent help now")
    assert (await stored_user(bot)).screening == "emergency"


async def test_warning_lists_both_kinds_and_a_see_soon_sign_keeps_exercise_on(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    await user.press("Later")
    await user.send("/warning")
    signs = await user.expect("Get urgent help now")
    assert "saddle" in signs and "See a doctor soon" in signs and "Losing weight" in signs
    await user.press("Yes, a see-soon sign", on=signs)
    await user.press("I understand", on=await user.expect("checked by a doctor soon"))
    noted = await user.expect("again each week")
    assert "Start today's session" in noted.labels
    assert (await stored_user(bot)).screening == "see_soon"
    standin.assert_no_refusals()


async def test_neck_signs_during_a_neck_exercise_end_the_session_with_same_day_advice(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user, region="Neck", side="Left", reach="Forearm")
    step = await start_session(user)
    question = await what_hurts(user, step)
    for sign in ("Dizziness", "Double vision", "Trouble speaking or swallowing", "Feeling sick"):
        assert sign in question
    assert "Pain went above 3/10" in question.labels
    await user.press("Dizzy, sick, seeing double", on=question)
    advice = await user.expect("medical help today")
    assert advice.buttons == ()
    async with bot.services.sessions() as db:
        session = (await db.execute(select(ExerciseSession))).scalar_one()
    assert (session.status, session.ended_by_red_flag) == ("partial", True)
    await user.send("/exercise")
    assert_offers_no_exercise(await user.reply())
    standin.assert_no_refusals()


async def test_low_back_it_hurts_offers_pain_over_the_limit_and_no_neck_signs(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    step = await start_session(user)
    question = await what_hurts(user, step)
    assert "Pain went above 3/10" in question.labels
    assert "Dizziness" not in question
    assert not any("Dizzy" in label for label in question.labels)
    await user.press("Pain went above 3/10", on=question)
    assert "Let's stop Child's pose" in await user.reply()


async def test_chest_pain_signs_lead_to_an_emergency_call(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await choose_area_and_side(user, "Mid back", "Left")
    for _ in range(8):
        question = await user.reply()
        if "Chest pain of a different kind" in question:
            assert "crushing" in question
            await user.press("Yes, at least one", on=question)
            break
        await user.press("No", on=question)
    else:
        raise AssertionError("the chest pain question was never asked")
    advice = await user.expect("Call your local emergency number now")
    assert "heart attack" in advice
    assert (await stored_user(bot)).screening == "emergency"


async def test_pain_of_seven_or_more_before_a_session_gives_the_gentle_dose_with_advice(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    step = await start_session(user, pain_before="8")
    assert "Your pain is 8/10" in step and "gentle dose at most" in step
    assert "hold 20 s" in step  # child's pose at the gentle dose, not 30 s
    async with bot.services.sessions() as db:
        session = (await db.execute(select(ExerciseSession))).scalar_one()
    assert session.dose_level == "gentle"


async def stop_and_finish(user: ScriptedUser, step: BotMessage) -> BotMessage:
    """Stop a session from its current step and answer the closing questions."""
    await user.press("■ Stop session", on=step)
    await user.press("3", on=await user.expect("How strong is your pain now"))
    await user.press("About the same", on=await user.expect("where are your symptoms now"))
    return await user.expect("Session saved")


async def hurt_on_first_step(user: ScriptedUser, step: BotMessage) -> BotMessage:
    """Stop the first exercise with "It hurts"; return the next exercise's new message."""
    await user.press("Sharper pain", on=await what_hurts(user, step))
    following = await user.reply()
    assert user.message(step.message_id).labels == []  # the stopped exercise: its note only
    return following


async def test_an_exercise_stopped_two_sessions_in_a_row_is_dropped_and_exported(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    user = new_user()
    await onboard(user)
    step = await start_session(user)
    next_step = await hurt_on_first_step(user, step)
    assert "Let's stop Child's pose" in next_step and "left out" not in next_step
    await stop_and_finish(user, next_step)

    clock.advance(days=1)
    await user.send("/exercise")
    await user.press("4", on=await user.expect("how strong is your pain right now"))
    next_step = await hurt_on_first_step(user, await user.expect("1/6"))
    assert "Child's pose is now left out of your routine" in next_step
    assert "two sessions in a row" in next_step
    await stop_and_finish(user, next_step)

    clock.advance(days=1)
    await user.send("/exercise")
    question = await user.expect("how strong is your pain right now")
    assert "Child's pose is left out for now" in question and "two sessions in a row" in question
    await user.press("4", on=question)
    first = await user.expect("1/5")
    assert "Single knee to chest" in first

    await user.send("/export")
    table = await user.expect("spreadsheet")
    rows = list(
        csv.DictReader(io.StringIO(standin.files[table.raw["document"]["file_id"]].decode()))
    )
    assert [row["exercises_dropped"] for row in rows] == ["", "", "Child's pose"]
    assert [row["exercises_stopped"] for row in rows][:2] == ["Child's pose", "Child's pose"]
    standin.assert_no_refusals()


async def add_pains(bot: RunningBot, user_id: int, pains: dict[date, int]) -> None:
    """Finished sessions on these local days with these pains before."""
    async with bot.services.transaction() as db:
        for day, pain in pains.items():
            start = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
            db.add(
                finished_session(
                    user_id,
                    day,
                    started_at=start,
                    pain_before=pain,
                    pain_after=pain,
                    symptom_change="same",
                )
            )


async def test_pain_rising_above_the_first_week_three_sessions_running_advises_once(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
    user = new_user()
    await onboard(user)
    await user.press("Later")
    user_id = (await stored_user(bot)).id
    first_week = {date(2026, 3, 2): 3, date(2026, 3, 3): 3, date(2026, 3, 4): 3}
    await add_pains(bot, user_id, {**first_week, date(2026, 3, 12): 6, date(2026, 3, 13): 5})

    await user.send("/exercise")
    await user.press("6", on=await user.expect("how strong is your pain right now"))
    summary = await stop_and_finish(user, await user.expect("1/"))
    assert "Please contact a doctor or physio" in summary
    assert "first week's level for 3 sessions in a row" in summary

    clock.advance(days=1)
    await user.send("/exercise")
    await user.press("6", on=await user.expect("how strong is your pain right now"))
    again = await stop_and_finish(user, await user.expect("1/"))
    assert "Please contact a doctor or physio" not in again  # advised once


async def test_no_improvement_after_six_weeks_advises_a_clinician_once(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 4, 20, 8, 0, tzinfo=UTC)
    user = new_user()
    await onboard(user)
    await user.press("Later")
    user_id = (await stored_user(bot)).id
    start = date(2026, 3, 2)
    await add_pains(bot, user_id, {start + timedelta(days=3 * n): 5 for n in range(16)})

    await user.send("/exercise")
    await user.press("5", on=await user.expect("how strong is your pain right now"))
    summary = await stop_and_finish(user, await user.expect("1/"))
    assert "after 6 weeks your pain has not come down by 2 points" in summary


async def test_the_when_to_get_help_card_gives_both_lists_with_their_actions(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    await user.press("Later")
    await user.send("/learn")
    card = await user.expect("Tap a topic")
    await user.press("When to get help", on=card)
    help_card = await user.expect("When to get help")
    for fragment in (
        "Get urgent help now",
        "saddle",
        "emergency department",
        "See a doctor soon",
        "Losing weight",
        "GP",
        "Dizziness",
        "same day",
    ):
        assert fragment in help_card
