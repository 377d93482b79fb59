"""/learn: the education cards as short messages with buttons between topics."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import Action, Callback, pattern
from bot.interaction import Prompt, chat_id_of, current_user, on_press, send
from bot.keyboards import button, rows
from bot.services import CoachContext, Services
from content.flows.warnings import bulleted
from content.models import EducationCard, RegionKey
from content.texts import escape, join_lines


def card_prompt(services: Services, card: EducationCard, region: RegionKey | None = None) -> Prompt:
    library = services.library
    body: str
    if card.body_from == "red_flags":
        flags, texts = library.red_flags, library.texts
        body = join_lines(
            texts("warning_emergency_heading"),
            bulleted([sign for group in flags.groups_for(region) for sign in group.signs]),
            texts("help_emergency_action"),
            "",
            texts("warning_see_soon_heading"),
            bulleted(flags.see_soon.signs_for(region)),
            texts("help_see_soon_action"),
            "",
            texts("hurt_neck_signs"),
            bulleted(flags.neck_movement),
            texts("help_same_day_action"),
        )
    else:
        body = card.body or ""
    others = [
        button(other.title, Action.LEARN, other.key)
        for other in library.education.cards
        if other.key != card.key
    ]
    return join_lines(f"<b>{escape(card.title)}</b>", body, library.texts("learn_footer")), rows(
        *[others[i : i + 2] for i in range(0, len(others), 2)]
    )


def region_of(region: str | None) -> RegionKey | None:
    return RegionKey(region) if region else None


def first_card(services: Services, region: str | None) -> EducationCard:
    """Region-aware: the card that matters most for this user's area comes first."""
    cards = services.library.education.cards
    if region:
        key = services.library.education.region_first[RegionKey(region)]
        return next((card for card in cards if card.key == key), cards[0])
    return cards[0]


async def show_learn(update: Update, context: CoachContext) -> None:
    """/learn: the first card for this user's area, with buttons to the others."""
    services = context.services
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        region = user.region
    card = first_card(services, region)
    await send(context, chat_id_of(update), card_prompt(services, card, region_of(region)))


@on_press
async def on_card(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Show the card the button names."""
    services = context.services
    card = next((c for c in services.library.education.cards if c.key == callback.word(0)), None)
    if card is None:
        return services.library.texts("stale_button")
    async with services.transaction() as db:
        region = (await current_user(db, update, services)).region
    await send(context, chat_id_of(update), card_prompt(services, card, region_of(region)))
    return None


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    return [
        CommandHandler("learn", show_learn),
        CallbackQueryHandler(on_card, pattern=pattern(Action.LEARN)),
    ]
