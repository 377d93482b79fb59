"""Onboarding through the stand-in: disclaimer, area, side, the red-flag screen, reach, pain."""

from sqlalchemy import select

from storage.models import User
from tests.conftest import RunningBot
from tests.flows import answer_safety_questions, choose_area_and_side, onboard
from tests.standin import ScriptedUser, TelegramStandIn


async def test_new_user_is_screened_and_offered_a_first_session(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    offer = await onboard(user, region="Low back", side="Right", reach="Thigh", pain="6")
    assert "low back, symptoms on the right, 6 exercises" in offer
    assert offer.labels == ["Start now", "Later", "First, tell me about pinched nerves"]
    async with bot.services.sessions() as db:
        stored = (await db.execute(select(User))).scalar_one()
    assert (stored.region, stored.side, stored.reach, stored.pain_at_start) == (
        "lumbar",
        "right",
        2,
        6,
    )
    assert stored.screening == "clear"
    standin.assert_no_refusals()


async def test_emergency_answer_switches_exercise_off_until_checked_and_screened_again(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await choose_area_and_side(user, "Low back", "Left")
    await user.expect("saddle")
    await user.press("Yes, at least one")
    advice = await user.expect("urgent help now")
    assert advice.buttons == ()
    assert "Don't drive yourself" in advice

    await user.send("/exercise")
    blocked = await user.reply()
    assert "switched off" in blocked
    assert not any("session" in label.lower() for label in blocked.labels)

    await user.send("/start")
    back = await user.reply()
    assert "switched off" in back and "I've been checked and may exercise" in back.labels
    await user.press("I've been checked and may exercise")
    again = await user.reply()
    assert "safety questions" in again and "saddle" in again
    standin.assert_no_refusals()


async def test_see_soon_answer_needs_acknowledging_then_carries_on(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    offer = await onboard(user, region="Neck", side="Left", reach="Forearm", see_soon=True)
    assert "neck" in offer
    async with bot.services.sessions() as db:
        assert (await db.execute(select(User.screening))).scalar_one() == "see_soon"


async def test_mid_back_users_see_the_see_soon_list_first(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await choose_area_and_side(user, "Mid back", "Both")
    first = await user.reply()
    assert "Losing weight without trying" in first
    # A band of pain round the trunk is the mid-back condition itself, not a warning sign.
    assert "band of pain" not in first


async def test_low_back_symptoms_down_both_legs_count_as_an_emergency(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await choose_area_and_side(user, "Low back", "Both")
    await answer_safety_questions(user)
    await user.press("Below the knee")
    advice = await user.expect("urgent help now")
    assert "both" in advice


async def test_returning_user_gets_the_menu_and_settings_change_side(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    await user.press("Later")
    await user.expect("whenever you're ready")
    await user.expect("daily reminder")  # offered after "Later"
    await user.send("/start")
    menu = await user.reply()
    assert "What would you like to do?" in menu
    await user.send("/settings")
    await user.expect("Where do you feel")
    await user.press("Low back")
    await user.expect("Which side")
    await user.press("Left")
    await answer_safety_questions(user)  # a change is screened again before it is saved
    await user.press("Foot or toes")
    saved = await user.expect("Saved")
    assert "symptoms on the left" in saved
