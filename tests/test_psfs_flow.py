"""The activities flow (content/flows/psfs.py) as pure transitions: no bot, no database."""

from datetime import date

import pytest

from content.flows.actions import Action
from content.flows.core import END, Button, FlowEvent, FlowState, Show, Target, Toast, Transition
from content.flows.psfs import (
    FLOW,
    ChooseActivities,
    Finished,
    Kind,
    Origin,
    PsfsEnv,
    RateActivity,
    Step,
    advance,
    question,
)
from content.library import load_library
from content.texts import Texts

TODAY = date(2026, 3, 10)


@pytest.fixture(scope="module")
def texts() -> Texts:
    return load_library().texts


def env(texts: Texts, *active: str) -> PsfsEnv:
    return PsfsEnv(texts, TODAY, tuple(active))


def shows(transition: Transition) -> list[Show]:
    return [effect for effect in transition.effects if isinstance(effect, Show)]


def buttons(show: Show) -> list[Button]:
    return [each for row in show.keyboard for each in row]


def labels(show: Show) -> list[str]:
    return [each.label for each in buttons(show)]


def begin(texts: Texts) -> Transition:
    return advance(None, FlowEvent(Kind.BEGIN, (Origin.ONBOARDING.value,)), env(texts))


def test_onboarding_asks_with_the_common_activities_and_a_skip(texts: Texts) -> None:
    moved = begin(texts)
    assert (moved.state.flow, moved.state.step) == (FLOW, Step.CHOOSE)
    [ask] = shows(moved)
    assert ask.target is Target.NEW and "everyday activities are hard" in ask.text
    assert labels(ask) == [
        "Sitting for 30 minutes",
        "Bending to put on socks",
        "Walking for 15 minutes",
        "Sleeping through the night",
        "Looking over your shoulder when driving",
        "Skip for now",
    ]


def test_a_common_activity_is_ticked_and_a_second_tap_removes_it(texts: Texts) -> None:
    picked = advance(begin(texts).state, FlowEvent(Kind.PICK, ("socks",)), env(texts))
    assert picked.state.data["chosen"] == ["Bending to put on socks"]
    [ask] = shows(picked)
    assert ask.target is Target.PRESSED
    assert "✓ Bending to put on socks" in labels(ask) and "Done" in labels(ask)
    again = advance(picked.state, FlowEvent(Kind.PICK, ("socks",)), env(texts))
    assert again.state.data["chosen"] == []


def test_a_fourth_activity_is_refused_kindly(texts: Texts) -> None:
    state = begin(texts).state
    for key in ("sitting", "socks", "walking"):
        state = advance(state, FlowEvent(Kind.PICK, (key,)), env(texts)).state
    full = advance(state, FlowEvent(Kind.PICK, ("driving",)), env(texts))
    assert full.state == state and isinstance(full.effects[0], Toast)
    typed = advance(state, FlowEvent(Kind.TYPED, text="Gardening"), env(texts))
    assert typed.state.data["chosen"] == state.data["chosen"]
    assert "Three is the most" in shows(typed)[0].text


def test_a_typed_activity_is_trimmed_and_escaped_where_shown(texts: Texts) -> None:
    typed = advance(
        begin(texts).state, FlowEvent(Kind.TYPED, text="  <b>Lift</b> & carry "), env(texts)
    )
    assert typed.state.data["chosen"] == ["<b>Lift</b> & carry"]
    [ask] = shows(typed)
    assert ask.target is Target.NEW and "• &lt;b&gt;Lift&lt;/b&gt; &amp; carry" in ask.text


def test_a_typed_activity_that_does_not_fit_is_explained_and_asked_again(texts: Texts) -> None:
    start = begin(texts).state
    typed = advance(start, FlowEvent(Kind.TYPED, text="x" * 61), env(texts))
    assert typed.state.data["chosen"] == []
    [ask] = shows(typed)
    assert "1 to 60 characters" in ask.text and "everyday activities are hard" in ask.text


