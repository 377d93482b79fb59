"""/start and /settings as a pure flow: disclaimer, area and side, the red-flag screen (with the
see-soon acknowledgement), reach and pain now, then the first-session offer.

A change of area or side in /settings is saved only after the reach question and that area's
safety questions are answered again; the way back after a warning sign ("I've been checked")
is a fresh screening. The questions themselves are in content/flows/onboarding_questions.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from content.flows import menu
from content.flows.core import END, FlowEvent, FlowState, Show, Toast, Transition
from content.flows.onboarding_questions import (
    CHANGE,
    OnboardingEnv,
    Profile,
    Step,
    question,
    region_of,
    side_of,
)
from content.flows.warnings import emergency
from content.models import RegionKey, Side
from content.rules import Screening, reach_is_emergency, screening_outcome
from content.screening import SEE_SOON, may_exercise, screen_order
from content.texts import join_lines

__all__ = ["FLOW", "Kind", "OnboardingEnv", "Profile", "Step", "advance", "current_question"]

FLOW = "onboarding"


class Kind(StrEnum):
    START = "start"  # /start; args: ()
    SETTINGS = "settings"  # /settings
    CHECKED = "checked"  # "I've been checked and may exercise"
    ACCEPT = "accept"
    DECLINE = "decline"
    REGION = "region"  # args: (region,)
    SIDE = "side"  # args: (side,)
    SCREEN = "screen"  # args: (group key, 1 yes / 0 no)
    ACKNOWLEDGE = "acknowledge"  # the see-soon advice read
    REACH = "reach"  # args: (level,)
    PAIN_NOW = "pain_now"  # args: (score,)
    FIRST_SESSION = "first_session"  # args: ("now" | "later",)
    OFFER_FIRST_SESSION = "offer_first_session"  # what follows onboarding is done


# The step each answer belongs to: an answer at any other step is from an older message.
ANSWERED_AT: dict[str, frozenset[str]] = {
    Kind.ACCEPT: frozenset({Step.DISCLAIMER}),
    Kind.DECLINE: frozenset({Step.DISCLAIMER}),
    Kind.REGION: frozenset({Step.REGION, Step.SETTINGS_REGION}),
    Kind.SIDE: frozenset({Step.SIDE, Step.SETTINGS_SIDE}),
    Kind.SCREEN: frozenset({Step.SCREEN}),
    Kind.ACKNOWLEDGE: frozenset({Step.SEE_SOON_ADVICE}),
    Kind.REACH: frozenset({Step.REACH}),
    Kind.PAIN_NOW: frozenset({Step.PAIN}),
    Kind.FIRST_SESSION: frozenset({Step.FIRST_SESSION}),
}


@dataclass(frozen=True, slots=True)
class SaveProfile:
    """Write these profile fields (None: leave as it is)."""

    disclaimer_accepted_at: datetime | None = None
    region: RegionKey | None = None
    side: Side | None = None
    screening: Screening | None = None
    screened_at: datetime | None = None
    reach: int | None = None
    pain_at_start: int | None = None
    onboarded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class MarkEmergency:
    """A warning sign: exercise off everywhere (reminders too) until a clear screening."""


@dataclass(frozen=True, slots=True)
class RescheduleReminder:
    """Exercise is back on: the reminder's next time counts from now, not a stale due time."""


@dataclass(frozen=True, slots=True)
class LeaveFlows:
    """Whatever flow the person was in is over (the menu is shown)."""


@dataclass(frozen=True, slots=True)
class Onboarded:
    """Onboarding is done for the first time: what follows it (the activities) begins."""


@dataclass(frozen=True, slots=True)
class BeginSession:
    """Start the first session now."""


@dataclass(frozen=True, slots=True)
class OfferSetup:
    """Ask where the floor exercises are done (floor, bed or wall), beside /settings."""

    setup: str


@dataclass(frozen=True, slots=True)
class OfferReminder:
    """Offer a daily reminder (after "Later")."""


