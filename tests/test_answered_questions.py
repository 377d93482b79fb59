"""Answered questions lose their buttons and show the answer; old buttons still get a reply."""

from tests.conftest import RunningBot
from tests.flows import onboard, start_session
from tests.standin import ScriptedUser, TelegramStandIn


def calls_for_message(standin: TelegramStandIn, since: int, message_id: int) -> list[str]:
    return [
        call.method
        for call in standin.calls[since:]
        if call.method.startswith("edit") and call.params.get("message_id") == message_id
    ]


async def test_an_answered_question_shows_the_answer_without_buttons_in_one_edit(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await user.send("/start")
    await user.answer_to(await user.press("I understand"))
    question = await user.expect("Where do you feel")
    since = len(standin.calls)
    pressed = await user.press("Low back", on=question)
    await user.expect("Which side")
    answer = await user.answer_to(pressed)

    closed = user.message(question.message_id)
    assert closed.buttons == ()
    assert closed.text.startswith("Where do you feel") and closed.text.endswith("→ Low back")
    assert calls_for_message(standin, since, question.message_id) == ["editMessageText"]
    assert "text" not in answer.params  # a taken press is answered silently
    press_calls = [c.method for c in standin.calls[since:] if c.method != "getUpdates"]
    assert sorted(press_calls) == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    assert user.drain() == [] and user.closed[-1].message_id == question.message_id
    standin.assert_no_refusals()


async def test_it_hurts_turns_the_exercise_message_into_the_question_in_one_edit(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    step = await start_session(user)
    assert "animation" in step.raw and step.labels
    since = len(standin.calls)
    pressed = await user.press("It hurts", on=step)
    question = await user.expect("What happened?")
    await user.answer_to(pressed)
    assert question.kind == "edit" and question.message_id == step.message_id
    assert "animation" in question.raw and "Sharper pain" in question.labels
    assert calls_for_message(standin, since, step.message_id) == ["editMessageCaption"]
    standin.assert_no_refusals()


async def test_a_running_hold_keeps_its_message_and_buttons_through_the_sets(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    step = await start_session(user)
    pressed = await user.press("▶ Start", on=step)
    holding = await user.expect("Holding")
    await user.answer_to(pressed)
    assert holding.kind == "edit" and {"✓ Let go early", "■ Stop session"} <= set(holding.labels)
    pressed = await user.press("✓ Let go early", on=holding)
    second = await user.expect("Set 2 of 2")
    await user.answer_to(pressed)
    assert second.kind == "edit" and second.message_id == step.message_id  # one message
    assert "■ Stop session" in user.message(step.message_id).labels
    standin.assert_no_refusals()


async def test_ticking_days_keeps_the_picker_open_and_done_closes_it(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await user.send("/reminder")
    await user.press("08:00")
    await user.expect("Which time zone")
    await user.send("Berlin")
    await user.press("Choose days")
    picker = await user.expect("Tap the days")
    pressed = await user.press("Mon", on=picker)
    ticked = await user.expect("Tap the days")
    await user.answer_to(pressed)
    assert ticked.kind == "edit" and "✓ Mon" in ticked.labels
    pressed = await user.press("Done", on=picker)
    await user.expect("Reminder set")
    await user.answer_to(pressed)
    closed = user.message(picker.message_id)
    assert closed.buttons == () and closed.text.endswith("→ Done")
    standin.assert_no_refusals()


async def test_a_press_on_an_old_question_gets_a_helpful_answer_and_changes_nothing(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await user.send("/start")
    await user.press("I understand")
    old = await user.expect("Where do you feel")
    await user.send("/reminder")  # moves on without answering
    await user.expect("When would you like")
    pressed = await user.press("Neck", on=old)
    answer = await user.answer_to(pressed)
    assert "earlier step" in answer.params["text"] and "/start" in answer.params["text"]
    await user.no_reply(within=0.3)
    assert user.message(old.message_id).labels  # an old question is not marked answered


async def test_a_double_tap_closes_the_question_once(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await user.send("/start")
    await user.press("I understand")
    question = await user.expect("Where do you feel")
    _, data = user.find_button("Low back", on=question)
    first = await user.press_data(question.message_id, data)
    second = await user.press_data(question.message_id, data)  # before the first is handled
    await user.expect("Which side")
    await user.answer_to(first)
    assert "earlier step" in (await user.answer_to(second)).params["text"]
    await user.no_reply(within=0.3)
    assert calls_for_message(standin, 0, question.message_id) == ["editMessageText"]
    standin.assert_no_refusals()