def test_done_records_the_choice_and_rates_each_activity_in_turn(texts: Texts) -> None:
    state = begin(texts).state
    state = advance(state, FlowEvent(Kind.PICK, ("walking",)), env(texts)).state
    state = advance(state, FlowEvent(Kind.TYPED, text="Gardening"), env(texts)).state
    done = advance(state, FlowEvent(Kind.DONE), env(texts))
    assert ChooseActivities(("Walking for 15 minutes", "Gardening")) in done.effects
    [ask] = shows(done)
    assert "Walking for 15 minutes" in ask.text and "(1 of 2)" in ask.text
    assert [b.args for b in buttons(ask)] == [(0, score) for score in range(11)]
    assert all(b.action is Action.ACTIVITY_SCORE for b in buttons(ask))
    first = advance(done.state, FlowEvent(Kind.SCORE, (0, 3)), env(texts))
    assert RateActivity("Walking for 15 minutes", 3, TODAY) in first.effects
    assert "Gardening" in shows(first)[0].text
    last = advance(first.state, FlowEvent(Kind.SCORE, (1, 7)), env(texts))
    assert last.state == END
    assert RateActivity("Gardening", 7, TODAY) in last.effects
    assert Finished(Origin.ONBOARDING) in last.effects
    assert "Walking for 15 minutes: 3/10" in shows(last)[0].text


def test_done_with_nothing_chosen_is_a_notice_and_skip_is_kind(texts: Texts) -> None:
    start = begin(texts).state
    empty = advance(start, FlowEvent(Kind.DONE), env(texts))
    assert empty.state == start and isinstance(empty.effects[0], Toast)
    skipped = advance(start, FlowEvent(Kind.SKIP), env(texts))
    assert skipped.state == END
    assert "/activities" in shows(skipped)[0].text
    assert skipped.effects[-1] == Finished(Origin.ONBOARDING)
    assert not any(isinstance(e, (ChooseActivities, RateActivity)) for e in skipped.effects)


@pytest.mark.parametrize("score", [(1, 5), (0, 11)])
def test_a_score_for_another_activity_or_off_the_scale_changes_nothing(
    texts: Texts, score: tuple[int, int]
) -> None:
    rating = advance(None, FlowEvent(Kind.RATE_ALL), env(texts, "Sitting", "Walking")).state
    stale = advance(rating, FlowEvent(Kind.SCORE, score), env(texts))
    assert stale.state == rating and isinstance(stale.effects[0], Toast)


def test_the_weekly_rating_asks_about_the_active_activities(texts: Texts) -> None:
    rating = advance(None, FlowEvent(Kind.RATE_ALL), env(texts, "Sitting", "Walking"))
    assert rating.state.step == Step.RATE and rating.state.data["names"] == ["Sitting", "Walking"]
    assert "Sitting" in shows(rating)[0].text and "(1 of 2)" in shows(rating)[0].text
    state = advance(rating.state, FlowEvent(Kind.SCORE, (0, 6)), env(texts)).state
    last = advance(state, FlowEvent(Kind.SCORE, (1, 8)), env(texts))
    assert last.effects[-1] == Finished(Origin.RATING)
    assert "once a week" not in shows(last)[0].text


def test_rating_with_no_activity_chosen_asks_to_choose(texts: Texts) -> None:
    moved = advance(None, FlowEvent(Kind.RATE_ALL), env(texts))
    assert moved.state.step == Step.CHOOSE


def test_changing_starts_from_the_active_activities(texts: Texts) -> None:
    moved = advance(None, FlowEvent(Kind.BEGIN, (Origin.CHANGE.value,)), env(texts, "Gardening"))
    assert moved.state.data["chosen"] == ["Gardening"]
    assert "Start again" in labels(shows(moved)[0])
    cleared = advance(moved.state, FlowEvent(Kind.CLEAR), env(texts))
    assert cleared.state.data["chosen"] == [] and "Skip for now" in labels(shows(cleared)[0])


def test_a_press_outside_the_flow_is_stale(texts: Texts) -> None:
    moved = advance(None, FlowEvent(Kind.DONE), env(texts))
    assert moved.state == END and isinstance(moved.effects[0], Toast)


def test_the_question_is_asked_again_where_the_person_is(texts: Texts) -> None:
    choosing = FlowState(FLOW, Step.CHOOSE, {"origin": "onboarding", "chosen": ["Gardening"]})
    assert "• Gardening" in question(choosing, env(texts)).text
    rating = FlowState(
        FLOW, Step.RATE, {"origin": "rating", "names": ["A", "B"], "index": 1, "scores": [4]}
    )
    again = question(rating, env(texts))
    assert "<b>B</b> (2 of 2)" in again.text and again.target is Target.NEW
