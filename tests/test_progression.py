"""Dose progression inside the seed's ranges: pure rules, then end to end through the
stand-in (a compact session of at most 10 new messages, step up after three calm sessions,
step down after a flare)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from content.library import Library, load_library
from content.models import DoseLevel, RegionKey, Side
from content.progression import NotchChange, PastSession, Why, held_by_hard_taps, next_notches
from content.rules import SessionOutcome
from storage.models import User
from tests.conftest import FakeClock, RunningBot
from tests.flows import onboard, start_session
from tests.standin import BotMessage, ScriptedUser, TelegramStandIn
from tests.test_session import finish_step

NEW_MESSAGES = ("sendMessage", "sendAnimation", "sendPhoto", "sendDocument")


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def calm(level: DoseLevel = DoseLevel.STANDARD) -> SessionOutcome:
    return SessionOutcome(level, 0, "same", 4, 3)


FLARE = SessionOutcome(DoseLevel.STANDARD, 0, "spread", 4, 6)


def test_three_calm_sessions_step_every_progressing_exercise_up_one_notch(
    library: Library,
) -> None:
    history = [PastSession(calm(), {}) for _ in range(3)]
    notches, changes = next_notches(history, {}, library.exercises, {}, library.stop_rules)
    assert notches == {"childs_pose": 1, "knee_to_chest": 1, "lumbar_side_bend": 1}
    assert NotchChange("childs_pose", 0, 1, Why.CALM) in changes
    routine = library.build_routine(
        RegionKey.LUMBAR, Side.RIGHT, DoseLevel.STANDARD, notches=notches
    )
    doses = {s.exercise_key: (s.hold_seconds, s.sets, s.reps) for s in routine.steps}
    assert doses["childs_pose"] == (45, 2, 1)
    assert doses["knee_to_chest"] == (30, 3, 1) and doses["lumbar_side_bend"] == (None, 3, 10)
    assert doses["glute_bridge"] == (None, 3, 10)  # a fixed dose
    assert doses["sciatic_nerve_glide"] == (None, 1, 20)  # never increased


def test_two_calm_sessions_or_a_gentle_one_are_not_enough(library: Library) -> None:
    rules, exercises = library.stop_rules, library.exercises
    assert next_notches([PastSession(calm(), {})] * 2, {}, exercises, {}, rules)[0] == {}
    mixed = [PastSession(calm(DoseLevel.GENTLE), {}), *[PastSession(calm(), {})] * 2]
    assert next_notches(mixed, {}, exercises, {}, rules)[0] == {}


def test_the_window_restarts_after_a_step_up(library: Library) -> None:
    stepped = {"childs_pose": 1}
    history = [PastSession(calm(), {}), PastSession(calm(), {}), PastSession(calm(), stepped)]
    notches, changes = next_notches(history, stepped, library.exercises, {}, library.stop_rules)
    assert notches == stepped and changes == []


def test_the_dose_never_passes_the_seed(library: Library) -> None:
    top = {"childs_pose": 2, "knee_to_chest": 1, "lumbar_side_bend": 1}
    history = [PastSession(calm(), top) for _ in range(3)]
    notches, _ = next_notches(history, top, library.exercises, {}, library.stop_rules)
    assert notches == top
    routine = library.build_routine(RegionKey.LUMBAR, Side.LEFT, DoseLevel.STANDARD, notches=top)
    for step in routine.steps:
        dose = library.exercises[step.exercise_key].dose
        assert step.sets <= dose.sets.max and step.reps <= dose.reps.max
        if step.hold_seconds is not None and dose.hold_seconds is not None:
            assert step.hold_seconds <= dose.hold_seconds.max


def test_a_flare_steps_every_notch_back_down(library: Library) -> None:
    current = {"childs_pose": 2, "knee_to_chest": 1}
    history = [PastSession(FLARE, current)]
    notches, changes = next_notches(history, current, library.exercises, {}, library.stop_rules)
    assert notches == {"childs_pose": 1}
    assert {c.why for c in changes} == {Why.FLARE}


def test_two_hard_taps_in_a_row_keep_an_exercise_while_the_others_step_up(
    library: Library,
) -> None:
    assert held_by_hard_taps(["easy", "hard", "hard"]) and not held_by_hard_taps(["hard", "right"])
    history = [PastSession(calm(), {}) for _ in range(3)]
    taps = {"knee_to_chest": ["hard", "hard"]}
    notches, changes = next_notches(history, {}, library.exercises, taps, library.stop_rules)
    assert "knee_to_chest" not in notches and notches["childs_pose"] == 1
    assert NotchChange("knee_to_chest", 0, 0, Why.HARD) in changes


# --- end to end


def new_messages(standin: TelegramStandIn, since: int) -> int:
    return sum(1 for c in standin.calls[since:] if c.method in NEW_MESSAGES and c.status == 200)


async def whole_session(
    user: ScriptedUser, bot: RunningBot, first: BotMessage, pain_after: str = "3"
) -> BotMessage:
    """Every exercise to the end (holds released by their timers), then the summary."""
    step = first
    while "How strong is your pain now" not in step:
        step = await finish_step(user, bot, step)
    await user.press(pain_after, on=step)
    await user.press("About the same", on=await user.expect("where are your symptoms now"))
    return await user.expect("Session done")


async def test_a_whole_lumbar_session_takes_at_most_ten_new_messages_and_three_calls_a_hold(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    since = len(standin.calls)
    summary = await whole_session(user, bot, await start_session(user))
    assert "Done: 6" in summary
    assert new_messages(standin, since) <= 10
    standin.assert_no_refusals()


async def test_a_hold_costs_three_bot_api_calls(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    step = await start_session(user)
    since = len(standin.calls)
    pressed = await user.press("▶ Start", on=step)
    await user.expect("Holding")
    await user.answer_to(pressed)
    await bot.fire_timer(int(step.buttons[0][1].split("|")[2]))
    await user.expect("Time's up")
    calls = sorted(c.method for c in standin.calls[since:] if c.method != "getUpdates")
    assert calls == ["answerCallbackQuery", "editMessageCaption", "sendMessage"]


async def test_three_calm_sessions_step_the_dose_up_and_a_flare_steps_it_down(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    user = new_user()
    await onboard(user)
    summaries = []
    for day in range(3):
        if day:
            clock.advance(days=1)
            await user.send("/exercise")
            await user.press("4", on=await user.expect("how strong is your pain right now"))
            first = await user.expect("1/6")
        else:
            first = await start_session(user)
        summaries.append(await whole_session(user, bot, first))
    assert "⬆️" not in summaries[1]
    assert "Child's pose: 45 s holds, after three calm sessions in a row" in summaries[2]
    assert "Single knee to chest: 3 sets" in summaries[2]

    clock.advance(days=1)
    await user.send("/exercise")
    await user.press("4", on=await user.expect("how strong is your pain right now"))
    first = await user.expect("1/6")
    assert "hold 45 s" in first  # the stepped-up dose, inside the seed's 30-60 s
    await user.press("■ Stop", on=first)
    await user.press("6", on=await user.expect("How strong is your pain now"))
    await user.press("Spread", on=await user.expect("where are your symptoms now"))
    flare = await user.expect("Session saved")
    assert "back to 30 s holds, because your symptoms flared" in flare
    async with bot.services.sessions() as db:
        stored = (await db.execute(select(User))).scalar_one()
    assert stored.notches == {} and stored.dose_level == "gentle"
    standin.assert_no_refusals()


async def test_the_first_session_summary_of_a_new_week_offers_the_activity_rating(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # a Tuesday; onboarding rates one
    user = new_user()
    await onboard(user)
    summary = await whole_session(user, bot, await start_session(user))
    assert "Rate your activities" not in summary.labels  # rated this week already

    clock.now = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)  # the next Monday
    await user.send("/exercise")
    await user.press("No new signs", on=await user.expect("since last week"))
    first = await user.expect("how strong is your pain right now")
    await user.press("4", on=first)
    summary = await whole_session(user, bot, await user.expect("1/6"))
    assert "Rate your activities" in summary.labels and "A new week" in summary