def current_question(state: FlowState, env: OnboardingEnv) -> Show:
    """The question someone at `state` is answering."""
    return question(state.step, state.data, env)


def go(step: Step, data: Mapping[str, Any], env: OnboardingEnv, *before: Any) -> Transition:
    """Move to `step` and ask its question, after the effects `before`."""
    return Transition(FlowState(FLOW, step, dict(data)), (*before, question(step, data, env)))


def begin_screen(env: OnboardingEnv, data: Mapping[str, Any], *before: Any) -> Transition:
    """Ask the safety questions for the area being screened (a pending change's, if any)."""
    screened = {**data, "index": 0, "answers": {}}
    screened["order"] = screen_order(env.library.red_flags, region_of(env.profile, screened))
    return go(Step.SCREEN, screened, env, *before)


def advance(state: FlowState | None, event: FlowEvent, env: OnboardingEnv) -> Transition:
    """The next step of onboarding or /settings."""
    texts, profile = env.library.texts, env.profile
    if event.kind in (Kind.START, Kind.SETTINGS, Kind.CHECKED):
        return _enter(event, env)
    if event.kind == Kind.OFFER_FIRST_SESSION:
        return go(Step.FIRST_SESSION, {}, env)
    if state is None or state.step not in ANSWERED_AT.get(event.kind, frozenset()):
        return Transition(state or END, (Toast(texts("stale_button")),))
    data = dict(state.data)
    if event.kind == Kind.ACCEPT:
        return go(Step.REGION, {}, env, SaveProfile(disclaimer_accepted_at=env.now))
    if event.kind == Kind.DECLINE:
        return Transition(END, (Show(texts("declined")),))
    if event.kind == Kind.REGION:
        return _region(state, event.word(0) or "", env)
    if event.kind == Kind.SIDE:
        return _side(state, event.word(0) or "", env)
    if event.kind == Kind.SCREEN:
        return _screen(state, event, env)
    if event.kind == Kind.ACKNOWLEDGE:
        return _after_screen_question(data, env)
    if event.kind == Kind.REACH:
        return _reach(state, event.number(0), env)
    if event.kind == Kind.PAIN_NOW:
        pain = event.number(0)
        if pain is None or pain > 10:
            return Transition(state, (question(state.step, data, env),))
        saved = SaveProfile(pain_at_start=pain, onboarded_at=profile.onboarded_at or env.now)
        if profile.onboarded_at is None:  # the first time: what follows onboarding begins
            return Transition(END, (saved, Onboarded()))
        return go(Step.FIRST_SESSION, {}, env, saved)  # screened again after a warning sign
    choice = event.word(0)
    if choice == "now":
        return Transition(END, (BeginSession(),))
    if choice == "later":
        return Transition(END, (Show(texts("later")), OfferReminder()))
    return Transition(state, (Toast(texts("stale_button")),))


def _enter(event: FlowEvent, env: OnboardingEnv) -> Transition:
    texts, profile = env.library.texts, env.profile
    blocked = Transition(END, (menu.blocked(texts),))  # the way back is "I've been checked"
    if event.kind == Kind.CHECKED:
        if profile.screening != Screening.EMERGENCY or not profile.region or not profile.side:
            return Transition(END, (Toast(texts("stale_button")),))
        screen = begin_screen(env, {})
        ask = screen.effects[-1]
        intro = Show(join_lines(texts("checked_intro"), ask.text), ask.keyboard)
        return Transition(screen.state, (*screen.effects[:-1], intro))
    if event.kind == Kind.SETTINGS:
        if profile.onboarded_at is None:
            return Transition(END, (Show(texts("no_profile")),))
        setup = OfferSetup(profile.setup)
        if not may_exercise(profile.screening):  # no re-screening around "I've been checked"
            return Transition(END, (*blocked.effects, setup))
        return go(Step.SETTINGS_REGION, {}, env, setup)
    if profile.screening == Screening.EMERGENCY:
        return blocked
    if profile.onboarded_at is not None:
        shown = menu.menu(texts, may_exercise=may_exercise(profile.screening), onboarded=True)
        return Transition(END, (LeaveFlows(), shown))
    if profile.disclaimer_accepted and profile.region and profile.side:
        return begin_screen(env, {})  # screens again every time
    return go(Step.DISCLAIMER, {"first_name": profile.first_name}, env)


