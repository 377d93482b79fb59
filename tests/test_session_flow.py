"""The session's pure state machine: each transition from a state and an event to the next
state and its effects, with no bot and no database."""

from dataclasses import replace

import pytest

from content.flows.core import CancelTimer, Show, StartTimer, Target, Toast
from content.flows.session import (
    DropExercise,
    Finish,
    GoGentle,
    Kind,
    MarkEmergency,
    Phase,
    RecordStep,
    SaveFeedback,
    SessionEnv,
    SessionEvent,
    SessionState,
    advance,
)
from content.library import Library, load_library
from content.models import DoseLevel, RegionKey, Side
from content.progression import Feedback
from content.statuses import ExerciseOutcome, SessionStatus


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def env(
    library: Library, region: RegionKey = RegionKey.LUMBAR, **past: tuple[str, ...]
) -> SessionEnv:
    return SessionEnv(
        library,
        region,
        lambda level: library.build_routine(region, Side.RIGHT, level),
        past,
    )


START = SessionState(session_id=7, phase=Phase.PAIN_BEFORE, level=DoseLevel.STANDARD)
CHILDS_POSE = replace(START, phase=Phase.EXERCISE, pain_before=4)


def shows(effects: tuple[object, ...]) -> list[Show]:
    return [effect for effect in effects if isinstance(effect, Show)]


def test_the_start_is_one_new_message_with_the_first_demonstration(library: Library) -> None:
    [shown] = advance(START, SessionEvent(Kind.SHOW), env(library)).effects
    assert isinstance(shown, Show)
    assert (shown.target, shown.demonstration) == (Target.NEW_LIVE, 0)
    assert "how strong is your pain" in shown.text


def test_pain_before_edits_that_message_into_the_first_exercise(library: Library) -> None:
    t = advance(START, SessionEvent(Kind.PAIN_BEFORE, value=4), env(library))
    assert t.state == CHILDS_POSE
    [shown] = shows(t.effects)
    assert shown.target is Target.PRESSED and "Child's pose" in shown.text


def test_high_pain_before_gives_the_gentle_dose(library: Library) -> None:
    t = advance(START, SessionEvent(Kind.PAIN_BEFORE, value=8), env(library))
    assert t.state.level is DoseLevel.GENTLE and "hold 20 s" in shows(t.effects)[0].text


@pytest.mark.parametrize("pain", [11, -1, "x", None])
def test_a_pain_out_of_range_changes_nothing(library: Library, pain: object) -> None:
    t = advance(START, SessionEvent(Kind.PAIN_BEFORE, value=pain), env(library))  # type: ignore[arg-type]
    assert t.state == START and isinstance(t.effects[0], Toast)


def test_a_hold_starts_a_timer_and_notes_it_on_the_same_message(library: Library) -> None:
    t = advance(CHILDS_POSE, SessionEvent(Kind.HOLD, 0, 1), env(library))
    assert t.state.phase is Phase.HOLDING
    timer, shown = t.effects
    assert timer == StartTimer(30, (Kind.HOLD_ENDS, 0, 1))
    assert isinstance(shown, Show) and shown.target is Target.PRESSED and "Holding" in shown.text


def test_a_hold_released_by_its_timer_is_a_new_message_for_the_next_set(library: Library) -> None:
    holding = replace(CHILDS_POSE, phase=Phase.HOLDING)
    t = advance(holding, SessionEvent(Kind.HOLD_ENDS, 0, 1), env(library))
    assert (t.state.phase, t.state.set_number) == (Phase.EXERCISE, 2)
    [shown] = shows(t.effects)
    assert shown.target is Target.NEW_LIVE and "Time's up" in shown.text
    assert "Set 2 of 2" in shown.text and "Start:" not in shown.text  # no instructions again


def test_a_late_or_second_timer_says_nothing(library: Library) -> None:
    t = advance(CHILDS_POSE, SessionEvent(Kind.HOLD_ENDS, 0, 1), env(library))
    assert t.state == CHILDS_POSE and t.effects == ()


