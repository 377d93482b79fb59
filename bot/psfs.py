"""Activities (Patient-Specific Functional Scale): choosing and rating them through the engine,
/activities, the weekly offer, and the trend lines /streak and /export show.

The rules are the pure flow in content/flows/psfs.py; this module only feeds it events and
carries out its effects. What follows the flow at the end of onboarding (the first-session
offer) is handed in by bot/app.py, so this module imports no other flow.


Just over 300 lines: the flow's wiring, its weekly offer and its /streak and /export parts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import Action, Callback, pattern
from bot.engine import RecordHandler, Screen, prompt_of, render, step_conversation
from bot.interaction import Prompt, chat_id_of, current_user, on_press, send
from bot.keyboards import button, one_per_row
from bot.services import CoachContext, Services
from content.flows import psfs as flow
from content.flows.core import Button, FlowEvent, FlowState, Show, Transition, rows
from content.psfs import COMMON_ACTIVITIES, activity_trend, psfs_due
from content.texts import Html, join_lines
from storage.models import User
from storage.psfs import (
    RatedActivity,
    active_activities,
    last_rated_on,
    rate_activity,
    rated_activities,
    set_active_activities,
)

# What comes after the flow when it began in onboarding: sets that flow's next step, returns
# its question.
Continuation = Callable[[AsyncSession, Services, User], Awaitable[Prompt]]
FLOW = flow.FLOW
EXPORT_COLUMNS = ("activity", "rated_on", "score", "still_chosen")


class PsfsFlow:
    """The pure flow as the engine sees it."""

    name = flow.FLOW

    def advance(self, state: FlowState | None, event: FlowEvent, env: Any) -> Transition:
        assert isinstance(env, flow.PsfsEnv)
        return flow.advance(state, event, env)


PSFS = PsfsFlow()


def local_day(services: Services, user: User) -> date:
    return services.clock().astimezone(ZoneInfo(user.timezone)).date()


async def env_for(db: AsyncSession, services: Services, user: User) -> flow.PsfsEnv:
    """What the flow needs to know about this person now."""
    active = tuple(activity.name for activity in await active_activities(db, user.id))
    return flow.PsfsEnv(services.library.texts, local_day(services, user), active)


async def _record_choice(db: AsyncSession, services: Services, user: User, effect: object) -> None:
    assert isinstance(effect, flow.ChooseActivities)
    await set_active_activities(db, user.id, effect.names, services.clock())


async def _record_rating(db: AsyncSession, services: Services, user: User, effect: object) -> None:
    assert isinstance(effect, flow.RateActivity)
    await rate_activity(db, user.id, effect.name, effect.score, effect.rated_on)


RECORDS: dict[type, RecordHandler] = {
    flow.ChooseActivities: _record_choice,
    flow.RateActivity: _record_rating,
}


async def begin_after_onboarding(db: AsyncSession, services: Services, user: User) -> Prompt:
    """Onboarding's last answer is in: ask for activities; returns the question to send."""
    event = FlowEvent(flow.Kind.BEGIN, (flow.Origin.ONBOARDING.value,))
    outcome = await step_conversation(
        db, services, user, PSFS, event, await env_for(db, services, user), RECORDS
    )
    shows = [effect for effect in outcome.effects or () if isinstance(effect, Show)]
    assert shows, "beginning always asks"
    return prompt_of(shows[0])


def event_of(callback: Callback) -> FlowEvent | None:
    """A press as the flow's event; None for a word the flow does not know."""
    if callback.action == Action.ACTIVITY_SCORE:
        return FlowEvent(flow.Kind.SCORE, callback.args)
    word = callback.word(0)
    if word in COMMON_ACTIVITIES:
        return FlowEvent(flow.Kind.PICK, (word,))
    if word == flow.CHANGE_WORD:
        return FlowEvent(flow.Kind.BEGIN, (flow.Origin.CHANGE.value,))
    if word in flow.BUTTON_EVENTS:
        return FlowEvent(word)
    return None


async def _step(
    update: Update,
    context: CoachContext,
    event: FlowEvent,
    after_onboarding: Continuation | None = None,
) -> str | None:
    """Move the flow by one event and show what it says; returns a toast for a press.

    Only a press ends the flow, so only presses bring `after_onboarding`."""
    services = context.services
    texts = services.library.texts
    query = update.callback_query
    follow_up: Prompt | None = None
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        env = await env_for(db, services, user)
        outcome = await step_conversation(db, services, user, PSFS, event, env, RECORDS)
        if outcome.effects is None:
            return texts("already_done")  # a doubled press: the first one moved the flow
        finished = [e for e in outcome.effects if isinstance(e, flow.Finished)]
        if finished and finished[0].origin == flow.Origin.ONBOARDING and after_onboarding:
            follow_up = await after_onboarding(db, services, user)
    screen = Screen(context, chat_id_of(update), pressed=query.message if query else None)
    toast, _ = await render(screen, outcome.effects)
    if follow_up is not None:
        await send(context, chat_id_of(update), follow_up)
    return toast


async def on_typed(update: Update, context: CoachContext) -> None:
    """A typed activity while choosing (bot/fallbacks.py routes text here)."""
    assert update.message is not None
    event = FlowEvent(flow.Kind.TYPED, text=update.message.text or "")
    await _step(update, context, event)


def takes_text(place: FlowState) -> bool:
    """Whether the person is choosing activities, where typed text names one."""
    return place.flow == flow.FLOW and place.step == flow.Step.CHOOSE


