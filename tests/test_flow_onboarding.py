"""Onboarding and /settings as pure transitions: state and event in, state and effects out."""

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from content.flows import menu
from content.flows import onboarding as flow
from content.flows.core import END, FlowEvent, FlowState, Show, Toast
from content.flows.onboarding_questions import CHANGE, question
from content.flows.warnings import emergency
from content.library import load_library
from content.models import DoseLevel, RegionKey, Side
from content.rules import Screening
from content.screening import SEE_SOON, screen_order

LIBRARY = load_library()
TEXTS = LIBRARY.texts
NOW = datetime(2026, 3, 10, 8, tzinfo=UTC)
NEW = flow.Profile("Alex", None, None, None, False, None, DoseLevel.STANDARD)
CHOSEN = replace(NEW, disclaimer_accepted=True, region=RegionKey.LUMBAR, side=Side.RIGHT)
SCREENED = replace(CHOSEN, screening=Screening.CLEAR)
ONBOARDED = replace(SCREENED, onboarded_at=NOW)
ORDER = screen_order(LIBRARY.red_flags, RegionKey.LUMBAR)
STALE = Toast(TEXTS("stale_button"))


def env(profile: flow.Profile = NEW) -> flow.OnboardingEnv:
    return flow.OnboardingEnv(LIBRARY, NOW, profile)


def at(step: flow.Step, **data: Any) -> FlowState:
    return FlowState(flow.FLOW, step, data)


def event(kind: flow.Kind, *args: int | str) -> FlowEvent:
    return FlowEvent(kind, args)


def screening(index: int, **extra: Any) -> FlowState:
    return at(flow.Step.SCREEN, index=index, answers={}, order=ORDER, **extra)


def test_start_for_someone_new_shows_the_disclaimer() -> None:
    step = flow.advance(None, event(flow.Kind.START), env())
    assert step.state == at(flow.Step.DISCLAIMER, first_name="Alex")


def test_start_when_onboarded_leaves_any_flow_for_the_menu() -> None:
    step = flow.advance(None, event(flow.Kind.START), env(ONBOARDED))
    shown = menu.menu(TEXTS, may_exercise=True, onboarded=True)
    assert step.state == END and step.effects == (flow.LeaveFlows(), shown)


def test_start_after_a_warning_sign_offers_only_the_way_back() -> None:
    step = flow.advance(
        None, event(flow.Kind.START), env(replace(ONBOARDED, screening="emergency"))
    )
    assert step.state == END and step.effects == (menu.blocked(TEXTS),)


def test_accepting_the_disclaimer_asks_for_the_area() -> None:
    step = flow.advance(at(flow.Step.DISCLAIMER), event(flow.Kind.ACCEPT), env())
    assert step.state == at(flow.Step.REGION) and step.effects[0] == flow.SaveProfile(
        disclaimer_accepted_at=NOW
    )


def test_declining_ends_onboarding() -> None:
    step = flow.advance(at(flow.Step.DISCLAIMER), event(flow.Kind.DECLINE), env())
    assert step.state == END and step.effects == (Show(TEXTS("declined")),)


def test_an_area_is_saved_and_the_side_asked() -> None:
    step = flow.advance(at(flow.Step.REGION), event(flow.Kind.REGION, "lumbar"), env())
    assert step.state == at(flow.Step.SIDE) and step.effects[0] == flow.SaveProfile(
        region=RegionKey.LUMBAR
    )


def test_a_forged_area_is_stale() -> None:
    assert flow.advance(at(flow.Step.REGION), event(flow.Kind.REGION, "knee"), env()).effects == (
        STALE,
    )


def test_a_side_is_saved_and_screening_begins() -> None:
    profile = replace(NEW, disclaimer_accepted=True, region=RegionKey.LUMBAR)
    step = flow.advance(at(flow.Step.SIDE), event(flow.Kind.SIDE, "right"), env(profile))
    assert step.state == screening(0) and step.effects[0] == flow.SaveProfile(side=Side.RIGHT)


def test_an_answer_from_an_older_step_is_stale_and_changes_nothing() -> None:
    step = flow.advance(at(flow.Step.REACH), event(flow.Kind.REGION, "lumbar"), env(CHOSEN))
    assert step.state == at(flow.Step.REACH) and step.effects == (STALE,)


def test_no_to_a_screening_question_asks_the_next() -> None:
    step = flow.advance(screening(0), event(flow.Kind.SCREEN, ORDER[0], 0), env(CHOSEN))
    assert step.state.data["index"] == 1 and step.state.data["answers"] == {ORDER[0]: False}


def test_an_emergency_yes_switches_exercise_off_with_the_advice() -> None:
    group = next(key for key in ORDER if key != SEE_SOON)
    state = screening(ORDER.index(group))
    step = flow.advance(state, event(flow.Kind.SCREEN, group, 1), env(CHOSEN))
    advice = emergency(TEXTS, advice=LIBRARY.red_flags.group(group).advice)  # type: ignore[union-attr]
    assert step.state == END and step.effects == (flow.MarkEmergency(), advice)


