"""The first thing anyone does: /start gets a reply through the real bot and the stand-in."""

from tests.conftest import RunningBot
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
