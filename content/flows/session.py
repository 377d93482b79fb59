"""The exercise session as a pure state machine.

Pain before, each exercise set by set (hold and rest timers, "It hurts", skip, stop), pain
after and symptom change. One message per exercise: a step's sets, its hold note and "time's
up" edit that message; new messages only where a person must notice them: the next exercise,
and a hold released by its timer while they may have looked away.

Longer than our usual 300 lines on purpose: the whole machine (every phase and event) reads in
one place; its captions and keyboards live in session_view.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from content.flows.core import CancelTimer, Show, StartTimer, Target, Toast, Transition
from content.flows.session_view import (
    Place,
    change_prompt,
    feedback_line,
    hurt_prompt,
    pain_after_prompt,
    pain_before_prompt,
    set_caption,
    step_caption,
    step_keyboard,
)
from content.library import Library
from content.messages import has_timer
from content.models import DoseLevel, RegionKey
from content.progress import next_step_index
from content.progression import Feedback
from content.routine import Routine
from content.rules import HurtOutcome, hurt_outcome, session_level, should_drop
from content.statuses import ExerciseOutcome, SessionStatus
from content.texts import join_lines


class Phase(StrEnum):
    PAIN_BEFORE = "pain_before"
    EXERCISE = "exercise"
    HOLDING = "holding"
    RESTING = "resting"
    HURT = "hurt"
    PAIN_AFTER = "pain_after"
    CHANGE = "change"
    DONE = "done"


ON_A_STEP = (Phase.EXERCISE, Phase.HOLDING, Phase.RESTING)


class Kind(StrEnum):
    SHOW = "show"  # show the session where it is (start or resume)
    PAIN_BEFORE = "pain_before"
    HOLD = "hold"
    HOLD_ENDS = "hold_ends"
    REST = "rest"
    REST_ENDS = "rest_ends"
    SET_DONE = "set_done"
    SKIP = "skip"
    HURT = "hurt"
    HURT_REASON = "hurt_reason"
    STOP = "stop"
    PAIN_AFTER = "pain_after"
    SYMPTOM_CHANGE = "symptom_change"
    FEEDBACK = "feedback"


@dataclass(frozen=True, slots=True)
class SessionEvent:
    kind: Kind
    step: int = -1
    set_number: int = -1
    value: int | str | None = None


@dataclass(frozen=True, slots=True)
class SessionState:
    """A session's place; `stopped` and `feedback` are read from its records."""

    session_id: int
    phase: Phase
    level: DoseLevel
    step: int = 0
    set_number: int = 1
    stopped_early: bool = False
    pain_before: int | None = None
    pain_after: int | None = None
    symptom_change: str | None = None
    stopped: frozenset[str] = frozenset()
    feedback: tuple[int, str] | None = None  # (position, name) of an exercise awaiting a tap


@dataclass(frozen=True, slots=True)
class SessionEnv:
    library: Library
    region: RegionKey
    routine_at: Callable[[DoseLevel], Routine]
    # How each exercise ended in earlier sessions that reached it, oldest first (drop rule).
    past_outcomes: Mapping[str, tuple[str, ...]]


# --- records the shell writes


@dataclass(frozen=True, slots=True)
class RecordStep:
    position: int
    exercise_key: str
    side: str | None
    outcome: ExerciseOutcome
    sets_done: int
    hurt_reason: str | None = None


@dataclass(frozen=True, slots=True)
class GoGentle:
    """Pain stopped an exercise: the next session uses the gentle dose."""


@dataclass(frozen=True, slots=True)
class DropExercise:
    exercise_key: str


@dataclass(frozen=True, slots=True)
class MarkEmergency:
    advice: str  # texts key


@dataclass(frozen=True, slots=True)
class SaveFeedback:
    position: int
    value: Feedback


@dataclass(frozen=True, slots=True)
class Finish:
    """The session is over: the shell counts it, sets the next dose and shows the summary."""

    status: SessionStatus
    summary: bool = True