def test_the_last_set_records_the_exercise_and_shows_the_next_with_a_feedback_tap(
    library: Library,
) -> None:
    last = replace(CHILDS_POSE, set_number=2)
    t = advance(last, SessionEvent(Kind.SET_DONE, 0, 2), env(library))
    assert (t.state.step, t.state.set_number, t.state.feedback) == (1, 1, (0, "Child's pose"))
    assert RecordStep(0, "childs_pose", None, ExerciseOutcome.DONE, 2) in t.effects
    closed, new = shows(t.effects)
    assert closed.target is Target.PRESSED and closed.keyboard == ()
    assert new.target is Target.NEW_LIVE and new.demonstration == 1
    assert [b.label for b in new.keyboard[0]] == ["Easy", "About right", "Hard"]


def test_a_double_tap_on_a_set_is_stale(library: Library) -> None:
    later = replace(CHILDS_POSE, set_number=2)
    t = advance(later, SessionEvent(Kind.SET_DONE, 0, 1), env(library))
    assert t.state == later and isinstance(t.effects[0], Toast)


def test_rest_is_a_timer_on_the_same_message(library: Library) -> None:
    second = replace(CHILDS_POSE, set_number=2)
    t = advance(second, SessionEvent(Kind.REST, 0, 2), env(library))
    timer, shown = t.effects
    assert timer == StartTimer(15, (Kind.REST_ENDS, 0, 2))
    assert isinstance(shown, Show) and shown.target is Target.PRESSED
    over = advance(t.state, SessionEvent(Kind.REST_ENDS, 0, 2), env(library))
    assert over.state.phase is Phase.EXERCISE and shows(over.effects)[0].target is Target.LIVE


def test_a_feedback_tap_is_recorded_once(library: Library) -> None:
    asked = replace(CHILDS_POSE, step=1, feedback=(0, "Child's pose"))
    t = advance(asked, SessionEvent(Kind.FEEDBACK, 0, value="hard"), env(library))
    assert SaveFeedback(0, Feedback.HARD) in t.effects and t.state.feedback is None
    again = advance(t.state, SessionEvent(Kind.FEEDBACK, 0, value="hard"), env(library))
    assert not any(isinstance(e, SaveFeedback) for e in again.effects)


def test_it_hurts_stopping_an_exercise_skips_its_other_side_and_goes_gentle(
    library: Library,
) -> None:
    knee = replace(CHILDS_POSE, step=1, phase=Phase.HURT)
    t = advance(knee, SessionEvent(Kind.HURT_REASON, 1, value="sharper"), env(library))
    assert GoGentle() in t.effects and t.state.step == 3  # both knee sides gone
    assert t.state.stopped == frozenset({"knee_to_chest"})


def test_stopped_in_the_session_before_too_drops_the_exercise(library: Library) -> None:
    knee = replace(CHILDS_POSE, step=1, phase=Phase.HURT)
    past = env(library, knee_to_chest=("done", "stopped"))
    t = advance(knee, SessionEvent(Kind.HURT_REASON, 1, value="sharper"), past)
    assert DropExercise("knee_to_chest") in t.effects
    assert "now left out of your routine" in shows(t.effects)[-1].text


def test_a_neck_sign_ends_the_session_with_same_day_advice(library: Library) -> None:
    neck = replace(CHILDS_POSE, phase=Phase.HURT)
    t = advance(
        neck,
        SessionEvent(Kind.HURT_REASON, 0, value="neck_signs"),
        env(library, RegionKey.CERVICAL),
    )
    assert t.effects == (MarkEmergency("same_day_advice"),) and t.state.phase is Phase.DONE


def test_stop_asks_pain_after_on_the_same_message(library: Library) -> None:
    t = advance(CHILDS_POSE, SessionEvent(Kind.STOP), env(library))
    assert t.state.phase is Phase.PAIN_AFTER and t.state.stopped_early
    assert CancelTimer() in t.effects and shows(t.effects)[0].target is Target.PRESSED


def test_the_symptom_change_finishes_the_session(library: Library) -> None:
    change = replace(CHILDS_POSE, phase=Phase.CHANGE, pain_after=3)
    t = advance(change, SessionEvent(Kind.SYMPTOM_CHANGE, value="same"), env(library))
    assert t.effects == (Finish(SessionStatus.COMPLETED),) and t.state.phase is Phase.DONE
