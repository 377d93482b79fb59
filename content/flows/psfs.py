"""The Patient-Specific Functional Scale as a pure flow: choose up to three hard activities
(common ones by button, or typed), then rate each 0-10; later, rate them again each week.

Used at the end of onboarding, from the weekly offer and from /activities. Choosing and rating
edit one message in place. What to record is said by effects: `ChooseActivities` (these names
are the active ones now) and `RateActivity`; `Finished` tells the bot what came next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from content.flows.actions import Action
from content.flows.core import (
    END,
    Button,
    FlowEvent,
    FlowState,
    Keyboard,
    Show,
    Target,
    Toast,
    Transition,
    column,
    pain_scale,
    rows,
)
from content.psfs import (
    COMMON_ACTIVITIES,
    MAX_ACTIVITIES,
    MAX_NAME_CHARACTERS,
    clean_activity_name,
    same_activity,
)
from content.texts import Html, Texts, escape, join_lines

FLOW = "psfs"
SCORES = range(11)


class Step(StrEnum):
    CHOOSE = "choose"  # picking activities: data "chosen"
    RATE = "rate"  # rating them one by one: data "names", "index", "scores"


class Kind(StrEnum):
    BEGIN = "begin"  # choose activities; args: (origin,)
    RATE_ALL = "rate_all"  # rate the active activities now (the weekly rating)
    PICK = "pick"  # a common activity's button; args: (key,)
    TYPED = "typed"  # the person typed an activity
    CLEAR = "clear"  # start choosing again
    DONE = "done"
    SKIP = "skip"
    SCORE = "score"  # args: (index of the activity, 0-10)


# The words the ACTIVITY button carries that are events of their own (the rest are PICKs).
BUTTON_EVENTS = {Kind.CLEAR, Kind.DONE, Kind.SKIP, Kind.RATE_ALL}
CHANGE_WORD = "change"  # the ACTIVITY button that opens choosing from /activities


class Origin(StrEnum):
    ONBOARDING = "onboarding"  # then the first-session offer
    CHANGE = "change"  # /activities: choose them anew
    RATING = "rating"  # the weekly rating, or /activities


@dataclass(frozen=True, slots=True)
class ChooseActivities:
    """Record: these are the person's active activities now; any other is retired."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RateActivity:
    """Record: the active activity of this name scored `score` on the person's local day."""

    name: str
    score: int
    rated_on: date


@dataclass(frozen=True, slots=True)
class Finished:
    """The flow is over; what comes next depends on where it began."""

    origin: Origin


@dataclass(frozen=True, slots=True)
class PsfsEnv:
    """What the flow reads from outside: sentences, the local day, the active activities."""

    texts: Texts
    today: date
    active: tuple[str, ...] = ()


def advance(state: FlowState | None, event: FlowEvent, env: PsfsEnv) -> Transition:
    """The next state and effects after `event`; `state` is None outside this flow."""
    if event.kind == Kind.BEGIN:
        origin = Origin(event.word(0) or Origin.CHANGE)
        chosen = list(env.active) if origin == Origin.CHANGE else []
        return _choosing(origin, chosen, env, Target.NEW)
    if event.kind == Kind.RATE_ALL:
        if not env.active:
            return _choosing(Origin.CHANGE, [], env, Target.NEW)
        return _rating(Origin.RATING, list(env.active), 0, [], env, Target.NEW)
    if state is None or state.flow != FLOW:
        return Transition(END, (Toast(env.texts("stale_button")),))
    if state.step == Step.CHOOSE:
        return _while_choosing(state, event, env)
    if state.step == Step.RATE:
        return _while_rating(state, event, env)
    return Transition(END, (Toast(env.texts("stale_button")),))


def question(state: FlowState, env: PsfsEnv) -> Show:
    """The question at `state`, as a new message (to ask again after something unexpected)."""
    data = state.data
    if state.step == Step.RATE:
        return _rating_question(list(data["names"]), data["index"], env, Target.NEW)
    return _choose_question(Origin(data["origin"]), list(data["chosen"]), env, Target.NEW)


def common_name(key: str, texts: Texts) -> str:
    """A common activity's name, from its sentence."""
    return str(texts(f"activity_{key}"))


# --- choosing


def _while_choosing(state: FlowState, event: FlowEvent, env: PsfsEnv) -> Transition:
    texts = env.texts
    origin, chosen = Origin(state.data["origin"]), list(state.data["chosen"])
    if event.kind == Kind.PICK and event.word(0) in COMMON_ACTIVITIES:
        name = common_name(str(event.word(0)), texts)
        if any(same_activity(name, each) for each in chosen):
            chosen = [each for each in chosen if not same_activity(name, each)]
        elif len(chosen) >= MAX_ACTIVITIES:
            return Transition(state, (Toast(texts("activity_three_at_most")),))
        else:
            chosen.append(name)
        return _choosing(origin, chosen, env, Target.PRESSED)
    if event.kind == Kind.TYPED:
        return _typed(origin, chosen, event.text or "", env)
    if event.kind == Kind.CLEAR:
        return _choosing(origin, [], env, Target.PRESSED)
    if event.kind == Kind.DONE:
        if not chosen:
            return Transition(state, (Toast(texts("activity_choose_one")),))
        return Transition(
            _rating_state(origin, chosen, 0, []),
            (
                ChooseActivities(tuple(chosen)),
                _rating_question(chosen, 0, env, Target.PRESSED),
            ),
        )
    if event.kind == Kind.SKIP and not chosen:
        note = "activity_skipped" if origin == Origin.ONBOARDING else "activity_unchanged"
        return Transition(END, (Show(texts(note), target=Target.PRESSED), Finished(origin)))
    return Transition(state, (Toast(texts("stale_button")),))


