"""Warning signs at any time: /warning lists the emergency and the see-soon signs, each with its
own action; an emergency switches exercise off (reminders included) until a clear screening."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import timers
from bot.callbacks import Action, Callback, pattern
from bot.engine import prompt_of
from bot.interaction import Prompt, chat_id_of, current_user, on_press, send
from bot.keyboards import button, one_per_row, rows
from bot.menu import menu_prompt
from bot.services import CoachContext, Services
from content.flows import warnings
from content.flows.session import Phase
from content.flows.warnings import bulleted as bulleted  # bot/session.py takes it from here
from content.models import RegionKey
from content.rules import Screening
from content.statuses import SessionStatus
from content.texts import Html, join_lines
from storage.models import User
from storage.queries import clear_state, get_active_session, set_state

EMERGENCY_STEP = "emergency"
EMERGENCY, SEE_SOON, NONE, ACKNOWLEDGED = "emergency", "see_soon", "none", "ack"


def emergency_prompt(services: Services, preface: str = "", advice: str = "") -> Prompt:
    """The advice for a warning sign (emergency by default); no exercise is offered with it."""
    return prompt_of(warnings.emergency(services.library.texts, preface, advice))


async def mark_emergency(
    db: AsyncSession, services: Services, context: CoachContext, user: User
) -> None:
    """Switch exercise off (reminders skip anyone not cleared) and end any session in progress.

    It stays off, across restarts, until a fresh screening is clear.
    """
    now = services.clock()
    user.screening = Screening.EMERGENCY.value
    user.screened_at = now
    session = await get_active_session(db, user.id)
    if session is not None:
        timers.cancel(context.job_queue, session.id)
        session.status, session.ended_at, session.phase = SessionStatus.PARTIAL, now, Phase.DONE
        session.ended_by_red_flag, session.timer_ends_at = True, None
    await set_state(db, user.id, EMERGENCY_STEP, {}, now)


def note_see_soon(services: Services, user: User) -> None:
    """See-soon signs acknowledged: exercise goes on, and they are asked again weekly."""
    if user.screening != Screening.EMERGENCY:
        user.screening = Screening.SEE_SOON.value
    user.screened_at = services.clock()


def both_lists(services: Services, region: RegionKey | None) -> Html:
    """The emergency signs and the see-soon signs, each under the action it needs."""
    texts, flags = services.library.texts, services.library.red_flags
    emergency = [sign for group in flags.groups_for(region) for sign in group.signs]
    return join_lines(
        texts("warning_emergency_heading"),
        bulleted(emergency),
        "",
        texts("warning_see_soon_heading"),
        bulleted(flags.see_soon.signs_for(region)),
    )


def signs_prompt(services: Services, action: Action, intro: str, none_label: str) -> Prompt:
    """A one-tap question over both lists: an urgent sign, a see-soon sign, or none."""
    texts = services.library.texts
    return intro, one_per_row(
        [
            button(texts("button_warning_emergency"), action, EMERGENCY),
            button(texts("button_warning_see_soon"), action, SEE_SOON),
            button(none_label, action, NONE),
        ]
    )


def region_or_none(user: User) -> RegionKey | None:
    return RegionKey(user.region) if user.region else None


def warning_prompt(services: Services, user: User) -> Prompt:
    texts = services.library.texts
    intro = join_lines(texts("warning_intro"), both_lists(services, region_or_none(user)))
    return signs_prompt(services, Action.WARNING, intro, texts("button_warning_no"))


def see_soon_prompt(services: Services, action: Action) -> Prompt:
    texts = services.library.texts
    return texts("see_soon_advice"), rows(
        [button(texts("button_acknowledge"), action, ACKNOWLEDGED)]
    )


async def warning(update: Update, context: CoachContext) -> None:
    """/warning: both lists of signs, and which (if any) is happening."""
    services = context.services
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        prompt = warning_prompt(services, user)
    await send(context, chat_id_of(update), prompt)


@on_press
async def on_warning(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """An urgent sign ends everything; a see-soon sign is acknowledged; none: the menu."""
    services = context.services
    answer = callback.word(0)
    if answer not in (EMERGENCY, "yes", SEE_SOON, ACKNOWLEDGED, NONE, "no"):
        return services.library.texts("stale_button")
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        if answer in (EMERGENCY, "yes"):  # "yes": the single button of earlier versions
            await mark_emergency(db, services, context, user)
            prompt = emergency_prompt(services)
        elif answer == SEE_SOON:
            prompt = see_soon_prompt(services, Action.WARNING)
        elif answer == ACKNOWLEDGED:
            note_see_soon(services, user)
            await clear_state(db, user.id)
            text, markup = menu_prompt(services, user)
            prompt = join_lines(services.library.texts("see_soon_noted"), text), markup
        else:
            prompt = menu_prompt(services, user)
    await send(context, chat_id_of(update), prompt)
    return None


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    return [
        CommandHandler("warning", warning),
        CallbackQueryHandler(on_warning, pattern=pattern(Action.WARNING)),
    ]
