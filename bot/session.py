"""The exercise session's Telegram face: starting (with the weekly safety check), and every
press or timer turned into an event for the pure session flow (content/flows/session.py).

Each move is saved with a compare-and-set on the session row's version (SQLAlchemy's
version counter), so a double tap, a late timer or a second instance applies a press once.

Over 300 lines because starting, stepping, timers and presses share the one `_run`; the end of
a session (dose, notches, summary) is in session_end.py.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, JobQueue

from bot import engine, timers
from bot.callbacks import Action, Callback, pattern
from bot.interaction import Prompt, chat_id_of, current_user, is_private_chat, on_press, send
from bot.keyboards import button, rows
from bot.menu import blocked_prompt
from bot.pictures import send_step_with_picture
from bot.safety import (
    ACKNOWLEDGED,
    EMERGENCY,
    NONE,
    SEE_SOON,
    both_lists,
    emergency_prompt,
    mark_emergency,
    note_see_soon,
    region_or_none,
    see_soon_prompt,
    signs_prompt,
)
from bot.services import CoachContext, Services, retried_once_on_dropped_connection
from bot.session_end import finish
from content.flows.core import CancelTimer, Show, StartTimer, Target
from content.flows.session import (
    DropExercise,
    Finish,
    GoGentle,
    Kind,
    MarkEmergency,
    Phase,
    RecordStep,
    SaveFeedback,
    SessionEnv,
    SessionEvent,
    SessionState,
    advance,
)
from content.models import DoseLevel, RegionKey, Setup, Side
from content.routine import Routine
from content.rules import Screening
from content.screening import weekly_check_due
from content.statuses import ExerciseOutcome, SessionStatus
from content.texts import join_lines
from storage.models import ExerciseSession, User
from storage.queries import (
    get_active_session,
    get_user_session,
    record_exercise,
    running_timers,
    start_session,
)
from storage.safety import drop_exercise, dropped_exercise_keys, exercise_outcomes

logger = logging.getLogger(__name__)


def level_of(user: User) -> DoseLevel:
    return DoseLevel(user.dose_level)


def routine_of(services: Services, session: ExerciseSession, level: DoseLevel) -> Routine:
    """The routine a session runs: its region, side, dose level, drops and notches."""
    return services.library.build_routine(
        RegionKey(session.region),
        Side(session.side),
        level,
        session.dropped_keys,
        setup=Setup(session.setup),
        notches=session.notches,
    )


def state_of(services: Services, session: ExerciseSession) -> SessionState:
    """The session row as the pure flow sees it."""
    records = sorted(session.exercises, key=lambda record: record.position)
    phase = Phase(session.phase)
    feedback = None
    if phase is Phase.EXERCISE and session.set_number == 1 and records:
        last = records[-1]
        if (
            last.outcome == ExerciseOutcome.DONE
            and last.feedback is None
            and last.position < session.step_index
        ):
            name = services.library.exercises[last.exercise_key].name
            feedback = (last.position, name)
    return SessionState(
        session_id=session.id,
        phase=phase,
        level=DoseLevel(session.dose_level),
        step=session.step_index,
        set_number=session.set_number,
        stopped_early=session.stopped_early,
        pain_before=session.pain_before,
        pain_after=session.pain_after,
        symptom_change=session.symptom_change,
        stopped=frozenset(r.exercise_key for r in records if r.outcome == ExerciseOutcome.STOPPED),
        feedback=feedback,
    )


def _store(session: ExerciseSession, state: SessionState) -> None:
    session.phase, session.dose_level = state.phase.value, state.level.value
    session.step_index, session.set_number = state.step, state.set_number
    session.stopped_early, session.symptom_change = state.stopped_early, state.symptom_change
    session.pain_before, session.pain_after = state.pain_before, state.pain_after
    if state.phase not in (Phase.HOLDING, Phase.RESTING):
        session.timer_ends_at = None


async def env_for(
    db: AsyncSession, services: Services, session: ExerciseSession, event: SessionEvent
) -> SessionEnv:
    """What the flow needs besides the state; earlier sessions are read only for "It hurts"."""
    past: dict[str, tuple[str, ...]] = {}
    if event.kind is Kind.HURT_REASON:
        drop_after = services.library.stop_rules.drop_after_sessions_in_a_row
        state = state_of(services, session)
        step = routine_of(services, session, state.level).steps[session.step_index]
        key = step.exercise_key
        outcomes = await exercise_outcomes(db, session.user_id, key, drop_after, before=session.id)
        past[key] = tuple(outcomes)
    return SessionEnv(
        services.library,
        RegionKey(session.region),
        lambda level: routine_of(services, session, level),
        past,
    )


# --- starting


async def begin(update: Update, context: CoachContext) -> None:
    """Start today's session (after the weekly check), or offer to resume an unfinished one."""
    services = context.services
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        started = await _begin(db, services, user)
    await _show_start(context, chat_id_of(update), started)


