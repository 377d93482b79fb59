"""Exercise sessions end to end: steps, sides, doses, hold timers, it hurts, stop, restart."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storage.models import ExerciseSession, User
from tests.conftest import RunningBot
from tests.flows import onboard, start_session, what_hurts
from tests.standin import BotMessage, ScriptedUser, TelegramStandIn


async def finish_step(user: ScriptedUser, bot: RunningBot, step: BotMessage) -> BotMessage:
    """Do every set of the current step (firing hold timers at once); return the next
    exercise's message, or the question about pain after the last one."""
    message = step
    while True:
        if any(label.startswith("▶ Start") for label in message.labels):
            await user.press("▶ Start", on=message)
            await user.expect("Holding")
            session_id = int(message.buttons[0][1].split("|")[2])
            await bot.fire_timer(session_id)
            message = await user.expect("Time's up")
        else:
            await user.press("✓ Set done", on=message)
            message = await user.reply()
            if not message.labels:  # the finished exercise's message, now without buttons
                message = await user.reply()
        if "Set 1 of" in message or "How strong is your pain now" in message:
            return message


async def stored_sessions(bot: RunningBot) -> list[ExerciseSession]:
    async with bot.services.sessions() as db:
        result = await db.execute(
            select(ExerciseSession)
            .options(selectinload(ExerciseSession.exercises))
            .order_by(ExerciseSession.id)
        )
        return list(result.scalars())


async def test_right_sided_lumbar_user_does_the_seed_routine_mirrored(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user, region="Low back", side="Right")
    step = await start_session(user, pain_before="5")
    seen: list[str] = []
    while "1/" in step.text.split("\n")[0] or "/6" in step.text:
        seen.append(step.text)
        step = await finish_step(user, bot, step)
        if "How strong is your pain now" in step:
            break
    assert len(seen) == 6
    child, knee_right, knee_left, side_bend, bridge, glide = seen
    assert "Child's pose" in child and "hold 30 s" in child and "Set 1 of 2" in child
    assert "right leg" in knee_right and "hold 30 s" in knee_right and "Set 1 of 2" in knee_right
    assert "left leg" in knee_left
    assert "leaning to your left" in side_bend and "left hand" in side_bend
    assert "Set 1 of 2</b> · 10 reps" not in side_bend and "Set 1 of 2 · 10 reps" in side_bend
    assert "Glute bridge" in bridge and "Set 1 of 3 · 10 reps" in bridge
    assert "right leg" in glide and "20 reps" in glide and "Set 1 of 1" in glide

    await user.press("3", on=step)
    change = await user.expect("where are your symptoms now")
    await user.press("Closer to my spine", on=change)
    summary = await user.expect("Session done")
    assert "Done: 6" in summary and "5 → 3" in summary and "real improvement" in summary
    assert "standard dose" in summary
    assert "daily reminder" in summary  # offered once the session is over, not during
    assert summary.labels == ["Yes, remind me daily", "No thanks"]

    [session] = await stored_sessions(bot)
    assert session.status == "completed"
    assert (session.pain_before, session.pain_after, session.symptom_change) == (
        5,
        3,
        "centralised",
    )
    assert [(e.exercise_key, e.side, e.outcome) for e in session.exercises] == [
        ("childs_pose", None, "done"),
        ("knee_to_chest", "right", "done"),
        ("knee_to_chest", "left", "done"),
        ("lumbar_side_bend", "left", "done"),
        ("glute_bridge", None, "done"),
        ("sciatic_nerve_glide", "right", "done"),
    ]
    standin.assert_no_refusals()


