"""Callback data, built and parsed in one place: versioned, compact, checked against 64 bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from content.flows.actions import Action as Action  # the codec is where buttons meet it

VERSION = "1"
SEPARATOR = "|"
MAX_BYTES = 64
# ASCII only and matched whole: "\d" and "$" would also let "٣" and a trailing newline through.
_WORD = re.compile(r"[a-z0-9_]{1,24}", re.ASCII)
_NUMBER = re.compile(r"[0-9]{1,10}", re.ASCII)
# Ids are 32-bit integer columns: a larger number could only be forged, and PostgreSQL would
# refuse it in a query.
MAX_NUMBER = 2**31 - 1


# What each action carries: "n" a number (an id, an index, a 0-10 score), "w" a short word.
SHAPES: dict[Action, str] = {
    Action.ACCEPT: "",
    Action.DECLINE: "",
    Action.REGION: "w",
    Action.SIDE: "w",
    Action.SCREEN: "wn",
    Action.ACKNOWLEDGE: "",
    Action.REACH: "n",
    Action.PAIN_NOW: "n",
    Action.FIRST_SESSION: "w",
    Action.MENU: "w",
    Action.PAIN_BEFORE: "nn",
    Action.TIMER: "nnn",
    Action.SET_DONE: "nnn",
    Action.SKIP: "nn",
    Action.HURT: "nn",
    Action.HURT_REASON: "nnw",
    Action.STOP: "n",
    Action.PAIN_AFTER: "nn",
    Action.SYMPTOM_CHANGE: "nw",
    Action.RESUME: "n",
    Action.CLOSE: "n",
    Action.WARNING: "w",
    Action.LEARN: "w",
    Action.REMINDER_TIME: "w",
    Action.REMINDER_ZONE: "w",
    Action.REMINDER_DAYS: "w",
    Action.REMINDER_OFF: "",
    Action.REMINDER_NOW: "w",
    Action.PAUSE: "w",
    Action.EXPORT: "",
    Action.FORGET: "w",
    Action.CHECKED: "",
    Action.WEEKLY_CHECK: "w",
    Action.REST: "nnn",
    Action.FEEDBACK: "nnw",
    Action.ACTIVITY: "w",
    Action.ACTIVITY_SCORE: "nn",
    Action.SETUP: "w",
    Action.LANGUAGE: "w",
}


@dataclass(frozen=True, slots=True)
class Callback:
    """A parsed button press: what to do and its arguments, typed by the action's shape."""

    action: Action
    args: tuple[int | str, ...]

    def number(self, index: int) -> int:
        value = self.args[index]
        assert isinstance(value, int)
        return value

    def word(self, index: int) -> str:
        value = self.args[index]
        assert isinstance(value, str)
        return value


class CallbackDataError(ValueError):
    """Callback data the bot cannot build: a programming error, caught by tests."""


def encode(action: Action, *args: int | str) -> str:
    """Pack an action and its arguments; raise if they do not fit the shape or 64 bytes."""
    shape = SHAPES[action]
    if len(args) != len(shape):
        raise CallbackDataError(f"{action.name} takes {len(shape)} argument(s), got {len(args)}")
    parts = [VERSION, action.value]
    for kind, arg in zip(shape, args, strict=True):
        text = str(arg)
        if not _valid_argument(kind, text) or (kind == "n" and not isinstance(arg, int)):
            raise CallbackDataError(f"{action.name}: {arg!r} is not a valid {kind!r} argument")
        parts.append(text)
    data = SEPARATOR.join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise CallbackDataError(f"{action.name}: {len(data.encode())} bytes is over {MAX_BYTES}")
    return data


def decode(data: str | None) -> Callback | None:
    """Parse callback data; None for anything not made by `encode` of this version."""
    if not data:
        return None
    try:
        if len(data.encode()) > MAX_BYTES:
            return None
    except UnicodeEncodeError:  # a lone surrogate: never data we made
        return None
    parts = data.split(SEPARATOR)
    if len(parts) < 2 or parts[0] != VERSION:
        return None
    try:
        action = Action(parts[1])
    except ValueError:
        return None
    shape, raw_args = SHAPES[action], parts[2:]
    if len(raw_args) != len(shape):
        return None
    args: list[int | str] = []
    for kind, raw in zip(shape, raw_args, strict=True):
        if not _valid_argument(kind, raw):
            return None
        args.append(int(raw) if kind == "n" else raw)
    return Callback(action, tuple(args))


def _valid_argument(kind: str, text: str) -> bool:
    if kind == "n":
        return _NUMBER.fullmatch(text) is not None and int(text) <= MAX_NUMBER
    return _WORD.fullmatch(text) is not None


def pattern(action: Action) -> re.Pattern[str]:
    """The regex a CallbackQueryHandler uses to pick this action's presses."""
    return re.compile(rf"^{VERSION}\{SEPARATOR}{action.value}(\{SEPARATOR}|$)")
