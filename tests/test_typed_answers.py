"""Typed answers that once crashed a handler now get "not understood" and the question again."""

import pytest

from tests.conftest import RunningBot
from tests.standin import ScriptedUser, TelegramStandIn


@pytest.mark.parametrize("typed", ["2500", "1299", "²²²²", "²:²²", "99:99", "🕖"])
async def test_an_impossible_time_is_asked_again_with_an_example(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], typed: str
) -> None:
    user = new_user()
    await user.send("/reminder")
    await user.expect("When would you like")
    await user.send(typed)
    again = await user.reply()
    assert "couldn't read that time" in again and "7:30" in again
    await user.send("0730")  # still at the time question
    await user.expect("Which time zone")
    standin.assert_no_refusals()


@pytest.mark.parametrize("typed", ["o²", "o99", "t²", "²", "\u200b"])
async def test_an_unknown_place_is_asked_again_with_an_example(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], typed: str
) -> None:
    user = new_user()
    await user.send("/reminder")
    await user.expect("When would you like")
    await user.send("7:30")
    await user.expect("Which time zone")
    await user.send(typed)
    again = await user.reply()
    assert "couldn't find that place" in again and "Europe/London" in again
    await user.send("Berlin")
    await user.expect("On which days")
    standin.assert_no_refusals()


async def test_a_location_off_the_map_is_an_unknown_place(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await user.send("/reminder")
    await user.expect("When would you like")
    await user.send("7:30")
    await user.expect("Which time zone")
    await user.share_location(123.0, 500.0)  # only a modified client sends this
    await user.expect("couldn't find that place")


@pytest.mark.parametrize("word", ["2500", "1299", "9999"])
async def test_a_forged_time_button_is_not_a_time(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], word: str
) -> None:
    user = new_user()
    await user.send("/reminder")
    question = await user.expect("When would you like")
    await user.press_data(question.message_id, f"1|rt|{word}")
    await user.expect("couldn't read that time")
    standin.assert_no_refusals()