async def _begin(
    db: AsyncSession, services: Services, user: User, *, week_checked: bool = False
) -> Prompt | ExerciseSession:
    """A warning sign's block, the weekly check, the offer to resume, or a new session."""
    texts = services.library.texts
    now = services.clock()
    zone = ZoneInfo(user.timezone)
    if user.screening == Screening.EMERGENCY:  # a red flag always wins over exercise
        return blocked_prompt(services)
    if user.onboarded_at is None or not user.region or not user.side:
        return texts("no_profile"), None
    if (active := await get_active_session(db, user.id)) is not None:
        when = services.library.formats.short_moment(active.started_at.astimezone(zone))
        return texts("unfinished_session", when=when), rows(
            [button(texts("button_resume"), Action.RESUME, active.id)],
            [button(texts("button_close_session"), Action.CLOSE, active.id)],
        )
    screened_on = user.screened_at.astimezone(zone).date() if user.screened_at else None
    if not week_checked and weekly_check_due(screened_on, now.astimezone(zone).date()):
        return weekly_check_prompt(services, user)
    session = await start_session(
        db,
        user,
        now=now,
        local_date=now.astimezone(zone).date(),
        dose_level=user.dose_level,
        dropped_keys=await dropped_exercise_keys(db, user.id),
        notches=dict(user.notches),
    )
    await db.refresh(session, ["exercises"])
    return session


async def _show_start(
    context: CoachContext, chat_id: int, started: Prompt | ExerciseSession
) -> None:
    if isinstance(started, ExerciseSession):
        await _run(context, chat_id, started.id, SessionEvent(Kind.SHOW), user_id=started.user_id)
    else:
        await send(context, chat_id, started)


def weekly_check_prompt(services: Services, user: User) -> Prompt:
    """One tap before the first session of a new week: any new warning signs?"""
    texts = services.library.texts
    intro = join_lines(texts("weekly_check"), both_lists(services, region_or_none(user)))
    return signs_prompt(services, Action.WEEKLY_CHECK, intro, texts("button_weekly_none"))