def advance(state: SessionState, event: SessionEvent, env: SessionEnv) -> Transition:
    """The session after `event`, and what to show, time and record."""
    library, texts = env.library, env.library.texts
    routine = env.routine_at(state.level)
    stale = Transition(state, (Toast(texts("already_done")),))
    if state.phase is Phase.DONE:
        return Transition(state, (Toast(texts("stale_button")),))
    here = Place(state.session_id, state.step, state.set_number, routine)
    kind = event.kind
    if kind is Kind.SHOW:
        return Transition(state, (_current(state, env, routine, Target.NEW_LIVE),))
    if kind is Kind.STOP:
        return _stop(state, env)
    if kind is Kind.FEEDBACK:
        return _feedback(state, event, env, routine)
    on_this_step = event.step == state.step and state.phase in ON_A_STEP
    this_set = on_this_step and event.set_number == state.set_number
    if kind is Kind.PAIN_BEFORE:
        if state.phase is not Phase.PAIN_BEFORE or not _score(event.value):
            return stale
        return _after_pain_before(state, int(event.value or 0), env)
    if kind is Kind.HOLD:
        if not (this_set and state.phase is Phase.EXERCISE and has_timer(here.step)):
            return stale
        holding = replace(state, phase=Phase.HOLDING)
        hold = here.step.hold_seconds or 0
        note = texts("timer_running", hold=hold)
        shown = Show(
            step_caption(library, here, note=note),
            step_keyboard(library, here, holding=True),
            Target.PRESSED,
        )
        return Transition(
            holding, (StartTimer(hold, (Kind.HOLD_ENDS, state.step, state.set_number)), shown)
        )
    if kind is Kind.HOLD_ENDS:
        if not (this_set and state.phase is Phase.HOLDING):
            return Transition(state)  # a late or second timer: nothing to say
        return _set_over(state, env, routine, by_timer=True)
    if kind is Kind.REST:
        if not (this_set and state.phase is Phase.EXERCISE and here.step.rest_seconds):
            return stale
        note = texts("resting", rest=here.step.rest_seconds)
        shown = Show(
            step_caption(library, here, note=note),
            step_keyboard(library, here, resting=True),
            Target.PRESSED,
        )
        timer = StartTimer(here.step.rest_seconds, (Kind.REST_ENDS, state.step, state.set_number))
        return Transition(replace(state, phase=Phase.RESTING), (timer, shown))
    if kind is Kind.REST_ENDS:
        if not (this_set and state.phase is Phase.RESTING):
            return Transition(state)
        note = texts("rest_over", set_number=state.set_number)
        shown = Show(
            step_caption(library, here, note=note), step_keyboard(library, here), Target.LIVE
        )
        return Transition(replace(state, phase=Phase.EXERCISE), (shown,))
    if kind is Kind.SET_DONE:
        if not this_set:
            return stale
        return _set_over(state, env, routine, by_timer=False)
    if kind is Kind.SKIP:
        if not on_this_step:
            return stale
        record = _record(here, ExerciseOutcome.SKIPPED, state.set_number - 1)
        note = texts("skipped", name=here.step.name)
        return _next_exercise(state, env, routine, (CancelTimer(), record), note, Target.PRESSED)
    if kind is Kind.HURT:
        if not on_this_step:
            return stale
        text, keyboard = hurt_prompt(library, here, env.region)
        return Transition(
            replace(state, phase=Phase.HURT), (CancelTimer(), Show(text, keyboard, Target.PRESSED))
        )
    if kind is Kind.HURT_REASON:
        reason = event.value if isinstance(event.value, str) else ""
        if state.phase is not Phase.HURT or event.step != state.step:
            return stale
        if library.stop_rules.hurt_reason(reason) is None:
            return Transition(state, (Toast(texts("stale_button")),))
        return _hurt(state, reason, env, routine)
    if kind is Kind.PAIN_AFTER:
        if state.phase is not Phase.PAIN_AFTER or not _score(event.value):
            return stale
        text, keyboard = change_prompt(library, state.session_id, env.region)
        after = replace(state, phase=Phase.CHANGE, pain_after=int(event.value or 0))
        preface = texts("pain_after_noted", pain=after.pain_after)
        return Transition(after, (Show(join_lines(preface, text), keyboard, Target.PRESSED),))
    if kind is Kind.SYMPTOM_CHANGE:
        keys = {change.key for change in library.stop_rules.symptom_changes}
        if state.phase is not Phase.CHANGE or event.value not in keys:
            return stale
        done = replace(state, phase=Phase.DONE, symptom_change=str(event.value))
        status = SessionStatus.PARTIAL if state.stopped_early else SessionStatus.COMPLETED
        return Transition(done, (Finish(status),))
    return stale


