"""/start and /settings: disclaimer, area and side, the red-flag screen, reach and pain now.

A change of area or side in /settings is saved only after the reach question and that area's
safety questions are answered again; the way back after a warning sign is a fresh screening.

Steps are kept in the database (conversation_states), so any instance can take the next answer.
"""

from __future__ import annotations

import copy
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import psfs
from bot import session as session_flow
from bot.callbacks import Action, Callback, pattern
from bot.exercise_setup import offer_setup
from bot.interaction import Prompt, chat_id_of, current_user, on_press, send
from bot.keyboards import button, one_per_row, pain_scale, rows
from bot.menu import blocked_prompt, menu_prompt
from bot.reminders import reminder_offer, reschedule_reminder
from bot.safety import bulleted, emergency_prompt, mark_emergency
from bot.services import CoachContext, Services
from content.models import RegionKey, Side
from content.rules import Screening, reach_is_emergency, screening_outcome
from content.screening import SEE_SOON, may_exercise, screen_order
from content.texts import escape, join_lines
from storage.models import User
from storage.queries import clear_state, get_state, set_state

CHANGE = "change"  # state data: the area and side a /settings change will save after screening


class Step(StrEnum):
    DISCLAIMER = "disclaimer"
    REGION = "region"
    SIDE = "side"
    SCREEN = "screen"
    SEE_SOON_ADVICE = "see_soon_advice"
    REACH = "reach"
    PAIN = "pain"
    FIRST_SESSION = "first_session"
    SETTINGS_REGION = "settings_region"
    SETTINGS_SIDE = "settings_side"


def region_of(user: User, data: dict[str, Any] | None = None) -> RegionKey:
    """The area being screened: a pending /settings change first, else the saved one."""
    if data and CHANGE in data:
        return RegionKey(data[CHANGE]["region"])
    assert user.region is not None, "asked only after the area is chosen"
    return RegionKey(user.region)


def side_of(user: User, data: dict[str, Any] | None = None) -> Side:
    if data and CHANGE in data:
        return Side(data[CHANGE]["side"])
    assert user.side is not None, "asked only after the side is chosen"
    return Side(user.side)


def prompt_for(services: Services, user: User, step: str, data: dict[str, Any]) -> Prompt:
    """The question a user at `step` is answering; used to ask and to ask again."""
    library, texts = services.library, services.library.texts
    if step == Step.DISCLAIMER:
        return texts("welcome", first_name=data.get("first_name", ""), about=texts("about")), rows(
            [button(texts("button_accept"), Action.ACCEPT)],
            [button(texts("button_decline"), Action.DECLINE)],
        )
    if step in (Step.REGION, Step.SETTINGS_REGION):
        hints = "\n".join(
            f"• <b>{escape(r.name)}</b>: {escape(r.hint)}" for r in library.regions.values()
        )
        return texts("ask_region", hints=join_lines(hints)), one_per_row(
            [button(r.name, Action.REGION, r.key.value) for r in library.regions.values()]
        )
    if step in (Step.SIDE, Step.SETTINGS_SIDE):
        return texts("ask_side"), rows(
            [
                button(texts("side_left"), Action.SIDE, Side.LEFT.value),
                button(texts("side_right"), Action.SIDE, Side.RIGHT.value),
            ],
            [button(texts("side_both"), Action.SIDE, Side.BOTH.value)],
        )
    if step == Step.SCREEN:
        key = data["order"][data["index"]]
        flags = library.red_flags
        if key == SEE_SOON:
            question = flags.see_soon.question
            signs = flags.see_soon.signs_for(region_of(user, data))
        else:
            group = flags.group(key)
            assert group is not None, "the order holds only known groups"
            question, signs = group.question, group.signs
        intro = texts("screen_intro") if data["index"] == 0 else ""
        return join_lines(intro, f"<b>{escape(question)}</b>", bulleted(signs)), rows(
            [button(texts("screen_yes"), Action.SCREEN, key, 1)],
            [button(texts("screen_no"), Action.SCREEN, key, 0)],
        )
    if step == Step.SEE_SOON_ADVICE:
        return texts("see_soon_advice"), rows(
            [button(texts("button_acknowledge"), Action.ACKNOWLEDGE)]
        )
    if step == Step.REACH:
        scale = library.regions[region_of(user, data)].reach
        return texts("ask_reach"), one_per_row(
            [button(label, Action.REACH, level) for level, label in enumerate(scale)]
        )
    if step == Step.PAIN:
        return texts("ask_pain_now"), pain_scale(Action.PAIN_NOW)
    if step == Step.FIRST_SESSION:
        region = library.regions[region_of(user)]
        routine = library.build_routine(region.key, side_of(user), session_flow.level_of(user))
        return texts(
            "onboarded",
            region=region.name.lower(),
            side_words=texts(f"side_words_{user.side}"),
            count=len(routine.steps),
        ), rows(
            [button(texts("button_start_now"), Action.FIRST_SESSION, "now")],
            [button(texts("button_later"), Action.FIRST_SESSION, "later")],
            [button(texts("button_learn_first"), Action.MENU, "learn")],
        )
    return menu_prompt(services, user)


