"""The menu a returning user sees, and /help, as Telegram prompts: plain builders.

The messages themselves are pure (content/flows/menu.py). What each menu button opens is routed
in bot/router.py, which imports the flows; nothing here does, so any flow may build the menu
without an import circle.
"""

from __future__ import annotations

from bot.engine import prompt_of
from bot.interaction import Prompt
from bot.services import Services
from content.flows import menu
from content.flows.menu import MENU_ITEMS as MENU_ITEMS
from content.flows.menu import OFFER_ITEMS as OFFER_ITEMS
from content.screening import may_exercise
from storage.models import User


def menu_prompt(services: Services, user: User) -> Prompt:
    """The menu; someone with a warning sign is offered no session, only the way back."""
    return prompt_of(
        menu.menu(
            services.library.texts,
            may_exercise=may_exercise(user.screening),
            onboarded=user.onboarded_at is not None,
        )
    )


def blocked_prompt(services: Services) -> Prompt:
    """Exercise is off after a warning sign: say so, and offer the way back."""
    return prompt_of(menu.blocked(services.library.texts))


def help_prompt(services: Services) -> Prompt:
    """What the coach can and cannot do, and its commands."""
    return prompt_of(menu.help_card(services.library.texts))
