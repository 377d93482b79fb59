"""/pause and /resume as pure transitions: state and event in, state and effects out."""

from datetime import date

from content.flows import pause as flow
from content.flows.core import END, FlowEvent, FlowState, Show, Toast
from content.library import load_library

TEXTS = load_library().texts
TODAY = date(2026, 3, 10)  # a Tuesday
ASKED = FlowState(flow.FLOW, flow.Step.ASK_LENGTH)


def env(pause: flow.OpenPause | None = None) -> flow.PauseEnv:
    return flow.PauseEnv(TEXTS, TODAY, pause)


def test_pause_asks_how_long_and_waits_for_the_answer() -> None:
    step = flow.advance(None, FlowEvent(flow.Kind.ASK), env())
    assert step.state == ASKED and step.effects == (flow.question(env()),)


def test_a_week_pauses_through_next_monday() -> None:
    step = flow.advance(ASKED, FlowEvent(flow.Kind.LENGTH, ("7",)), env())
    assert step.state == END and step.effects[0] == flow.StartPause(TODAY, date(2026, 3, 16))


def test_an_open_pause_has_no_end() -> None:
    step = flow.advance(ASKED, FlowEvent(flow.Kind.LENGTH, ("open",)), env())
    assert step.effects[0] == flow.StartPause(TODAY, None)


def test_a_length_pressed_when_no_question_is_open_pauses_nothing() -> None:
    step = flow.advance(None, FlowEvent(flow.Kind.LENGTH, ("3",)), env())
    assert step.state == END and step.effects == (Toast(TEXTS("stale_button")),)


def test_a_second_pause_while_paused_is_already_done() -> None:
    step = flow.advance(
        ASKED, FlowEvent(flow.Kind.LENGTH, ("3",)), env(flow.OpenPause(TODAY, None))
    )
    assert step.state == END and step.effects == (Toast(TEXTS("already_done")),)


def test_a_forged_length_is_stale_and_keeps_the_question() -> None:
    step = flow.advance(ASKED, FlowEvent(flow.Kind.LENGTH, ("99",)), env())
    assert step.state == ASKED and step.effects == (Toast(TEXTS("stale_button")),)


def test_resume_ends_the_pause_in_force() -> None:
    step = flow.advance(None, FlowEvent(flow.Kind.RESUME), env(flow.OpenPause(TODAY, None)))
    assert step.effects == (flow.EndPause(TODAY), Show(TEXTS("pause_ended")))


def test_resume_without_a_pause_says_so() -> None:
    step = flow.advance(None, FlowEvent(flow.Kind.RESUME), env())
    assert step.state == END and step.effects == (Show(TEXTS("no_pause")),)