def _typed(origin: Origin, chosen: list[str], typed: str, env: PsfsEnv) -> Transition:
    """A typed activity: added if it is a fitting name and there is room."""
    texts = env.texts
    name = clean_activity_name(typed)
    if name is None:
        problem = texts("activity_name_invalid", most=MAX_NAME_CHARACTERS)
    elif len(chosen) >= MAX_ACTIVITIES and not any(same_activity(name, c) for c in chosen):
        problem = texts("activity_three_at_most")
    else:
        if not any(same_activity(name, each) for each in chosen):
            chosen = [*chosen, name]
        problem = Html("")
    ask = _choose_question(origin, chosen, env, Target.NEW)
    shown = Show(join_lines(problem, ask.text), ask.keyboard, Target.NEW)
    return Transition(_choosing_state(origin, chosen), (shown,))


def _choosing_state(origin: Origin, chosen: Sequence[str]) -> FlowState:
    return FlowState(FLOW, Step.CHOOSE, {"origin": origin.value, "chosen": list(chosen)})


def _choosing(origin: Origin, chosen: list[str], env: PsfsEnv, target: Target) -> Transition:
    return Transition(
        _choosing_state(origin, chosen), (_choose_question(origin, chosen, env, target),)
    )


def _choose_question(origin: Origin, chosen: list[str], env: PsfsEnv, target: Target) -> Show:
    texts = env.texts
    if chosen:
        listed = texts("activity_chosen", names=bulleted(chosen))
    else:
        listed = texts("activity_none_chosen")
    intro = texts("activity_ask_onboarding" if origin == Origin.ONBOARDING else "activity_ask")
    picks = []
    for key in COMMON_ACTIVITIES:
        name = common_name(key, texts)
        ticked = any(same_activity(name, each) for each in chosen)
        picks.append(Button(f"✓ {name}" if ticked else name, Action.ACTIVITY, (key,)))
    if chosen:
        finish = [
            Button(texts("button_activity_done"), Action.ACTIVITY, (Kind.DONE.value,)),
            Button(texts("button_activity_clear"), Action.ACTIVITY, (Kind.CLEAR.value,)),
        ]
    else:
        finish = [Button(texts("button_activity_skip"), Action.ACTIVITY, (Kind.SKIP.value,))]
    keyboard: Keyboard = (*column(picks), *rows(finish))
    return Show(join_lines(intro, listed), keyboard, target)


def bulleted(names: Sequence[str]) -> Html:
    """Activity names as a list, escaped."""
    return Html("\n".join(f"• {escape(name)}" for name in names))


# --- rating


def _rating_state(origin: Origin, names: list[str], index: int, scores: list[int]) -> FlowState:
    data: dict[str, Any] = {
        "origin": origin.value,
        "names": list(names),
        "index": index,
        "scores": list(scores),
    }
    return FlowState(FLOW, Step.RATE, data)


def _rating(
    origin: Origin, names: list[str], index: int, scores: list[int], env: PsfsEnv, target: Target
) -> Transition:
    return Transition(
        _rating_state(origin, names, index, scores),
        (_rating_question(names, index, env, target),),
    )


def _rating_question(names: list[str], index: int, env: PsfsEnv, target: Target) -> Show:
    text = env.texts("activity_rate", name=names[index], number=index + 1, total=len(names))
    return Show(text, pain_scale(Action.ACTIVITY_SCORE, index), target)


def _while_rating(state: FlowState, event: FlowEvent, env: PsfsEnv) -> Transition:
    texts, data = env.texts, state.data
    origin, names = Origin(data["origin"]), list(data["names"])
    index, scores = int(data["index"]), list(data["scores"])
    score = event.number(1)
    if event.kind != Kind.SCORE or event.number(0) != index or score not in SCORES:
        return Transition(state, (Toast(texts("stale_button")),))
    assert score is not None
    record = RateActivity(names[index], score, env.today)
    scores.append(score)
    if index + 1 < len(names):
        return Transition(
            _rating_state(origin, names, index + 1, scores),
            (record, _rating_question(names, index + 1, env, Target.PRESSED)),
        )
    listed = "\n".join(
        f"• {escape(name)}: {score}/10" for name, score in zip(names, scores, strict=True)
    )
    closing = "activity_saved_onboarding" if origin == Origin.ONBOARDING else "activity_saved"
    summary = texts(closing, scores=Html(listed))
    return Transition(END, (record, Show(summary, target=Target.PRESSED), Finished(origin)))