def _score(value: int | str | None) -> bool:
    return isinstance(value, int) and 0 <= value <= 10


def _record(
    place: Place, outcome: ExerciseOutcome, sets_done: int, reason: str | None = None
) -> RecordStep:
    step = place.step
    side = step.side.value if step.side else None
    return RecordStep(place.index, step.exercise_key, side, outcome, sets_done, reason)


def _current(state: SessionState, env: SessionEnv, routine: Routine, target: Target) -> Show:
    """The session's current question or step, as one message."""
    library = env.library
    if state.phase is Phase.PAIN_BEFORE:
        text, keyboard = pain_before_prompt(library, state.session_id, routine)
        return Show(text, keyboard, target, demonstration=0)
    if state.phase in ON_A_STEP or state.phase is Phase.HURT:
        here = Place(state.session_id, state.step, state.set_number, routine)
        if state.phase is Phase.HURT:
            text, keyboard = hurt_prompt(library, here, env.region)
            return Show(text, keyboard, target)
        return Show(
            step_caption(library, here, note=feedback_line(library, state.feedback)),
            step_keyboard(library, here, feedback=state.feedback),
            target,
            demonstration=state.step,
        )
    if state.phase is Phase.PAIN_AFTER:
        text, keyboard = pain_after_prompt(library, state.session_id)
        return Show(text, keyboard, target)
    text, keyboard = change_prompt(library, state.session_id, env.region)
    return Show(text, keyboard, target)


def _after_pain_before(state: SessionState, pain: int, env: SessionEnv) -> Transition:
    library, texts = env.library, env.library.texts
    level = session_level(state.level, pain, library.stop_rules)
    routine = env.routine_at(level)
    started = replace(
        state, phase=Phase.EXERCISE, pain_before=pain, level=level, step=0, set_number=1
    )
    high = texts("pain_high_before", pain=pain) if level is not state.level else ""
    here = Place(state.session_id, 0, 1, routine)
    # The routine's notes came with the question; the caption keeps room for the exercise.
    preface = join_lines(texts("pain_before_noted", pain=pain), high)
    shown = Show(step_caption(library, here, preface), step_keyboard(library, here), Target.PRESSED)
    return Transition(started, (shown,))


def _set_over(
    state: SessionState, env: SessionEnv, routine: Routine, *, by_timer: bool
) -> Transition:
    """A set is done (pressed, or released by its timer): the next set, or the next exercise."""
    library, texts = env.library, env.library.texts
    here = Place(state.session_id, state.step, state.set_number, routine)
    released = texts("timer_released") if by_timer else ""
    cancel = () if by_timer else (CancelTimer(),)
    if state.set_number < here.step.sets:
        later = replace(state, phase=Phase.EXERCISE, set_number=state.set_number + 1, feedback=None)
        there = Place(state.session_id, state.step, later.set_number, routine)
        rest = texts("rest_then", rest=here.step.rest_seconds) if here.step.rest_seconds else ""
        if by_timer:  # they may have looked away: a new message they will notice
            shown = Show(
                set_caption(library, there, join_lines(released, rest)),
                step_keyboard(library, there),
                Target.NEW_LIVE,
            )
        else:
            shown = Show(
                step_caption(library, there, rest), step_keyboard(library, there), Target.PRESSED
            )
        return Transition(later, (*cancel, shown))
    record = _record(here, ExerciseOutcome.DONE, here.step.sets)
    note = join_lines(released, texts("step_done", name=here.step.name))
    target = Target.NEW_LIVE if by_timer else Target.PRESSED
    return _next_exercise(state, env, routine, (*cancel, record), note, target, done=True)


