"""The first thing anyone does: /start gets a reply through the real bot and the stand-in."""

from tests.conftest import FakeClock, RunningBot
from tests.flows import onboard
from tests.standin import ScriptedUser, TelegramStandIn


async def test_start_gets_a_welcome_with_the_disclaimer(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user("Sam")
    await user.send("/start")
    reply = await user.reply()
    assert "Hi Sam" in reply.text
    assert "not medical advice" in reply
    assert reply.labels == ["I understand, let's go", "Not now"]
    assert [c["command"] for c in standin.commands][:2] == ["start", "exercise"]
    standin.assert_no_refusals()


async def test_the_same_bot_runs_on_postgresql(
    standin: TelegramStandIn, postgres_url: str, clock: FakeClock
) -> None:
    runner = RunningBot(standin, postgres_url, clock)
    await runner.start()
    try:
        user = ScriptedUser(standin)
        offer = await onboard(user)
        await user.press("Start now", on=offer)
        assert "how strong is your pain" in await user.reply()
    finally:
        await runner.stop()
    standin.assert_no_refusals()
