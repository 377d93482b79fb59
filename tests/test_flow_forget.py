"""/forget as pure transitions: only the latest question, within ten minutes, deletes."""

from datetime import UTC, datetime, timedelta

from content.flows import forget as flow
from content.flows.core import END, FlowEvent, FlowState, Show, Toast
from content.library import load_library

TEXTS = load_library().texts
ASKED_AT = datetime(2026, 3, 10, 8, tzinfo=UTC)
ASKED = FlowState(flow.FLOW, flow.Step.CONFIRM, {"token": "ab12", "asked_at": ASKED_AT.isoformat()})
EXPIRED = Toast(TEXTS("forget_expired"))


def env(minutes_later: float = 0) -> flow.ForgetEnv:
    return flow.ForgetEnv(TEXTS, ASKED_AT + timedelta(minutes=minutes_later), "ab12")


def answer(word: str) -> FlowEvent:
    return FlowEvent(flow.Kind.ANSWER, (word,))


def test_forget_asks_with_buttons_bound_to_a_fresh_token() -> None:
    step = flow.advance(None, FlowEvent(flow.Kind.ASK), env())
    assert step.state == ASKED and step.effects == (flow.question(TEXTS, "ab12"),)


def test_yes_within_ten_minutes_deletes_everything() -> None:
    step = flow.advance(ASKED, answer("yab12"), env(minutes_later=9.9))
    assert step.state == END and step.effects == (
        flow.ForgetEverything(),
        Show(TEXTS("forget_done")),
    )


def test_yes_after_ten_minutes_deletes_nothing_and_uses_the_question_up() -> None:
    step = flow.advance(ASKED, answer("yab12"), env(minutes_later=10.1))
    assert step.state == END and step.effects == (EXPIRED,)


def test_yes_on_an_older_question_deletes_nothing_and_keeps_the_latest() -> None:
    step = flow.advance(ASKED, answer("y99ff"), env())
    assert step.state == ASKED and step.effects == (EXPIRED,)


def test_a_yes_with_no_question_open_deletes_nothing() -> None:
    assert flow.advance(None, answer("yes"), env()).effects == (EXPIRED,)


def test_no_keeps_everything() -> None:
    step = flow.advance(ASKED, answer("nab12"), env())
    assert step.state == END and step.effects == (Show(TEXTS("forget_kept")),)