def test_a_see_soon_yes_needs_an_acknowledgement_then_screening_goes_on() -> None:
    state = screening(ORDER.index(SEE_SOON))
    advised = flow.advance(state, event(flow.Kind.SCREEN, SEE_SOON, 1), env(CHOSEN))
    assert advised.state.step == flow.Step.SEE_SOON_ADVICE
    after = flow.advance(advised.state, event(flow.Kind.ACKNOWLEDGE), env(CHOSEN))
    assert after.state.step in (flow.Step.SCREEN, flow.Step.REACH)


def test_the_last_no_saves_a_clear_screening_and_asks_the_reach() -> None:
    last = len(ORDER) - 1
    step = flow.advance(screening(last), event(flow.Kind.SCREEN, ORDER[last], 0), env(CHOSEN))
    assert step.state == at(flow.Step.REACH) and step.effects[0] == flow.SaveProfile(
        screening=Screening.CLEAR, screened_at=NOW
    )


def test_a_clear_screening_after_a_warning_sign_reschedules_the_reminder() -> None:
    last = len(ORDER) - 1
    blocked = env(replace(ONBOARDED, screening="emergency"))
    step = flow.advance(screening(last), event(flow.Kind.SCREEN, ORDER[last], 0), blocked)
    assert flow.RescheduleReminder() in step.effects


def test_a_button_of_an_older_screening_question_asks_the_current_one_again() -> None:
    step = flow.advance(screening(1), event(flow.Kind.SCREEN, ORDER[0], 0), env(CHOSEN))
    assert step.state == screening(1) and step.effects == (
        question(flow.Step.SCREEN, screening(1).data, env(CHOSEN)),
    )


def test_both_legs_is_an_emergency_sign() -> None:
    both = replace(SCREENED, side=Side.BOTH)
    step = flow.advance(at(flow.Step.REACH), event(flow.Kind.REACH, 2), env(both))
    assert step.state == END and step.effects[0] == flow.MarkEmergency()


def test_the_reach_is_saved_and_the_pain_asked() -> None:
    step = flow.advance(at(flow.Step.REACH), event(flow.Kind.REACH, 2), env(SCREENED))
    assert step.state == at(flow.Step.PAIN) and step.effects[0] == flow.SaveProfile(reach=2)


def test_pain_now_the_first_time_finishes_onboarding() -> None:
    step = flow.advance(at(flow.Step.PAIN), event(flow.Kind.PAIN_NOW, 5), env(SCREENED))
    saved = flow.SaveProfile(pain_at_start=5, onboarded_at=NOW)
    assert step.state == END and step.effects == (saved, flow.Onboarded())


def test_what_follows_onboarding_ends_with_the_first_session_offer() -> None:
    step = flow.advance(None, event(flow.Kind.OFFER_FIRST_SESSION), env(ONBOARDED))
    assert step.state == at(flow.Step.FIRST_SESSION) and "You're set up" in step.effects[0].text


def test_later_offers_a_reminder_and_now_begins_the_session() -> None:
    offer = at(flow.Step.FIRST_SESSION)
    later = flow.advance(offer, event(flow.Kind.FIRST_SESSION, "later"), env(ONBOARDED))
    assert later.effects == (Show(TEXTS("later")), flow.OfferReminder())
    now = flow.advance(offer, event(flow.Kind.FIRST_SESSION, "now"), env(ONBOARDED))
    assert now.state == END and now.effects == (flow.BeginSession(),)


def test_settings_screens_the_new_area_before_saving_it() -> None:
    chosen = flow.advance(
        at(flow.Step.SETTINGS_SIDE, region="cervical"),
        event(flow.Kind.SIDE, "left"),
        env(ONBOARDED),
    )
    assert chosen.state.data[CHANGE] == {"region": "cervical", "side": "left"}
    assert not any(isinstance(effect, flow.SaveProfile) for effect in chosen.effects)


def test_settings_saves_the_change_after_the_reach() -> None:
    state = at(flow.Step.REACH, change={"region": "cervical", "side": "left"})
    step = flow.advance(state, event(flow.Kind.REACH, 1), env(ONBOARDED))
    saved = flow.SaveProfile(reach=1, region=RegionKey.CERVICAL, side=Side.LEFT)
    assert step.state == END and step.effects[0] == saved


def test_settings_before_onboarding_says_there_is_no_profile() -> None:
    step = flow.advance(None, event(flow.Kind.SETTINGS), env())
    assert step.effects == (Show(TEXTS("no_profile")),)


def test_ive_been_checked_screens_again_from_the_first_question() -> None:
    step = flow.advance(
        None, event(flow.Kind.CHECKED), env(replace(ONBOARDED, screening="emergency"))
    )
    assert step.state == screening(0) and step.effects[-1].text.startswith(TEXTS("checked_intro"))