def _next_exercise(
    state: SessionState,
    env: SessionEnv,
    routine: Routine,
    effects: tuple[object, ...],
    note: str,
    target: Target,
    *,
    stopped: frozenset[str] = frozenset(),
    done: bool = False,
) -> Transition:
    """Leave the current exercise (`note` says how) for the next one, or for pain after."""
    library = env.library
    keys = [step.exercise_key for step in routine.steps]
    skip = state.stopped | stopped
    following = next_step_index(keys, state.step, skip)
    base = replace(state, stopped=skip, feedback=None)
    if following is None:
        text, keyboard = pain_after_prompt(library, state.session_id, note)
        after = replace(base, phase=Phase.PAIN_AFTER, set_number=1)
        return Transition(after, (*effects, Show(text, keyboard, target)))
    name = routine.steps[state.step].name
    feedback = (state.step, name) if done else None
    moved = replace(base, phase=Phase.EXERCISE, step=following, set_number=1, feedback=feedback)
    there = Place(state.session_id, following, 1, routine)
    new = Show(
        step_caption(library, there, note, feedback_line(library, feedback)),
        step_keyboard(library, there, feedback=feedback),
        Target.NEW_LIVE,
        demonstration=following,
    )
    if target is Target.PRESSED:  # the finished exercise's message keeps its note, no buttons
        return Transition(moved, (*effects, Show(note, (), Target.PRESSED), new))
    return Transition(moved, (*effects, new))


def _hurt(state: SessionState, reason: str, env: SessionEnv, routine: Routine) -> Transition:
    library, texts = env.library, env.library.texts
    here = Place(state.session_id, state.step, state.set_number, routine)
    outcome = hurt_outcome(library.stop_rules, reason)
    if outcome.ends_session:
        advice = "same_day_advice" if outcome is HurtOutcome.SAME_DAY else "emergency_advice"
        ended = replace(state, phase=Phase.DONE, stopped_early=True)
        return Transition(ended, (MarkEmergency(advice),))
    if outcome is HurtOutcome.CARRY_ON:
        preface = texts("hurt_carry_on", pain_limit=library.stop_rules.pain_limit_during)
        back = replace(state, phase=Phase.EXERCISE)
        shown = Show(
            step_caption(library, here, preface), step_keyboard(library, here), Target.PRESSED
        )
        return Transition(back, (shown,))
    key = here.step.exercise_key
    record = _record(here, ExerciseOutcome.STOPPED, state.set_number - 1, reason)
    note = texts("hurt_stopped", name=here.step.name)
    effects: tuple[object, ...] = (record, GoGentle())
    if should_drop([*env.past_outcomes.get(key, ()), ExerciseOutcome.STOPPED], library.stop_rules):
        effects = (*effects, DropExercise(key))
        note = join_lines(note, texts("dropped_now", name=here.step.name))
    moved = replace(state, phase=Phase.EXERCISE)
    return _next_exercise(
        moved, env, routine, effects, note, Target.PRESSED, stopped=frozenset({key})
    )


def _stop(state: SessionState, env: SessionEnv) -> Transition:
    texts = env.library.texts
    stopped = replace(state, stopped_early=True, feedback=None)
    if state.phase is Phase.PAIN_BEFORE:
        closed = replace(stopped, phase=Phase.DONE)
        shown = Show(texts("session_stopped"), (), Target.PRESSED)
        return Transition(closed, (shown, Finish(SessionStatus.PARTIAL, summary=False)))
    if state.phase in (Phase.PAIN_AFTER, Phase.CHANGE):
        return Transition(state, (Toast(texts("already_done")),))
    text, keyboard = pain_after_prompt(env.library, state.session_id, texts("session_stopped"))
    asked = replace(stopped, phase=Phase.PAIN_AFTER, set_number=1)
    return Transition(asked, (CancelTimer(), Show(text, keyboard, Target.PRESSED)))


def _feedback(
    state: SessionState, event: SessionEvent, env: SessionEnv, routine: Routine
) -> Transition:
    texts = env.library.texts
    try:
        value = Feedback(str(event.value))
    except ValueError:
        return Transition(state, (Toast(texts("stale_button")),))
    if state.feedback is None or state.feedback[0] != event.step:
        return Transition(state, (Toast(texts("already_done")),))
    thanked = replace(state, feedback=None)
    shown = _current(thanked, env, routine, Target.PRESSED)
    return Transition(
        thanked,
        (
            SaveFeedback(event.step, value),
            replace(shown, demonstration=None),
            Toast(texts("feedback_thanks")),
        ),
    )
