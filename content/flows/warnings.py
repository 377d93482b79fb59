"""Messages about warning signs that several flows show: pure builders."""

from __future__ import annotations

from collections.abc import Sequence

from content.flows.core import Show
from content.texts import Html, Texts, escape, join_lines


def bulleted(signs: Sequence[str]) -> Html:
    """Signs as a bulleted list, each escaped."""
    return Html("\n".join(f"• {escape(sign)}" for sign in signs))


def emergency(texts: Texts, preface: str = "", advice: str = "") -> Show:
    """The advice for a warning sign (the emergency advice by default); no exercise with it."""
    body = texts(advice or "emergency_advice", come_back=texts("come_back"))
    return Show(join_lines(preface, body))