def _region(state: FlowState, word: str, env: OnboardingEnv) -> Transition:
    try:
        region = RegionKey(word)
    except ValueError:
        return Transition(state, (Toast(env.library.texts("stale_button")),))
    if state.step == Step.SETTINGS_REGION:  # saved only once screened again
        return go(Step.SETTINGS_SIDE, {"region": region.value}, env)
    return go(Step.SIDE, state.data, env, SaveProfile(region=region))


def _side(state: FlowState, word: str, env: OnboardingEnv) -> Transition:
    try:
        side = Side(word)
    except ValueError:
        return Transition(state, (Toast(env.library.texts("stale_button")),))
    if state.step == Step.SETTINGS_SIDE:
        region = state.data.get("region") or (env.profile.region and env.profile.region.value)
        return begin_screen(env, {CHANGE: {"region": region, "side": side.value}})
    chosen = OnboardingEnv(env.library, env.now, replace(env.profile, side=side))
    return begin_screen(chosen, {}, SaveProfile(side=side))


def _screen(state: FlowState, event: FlowEvent, env: OnboardingEnv) -> Transition:
    texts, data = env.library.texts, dict(state.data)
    key, answered_yes = event.word(0) or "", event.number(1) == 1
    if data["order"][data["index"]] != key:
        return Transition(state, (question(state.step, data, env),))  # an older question's button
    data["answers"] = {**data["answers"], key: answered_yes}
    if answered_yes and key != SEE_SOON:
        group = env.library.red_flags.group(key)
        return Transition(
            END, (MarkEmergency(), emergency(texts, advice=group.advice if group else ""))
        )
    if answered_yes:
        return go(Step.SEE_SOON_ADVICE, data, env)
    return _after_screen_question(data, env)


def _after_screen_question(data: dict[str, Any], env: OnboardingEnv) -> Transition:
    """The next screening question, or the end of screening."""
    data = {**data, "index": data["index"] + 1}
    if data["index"] < len(data["order"]):
        return go(Step.SCREEN, data, env)
    answers = data["answers"]
    emergency_answers = {k: bool(v) for k, v in answers.items() if k != SEE_SOON}
    outcome = screening_outcome(emergency_answers, bool(answers.get(SEE_SOON)))
    effects: list[Any] = [SaveProfile(screening=outcome, screened_at=env.now)]
    if not may_exercise(env.profile.screening) and may_exercise(outcome):
        effects.append(RescheduleReminder())
    kept = {k: v for k, v in data.items() if k == CHANGE}
    return go(Step.REACH, kept, env, *effects)


def _reach(state: FlowState, reach: int | None, env: OnboardingEnv) -> Transition:
    library, texts, data = env.library, env.library.texts, state.data
    region, side = region_of(env.profile, data), side_of(env.profile, data)
    if reach is None or reach >= len(library.regions[region].reach):
        return Transition(state, (question(state.step, data, env),))
    if reach_is_emergency(region, side, reach):
        return Transition(
            END, (MarkEmergency(), emergency(texts, texts("lumbar_both_legs_emergency")))
        )
    if CHANGE not in data:
        return go(Step.PAIN, {}, env, SaveProfile(reach=reach))
    saved = texts(  # a /settings change, now screened: save it
        "settings_saved",
        region=library.regions[region].name.lower(),
        side_words=texts(f"side_words_{side.value}"),
    )
    shown = menu.menu(texts, may_exercise=may_exercise(env.profile.screening), onboarded=True)
    return Transition(
        END,
        (
            SaveProfile(reach=reach, region=region, side=side),
            Show(join_lines(saved, shown.text), shown.keyboard),
        ),
    )
