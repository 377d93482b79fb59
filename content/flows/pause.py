"""/pause and /resume as a pure flow: ask how long, start the pause; end it early on /resume.

A pause keeps the streak safe and holds reminders back (content/streaks.py, bot/reminders.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from content.flows.actions import Action
from content.flows.core import END, Button, FlowEvent, FlowState, Show, Toast, Transition, rows
from content.texts import Texts

FLOW = "pause"
# Button word -> days; 0 is open-ended (until /resume).
LENGTHS = {"3": 3, "7": 7, "open": 0}


class Step(StrEnum):
    ASK_LENGTH = "ask_length"


class Kind(StrEnum):
    ASK = "ask"  # /pause, or the button under /streak
    LENGTH = "length"  # a length pressed; args: (word,)
    RESUME = "resume"  # /resume, or "End the pause"


@dataclass(frozen=True, slots=True)
class OpenPause:
    """The pause in force today, as the rules need it."""

    starts_on: date
    ends_on: date | None


@dataclass(frozen=True, slots=True)
class PauseEnv:
    texts: Texts
    today: date  # in the person's zone
    pause: OpenPause | None


@dataclass(frozen=True, slots=True)
class StartPause:
    """Record a pause from `starts_on` to `ends_on` (None: until ended)."""

    starts_on: date
    ends_on: date | None


@dataclass(frozen=True, slots=True)
class EndPause:
    """End today's pause: drop it if it began today, else let it end yesterday."""

    today: date


def question(env: PauseEnv) -> Show:
    """How long to pause."""
    texts = env.texts
    return Show(
        texts("ask_pause"),
        rows(
            [
                Button(texts("button_pause_3"), Action.PAUSE, ("3",)),
                Button(texts("button_pause_7"), Action.PAUSE, ("7",)),
            ],
            [Button(texts("button_pause_open"), Action.PAUSE, ("open",))],
        ),
    )


def current_question(state: FlowState, env: PauseEnv) -> Show | None:
    """The question someone at `state` is answering."""
    return question(env) if state.step == Step.ASK_LENGTH else None


def advance(state: FlowState | None, event: FlowEvent, env: PauseEnv) -> Transition:
    """The next step of /pause or /resume."""
    texts = env.texts
    if event.kind == Kind.ASK:
        return Transition(FlowState(FLOW, Step.ASK_LENGTH), (question(env),))
    if event.kind == Kind.RESUME:
        if env.pause is None:
            return Transition(END, (Show(texts("no_pause")),))
        return Transition(END, (EndPause(env.today), Show(texts("pause_ended"))))
    length = LENGTHS.get(event.word(0) or "")
    if state is None or state.step != Step.ASK_LENGTH or length is None:
        return Transition(state or END, (Toast(texts("stale_button")),))
    if env.pause is not None:
        return Transition(END, (Toast(texts("already_done")),))
    ends_on = env.today + timedelta(days=length - 1) if length else None
    until = texts("progress_paused_until", day=texts.formats.day(ends_on)) if ends_on else ""
    return Transition(
        END, (StartPause(env.today, ends_on), Show(texts("pause_started", until=until)))
    )
