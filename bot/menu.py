"""The menu a returning user sees, and /help: plain prompt builders.

What each menu button opens is routed in bot/router.py, which imports the flows; nothing here
does, so any flow may build the menu without an import circle.
"""

from __future__ import annotations

from bot.callbacks import Action
from bot.interaction import Prompt
from bot.keyboards import button, one_per_row
from bot.services import Services
from content.screening import may_exercise
from storage.models import User

MENU_ITEMS = ("session", "progress", "learn", "settings", "warning", "help")
# Words other flows put on menu buttons (the offers after onboarding and after a session).
OFFER_ITEMS = ("reminder", "noreminder")
BLOCKED_ITEMS = ("learn", "help")


def menu_prompt(services: Services, user: User) -> Prompt:
    """The menu; someone with a warning sign is offered no session, only the way back."""
    texts = services.library.texts
    if not may_exercise(user.screening) and user.onboarded_at is not None:
        return blocked_prompt(services)
    return texts("menu"), one_per_row(
        [button(texts(f"button_menu_{item}"), Action.MENU, item) for item in MENU_ITEMS]
    )


def blocked_prompt(services: Services) -> Prompt:
    """Exercise is off after a warning sign: say so, and offer the way back."""
    texts = services.library.texts
    return texts("blocked_by_emergency"), one_per_row(
        [
            button(texts("button_checked"), Action.CHECKED),
            *(button(texts(f"button_menu_{item}"), Action.MENU, item) for item in BLOCKED_ITEMS),
        ]
    )


def help_prompt(services: Services) -> Prompt:
    """What the coach can and cannot do, and its commands."""
    texts = services.library.texts
    return texts("help", about=texts("about")), None