async def current_prompt(
    db: AsyncSession, services: Services, user: User, state: FlowState
) -> Prompt | None:
    """The flow's current question, to ask again after something unexpected."""
    return prompt_of(flow.question(state, await env_for(db, services, user)))


# --- what other flows show


async def weekly_offer(db: AsyncSession, services: Services, user: User) -> Show | None:
    """The weekly rating offer (for the end of a session summary), once a new week has
    started since the last rating; None when not due or no activity is chosen."""
    if not await active_activities(db, user.id):
        return None
    if not psfs_due(await last_rated_on(db, user.id), local_day(services, user)):
        return None
    texts = services.library.texts
    rate = Button(texts("button_rate_activities"), Action.ACTIVITY, (flow.Kind.RATE_ALL.value,))
    return Show(texts("activity_weekly_offer"), rows([rate]))


def trend_lines(services: Services, activities: list[RatedActivity]) -> Html:
    """One line per rated activity: first -> latest, the change, and whether it is meaningful."""
    texts = services.library.texts
    lines = []
    for activity in activities:
        trend = activity_trend(activity.ratings)
        if trend is None:
            continue
        if trend.ratings == 1:
            lines.append(texts("activity_trend_single", name=activity.name, latest=trend.latest))
            continue
        verdict = "activity_same"
        if trend.meaningful:
            verdict = "activity_better" if trend.change > 0 else "activity_worse"
        lines.append(
            texts(
                "activity_trend_line",
                name=activity.name,
                first=trend.first,
                latest=trend.latest,
                change=f"{trend.change:+d}",
                verdict=texts(verdict),
            )
        )
    return join_lines(*lines)


async def streak_section(
    db: AsyncSession, services: Services, user: User
) -> tuple[Html, InlineKeyboardButton | None]:
    """For /streak: the activities' trend, and a rating button when this week's is due."""
    texts = services.library.texts
    activities = await rated_activities(db, user.id)
    if not activities:
        return Html(""), None
    due = psfs_due(await last_rated_on(db, user.id), local_day(services, user))
    section = join_lines(
        texts("activities_title"),
        trend_lines(services, activities),
        texts("activity_due") if due else "",
    )
    rate = button(texts("button_rate_activities"), Action.ACTIVITY, flow.Kind.RATE_ALL.value)
    return section, rate if due else None


def activities_csv(activities: list[RatedActivity]) -> bytes:
    """Every rating of every activity (also ones no longer chosen), one row each."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for activity in activities:
        for rated_on, score in activity.ratings:
            writer.writerow(
                [activity.name, rated_on.isoformat(), score, "yes" if activity.active else "no"]
            )
    return buffer.getvalue().encode("utf-8")


def summary_lines(services: Services, activities: list[RatedActivity]) -> list[str]:
    """The physio summary's activities section, as plain text lines (a name, then its scores,
    so a long name still fits the page)."""
    texts = services.library.texts
    lines: list[str] = []
    for activity in activities:
        trend = activity_trend(activity.ratings)
        if trend is None or not activity.active:
            continue
        lines.append(texts("summary_activity_name", name=activity.name))
        if trend.ratings == 1:
            day = texts.formats.short_date(trend.latest_on)
            lines.append(texts("summary_activity_once", latest=trend.latest, day=day))
            continue
        lines.append(
            texts(
                "summary_activity_scores",
                first=trend.first,
                first_day=texts.formats.short_date(trend.first_on),
                latest=trend.latest,
                latest_day=texts.formats.short_date(trend.latest_on),
                change=f"{trend.change:+d}",
                verdict=texts("summary_activity_meaningful") if trend.meaningful else "",
            )
        )
    return [texts("summary_activities"), *lines] if lines else []


# --- /activities


async def show_activities(update: Update, context: CoachContext) -> None:
    """/activities: the chosen activities and their trend, to rate now or change them."""
    services = context.services
    texts = services.library.texts
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        if user.onboarded_at is None:
            await send(context, chat_id_of(update), (texts("no_profile"), None))
            return
        activities = await rated_activities(db, user.id)
    if not activities:
        choose = button(texts("button_choose_activities"), Action.ACTIVITY, flow.CHANGE_WORD)
        await send(context, chat_id_of(update), (texts("activities_none"), one_per_row([choose])))
        return
    text = join_lines(texts("activities_title"), trend_lines(services, activities))
    keyboard = one_per_row(
        [
            button(texts("button_rate_activities"), Action.ACTIVITY, flow.Kind.RATE_ALL.value),
            button(texts("button_change_activities"), Action.ACTIVITY, flow.CHANGE_WORD),
        ]
    )
    await send(context, chat_id_of(update), (text, keyboard))


def handlers(after_onboarding: Continuation) -> list[BaseHandler[Update, CoachContext, None]]:
    """/activities and the flow's buttons; `after_onboarding` asks onboarding's next question."""

    @on_press
    async def on_activity(update: Update, context: CoachContext, callback: Callback) -> str | None:
        """An activity button: pick, done, skip, start again, rate or change."""
        event = event_of(callback)
        if event is None:
            return context.services.library.texts("stale_button")
        return await _step(update, context, event, after_onboarding)

    return [
        CommandHandler("activities", show_activities),
        CallbackQueryHandler(on_activity, pattern=pattern(Action.ACTIVITY)),
        CallbackQueryHandler(on_activity, pattern=pattern(Action.ACTIVITY_SCORE)),
    ]
