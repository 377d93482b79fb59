"""The vocabulary every flow shares: buttons, effects, transitions, persisted states and events.

Effects are plain data. A flow never sends anything: it says what should be shown, which timer
should run and what should be recorded, and the engine does it after the new state is saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from content.flows.actions import Action

Arg = int | str


@dataclass(frozen=True, slots=True)
class Button:
    """One inline button: its label and what pressing it does."""

    label: str
    action: Action
    args: tuple[Arg, ...] = ()


Keyboard = tuple[tuple[Button, ...], ...]


def rows(*rows_of_buttons: Sequence[Button]) -> Keyboard:
    """A keyboard from rows, leaving out empty ones."""
    return tuple(tuple(row) for row in rows_of_buttons if row)


def column(buttons: Sequence[Button]) -> Keyboard:
    """One button a row."""
    return tuple((each,) for each in buttons)


def pain_scale(action: Action, *leading: Arg) -> Keyboard:
    """0-10 in two rows; `leading` arguments (a session id) come before the score."""
    scores = [Button(str(score), action, (*leading, score)) for score in range(11)]
    return rows(scores[:6], scores[6:])


class Target(StrEnum):
    """Where a message goes: a new one, or an edit of one already in the chat."""

    NEW = "new"  # a new message: something the person must notice
    PRESSED = "pressed"  # edit the message whose button was pressed (the person is looking)
    LIVE = "live"  # edit the flow's tracked message (a session's exercise message)
    NEW_LIVE = "new_live"  # a new message that becomes the flow's tracked message


@dataclass(frozen=True, slots=True)
class Show:
    """Show a message: text (Telegram HTML), buttons, and optionally an exercise's
    demonstration (the routine step's position) with the text as its caption."""

    text: str
    keyboard: Keyboard = ()
    target: Target = Target.NEW
    demonstration: int | None = None


@dataclass(frozen=True, slots=True)
class Toast:
    """A short notice on the pressed button (a stale or doubled press)."""

    text: str


@dataclass(frozen=True, slots=True)
class StartTimer:
    """Wake the flow after `seconds` with a timer event carrying `args`."""

    seconds: float
    args: tuple[Arg, ...] = ()


@dataclass(frozen=True, slots=True)
class CancelTimer:
    """Stop the flow's running timer, if any."""


@dataclass(frozen=True, slots=True)
class Transition:
    """What one event did: the state after it and the effects to carry out, in order."""

    state: Any
    effects: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class FlowState:
    """A conversation flow's place, as stored: which flow, which step, and its small data."""

    flow: str
    step: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FlowEvent:
    """Something the person did (a press, typed text, a shared place) or a timer firing."""

    kind: str
    args: tuple[Arg, ...] = ()
    text: str | None = None
    location: tuple[float, float] | None = None

    def number(self, index: int) -> int | None:
        value = self.args[index] if index < len(self.args) else None
        return value if isinstance(value, int) else None

    def word(self, index: int) -> str | None:
        value = self.args[index] if index < len(self.args) else None
        return value if isinstance(value, str) else None


END = FlowState(flow="", step="")  # the conversation is over: nothing is kept