async def _go(
    db: AsyncSession, services: Services, user: User, step: Step, data: dict[str, Any]
) -> Prompt:
    await set_state(db, user.id, step.value, data, services.clock())
    return prompt_for(services, user, step.value, data)


async def start(update: Update, context: CoachContext) -> None:
    """/start: onboarding for someone new (or after an emergency answer), the menu otherwise."""
    services = context.services
    assert update.effective_user is not None
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        if user.screening == Screening.EMERGENCY:
            prompt = blocked_prompt(services)  # the way back is "I've been checked"
        elif user.onboarded_at is not None:
            await clear_state(db, user.id)
            prompt = menu_prompt(services, user)
        elif user.disclaimer_accepted_at is not None and user.region and user.side:
            prompt = await _begin_screen(db, services, user)  # screens again every time
        else:
            first_name = update.effective_user.first_name
            prompt = await _go(db, services, user, Step.DISCLAIMER, {"first_name": first_name})
    await send(context, chat_id_of(update), prompt)


async def settings(update: Update, context: CoachContext) -> None:
    """/settings: choose area and side again."""
    services = context.services
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        if user.onboarded_at is None:
            prompt: Prompt = (services.library.texts("no_profile"), None)
        elif not may_exercise(user.screening):
            prompt = blocked_prompt(services)  # no re-screening around "I've been checked"
        else:
            prompt = await _go(db, services, user, Step.SETTINGS_REGION, {})
        setup = user.setup if user.onboarded_at is not None else None
    await send(context, chat_id_of(update), prompt)
    if setup is not None:  # floor, bed or wall: its own question, answered any time
        await offer_setup(context, chat_id_of(update), setup)


async def _begin_screen(
    db: AsyncSession, services: Services, user: User, data: dict[str, Any] | None = None
) -> Prompt:
    """Ask the safety questions for the area being screened (a pending change's, if any)."""
    data = {**(data or {}), "index": 0, "answers": {}}
    data["order"] = screen_order(services.library.red_flags, region_of(user, data))
    return await _go(db, services, user, Step.SCREEN, data)