async def test_a_hold_timer_spends_at_most_three_calls_beyond_the_step_message(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    step = await start_session(user)
    calls_before = len(standin.calls)
    query_id = await user.press("▶ Start", on=step)
    await user.expect("Holding")
    [(_, data)] = [b for b in step.buttons if b[0].startswith("▶")]
    await bot.fire_timer(int(data.split("|")[2]))
    released = await user.expect("Time's up")
    assert "Set 2 of 2" in released
    timer_calls = [
        c
        for c in standin.calls[calls_before:]
        if c.method in {"editMessageText", "editMessageCaption", "sendMessage", "sendAnimation"}
        or c.params.get("callback_query_id") == query_id
    ]
    # the step's first set is an animation with its caption: the running hold edits the caption
    assert sorted(c.method for c in timer_calls) == [
        "answerCallbackQuery",
        "editMessageCaption",
        "sendMessage",
    ]


async def test_it_hurts_spreading_stops_the_exercise_and_next_session_is_gentle(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user, side="Left")
    step = await start_session(user, pain_before="4")
    step = await finish_step(user, bot, step)  # child's pose done; knee to chest, right leg
    assert "Single knee to chest" in step
    question = await what_hurts(user, step)
    await user.press("It spread further down my leg", on=question)
    after = await user.expect("stop Single knee to chest for today")  # the next exercise
    assert after.message_id != step.message_id and "Lumbar side bending" in after
    assert user.message(step.message_id).labels == []  # the stopped one keeps its note only
    assert (
        "Lumbar side bending" in after and "leaning to your right" in after
    )  # both knee sides gone
    await user.press("■ Stop", on=after)
    pain = await user.expect("Session stopped")
    await user.press("5", on=pain)
    change = await user.expect("where are your symptoms")
    await user.press("Spread", on=change)
    summary = await user.expect("stopped early")
    assert "gentle dose" in summary

    await user.send("/exercise")
    question = await user.expect("how strong is your pain right now")
    assert "gentle dose" in question  # why, with the question that opens the session
    await user.press("4", on=question)
    first = await user.expect("1/")
    assert "hold 20 s" in first

    sessions = await stored_sessions(bot)
    assert sessions[0].status == "partial"
    assert [(e.exercise_key, e.outcome, e.hurt_reason) for e in sessions[0].exercises] == [
        ("childs_pose", "done", None),
        ("knee_to_chest", "stopped", "spreading"),
    ]
    assert sessions[1].dose_level == "gentle"
    standin.assert_no_refusals()


async def test_the_it_hurts_question_can_stop_the_session_without_a_reason(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    step = await start_session(user)
    question = await what_hurts(user, step)
    await user.press("■ Stop session", on=question)
    pain = await user.expect("Session stopped")
    assert "How strong is your pain now" in pain
    standin.assert_no_refusals()


async def test_new_numbness_or_weakness_ends_with_get_checked_not_a_flare_is_fine(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    step = await start_session(user, pain_before="4")
    await user.press("New numbness, tingling or weakness", on=await what_hurts(user, step))
    after = await user.expect("stop Child's pose for today")
    await user.press("■ Stop", on=after)
    await user.press("6", on=await user.expect("Session stopped"))
    await user.press("Spread", on=await user.expect("where are your symptoms"))
    summary = await user.expect("stopped early")
    assert "ask a doctor or physio to check you in the next few days" in summary
    assert "mild flare" not in summary  # no reassurance after a see-soon sign
    standin.assert_no_refusals()


async def test_red_flag_mid_session_ends_it_with_the_emergency_advice(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    step = await start_session(user)
    question = await what_hurts(user, step)
    await user.press("One of the warning signs", on=question)
    advice = await user.expect("urgent help now")
    assert advice.buttons == ()
    [session] = await stored_sessions(bot)
    assert (session.status, session.ended_by_red_flag) == ("partial", True)
    await user.send("/exercise")
    assert "exercises and reminders are switched off" in await user.reply()


async def test_a_restart_mid_session_loses_nothing_and_the_next_press_continues(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    step = await start_session(user)
    step = await finish_step(user, bot, step)
    assert "2/6" in step

    await bot.restart()
    await user.press("✓ Set done", on=step)
    continued = await user.reply()
    assert "2/6" in continued and "Set 2 of 2" in continued
    standin.assert_no_refusals()


async def test_a_running_hold_is_rearmed_after_a_restart(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    step = await start_session(user)
    await user.press("▶ Start", on=step)
    await user.expect("Holding")
    await bot.restart()
    session_id = int(step.buttons[0][1].split("|")[2])
    await bot.fire_timer(session_id)
    assert "Set 2 of 2" in await user.expect("Time's up")


async def test_double_tap_and_old_buttons_change_nothing(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    step = await start_session(user)
    await user.press("✓ Set done", on=step)
    await user.press("✓ Set done", on=step)
    second = await user.expect("Set 2 of 2")
    await user.no_reply()
    answers = standin.calls_to("answerCallbackQuery")
    assert answers[-1].params.get("text") == "Already noted."
    assert "1/6" in second
    standin.assert_no_refusals()


async def test_unfinished_session_can_be_resumed_or_closed(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    await start_session(user)
    await user.send("/exercise")
    offer = await user.expect("unfinished session")
    await user.press("Carry on", on=offer)
    assert "1/6" in await user.reply()
    await user.send("/exercise")
    offer = await user.expect("unfinished session")
    await user.press("Close it", on=offer)
    await user.expect("partial session")
    [session] = await stored_sessions(bot)
    assert session.status == "partial"


async def test_a_button_from_another_users_session_does_nothing(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    owner, intruder = new_user("Owner"), new_user("Intruder")
    await onboard(owner)
    step = await start_session(owner)
    await onboard(intruder)
    [(_, data)] = [b for b in step.buttons if b[0].startswith("✓")]
    await intruder.press_data(intruder.seen[-1].message_id, data)
    await intruder.no_reply()
    assert standin.calls_to("answerCallbackQuery")[-1].params.get("text") == (
        "That button belongs to an earlier step: use my latest message, or send /start."
    )
    async with bot.services.sessions() as db:
        session = (await db.execute(select(ExerciseSession))).scalar_one()
        assert (session.step_index, session.set_number) == (0, 1)
        assert (await db.execute(select(User).where(User.id == session.user_id))).scalar_one()
