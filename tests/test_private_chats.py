"""Private chats only: groups and channels get one line with a link, nothing is stored, and no
document, picture or reminder ever goes to a chat other people can read."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.reminders import dispatch_due
from storage.models import ConversationState, ProcessedUpdate, User
from tests.conftest import FakeClock, RunningBot
from tests.flows import onboard, start_session
from tests.standin import BotMessage, ScriptedGroup, ScriptedUser, TelegramStandIn
from tests.test_reminders import onboarded_with_reminder

LINK = "https://t.me/nerve_coach_bot"


def says_private_only(message: BotMessage) -> bool:
    return "private chat" in message and LINK in message and "\n" not in message.text


async def stored_rows(bot: RunningBot) -> int:
    """Rows about anyone: users, conversation steps, and claimed update ids."""
    total = 0
    async with bot.services.sessions() as db:
        for table in (User, ConversationState, ProcessedUpdate):
            total += (await db.execute(select(func.count()).select_from(table))).scalar_one()
    return total


@pytest.mark.parametrize("kind", ["group", "supergroup"])
@pytest.mark.parametrize("command", ["/start", "/export", "/streak", "/exercise", "/forget"])
async def test_a_command_in_a_group_gets_one_line_with_a_link_and_nothing_is_stored(
    bot: RunningBot,
    standin: TelegramStandIn,
    new_user: type[ScriptedUser],
    kind: str,
    command: str,
) -> None:
    member = new_user()
    group = ScriptedGroup(standin, kind=kind)
    await group.send(member, command)
    assert says_private_only(await group.reply())
    await group.no_reply(within=0.3)
    assert await stored_rows(bot) == 0
    sent_there = [c.method for c in standin.calls if c.params.get("chat_id") == group.chat.chat_id]
    assert sent_there == ["sendMessage"]
    standin.assert_no_refusals()


async def test_someone_onboarded_privately_gets_nothing_personal_in_a_group(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    member = new_user()
    await onboard(member)
    await member.press("Later")
    group = ScriptedGroup(standin)
    for command in ("/export", "/streak", "/exercise", "/reminder"):
        await group.send(member, command)
        assert says_private_only(await group.reply())
    assert not standin.calls_to("sendDocument") and not standin.calls_to("sendPhoto")
    await member.send("/streak")  # privately it all still works
    assert (await member.expect("streak")).has_photo


async def test_chatter_and_edits_in_a_group_get_no_reply(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    member = new_user()
    group = ScriptedGroup(standin)
    await group.send(member, "my back hurts today")
    await group.send(member, "/help")  # updates are handled in order: the chatter was first
    assert says_private_only(await group.reply())  # the one reply is to the command
    await group.no_reply(within=0.3)
    assert await stored_rows(bot) == 0


@pytest.mark.parametrize("kind", ["group", "supergroup", "channel"])
async def test_being_added_to_a_group_or_channel_says_once_where_the_coach_works(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], kind: str
) -> None:
    member = new_user()
    group = ScriptedGroup(standin, kind=kind)
    group.add_bot(by=member)
    assert says_private_only(await group.reply())
    await group.no_reply(within=0.3)
    assert await stored_rows(bot) == 0


async def test_a_forged_button_in_a_group_is_answered_and_does_nothing(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    member = new_user()
    group = ScriptedGroup(standin)
    await group.send(member, "/start")
    line = await group.reply()
    for data in ("1|fg|yes", "1|ex", "1|mn|progress", "1|ok"):
        answer = await member.answer_to(await group.press_data(member, line.message_id, data))
        assert LINK in answer.params["text"]
        await group.no_reply(within=0.3)
    assert len(standin.calls_to("answerCallbackQuery")) == 4
    assert await stored_rows(bot) == 0
    standin.assert_no_refusals()


async def test_a_reminder_whose_chat_is_a_group_is_never_sent_there(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
    person = new_user()
    await onboarded_with_reminder(person, "07:00", "UTC")
    group = ScriptedGroup(standin)
    async with bot.services.transaction() as db:  # first contact from a group, before this rule
        user = (await db.execute(select(User))).scalar_one()
        user.chat_id = group.chat.chat_id
    clock.now = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    assert await dispatch_due(bot.services, bot.app.bot) == 0  # type: ignore[union-attr]
    await group.no_reply(within=0.3)
    await person.no_reply(within=0.1)

    await person.send("/start")  # writing privately moves the reminders to the private chat
    await person.expect("What would you like to do?")
    clock.now = datetime(2026, 6, 2, 7, 0, tzinfo=UTC)
    assert await dispatch_due(bot.services, bot.app.bot) == 1  # type: ignore[union-attr]
    await person.expect("Time for your routine")
    await group.no_reply(within=0.1)
    assert not [c for c in standin.calls if c.params.get("chat_id") == group.chat.chat_id]


async def test_a_hold_running_in_a_group_chat_is_not_rearmed_after_a_restart(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    person = new_user()
    await onboard(person)
    step = await start_session(person)
    await person.press("▶ Start", on=step)
    await person.expect("Holding")
    session_id = int(step.buttons[-1][1].split("|")[2])
    group = ScriptedGroup(standin)
    async with bot.services.transaction() as db:  # as if the session began in a group
        user = (await db.execute(select(User))).scalar_one()
        user.chat_id = group.chat.chat_id
    app = await bot.restart()
    assert app.job_queue is not None
    assert app.job_queue.get_jobs_by_name(f"hold-timer:{session_id}") == ()
    await group.no_reply(within=0.3)
