"""Scripted conversations the end-to-end tests share."""

from __future__ import annotations

from tests.standin import BotMessage, ScriptedUser


async def choose_area_and_side(user: ScriptedUser, region: str, side: str) -> None:
    """From /start through the disclaimer to the chosen area and side."""
    await user.send("/start")
    await user.expect("not medical advice")
    await user.press("I understand")
    await user.expect("Where do you feel")
    await user.press(region)
    await user.expect("Which side")
    await user.press(side)


async def answer_safety_questions(user: ScriptedUser, *, see_soon: bool = False) -> BotMessage:
    """Answer the screening (no to every emergency sign); return the question about reach."""
    for _ in range(10):  # the screening questions, however many and in whatever order
        question = await user.reply()
        if "Do any of these apply to you?" in question:  # the see-soon list
            if see_soon:
                await user.press("Yes")
                await user.expect("checked by a doctor soon")
                await user.press("I understand")
            else:
                await user.press("No")
            continue
        if "How far do your symptoms reach" in question:
            return question
        await user.press("No, none")
    raise AssertionError("screening never reached the question about reach")


async def onboard(
    user: ScriptedUser,
    *,
    region: str = "Low back",
    side: str = "Right",
    reach: str = "Thigh",
    pain: str = "5",
    see_soon: bool = False,
    activity: str = "Sitting for 30 minutes",
    activity_score: str = "4",
) -> BotMessage:
    """From /start to the offer of a first session, answering no to every emergency sign and
    choosing one hard activity (rated `activity_score`)."""
    await choose_area_and_side(user, region, side)
    await answer_safety_questions(user, see_soon=see_soon)
    await user.press(reach)
    await user.expect("How strong is your pain right now")
    await user.press(pain, on=user.seen[-1])
    await choose_activities(user, [activity], [activity_score])
    return await user.expect("You're set up")


async def choose_activities(
    user: ScriptedUser, picks: list[str], scores: list[str], question: BotMessage | None = None
) -> BotMessage:
    """At the activities question (the next one, or `question`): press (or type) each pick,
    Done, and rate each in turn; returns the message that shows what was saved. A pick starting
    with "typed:" is typed."""
    question = question or await user.expect("everyday activities are hard")
    for pick in picks:
        if pick.startswith("typed:"):
            await user.send(pick.removeprefix("typed:"))
            question = await user.expect("everyday activities are hard")
        else:
            await user.press(pick, on=question)
            question = await user.expect("Chosen so far")
    await user.press("Done", on=question)
    for score in scores:
        rating = await user.expect("How well can you do this now")
        pressed = await user.press(score, on=rating)
    await user.answer_to(pressed)  # the question became the summary: no buttons, no new message
    saved = user.message(rating.message_id)
    assert "Saved" in saved.text, saved.text
    return saved


async def start_session(user: ScriptedUser, pain_before: str = "4") -> BotMessage:
    """Begin a session from the first-session offer and answer pain before; return step one."""
    await user.press("Start now")
    question = await user.reply()
    assert "how strong is your pain right now" in question, question.text  # nothing in between
    pressed = await user.press(pain_before, on=question)
    step = await user.expect("1/")
    await user.answer_to(pressed)  # the press is fully handled: the pain question closed too
    return step


async def what_hurts(user: ScriptedUser, step: BotMessage) -> BotMessage:
    """Press "It hurts" on an exercise step; return the question of what happened."""
    await user.press("It hurts", on=step)
    return await user.expect("What happened?")
