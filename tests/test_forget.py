"""/forget: the confirmation expires after ten minutes and only the question that asked counts."""

from sqlalchemy import func, select

from storage.models import User
from tests.conftest import FakeClock, RunningBot
from tests.flows import onboard
from tests.standin import ScriptedUser, TelegramStandIn

EXPIRED = "That question has expired"


async def users_kept(bot: RunningBot) -> int:
    async with bot.services.sessions() as db:
        return int((await db.execute(select(func.count()).select_from(User))).scalar_one())


async def onboarded(user: ScriptedUser) -> None:
    await onboard(user)
    await user.press("Later")
    await user.expect("daily reminder")


async def test_yes_within_ten_minutes_deletes_everything(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    user = new_user()
    await onboarded(user)
    await user.send("/forget")
    question = await user.expect("cannot be undone")
    clock.advance(minutes=9, seconds=59)
    await user.press("Yes, delete everything", on=question)
    await user.expect("Everything I kept about you is deleted")
    assert await users_kept(bot) == 0


async def test_yes_after_ten_minutes_deletes_nothing_and_says_how_to_ask_again(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    user = new_user()
    await onboarded(user)
    await user.send("/forget")
    question = await user.expect("cannot be undone")
    clock.advance(minutes=10, seconds=1)
    answer = await user.answer_to(await user.press("Yes, delete everything", on=question))
    assert EXPIRED in answer.params["text"] and "/forget" in answer.params["text"]
    await user.no_reply(within=0.3)
    assert await users_kept(bot) == 1
    await user.send("/forget")  # asked again, it works
    await user.press("Yes, delete everything", on=await user.expect("cannot be undone"))
    await user.expect("Everything I kept about you is deleted")
    assert await users_kept(bot) == 0
    standin.assert_no_refusals()


async def test_only_the_latest_question_can_confirm(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboarded(user)
    await user.send("/forget")
    first = await user.expect("cannot be undone")
    await user.send("/forget")
    second = await user.expect("cannot be undone")
    answer = await user.answer_to(await user.press("Yes, delete everything", on=first))
    assert EXPIRED in answer.params["text"]
    assert await users_kept(bot) == 1
    await user.press("Yes, delete everything", on=second)
    await user.expect("Everything I kept about you is deleted")
    assert await users_kept(bot) == 0


async def test_a_forged_yes_without_a_question_deletes_nothing(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboarded(user)
    await user.send("/start")
    menu = await user.expect("What would you like to do?")
    query_id = await user.press_data(menu.message_id, "1|fg|yes")
    assert EXPIRED in (await user.answer_to(query_id)).params["text"]
    await user.send("/forget")
    question = await user.expect("cannot be undone")
    await user.send("/settings")  # moving on to something else withdraws the question
    await user.expect("Where do you feel")
    answer = await user.answer_to(await user.press("Yes, delete everything", on=question))
    assert EXPIRED in answer.params["text"]
    assert await users_kept(bot) == 1
