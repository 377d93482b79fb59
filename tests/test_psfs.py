"""Activities (Patient-Specific Functional Scale) end to end through the stand-in: in
onboarding, the weekly rating, /streak's trend, /activities and /export."""

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot import psfs
from storage.models import Activity, ActivityRating, User
from storage.psfs import rated_activities
from tests.browsers import SCREENSHOTS
from tests.conftest import FakeClock, RunningBot
from tests.flows import answer_safety_questions, choose_activities, choose_area_and_side, onboard
from tests.standin import BotMessage, ScriptedUser, TelegramStandIn
from tests.test_progress import add_sessions, user_id_of

TUESDAY = datetime(2026, 3, 10, 18, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 3, 16, 9, tzinfo=UTC)


@pytest.fixture
async def bot_on_each_database(
    standin: TelegramStandIn, database_url: str, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    runner = RunningBot(standin, database_url, clock)
    await runner.start()
    yield runner
    await runner.stop()


async def ratings_of(bot: RunningBot, person: ScriptedUser) -> list[tuple[str, bool, date, int]]:
    """(activity, still chosen, day, score) of every rating, oldest first."""
    async with bot.services.sessions() as db:
        result = await db.execute(
            select(
                Activity.name, Activity.retired_at, ActivityRating.rated_on, ActivityRating.score
            )
            .join(ActivityRating, ActivityRating.activity_id == Activity.id)
            .join(User, User.id == Activity.user_id)
            .where(User.telegram_user_id == person.user_id)
            .order_by(ActivityRating.rated_on, Activity.id)
        )
        return [(name, retired is None, day, score) for name, retired, day, score in result.all()]


async def up_to_the_activities(person: ScriptedUser) -> None:
    await choose_area_and_side(person, "Low back", "Right")
    await answer_safety_questions(person)
    await person.press("Thigh")
    await person.press("5", on=await person.expect("How strong is your pain right now"))


async def rate_this_week(person: ScriptedUser, scores: list[str]) -> BotMessage:
    """From /streak's button: rate every activity; returns what was saved."""
    await person.send("/streak")
    progress = await person.expect("Your progress")
    assert "Time for this week's rating" in progress.text
    await person.press("Rate your activities", on=progress)
    for score in scores:
        rating = await person.expect("How well can you do this now")
        pressed = await person.press(score, on=rating)
    await person.answer_to(pressed)
    return person.message(rating.message_id)


async def test_onboarding_asks_for_activities_rates_them_then_offers_the_first_session(
    bot_on_each_database: RunningBot,
    standin: TelegramStandIn,
    new_user: type[ScriptedUser],
    clock: FakeClock,
) -> None:
    bot, clock.now = bot_on_each_database, TUESDAY
    person = new_user()
    await up_to_the_activities(person)
    saved = await choose_activities(
        person,
        ["Sitting for 30 minutes", "typed:  <b>Lifting</b> my\n grandchild & co ", "Walking"],
        ["3", "0", "10"],
    )
    assert "• Sitting for 30 minutes: 3/10" in saved.text
    assert "• <b>Lifting</b> my grandchild & co: 0/10" in saved.text  # shown as typed, not bold
    assert "again once a week" in saved.text
    assert not saved.buttons
    offer = await person.expect("You're set up")
    assert offer.labels[0] == "Start now"
    assert await ratings_of(bot, person) == [
        ("Sitting for 30 minutes", True, TUESDAY.date(), 3),
        ("<b>Lifting</b> my grandchild & co", True, TUESDAY.date(), 0),
        ("Walking for 15 minutes", True, TUESDAY.date(), 10),
    ]
    standin.assert_no_refusals()


async def test_choosing_takes_three_at_most_and_refuses_a_name_that_does_not_fit(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    person = new_user()
    await up_to_the_activities(person)
    question = await person.expect("everyday activities are hard")
    await person.send("x" * 61)
    question = await person.expect("1 to 60 characters")
    await person.send_sticker()
    question = await person.expect("everyday activities are hard")  # asked again
    await person.share_location(52.52, 13.40)
    question = await person.expect("1 to 60 characters")
    for pick in ("Sitting", "Bending", "Walking"):
        await person.press(pick, on=question)
        question = await person.expect("Chosen so far")
    query_id = await person.press("Sleeping", on=question)
    await person.no_reply(within=0.3)
    [answer] = [
        call
        for call in standin.calls_to("answerCallbackQuery")
        if call.params["callback_query_id"] == query_id
    ]
    assert "Three is the most" in answer.params["text"]
    await person.press("✓ Bending", on=question)  # a second tap removes it
    question = await person.expect("Chosen so far")
    assert "Bending" not in question.text and "✓ Walking for 15 minutes" in question.labels
    standin.assert_no_refusals()


async def test_activities_can_be_skipped_with_a_kind_note(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    person = new_user()
    await up_to_the_activities(person)
    question = await person.expect("everyday activities are hard")
    await person.answer_to(await person.press("Skip for now", on=question))
    assert "/activities" in person.message(question.message_id).text  # the kind note
    await person.expect("You're set up")
    assert await ratings_of(bot, person) == []
    await person.send("/streak")
    progress = await person.expect("Your progress")
    assert "Your activities" not in progress.text
    assert "Rate your activities" not in progress.labels
    await person.send("/activities")
    await person.press("Choose activities", on=await person.expect("haven't chosen"))
    await choose_activities(person, ["Sleeping"], ["2"])
    assert [row[0] for row in await ratings_of(bot, person)] == ["Sleeping through the night"]
    standin.assert_no_refusals()


async def test_the_weekly_rating_and_the_trend_in_streak(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = TUESDAY
    person = new_user()
    await onboard(person, activity="Sitting", activity_score="4")
    await person.send("/streak")
    progress = await person.expect("Your progress")
    assert "• Sitting for 30 minutes: 4 (rated once so far)" in progress.text
    assert "Time for this week's rating" not in progress.text  # rated this week already
    assert "Rate your activities" not in progress.labels

    clock.now = NEXT_MONDAY  # a new week: the rating is offered
    saved = await rate_this_week(person, ["5"])
    assert "• Sitting for 30 minutes: 5/10" in saved.text and "/streak" in saved.text
    await person.send("/streak")
    progress = await person.expect("Your progress")
    assert "Sitting for 30 minutes: 4 → 5 (+1), no meaningful change yet" in progress.text
    assert "Rate your activities" not in progress.labels

    clock.now = datetime(2026, 3, 23, 9, tzinfo=UTC)
    await rate_this_week(person, ["7"])
    await person.send("/streak")
    progress = await person.expect("Your progress")
    assert "Sitting for 30 minutes: 4 → 7 (+3), a real improvement" in progress.text

    clock.now = datetime(2026, 3, 30, 9, tzinfo=UTC)
    await rate_this_week(person, ["2"])
    await person.send("/streak")
    progress = await person.expect("Your progress")
    assert "Sitting for 30 minutes: 4 → 2 (-2), a real drop" in progress.text
    assert len(progress.text) <= 1024
    assert [row[3] for row in await ratings_of(bot, person)] == [4, 5, 7, 2]
    standin.assert_no_refusals()


async def test_the_weekly_offer_for_the_session_summary_comes_once_a_new_week_starts(
    bot: RunningBot, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = TUESDAY
    person = new_user()
    await onboard(person)

    async def offer() -> str | None:
        async with bot.services.transaction() as db:
            user = (
                await db.execute(select(User).where(User.telegram_user_id == person.user_id))
            ).scalar_one()
            shown = await psfs.weekly_offer(db, bot.services, user)
        return None if shown is None else shown.keyboard[0][0].label

    assert await offer() is None  # rated during onboarding
    clock.now = datetime(2026, 3, 15, 21, tzinfo=UTC)  # Sunday: still the same week
    assert await offer() is None
    clock.now = NEXT_MONDAY
    assert await offer() == "Rate your activities"
    await rate_this_week(person, ["6"])
    assert await offer() is None


async def test_a_doubled_score_press_is_recorded_once(
    bot_on_each_database: RunningBot,
    standin: TelegramStandIn,
    new_user: type[ScriptedUser],
    clock: FakeClock,
) -> None:
    bot, clock.now = bot_on_each_database, TUESDAY
    person = new_user()
    await onboard(person, activity="Walking", activity_score="4")
    clock.now = NEXT_MONDAY
    await person.send("/activities")
    listing = await person.expect("Your activities")
    assert "• Walking for 15 minutes: 4 (rated once so far)" in listing.text
    await person.press("Rate your activities", on=listing)
    rating = await person.expect("How well can you do this now")
    _, data = person.find_button("8", on=rating)
    first = await person.press_data(rating.message_id, data)
    second = await person.press_data(rating.message_id, data)
    await person.answer_to(first)
    await person.answer_to(second)
    assert "Saved" in person.message(rating.message_id).text
    await person.no_reply(within=0.3)
    answers = {
        call.params["callback_query_id"]: call.params.get("text")
        for call in standin.calls_to("answerCallbackQuery")
    }
    assert first in answers and answers[second]  # the second press gets a notice
    assert [row[3] for row in await ratings_of(bot, person)] == [4, 8]
    standin.assert_no_refusals()


async def test_activities_can_be_changed_and_the_old_ones_stay_in_the_export(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = TUESDAY
    person = new_user()
    await onboard(person, activity="Sitting", activity_score="3")
    clock.now = NEXT_MONDAY
    await person.send("/activities")
    await person.press("Change them", on=await person.expect("Your activities"))
    question = await person.expect("everyday activities are hard")
    assert "✓ Sitting for 30 minutes" in question.labels
    await person.press("✓ Sitting", on=question)
    question = await person.expect("Nothing chosen yet")
    await choose_activities(person, ["typed:Gardening"], ["6"], question)
    assert await ratings_of(bot, person) == [
        ("Sitting for 30 minutes", False, TUESDAY.date(), 3),
        ("Gardening", True, NEXT_MONDAY.date(), 6),
    ]
    await person.send("/export")
    await person.expect("spreadsheet")
    table = await person.expect("activities' ratings")
    rows = list(
        csv.DictReader(io.StringIO(standin.files[table.raw["document"]["file_id"]].decode()))
    )
    assert rows == [
        {
            "activity": "Sitting for 30 minutes",
            "rated_on": "2026-03-10",
            "score": "3",
            "still_chosen": "no",
        },
        {"activity": "Gardening", "rated_on": "2026-03-16", "score": "6", "still_chosen": "yes"},
    ]
    await person.expect("physiotherapist")
    standin.assert_no_refusals()


async def test_the_physio_summary_has_an_activities_section(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = TUESDAY
    person = new_user()
    longest = "Carrying two full shopping bags up the stairs to the 3rd flo"
    assert len(longest) == 60
    await onboard(person, activity=f"typed:{longest}", activity_score="3")
    clock.now = NEXT_MONDAY
    await rate_this_week(person, ["6"])
    async with bot.services.sessions() as db:
        user = (
            await db.execute(select(User).where(User.telegram_user_id == person.user_id))
        ).scalar_one()
        rated = await rated_activities(db, user.id, include_retired=True)
    assert psfs.summary_lines(bot.services, rated) == [
        "Hard activities (PSFS: 0 = can't do it, 10 = as well as before the problem):",
        f"  {longest}",
        "      3 on 10 Mar → 6 on 16 Mar: +3, a meaningful change (2 or more)",
    ]
    await person.send("/export")
    summary = await person.expect("physiotherapist")
    SCREENSHOTS.mkdir(exist_ok=True)  # for a person to look at: the section fits the page
    page = standin.files[summary.raw["document"]["file_id"]]
    (SCREENSHOTS / "psfs-summary-page.png").write_bytes(page)


async def test_three_of_the_longest_activities_fit_the_streak_caption(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser], clock: FakeClock
) -> None:
    clock.now = TUESDAY
    person = new_user()
    names = [f"{letter * 50} and more" for letter in "ABC"]  # 59 characters each
    await up_to_the_activities(person)
    await choose_activities(person, [f"typed:{name}" for name in names], ["10", "10", "10"])
    await add_sessions(bot, await user_id_of(bot, person), [date(2026, 3, 9), date(2026, 3, 10)])
    await person.send("/pause")
    await person.press("Until I end it", on=await person.expect("For how long?"))
    await person.expect("Paused")
    clock.now = NEXT_MONDAY
    await rate_this_week(person, ["0", "5", "10"])
    clock.now = datetime(2026, 3, 30, 9, tzinfo=UTC)  # due again: the longest caption
    await person.send("/streak")
    progress = await person.expect("Your progress")
    assert progress.has_photo and "Time for this week's rating" in progress.text
    assert "your streak is safe" in progress.text
    assert f"{names[0]}: 10 → 0 (-10), a real drop" in progress.text
    assert len(progress.text) <= 1024
    standin.assert_no_refusals()
