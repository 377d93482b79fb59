"""The menu and the messages that close a flow with it: plain builders, no routing.

What each menu button opens is routed in bot/router.py; flows end with these messages.
"""

from __future__ import annotations

from content.flows.actions import Action
from content.flows.core import Button, Show, column
from content.texts import Texts, join_lines

MENU_ITEMS = ("session", "progress", "learn", "settings", "warning", "help")
# Words other flows put on menu buttons (the offers after onboarding and after a session).
OFFER_ITEMS = ("reminder", "noreminder")
BLOCKED_ITEMS = ("learn", "help")


def menu(texts: Texts, *, may_exercise: bool, onboarded: bool) -> Show:
    """The menu; someone with a warning sign is offered no session, only the way back."""
    if not may_exercise and onboarded:
        return blocked(texts)
    return Show(
        texts("menu"),
        column([Button(texts(f"button_menu_{item}"), Action.MENU, (item,)) for item in MENU_ITEMS]),
    )


def blocked(texts: Texts) -> Show:
    """Exercise is off after a warning sign: say so, and offer the way back."""
    return Show(
        join_lines(texts("blocked_get_help"), texts("blocked_by_emergency")),
        column(
            [
                Button(texts("button_checked"), Action.CHECKED),
                *(
                    Button(texts(f"button_menu_{item}"), Action.MENU, (item,))
                    for item in BLOCKED_ITEMS
                ),
            ]
        ),
    )


def help_card(texts: Texts) -> Show:
    """What the coach can and cannot do, and its commands."""
    return Show(texts("help", about=texts("about")))
