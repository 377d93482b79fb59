"""/start and /settings: the pure flow in content/flows/onboarding.py (disclaimer, area and
side, the red-flag screen, reach and pain now, the first-session offer), fed by commands and
buttons; this module carries out what the flow records and shows.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import psfs
from bot import session as session_flow
from bot.callbacks import Action, Callback, pattern
from bot.engine import (
    PureFlow,
    RecordHandler,
    Screen,
    prompt_of,
    render,
    step_conversation,
)
from bot.exercise_setup import offer_setup
from bot.interaction import Prompt, chat_id_of, current_user, on_press, send
from bot.reminders import reminder_offer, reschedule_reminder
from bot.safety import mark_emergency
from bot.services import CoachContext, Services
from content.flows import onboarding as flow
from content.flows.core import FlowEvent, FlowState, Show
from content.models import DoseLevel, RegionKey, Side
from storage.models import User
from storage.queries import clear_state

ONBOARDING = PureFlow(flow.FLOW, flow.advance)


def profile_of(user: User, first_name: str = "") -> flow.Profile:
    """The person as onboarding sees them."""
    return flow.Profile(
        first_name=first_name,
        region=RegionKey(user.region) if user.region else None,
        side=Side(user.side) if user.side else None,
        screening=user.screening,
        disclaimer_accepted=user.disclaimer_accepted_at is not None,
        onboarded_at=user.onboarded_at,
        dose_level=DoseLevel(user.dose_level),
        setup=user.setup,
    )


async def env_for(db: AsyncSession, services: Services, user: User) -> flow.OnboardingEnv:
    """The library, the time now and the person as stored."""
    return flow.OnboardingEnv(services.library, services.clock(), profile_of(user))


async def _save_profile(db: AsyncSession, services: Services, user: User, effect: Any) -> None:
    assert isinstance(effect, flow.SaveProfile)
    for name in flow.SaveProfile.__slots__:
        value = getattr(effect, name)
        if value is not None:  # enums are stored as their plain strings
            setattr(user, name, value.value if isinstance(value, StrEnum) else value)


async def _reschedule(db: AsyncSession, services: Services, user: User, effect: Any) -> None:
    await reschedule_reminder(db, services, user.id)


async def _leave_flows(db: AsyncSession, services: Services, user: User, effect: Any) -> None:
    await clear_state(db, user.id)


# The records that need nothing of the Telegram side.
PROFILE_RECORDS: dict[type, RecordHandler] = {
    flow.SaveProfile: _save_profile,
    flow.RescheduleReminder: _reschedule,
    flow.LeaveFlows: _leave_flows,
}


def records(context: CoachContext) -> dict[type, RecordHandler]:
    """How each record the flow asks for is written (a warning sign also stops a hold timer)."""

    async def emergency(db: AsyncSession, services: Services, user: User, effect: Any) -> None:
        await mark_emergency(db, services, context, user)

    return {**PROFILE_RECORDS, flow.MarkEmergency: emergency}


async def offer_first_session(db: AsyncSession, services: Services, user: User) -> Prompt:
    """After what follows onboarding (the activities): offer the first session."""
    env = await env_for(db, services, user)
    event = FlowEvent(flow.Kind.OFFER_FIRST_SESSION)
    outcome = await step_conversation(db, services, user, ONBOARDING, event, env, {})
    shown = [effect for effect in outcome.effects or () if isinstance(effect, Show)]
    return prompt_of(shown[-1])


async def step(update: Update, context: CoachContext, event: FlowEvent) -> str | None:
    """Advance the flow in one transaction, then show and start what it says."""
    services = context.services
    assert update.effective_user is not None
    first_name = update.effective_user.first_name
    follow_up: Prompt | None = None
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        env = flow.OnboardingEnv(services.library, services.clock(), profile_of(user, first_name))
        outcome = await step_conversation(
            db, services, user, ONBOARDING, event, env, records(context)
        )
        effects = outcome.effects
        if effects is not None and any(isinstance(e, flow.Onboarded) for e in effects):
            # the activities, which end with offer_first_session (bot/app.py hands it in)
            follow_up = await psfs.begin_after_onboarding(db, services, user)
    if effects is None:  # a second press or instance moved the flow first
        return services.library.texts("already_done")
    pressed = update.callback_query.message if update.callback_query else None
    toast, _ = await render(Screen(context, chat_id_of(update), pressed), effects)
    if follow_up is not None:
        await send(context, chat_id_of(update), follow_up)
    if any(isinstance(effect, flow.OfferReminder) for effect in effects):
        await send(context, chat_id_of(update), reminder_offer(services))
    for effect in effects:
        if isinstance(effect, flow.OfferSetup):  # floor, bed or wall: answered any time
            await offer_setup(context, chat_id_of(update), effect.setup)
    if any(isinstance(effect, flow.BeginSession) for effect in effects):
        await session_flow.begin(update, context)  # the summary offers a reminder afterwards
    return toast


async def start(update: Update, context: CoachContext) -> None:
    """/start: onboarding for someone new (or after an emergency answer), the menu otherwise."""
    await step(update, context, FlowEvent(flow.Kind.START))


async def settings(update: Update, context: CoachContext) -> None:
    """/settings: choose area and side again, and where the floor exercises are done."""
    await step(update, context, FlowEvent(flow.Kind.SETTINGS))


@on_press
async def on_answer(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """An onboarding button (or "I've been checked"): the press becomes the flow's event."""
    return await step(update, context, FlowEvent(KINDS[callback.action], callback.args))


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    """/start, /settings and every onboarding button."""
    return [
        CommandHandler("start", start),
        CommandHandler("settings", settings),
        *(CallbackQueryHandler(on_answer, pattern=pattern(action)) for action in KINDS),
    ]


KINDS = {
    Action.ACCEPT: flow.Kind.ACCEPT,
    Action.DECLINE: flow.Kind.DECLINE,
    Action.REGION: flow.Kind.REGION,
    Action.SIDE: flow.Kind.SIDE,
    Action.SCREEN: flow.Kind.SCREEN,
    Action.ACKNOWLEDGE: flow.Kind.ACKNOWLEDGE,
    Action.REACH: flow.Kind.REACH,
    Action.PAIN_NOW: flow.Kind.PAIN_NOW,
    Action.FIRST_SESSION: flow.Kind.FIRST_SESSION,
    Action.CHECKED: flow.Kind.CHECKED,
}


async def current_prompt(
    db: AsyncSession, services: Services, user: User, state: FlowState
) -> Prompt | None:
    """The onboarding question again, for someone who sent something else."""
    return prompt_of(flow.current_question(state, await env_for(db, services, user)))
