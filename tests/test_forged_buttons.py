"""Forged button presses that are well formed but out of range, someone else's, or unknown words:
each is answered, nothing is sent or changed, and the person carries on as before."""

from collections.abc import AsyncIterator

import pytest

from storage.models import ExerciseSession, Reminder, User
from tests.conftest import FakeClock, RunningBot
from tests.flows import onboard, start_session
from tests.standin import ScriptedUser, TelegramStandIn

OUT_OF_RANGE = [
    "1|dn|{sid}|99|1",  # step 99
    "1|dn|{sid}|0|99",  # set 99
    "1|tm|{sid}|99|1",
    "1|tm|{sid}|0|99",
    "1|sk|{sid}|99",
    "1|ht|{sid}|99",
    "1|hr|{sid}|99|numb",
    "1|pb|{sid}|11",  # pain 11
    "1|pa|{sid}|11",
    "1|pn|11",
    "1|rc|99",
    "1|rs|2147483647",  # the largest id the codec takes: no such session
    "1|dn|2147483647|0|1",
    "1|rs|99999999999",  # beyond a 32-bit id column: the codec refuses it
]
UNKNOWN_WORDS = [
    "1|rg|elbow",
    "1|sd|middle",
    "1|sc|nokey|1",
    "1|fs|soon",
    "1|mn|nowhere",
    "1|wn|maybe",
    "1|hr|{sid}|0|bogus",
    "1|ch|{sid}|weird",
    "1|ln|nothing",
    "1|rt|abc",
    "1|rz|zzz",
    "1|rd|t99",
    "1|rn|nap",
    "1|ps|forever",
    "1|fg|maybe",
]
SOMEONE_ELSES = [
    "1|dn|{sid}|0|1",
    "1|tm|{sid}|0|1",
    "1|sk|{sid}|0",
    "1|ht|{sid}|0",
    "1|sp|{sid}",
    "1|rs|{sid}",
    "1|cl|{sid}",
    "1|pa|{sid}|3",
]


@pytest.fixture
async def bot_on_each_database(
    standin: TelegramStandIn, database_url: str, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    runner = RunningBot(standin, database_url, clock)
    await runner.start()
    yield runner
    await runner.stop()


async def session_state(bot: RunningBot, session_id: int) -> tuple[object, ...]:
    async with bot.services.sessions() as db:
        session = await db.get(ExerciseSession, session_id)
        assert session is not None
        user = await db.get(User, session.user_id)
        assert user is not None
        reminder = await db.get(Reminder, user.id)
        return (
            session.status,
            session.phase,
            session.step_index,
            session.set_number,
            session.timer_ends_at,
            session.pain_before,
            user.screening,
            user.dose_level,
            reminder,
        )


async def forge(
    user: ScriptedUser, standin: TelegramStandIn, message_id: int, data: list[str], sid: int
) -> None:
    """Press each forged button; each is answered once and nothing is sent."""
    for pattern in data:
        query_id = await user.press_data(message_id, pattern.format(sid=sid))
        await user.answer_to(query_id)  # waits, however busy the machine is
        await user.no_reply(within=0.3)
        answers = [
            call
            for call in standin.calls_to("answerCallbackQuery")
            if call.params["callback_query_id"] == query_id
        ]
        assert len(answers) == 1, pattern


async def test_forged_presses_do_nothing_and_the_session_carries_on(
    bot_on_each_database: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    bot = bot_on_each_database
    owner, stranger = new_user("Owner"), new_user("Stranger")
    await onboard(owner)
    step = await start_session(owner)
    sid = int(step.buttons[-1][1].split("|")[2])  # Stop carries the session id
    before = await session_state(bot, sid)

    await forge(owner, standin, step.message_id, OUT_OF_RANGE + UNKNOWN_WORDS, sid)
    await onboard(stranger)
    stranger_message = stranger.seen[-1].message_id
    await forge(stranger, standin, stranger_message, SOMEONE_ELSES, sid)

    assert await session_state(bot, sid) == before
    standin.assert_no_refusals()
    await owner.press("It hurts", on=step)  # the real buttons still work
    await owner.expect("What happened?")
