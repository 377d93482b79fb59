"""Whatever a person sends, in whatever state: a short reply, a way forward, no refused call."""

from collections.abc import Awaitable, Callable

from tests.conftest import RunningBot
from tests.flows import start_session
from tests.standin import ScriptedUser, TelegramStandIn

Oddity = Callable[[ScriptedUser], Awaitable[None]]
ButtonOddity = Callable[[ScriptedUser], Awaitable[str]]  # returns the press's query id


async def _text(user: ScriptedUser) -> None:
    await user.send("hello?? <b>not html</b> & stuff")


async def _unknown_command(user: ScriptedUser) -> None:
    await user.send("/dance")


async def _sticker(user: ScriptedUser) -> None:
    await user.send_sticker()


async def _photo(user: ScriptedUser) -> None:
    await user.send_photo()


async def _voice(user: ScriptedUser) -> None:
    await user.send_voice()


async def _location(user: ScriptedUser) -> None:
    await user.share_location(52.52, 13.40)


async def _forged_button(user: ScriptedUser) -> str:
    return await user.press_data(user.seen[-1].message_id, "1|dn|99999|0|1")


async def _garbage_button(user: ScriptedUser) -> str:
    return await user.press_data(user.seen[-1].message_id, "not-ours")


MESSAGE_ODDITIES: list[Oddity] = [_text, _unknown_command, _sticker, _photo, _voice, _location]
BUTTON_ODDITIES: list[ButtonOddity] = [_forged_button, _garbage_button]


async def poke(user: ScriptedUser, standin: TelegramStandIn) -> None:
    """Send every oddity; each message gets a reply, each bad button an answer."""
    for oddity in MESSAGE_ODDITIES:
        await oddity(user)
        reply = await user.reply()
        assert reply.text, f"{oddity.__name__} got an empty reply"
    for button_oddity in BUTTON_ODDITIES:
        answer = await user.answer_to(await button_oddity(user))  # waits, however busy the bot
        await user.no_reply(within=0.3)
        assert (
            answer.params.get("text")
            == "That button belongs to an earlier step: use my latest message, or send /start."
        )


async def test_unexpected_input_in_every_state_gets_a_reply_and_no_refusal(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await poke(user, standin)  # a stranger who never sent /start

    await user.send("/start")
    await user.expect("not medical advice")
    await poke(user, standin)  # at the disclaimer
    await user.press("I understand")
    await user.expect("Where do you feel")
    await poke(user, standin)  # choosing the area
    await user.press("Low back")
    await user.expect("Which side")
    await user.press("Right")
    await user.expect("safety questions")
    await poke(user, standin)  # in the red-flag screen
    for _ in range(5):  # the low-back screening questions
        await user.press("No")
        await user.reply()
    await poke(user, standin)  # at reach
    await user.press("Buttock")
    await user.expect("How strong")
    await poke(user, standin)  # at pain now
    await user.press("4")
    await user.press("Walking", on=await user.expect("everyday activities are hard"))
    await user.press("Done", on=await user.expect("Chosen so far"))
    await user.expect("How well can you do this now")
    await poke(user, standin)  # at rating an activity
    await user.press("3")  # on the question as asked again
    await user.expect("You're set up")
    await poke(user, standin)  # at the first-session offer
    step = await start_session(user)
    await poke(user, standin)  # mid exercise
    await user.press("It hurts", on=step)
    await user.expect("What happened?")
    await poke(user, standin)  # at "what happened"
    await user.send("/help")
    assert "not a doctor" in await user.expect("Commands")
    await user.send("/cancel")
    await user.expect("Nothing you've done is lost")
    await poke(user, standin)  # after cancelling
    await user.send("/start")
    await user.expect("What would you like to do?")
    standin.assert_no_refusals()


async def test_help_and_cancel_work_before_anything_else(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await user.send("/help")
    assert "/exercise" in await user.reply()
    await user.send("/cancel")
    assert "Nothing you've done is lost" in await user.reply()
    await user.send("/exercise")
    assert "Send /start" in await user.reply()
    standin.assert_no_refusals()


async def test_warning_can_be_reported_from_the_menu_at_any_time(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    from tests.flows import onboard

    user = new_user()
    await onboard(user)
    await user.press("Later")
    await user.send("/start")
    await user.expect("What would you like to do?")
    await user.press("I have a warning sign")
    signs = await user.expect("get help")
    assert "saddle" in signs
    await user.press("Yes, an urgent sign", on=signs)
    await user.expect("urgent help now")


async def test_learn_shows_the_region_card_first_and_moves_between_topics(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    from tests.flows import onboard

    user = new_user()
    await onboard(user, region="Neck", reach="Forearm")
    await user.send("/learn")
    card = await user.expect("The three types")
    assert "hand and fingers" in card
    await user.press("When to get help", on=card)
    help_card = await user.expect("When to get help")
    assert "saddle" in help_card
