"""/forget as a pure flow: ask, then delete everything on a "Yes" to that very question within
ten minutes. An older question's "Yes", a late one, or one after moving on deletes nothing.

Each question carries a fresh token in its buttons (the bot draws it); the state keeps the
latest token and when it was asked, so only the latest question can confirm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from content.flows.actions import Action
from content.flows.core import END, Button, FlowEvent, FlowState, Show, Toast, Transition, rows
from content.texts import Texts

FLOW = "forget"
CONFIRMATION_LIFETIME = timedelta(minutes=10)
YES, NO = "y", "n"  # a button word is one of these and the question's token


class Step(StrEnum):
    CONFIRM = "confirm"


class Kind(StrEnum):
    ASK = "ask"  # /forget
    ANSWER = "answer"  # a button; args: (word,) such as "y3f9a0c12"


@dataclass(frozen=True, slots=True)
class ForgetEnv:
    texts: Texts
    now: datetime  # aware, UTC
    token: str  # fresh for a new question: a-z and 0-9, up to 16 characters


@dataclass(frozen=True, slots=True)
class ForgetEverything:
    """Delete the person and everything kept about them."""


def question(texts: Texts, token: str) -> Show:
    """Delete it all? Yes / No, bound to `token`."""
    return Show(
        texts("forget_question"),
        rows(
            [Button(texts("button_forget_yes"), Action.FORGET, (YES + token,))],
            [Button(texts("button_forget_no"), Action.FORGET, (NO + token,))],
        ),
    )


def advance(state: FlowState | None, event: FlowEvent, env: ForgetEnv) -> Transition:
    """The next step of /forget."""
    texts = env.texts
    if event.kind == Kind.ASK:
        data = {"token": env.token, "asked_at": env.now.isoformat()}
        return Transition(FlowState(FLOW, Step.CONFIRM, data), (question(texts, env.token),))
    word = event.word(0) or ""
    choice, token = word[:1], word[1:]
    asked = state is not None and state.step == Step.CONFIRM and state.data.get("token") == token
    after = END if asked else state or END  # this question is used up; any other state stays
    if choice == NO:
        return Transition(after, (Show(texts("forget_kept")),))
    if not asked or state is None or _expired(state, env.now):
        return Transition(after, (Toast(texts("forget_expired")),))
    return Transition(END, (ForgetEverything(), Show(texts("forget_done"))))


def _expired(state: FlowState, now: datetime) -> bool:
    asked_at = datetime.fromisoformat(str(state.data["asked_at"]))
    return now - asked_at > CONFIRMATION_LIFETIME