@on_press
async def on_weekly_check(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """The weekly check answered: none starts the session; a see-soon sign is acknowledged
    first; an urgent sign switches exercise off."""
    services = context.services
    answer = callback.word(0)
    started: Prompt | ExerciseSession
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        if user.screening == Screening.EMERGENCY:
            started = blocked_prompt(services)
        elif answer == EMERGENCY:
            await mark_emergency(db, services, context, user)
            started = emergency_prompt(services)
        elif answer == SEE_SOON:
            started = see_soon_prompt(services, Action.WEEKLY_CHECK)
        elif answer in (NONE, ACKNOWLEDGED):
            if answer == ACKNOWLEDGED:
                note_see_soon(services, user)
            else:
                user.screened_at = services.clock()
            started = await _begin(db, services, user, week_checked=True)
        else:
            return services.library.texts("stale_button")
    await _show_start(context, chat_id_of(update), started)
    return None


async def exercise_command(update: Update, context: CoachContext) -> None:
    """/exercise: today's session."""
    await begin(update, context)


# --- every move


async def _run(
    context: CoachContext,
    chat_id: int,
    session_id: int,
    event: SessionEvent,
    *,
    user_id: int | None = None,
    update: Update | None = None,
    live_message_id: int | None = None,
) -> str | None:
    """Apply one event to the person's own active session; returns a toast for the press."""
    services = context.services
    texts = services.library.texts
    pressed = update.callback_query.message if update and update.callback_query else None
    try:
        async with services.transaction() as db:
            if update is not None:
                user = await current_user(db, update, services)
            else:
                assert user_id is not None
                found = await db.get(User, user_id)
                if found is None:  # forgotten meanwhile (/forget, perhaps on another instance,
                    return None  # which cannot cancel this one's timer): nothing to release
                user = found
            session = await get_user_session(db, session_id, user.id)
            if session is None or session.status != SessionStatus.ACTIVE:
                return texts("stale_button")
            env = await env_for(db, services, session, event)
            transition = advance(state_of(services, session), event, env)
            state: SessionState = transition.state
            _store(session, state)
            effects = list(transition.effects)
            pressed_id = pressed.message_id if pressed is not None else live_message_id
            extra = await _write(db, context, user, session, effects, pressed_id)
            await db.flush()  # the compare-and-set: raises if another move came first
    except StaleDataError:
        return texts("already_done")
    routine = routine_of(services, session, state.level)

    async def demonstrate(
        position: int, text: str, keyboard: InlineKeyboardMarkup | None
    ) -> Message:
        step = routine.steps[position]
        return await send_step_with_picture(context, chat_id, step, text, keyboard)

    screen = engine.Screen(context, chat_id, pressed, live_message_id, None, demonstrate)
    toast, _ = await engine.render(screen, [*effects, *extra])
    return toast


async def _write(
    db: AsyncSession,
    context: CoachContext,
    user: User,
    session: ExerciseSession,
    effects: list[Any],
    pressed_id: int | None,
) -> list[Show]:
    """Write the records and set the timers a transition asks for; returns messages to add."""
    services = context.services
    now = services.clock()
    extra: list[Show] = []
    for effect in effects:
        if isinstance(effect, RecordStep):
            record_exercise(
                db,
                session,
                position=effect.position,
                exercise_key=effect.exercise_key,
                side=effect.side,
                outcome=effect.outcome.value,
                hurt_reason=effect.hurt_reason,
                sets_done=effect.sets_done,
                now=now,
            )
        elif isinstance(effect, GoGentle):
            user.dose_level = DoseLevel.GENTLE.value
        elif isinstance(effect, DropExercise):
            await drop_exercise(db, user.id, effect.exercise_key, now)
        elif isinstance(effect, SaveFeedback):
            for record in session.exercises:
                if record.position == effect.position:
                    record.feedback = effect.value.value
        elif isinstance(effect, StartTimer):
            session.timer_ends_at = now + timedelta(seconds=effect.seconds)
            kind, step, set_number = effect.args
            timers.start(
                context.job_queue,
                session_id=session.id,
                chat_id=user.chat_id,
                delay=timedelta(seconds=effect.seconds),
                data={
                    "kind": str(kind),
                    "step": step,
                    "set_number": set_number,
                    "user_id": user.id,
                    "message_id": pressed_id,  # the exercise message the timer's end edits
                },
                callback=on_timer_ends,
            )
        elif isinstance(effect, CancelTimer):
            session.timer_ends_at = None
            timers.cancel(context.job_queue, session.id)
        elif isinstance(effect, MarkEmergency):
            session.status, session.ended_at = SessionStatus.PARTIAL.value, now
            await mark_emergency(db, services, context, user)
            session.ended_by_red_flag = True
            extra.append(Show(emergency_prompt(services, advice=effect.advice)[0]))
        elif isinstance(effect, Finish):
            timers.cancel(context.job_queue, session.id)
            session.status, session.ended_at, session.timer_ends_at = effect.status.value, now, None
            if effect.summary:
                text, keyboard = await finish(db, services, user, session)
                extra.append(Show(text, keyboard, Target.NEW))
    return extra


@retried_once_on_dropped_connection
async def on_timer_ends(context: CoachContext) -> None:
    """A hold or rest is over: the flow says what the person sees."""
    job = context.job
    assert job is not None and isinstance(job.data, dict) and job.chat_id is not None
    data = job.data
    event = SessionEvent(Kind(data["kind"]), data["step"], data["set_number"])
    await _run(
        context,
        job.chat_id,
        data["session_id"],
        event,
        user_id=data["user_id"],
        live_message_id=data.get("message_id"),
    )


async def rearm_timers(services: Services, job_queue: JobQueue[CoachContext]) -> None:
    """After a restart, schedule the end of holds and rests that were running."""
    async with services.sessions() as db:
        sessions = await running_timers(db)
        users = {s.id: await db.get(User, s.user_id) for s in sessions}
    for session in sessions:
        user = users[session.id]
        assert user is not None and session.timer_ends_at is not None
        if not is_private_chat(user):
            continue  # begun in a group before groups were turned away: its release shows there
        kind = Kind.REST_ENDS if session.phase == Phase.RESTING else Kind.HOLD_ENDS
        timers.start(
            job_queue,
            session_id=session.id,
            chat_id=user.chat_id,
            delay=session.timer_ends_at - services.clock(),
            data={
                "kind": kind.value,
                "step": session.step_index,
                "set_number": session.set_number,
                "user_id": user.id,
            },
            callback=on_timer_ends,
        )


# --- presses


EVENTS = {
    Action.PAIN_BEFORE: (Kind.PAIN_BEFORE, "value"),
    Action.TIMER: (Kind.HOLD, "step_set"),
    Action.REST: (Kind.REST, "step_set"),
    Action.SET_DONE: (Kind.SET_DONE, "step_set"),
    Action.SKIP: (Kind.SKIP, "step"),
    Action.HURT: (Kind.HURT, "step"),
    Action.HURT_REASON: (Kind.HURT_REASON, "step_value"),
    Action.STOP: (Kind.STOP, ""),
    Action.PAIN_AFTER: (Kind.PAIN_AFTER, "value"),
    Action.SYMPTOM_CHANGE: (Kind.SYMPTOM_CHANGE, "value"),
    Action.FEEDBACK: (Kind.FEEDBACK, "step_value"),
    Action.RESUME: (Kind.SHOW, ""),
}


def event_of(callback: Callback) -> SessionEvent:
    """A session button's press as the flow's event (the session id is argument 0)."""
    kind, shape = EVENTS[callback.action]
    args = callback.args[1:]
    if shape == "value":
        return SessionEvent(kind, value=args[0])
    if shape == "step_set":
        return SessionEvent(kind, step=callback.number(1), set_number=callback.number(2))
    if shape == "step":
        return SessionEvent(kind, step=callback.number(1))
    if shape == "step_value":
        return SessionEvent(kind, step=callback.number(1), value=args[1])
    return SessionEvent(kind)


@on_press
async def on_session_press(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Any button of a session: the flow decides; stale and doubled presses change nothing."""
    return await _run(
        context, chat_id_of(update), callback.number(0), event_of(callback), update=update
    )


@on_press
async def on_close(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Close an unfinished session, keeping what was done as a partial session."""
    services = context.services
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        session = await get_user_session(db, callback.number(0), user.id)
        if session is None or session.status != SessionStatus.ACTIVE:
            return services.library.texts("stale_button")
        close_partial(context, session, services)
    await send(context, chat_id_of(update), (services.library.texts("session_closed"), None))
    return None


def close_partial(context: CoachContext, session: ExerciseSession, services: Services) -> None:
    timers.cancel(context.job_queue, session.id)
    session.status, session.phase = SessionStatus.PARTIAL.value, Phase.DONE.value
    session.ended_at, session.stopped_early, session.timer_ends_at = services.clock(), True, None


async def close_active(db: AsyncSession, context: CoachContext, user: User) -> bool:
    """Close the user's active session as partial (for /cancel); False if there was none."""
    session = await get_active_session(db, user.id)
    if session is None:
        return False
    close_partial(context, session, context.services)
    return True


def current_prompt(services: Services, session: ExerciseSession) -> Prompt:
    """The session's current question, as text and buttons (to ask again after odd input)."""
    state = state_of(services, session)
    routine = routine_of(services, session, state.level)
    env = SessionEnv(services.library, RegionKey(session.region), lambda level: routine, {})
    shown = advance(state, SessionEvent(Kind.SHOW), env).effects[0]
    assert isinstance(shown, Show)
    return shown.text, engine.markup(shown.keyboard)


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    return [
        CommandHandler("exercise", exercise_command),
        CallbackQueryHandler(on_close, pattern=pattern(Action.CLOSE)),
        CallbackQueryHandler(on_weekly_check, pattern=pattern(Action.WEEKLY_CHECK)),
        *(CallbackQueryHandler(on_session_press, pattern=pattern(action)) for action in EVENTS),
    ]