@on_press
async def on_checked(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """ "I've been checked and may exercise": a fresh screening, the only way back."""
    services = context.services
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        if user.screening != Screening.EMERGENCY or not user.region or not user.side:
            return services.library.texts("stale_button")
        text, markup = await _begin_screen(db, services, user)
    await send(
        context,
        chat_id_of(update),
        (join_lines(services.library.texts("checked_intro"), text), markup),
    )
    return None


async def _answer(
    update: Update,
    context: CoachContext,
    expected: set[Step],
    advance: Any,
) -> str | None:
    """Run `advance(db, user, data, step)` if the user is at one of `expected`."""
    services = context.services
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        state = await get_state(db, user.id)
        if state is None or state.step not in expected:
            return services.library.texts("stale_button")
        # a deep copy: the JSON column only notices change if the new value differs from the old
        prompt = await advance(db, user, copy.deepcopy(state.data), Step(state.step))
    await send(context, chat_id_of(update), prompt)
    return None


@on_press
async def on_accept(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Disclaimer accepted; ask where the symptoms are."""
    services = context.services

    async def advance(db: AsyncSession, user: User, data: dict[str, Any], step: Step) -> Prompt:
        user.disclaimer_accepted_at = services.clock()
        return await _go(db, services, user, Step.REGION, {})

    return await _answer(update, context, {Step.DISCLAIMER}, advance)


@on_press
async def on_decline(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Disclaimer declined; nothing more until /start."""
    services = context.services

    async def advance(db: AsyncSession, user: User, data: dict[str, Any], step: Step) -> Prompt:
        await clear_state(db, user.id)
        return services.library.texts("declined"), None

    return await _answer(update, context, {Step.DISCLAIMER}, advance)


@on_press
async def on_region(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Area chosen; ask the side."""
    services = context.services
    try:
        region = RegionKey(callback.word(0))
    except ValueError:
        return services.library.texts("stale_button")

    async def advance(db: AsyncSession, user: User, data: dict[str, Any], step: Step) -> Prompt:
        if step == Step.SETTINGS_REGION:  # saved only once screened again
            return await _go(db, services, user, Step.SETTINGS_SIDE, {"region": region.value})
        user.region = region.value
        return await _go(db, services, user, Step.SIDE, data)

    return await _answer(update, context, {Step.REGION, Step.SETTINGS_REGION}, advance)


@on_press
async def on_side(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Side chosen; screen for red flags (in /settings, for the new area and side)."""
    services = context.services
    texts = services.library.texts
    try:
        side = Side(callback.word(0))
    except ValueError:
        return texts("stale_button")

    async def advance(db: AsyncSession, user: User, data: dict[str, Any], step: Step) -> Prompt:
        if step == Step.SETTINGS_SIDE:
            change = {"region": data.get("region", user.region), "side": side.value}
            return await _begin_screen(db, services, user, {CHANGE: change})
        user.side = side.value
        return await _begin_screen(db, services, user)

    return await _answer(update, context, {Step.SIDE, Step.SETTINGS_SIDE}, advance)


async def _after_screen_question(
    db: AsyncSession, services: Services, user: User, data: dict[str, Any]
) -> Prompt:
    """The next screening question, or the end of screening."""
    data["index"] += 1
    if data["index"] < len(data["order"]):
        return await _go(db, services, user, Step.SCREEN, data)
    emergency_answers = {k: bool(v) for k, v in data["answers"].items() if k != SEE_SOON}
    outcome = screening_outcome(emergency_answers, bool(data["answers"].get(SEE_SOON)))
    was_off = not may_exercise(user.screening)
    user.screening, user.screened_at = outcome.value, services.clock()
    if was_off and may_exercise(user.screening):
        await reschedule_reminder(db, services, user.id)  # from now, not a stale due time
    return await _go(db, services, user, Step.REACH, {k: v for k, v in data.items() if k == CHANGE})


@on_press
async def on_screen(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """A screening answer: an emergency yes ends onboarding with the advice."""
    services = context.services
    key, answered_yes = callback.word(0), callback.number(1) == 1

    async def advance(db: AsyncSession, user: User, data: dict[str, Any], step: Step) -> Prompt:
        if data["order"][data["index"]] != key:
            return prompt_for(services, user, Step.SCREEN, data)  # an older question's button
        data["answers"][key] = answered_yes
        if answered_yes and key != SEE_SOON:
            await mark_emergency(db, services, context, user)
            group = services.library.red_flags.group(key)
            return emergency_prompt(services, advice=group.advice if group else "")
        if answered_yes:
            return await _go(db, services, user, Step.SEE_SOON_ADVICE, data)
        return await _after_screen_question(db, services, user, data)

    return await _answer(update, context, {Step.SCREEN}, advance)


@on_press
async def on_acknowledge(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """The see-soon advice acknowledged; carry on screening."""
    services = context.services

    async def advance(db: AsyncSession, user: User, data: dict[str, Any], step: Step) -> Prompt:
        return await _after_screen_question(db, services, user, data)

    return await _answer(update, context, {Step.SEE_SOON_ADVICE}, advance)


@on_press
async def on_reach(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """How far symptoms reach; both legs is an emergency sign, otherwise ask pain now."""
    services = context.services
    reach = callback.number(0)

    async def advance(db: AsyncSession, user: User, data: dict[str, Any], step: Step) -> Prompt:
        region, side = region_of(user, data), side_of(user, data)
        if reach >= len(services.library.regions[region].reach):
            return prompt_for(services, user, Step.REACH, data)
        if reach_is_emergency(region, side, reach):
            await mark_emergency(db, services, context, user)
            return emergency_prompt(services, services.library.texts("lumbar_both_legs_emergency"))
        user.reach = reach
        if CHANGE in data:  # a /settings change, now screened: save it
            user.region, user.side = region.value, side.value
            await clear_state(db, user.id)
            texts = services.library.texts
            saved = texts(
                "settings_saved",
                region=services.library.regions[region].name.lower(),
                side_words=texts(f"side_words_{side.value}"),
            )
            text, markup = menu_prompt(services, user)
            return join_lines(saved, text), markup
        return await _go(db, services, user, Step.PAIN, {})

    return await _answer(update, context, {Step.REACH}, advance)


@on_press
async def on_pain_now(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Pain now recorded; onboarding is done, ask for activities, then offer a first session."""
    services = context.services
    pain = callback.number(0)

    async def advance(db: AsyncSession, user: User, data: dict[str, Any], step: Step) -> Prompt:
        if pain > 10:
            return prompt_for(services, user, Step.PAIN, data)
        user.pain_at_start = pain
        if user.onboarded_at is None:  # the first time: activities, then offer_first_session
            user.onboarded_at = services.clock()
            return await psfs.begin_after_onboarding(db, services, user)
        return await offer_first_session(db, services, user)  # screened again after a red flag

    return await _answer(update, context, {Step.PAIN}, advance)


async def offer_first_session(db: AsyncSession, services: Services, user: User) -> Prompt:
    """After the activities (bot/psfs.py): offer the first session."""
    return await _go(db, services, user, Step.FIRST_SESSION, {})


@on_press
async def on_first_session(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Start the first session now, or later."""
    services = context.services
    if callback.word(0) not in ("now", "later"):
        return services.library.texts("stale_button")
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        state = await get_state(db, user.id)
        if state is None or state.step != Step.FIRST_SESSION:
            return services.library.texts("stale_button")
        await clear_state(db, user.id)
    if callback.word(0) == "now":
        await session_flow.begin(update, context)  # the summary offers a reminder afterwards
    else:
        await send(context, chat_id_of(update), (services.library.texts("later"), None))
        await send(context, chat_id_of(update), reminder_offer(services))
    return None


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    return [
        CommandHandler("start", start),
        CommandHandler("settings", settings),
        CallbackQueryHandler(on_accept, pattern=pattern(Action.ACCEPT)),
        CallbackQueryHandler(on_decline, pattern=pattern(Action.DECLINE)),
        CallbackQueryHandler(on_region, pattern=pattern(Action.REGION)),
        CallbackQueryHandler(on_side, pattern=pattern(Action.SIDE)),
        CallbackQueryHandler(on_screen, pattern=pattern(Action.SCREEN)),
        CallbackQueryHandler(on_acknowledge, pattern=pattern(Action.ACKNOWLEDGE)),
        CallbackQueryHandler(on_reach, pattern=pattern(Action.REACH)),
        CallbackQueryHandler(on_pain_now, pattern=pattern(Action.PAIN_NOW)),
        CallbackQueryHandler(on_first_session, pattern=pattern(Action.FIRST_SESSION)),
        CallbackQueryHandler(on_checked, pattern=pattern(Action.CHECKED)),
    ]
