"""The exercise session: pain before, each exercise set by set with hold timers, "it hurts",
stop, pain after, symptom change and a summary. Progress lives in the session's row, and every
button carries (session, step, set) so a stale or doubled press changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, JobQueue

from bot import timers
from bot.callbacks import Action, Callback, pattern
from bot.interaction import (
    Prompt,
    change_pressed_message,
    chat_id_of,
    current_user,
    is_private_chat,
    on_press,
    send,
)
from bot.keyboards import button, one_per_row, pain_scale, rows
from bot.menu import blocked_prompt
from bot.pictures import send_step_with_picture
from bot.progress import record_best_streak
from bot.reminders import reminder_offer
from bot.safety import (
    ACKNOWLEDGED,
    EMERGENCY,
    NONE,
    SEE_SOON,
    both_lists,
    bulleted,
    emergency_prompt,
    mark_emergency,
    note_see_soon,
    region_or_none,
    see_soon_prompt,
    signs_prompt,
)
from bot.services import CoachContext, Services, retried_once_on_dropped_connection
from content.messages import has_timer, step_message
from content.models import DoseLevel, RegionKey, Setup, Side
from content.progress import next_set, next_step_index
from content.routine import Routine, RoutineStep
from content.rules import (
    ClinicianReason,
    HurtOutcome,
    Screening,
    SessionOutcome,
    clinician_advice_due,
    hurt_outcome,
    next_dose_level,
    pain_trend,
    session_level,
    should_drop,
)
from content.screening import weekly_check_due
from content.texts import Html, join_lines
from storage.models import ExerciseSession, Reminder, User
from storage.queries import (
    claim_session,
    clear_timer,
    get_active_session,
    get_user_session,
    move_session,
    recent_sessions,
    record_exercise,
    running_timers,
    start_session,
)
from storage.safety import drop_exercise, dropped_exercise_keys, exercise_outcomes, pains_before

logger = logging.getLogger(__name__)

PAIN_BEFORE, EXERCISE, HURT, PAIN_AFTER, CHANGE, DONE = (
    "pain_before",
    "exercise",
    "hurt",
    "pain_after",
    "change",
    "done",
)
RECENT_FOR_DOSING = 10


def level_of(user: User) -> DoseLevel:
    return DoseLevel(user.dose_level)


def routine_of(services: Services, session: ExerciseSession) -> Routine:
    """The routine a session runs, rebuilt from its region, side and dose level."""
    return services.library.build_routine(
        RegionKey(session.region),
        Side(session.side),
        DoseLevel(session.dose_level),
        session.dropped_keys,
        setup=Setup(session.setup),
    )


def stopped_keys(session: ExerciseSession) -> set[str]:
    return {record.exercise_key for record in session.exercises if record.outcome == "stopped"}


def step_keyboard(
    services: Services, session: ExerciseSession, routine: Routine
) -> InlineKeyboardMarkup:
    texts = services.library.texts
    step = routine.steps[session.step_index]
    sid, index, set_number = session.id, session.step_index, session.set_number
    timer_row = []
    if has_timer(step) and session.timer_ends_at is None:
        timer_row = [
            button(
                texts("button_timer", hold=step.hold_seconds), Action.TIMER, sid, index, set_number
            )
        ]
    return rows(
        timer_row,
        [
            button(texts("button_set_done"), Action.SET_DONE, sid, index, set_number),
            button(texts("button_skip"), Action.SKIP, sid, index),
        ],
        [
            button(texts("button_hurts"), Action.HURT, sid, index),
            button(texts("button_stop"), Action.STOP, sid),
        ],
    )


def session_prompt(services: Services, session: ExerciseSession, preface: str = "") -> Prompt:
    """What a session at its current phase, step and set asks of the user."""
    library, texts = services.library, services.library.texts
    sid = session.id
    if session.phase == PAIN_BEFORE:
        return join_lines(preface, texts("ask_pain_before")), pain_scale(Action.PAIN_BEFORE, sid)
    if session.phase in (EXERCISE, HURT):
        routine = routine_of(services, session)
        step = routine.steps[session.step_index]
        text = step_message(
            texts,
            step,
            position=session.step_index + 1,
            count=len(routine.steps),
            set_number=session.set_number,
            pain_limit=library.stop_rules.pain_limit_during,
            preface=preface,
        )
        if session.phase == HURT:
            return hurt_prompt(services, session)
        if session.timer_ends_at is not None:
            text = join_lines(text, texts("timer_running", hold=step.hold_seconds))
        return text, step_keyboard(services, session, routine)
    if session.phase == PAIN_AFTER:
        return join_lines(preface, texts("ask_pain_after")), pain_scale(Action.PAIN_AFTER, sid)
    if session.phase == CHANGE:
        spread = library.regions[RegionKey(session.region)].spread
        options = [
            button(change.label.format(spread=spread), Action.SYMPTOM_CHANGE, sid, change.key)
            for change in library.stop_rules.symptom_changes
        ]
        return join_lines(preface, texts("ask_symptom_change")), one_per_row(options)
    return join_lines(preface, texts("session_closed")), None


def hurt_prompt(services: Services, session: ExerciseSession) -> Prompt:
    """What happened? The stop rules' choices for this area (the neck adds its own signs)."""
    library, rules = services.library, services.library.stop_rules
    region = RegionKey(session.region)
    words = {"spread": library.regions[region].spread, "pain_limit": rules.pain_limit_during}
    options = [
        button(
            reason.label.format(**words),
            Action.HURT_REASON,
            session.id,
            session.step_index,
            reason.key,
        )
        for reason in rules.hurt_reasons_for(region)
    ]
    neck_signs = ""
    if region is RegionKey.CERVICAL:
        neck_signs = join_lines(
            library.texts("hurt_neck_signs"), bulleted(library.red_flags.neck_movement)
        )
    return join_lines(library.texts("hurt_question"), neck_signs), one_per_row(options)


def intro_text(services: Services, session: ExerciseSession, routine: Routine) -> Html:
    texts = services.library.texts
    level = DoseLevel(session.dose_level)
    return join_lines(
        texts(
            "session_intro",
            count=len(routine.steps),
            level=texts(f"level_{level.value}"),
            pain_limit=services.library.stop_rules.pain_limit_during,
        ),
        texts("gentle_reason") if level is DoseLevel.GENTLE else "",
        *(f"⚠️ {note}" for note in routine.cautions),
        *(f"ℹ️ {left.reason}" for left in routine.left_out),
    )


# --- starting and resuming


async def begin(update: Update, context: CoachContext) -> None:
    """Start today's session, or offer to resume an unfinished one."""
    services = context.services
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        prompt = await _begin_prompt(db, services, user)
    await send(context, chat_id_of(update), prompt)


async def _begin_prompt(
    db: AsyncSession, services: Services, user: User, *, week_checked: bool = False
) -> Prompt:
    """What starting today's session shows: a warning sign's block, the weekly safety check,
    the offer to resume, or the new session's first question."""
    texts = services.library.texts
    now = services.clock()
    local_date = now.astimezone(ZoneInfo(user.timezone)).date()
    if user.screening == Screening.EMERGENCY:  # a red flag always wins over exercise
        return blocked_prompt(services)
    if user.onboarded_at is None or not user.region or not user.side:
        return texts("no_profile"), None
    if (active := await get_active_session(db, user.id)) is not None:
        when = active.started_at.astimezone(ZoneInfo(user.timezone)).strftime("%d %b, %H:%M")
        return (
            texts("unfinished_session", when=when),
            rows(
                [button(texts("button_resume"), Action.RESUME, active.id)],
                [button(texts("button_close_session"), Action.CLOSE, active.id)],
            ),
        )
    screened_on = (
        user.screened_at.astimezone(ZoneInfo(user.timezone)).date() if (user.screened_at) else None
    )
    if not week_checked and weekly_check_due(screened_on, local_date):
        return weekly_check_prompt(services, user)
    session = await start_session(
        db,
        user,
        now=now,
        local_date=local_date,
        dose_level=user.dose_level,
        dropped_keys=await dropped_exercise_keys(db, user.id),
    )
    return session_prompt(services, session)


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
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        if user.screening == Screening.EMERGENCY:
            prompt = blocked_prompt(services)
        elif answer == EMERGENCY:
            await mark_emergency(db, services, context, user)
            prompt = emergency_prompt(services)
        elif answer == SEE_SOON:
            prompt = see_soon_prompt(services, Action.WEEKLY_CHECK)
        elif answer in (NONE, ACKNOWLEDGED):
            if answer == ACKNOWLEDGED:
                note_see_soon(services, user)
            else:
                user.screened_at = services.clock()
            prompt = await _begin_prompt(db, services, user, week_checked=True)
        else:
            return services.library.texts("stale_button")
    await send(context, chat_id_of(update), prompt)
    return None


async def exercise_command(update: Update, context: CoachContext) -> None:
    """/exercise: today's session."""
    await begin(update, context)


async def _own_active_session(
    db: AsyncSession, update: Update, services: Services, session_id: int
) -> tuple[User, ExerciseSession] | None:
    """The user's session with this id, if it is theirs and still active."""
    user = await current_user(db, update, services)
    session = await get_user_session(db, session_id, user.id)
    if session is None or session.status != "active":
        return None
    return user, session


Reply = str | list[Prompt]
SessionAction = Callable[[AsyncSession, User, ExerciseSession], Coroutine[Any, Any, Reply]]
# A press that lost a race looks once more at the session as it now is: still valid, it
# applies; moved on, it is "already noted".
CLAIM_ATTEMPTS = 2


async def _transition(
    update: Update, context: CoachContext, session_id: int, act: SessionAction
) -> tuple[ExerciseSession, list[Prompt]] | str:
    """Run `act` on the user's own active session as one compare-and-set on its version.

    The claim bumps the version before `act` looks at anything, so of two presses racing on
    two instances (or a double tap) only one sees the session as it was: the other finds the
    version moved and reads the session again. Returns the session and the prompts to send,
    or a short notice for the button's answer (a stale or doubled press).
    """
    texts = context.services.library.texts
    for attempt in range(CLAIM_ATTEMPTS):
        async with context.services.transaction() as db:
            found = await _own_active_session(db, update, context.services, session_id)
            if found is None:  # finished by the press that won the race, or an old button
                return texts("already_done" if attempt else "stale_button")
            user, session = found
            if not await claim_session(db, session.id, session.version):
                continue
            reply = await act(db, user, session)
            return reply if isinstance(reply, str) else (session, reply)
    return texts("already_done")


async def _on_own_session(
    update: Update, context: CoachContext, session_id: int, act: SessionAction
) -> str | None:
    """Run `act` as one transition of the user's own active session, then send its prompts.

    A string from `act` is a short notice for the button's answer, and nothing is sent.
    Someone else's or a finished session is stale.
    """
    result = await _transition(update, context, session_id, act)
    if isinstance(result, str):
        return result
    session, reply = result
    *before, last = reply
    for prompt in before:
        await send(context, chat_id_of(update), prompt)
    await send_session_prompt(context, chat_id_of(update), session, last)
    return None


def step_to_picture(services: Services, session: ExerciseSession) -> RoutineStep | None:
    """The step whose picture goes with the session's prompt: at the first set of a step."""
    if session.status != "active" or session.phase != EXERCISE or session.set_number != 1:
        return None
    if session.timer_ends_at is not None:
        return None
    return routine_of(services, session).steps[session.step_index]


async def send_session_prompt(
    context: CoachContext, chat_id: int, session: ExerciseSession, prompt: Prompt
) -> None:
    """Send a session's prompt, as the caption of the exercise picture at a step's first set."""
    step = step_to_picture(context.services, session)
    if step is None:
        await send(context, chat_id, prompt)
    else:
        await send_step_with_picture(context, chat_id, step, *prompt)


async def _leave_exercise_step(
    db: AsyncSession, context: CoachContext, session: ExerciseSession, index: int, *, to_phase: str
) -> bool:
    """Leave the current exercise step (skip or "it hurts"), stopping its timer; False if the
    session is no longer on that step."""
    position = (EXERCISE, index, session.set_number)
    if session.phase != EXERCISE or session.step_index != index:
        return False
    target = (to_phase, index, session.set_number)
    if not await move_session(db, session.id, expected=position, to=target, timer_ends_at=None):
        return False
    timers.cancel(context.job_queue, session.id)
    session.phase, session.timer_ends_at = to_phase, None
    return True


@on_press
async def on_resume(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Carry on an unfinished session where it stopped."""

    async def act(db: AsyncSession, user: User, session: ExerciseSession) -> Reply:
        return [session_prompt(context.services, session)]

    return await _on_own_session(update, context, callback.number(0), act)


@on_press
async def on_close(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Close an unfinished session, keeping what was done as a partial session."""
    services = context.services

    async def act(db: AsyncSession, user: User, session: ExerciseSession) -> Reply:
        close_partial(context, session, services)
        return [(services.library.texts("session_closed"), None)]

    return await _on_own_session(update, context, callback.number(0), act)


def close_partial(context: CoachContext, session: ExerciseSession, services: Services) -> None:
    timers.cancel(context.job_queue, session.id)
    session.status, session.phase, session.ended_at = "partial", DONE, services.clock()
    session.stopped_early, session.timer_ends_at = True, None


async def close_active(db: AsyncSession, context: CoachContext, user: User) -> bool:
    """Close the user's active session as partial (for /cancel); False if there was none."""
    session = await get_active_session(db, user.id)
    if session is None:
        return False
    close_partial(context, session, context.services)
    return True


# --- pain before


@on_press
async def on_pain_before(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Pain before recorded; show the first exercise."""
    services = context.services
    texts = services.library.texts
    sid, pain = callback.number(0), callback.number(1)
    if pain > 10:
        return texts("stale_button")

    async def act(db: AsyncSession, user: User, session: ExerciseSession) -> Reply:
        if not await move_session(db, sid, expected=(PAIN_BEFORE, 0, 1), to=(EXERCISE, 0, 1)):
            return texts("already_done")
        session.pain_before, session.phase = pain, EXERCISE
        planned = DoseLevel(session.dose_level)
        level = session_level(planned, pain, services.library.stop_rules)
        session.dose_level = level.value  # still at the first step: the routine may change
        high = texts("pain_high_before", pain=pain) if level is not planned else ""
        intro = intro_text(services, session, routine_of(services, session))
        return [session_prompt(services, session, join_lines(high, intro))]

    return await _on_own_session(update, context, sid, act)


# --- sets, timers, skip


def _record_step(
    db: AsyncSession,
    services: Services,
    session: ExerciseSession,
    step: RoutineStep,
    *,
    outcome: str,
    sets_done: int,
    hurt_reason: str | None = None,
) -> None:
    """Note how the current step of the session ended."""
    record_exercise(
        db,
        session,
        position=session.step_index,
        exercise_key=step.exercise_key,
        side=step.side.value if step.side else None,
        outcome=outcome,
        hurt_reason=hurt_reason,
        sets_done=sets_done,
        now=services.clock(),
    )


async def _advance_after_set(
    db: AsyncSession, services: Services, session: ExerciseSession
) -> Html:
    """Move past the current set (recording the step when it ends); return a preface."""
    texts = services.library.texts
    routine = routine_of(services, session)
    step = routine.steps[session.step_index]
    following = next_set(step.sets, session.set_number)
    if following is not None:
        session.set_number = following
        return texts("rest_then", rest=step.rest_seconds) if step.rest_seconds else Html("")
    _record_step(db, services, session, step, outcome="done", sets_done=step.sets)
    _to_next_step(services, session, routine)
    return Html("")


def _to_next_step(services: Services, session: ExerciseSession, routine: Routine) -> None:
    keys = [step.exercise_key for step in routine.steps]
    index = next_step_index(keys, session.step_index, stopped_keys(session))
    if index is None:
        session.phase, session.set_number = PAIN_AFTER, 1
    else:
        session.step_index, session.set_number = index, 1


@on_press
async def on_timer(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Start a hold: show it running on the step's message and schedule the release."""
    services = context.services
    texts = services.library.texts
    sid, index, set_number = callback.number(0), callback.number(1), callback.number(2)

    async def act(db: AsyncSession, user: User, session: ExerciseSession) -> Reply:
        routine = routine_of(services, session)
        if index >= len(routine.steps) or not has_timer(step := routine.steps[index]):
            return texts("stale_button")
        assert step.hold_seconds is not None
        ends_at = services.clock() + timedelta(seconds=step.hold_seconds)
        position = (EXERCISE, index, set_number)
        if session.timer_ends_at is not None or not await move_session(
            db, sid, expected=position, to=position, timer_ends_at=ends_at
        ):
            return texts("already_done")
        session.timer_ends_at = ends_at
        return [session_prompt(services, session)]

    result = await _transition(update, context, sid, act)
    if isinstance(result, str):
        return result
    session, [(text, markup)] = result
    ends_at = session.timer_ends_at
    assert ends_at is not None
    assert context.job_queue is not None
    timers.start(
        context.job_queue,
        session_id=sid,
        step=index,
        set_number=set_number,
        chat_id=chat_id_of(update),
        delay=ends_at - services.clock(),
        callback=on_timer_ends,
    )
    await change_pressed_message(update, text, markup)  # the hold runs on the step's message
    return None


@retried_once_on_dropped_connection
async def on_timer_ends(context: CoachContext) -> None:
    """The hold is over: tell the user to let go and show what comes next."""
    services = context.services
    job = context.job
    assert job is not None and isinstance(job.data, dict) and job.chat_id is not None
    sid, index, set_number = job.data["session_id"], job.data["step"], job.data["set_number"]
    async with services.transaction() as db:
        # Taking the timer in the database makes a second instance's or a late job's run a no-op.
        if not await clear_timer(db, sid, index, set_number):
            return
        session = await db.get(ExerciseSession, sid)
        assert session is not None
        await db.refresh(session, ["exercises"])
        session.timer_ends_at = None
        rest = await _advance_after_set(db, services, session)
        prompt = session_prompt(
            services, session, join_lines(services.library.texts("timer_released"), rest)
        )
    await send_session_prompt(context, job.chat_id, session, prompt)


@on_press
async def on_set_done(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """A set is done (or a hold ended early): on to the next set or exercise."""
    services = context.services
    sid, index, set_number = callback.number(0), callback.number(1), callback.number(2)

    async def act(db: AsyncSession, user: User, session: ExerciseSession) -> Reply:
        position = (EXERCISE, index, set_number)
        if (session.phase, session.step_index, session.set_number) != position or not (
            await move_session(db, sid, expected=position, to=position, timer_ends_at=None)
        ):
            return services.library.texts("already_done")
        timers.cancel(context.job_queue, sid)
        session.timer_ends_at = None
        preface = await _advance_after_set(db, services, session)
        return [session_prompt(services, session, preface)]

    return await _on_own_session(update, context, sid, act)


@on_press
async def on_skip(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Skip the rest of this exercise (this side)."""
    services = context.services
    texts = services.library.texts
    sid, index = callback.number(0), callback.number(1)

    async def act(db: AsyncSession, user: User, session: ExerciseSession) -> Reply:
        if not await _leave_exercise_step(db, context, session, index, to_phase=EXERCISE):
            return texts("already_done")
        routine = routine_of(services, session)
        step = routine.steps[index]
        _record_step(
            db, services, session, step, outcome="skipped", sets_done=session.set_number - 1
        )
        _to_next_step(services, session, routine)
        return [session_prompt(services, session, texts("skipped", name=step.name))]

    return await _on_own_session(update, context, sid, act)


# --- it hurts


@on_press
async def on_hurt(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Pause the exercise and ask what happened."""
    services = context.services
    sid, index = callback.number(0), callback.number(1)

    async def act(db: AsyncSession, user: User, session: ExerciseSession) -> Reply:
        if not await _leave_exercise_step(db, context, session, index, to_phase=HURT):
            return services.library.texts("already_done")
        return [hurt_prompt(services, session)]

    return await _on_own_session(update, context, sid, act)


@on_press
async def on_hurt_reason(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Apply the stop rule for what happened."""
    services = context.services
    library, texts = services.library, services.library.texts
    sid, index, reason = callback.number(0), callback.number(1), callback.word(2)
    if library.stop_rules.hurt_reason(reason) is None:
        return texts("stale_button")

    async def act(db: AsyncSession, user: User, session: ExerciseSession) -> Reply:
        if session.phase != HURT or session.step_index != index:
            return texts("already_done")
        outcome = hurt_outcome(library.stop_rules, reason)
        if outcome.ends_session:
            await mark_emergency(db, services, context, user)
            advice = "same_day_advice" if outcome is HurtOutcome.SAME_DAY else ""
            return [emergency_prompt(services, advice=advice)]
        session.phase = EXERCISE
        routine = routine_of(services, session)
        step = routine.steps[index]
        if outcome is HurtOutcome.CARRY_ON:
            preface = texts("hurt_carry_on", pain_limit=library.stop_rules.pain_limit_during)
        else:
            _record_step(
                db,
                services,
                session,
                step,
                outcome="stopped",
                sets_done=session.set_number - 1,
                hurt_reason=reason,
            )
            user.dose_level = DoseLevel.GENTLE.value
            _to_next_step(services, session, routine)
            preface = texts("hurt_stopped", name=step.name)
            if await _drop_if_it_keeps_hurting(db, services, user, step):
                preface = join_lines(preface, texts("dropped_now", name=step.name))
        return [session_prompt(services, session, preface)]

    return await _on_own_session(update, context, sid, act)


async def _drop_if_it_keeps_hurting(
    db: AsyncSession, services: Services, user: User, step: RoutineStep
) -> bool:
    """Drop an exercise that "It hurts" stopped in sessions in a row; True if dropped now."""
    rules = services.library.stop_rules
    await db.flush()  # the stop just recorded counts
    outcomes = await exercise_outcomes(
        db, user.id, step.exercise_key, rules.drop_after_sessions_in_a_row
    )
    if not should_drop(outcomes, rules):
        return False
    await drop_exercise(db, user.id, step.exercise_key, services.clock())
    return True


# --- stopping and finishing


@on_press
async def on_stop(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Stop the session now; still ask about pain so the partial session is complete."""
    services = context.services
    texts = services.library.texts

    async def act(db: AsyncSession, user: User, session: ExerciseSession) -> Reply:
        if session.phase not in (PAIN_BEFORE, EXERCISE, HURT):
            return texts("already_done")  # stopped already: on to pain after
        timers.cancel(context.job_queue, session.id)
        session.timer_ends_at, session.stopped_early = None, True
        if session.phase == PAIN_BEFORE:
            close_partial(context, session, services)
            return [(texts("session_stopped"), None)]
        session.phase, session.set_number = PAIN_AFTER, 1
        return [session_prompt(services, session, texts("session_stopped"))]

    return await _on_own_session(update, context, callback.number(0), act)


@on_press
async def on_pain_after(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Pain after recorded; ask how the symptoms moved."""
    services = context.services
    sid, pain = callback.number(0), callback.number(1)
    if pain > 10:
        return services.library.texts("stale_button")

    async def act(db: AsyncSession, user: User, session: ExerciseSession) -> Reply:
        if session.phase != PAIN_AFTER:
            return services.library.texts("already_done")
        session.pain_after, session.phase = pain, CHANGE
        return [session_prompt(services, session)]

    return await _on_own_session(update, context, sid, act)


@on_press
async def on_symptom_change(
    update: Update, context: CoachContext, callback: Callback
) -> str | None:
    """Close the session, update the dose level and show the summary."""
    services = context.services
    library = services.library
    sid, change = callback.number(0), callback.word(1)
    if change not in {option.key for option in library.stop_rules.symptom_changes}:
        return library.texts("stale_button")

    async def act(db: AsyncSession, user: User, session: ExerciseSession) -> Reply:
        if session.phase != CHANGE:
            return library.texts("already_done")
        session.symptom_change = change
        session.status = "partial" if session.stopped_early else "completed"
        session.phase, session.ended_at = DONE, services.clock()
        await db.flush()
        history = await recent_sessions(db, user.id, RECENT_FOR_DOSING)
        level = next_dose_level([outcome_of(s) for s in history], library.stop_rules)
        user.dose_level = level.value
        await record_best_streak(db, user, session.local_date)
        advice = await _clinician_advice(db, services, user, session)
        replies: list[Prompt] = [(join_lines(summary_text(services, session, level), advice), None)]
        if await db.get(Reminder, user.id) is None:
            replies.append(reminder_offer(services))
        return replies

    return await _on_own_session(update, context, sid, act)


async def _clinician_advice(
    db: AsyncSession, services: Services, user: User, session: ExerciseSession
) -> Html:
    """Advice to contact a clinician, each reason given once: rising pain, or no improvement."""
    rules, texts = services.library.stop_rules, services.library.texts
    reasons = clinician_advice_due(await pains_before(db, user.id), session.local_date, rules)
    now, lines = services.clock(), []
    if ClinicianReason.RISING_PAIN in reasons and user.advised_rising_pain_at is None:
        user.advised_rising_pain_at = now
        advice = rules.clinician_advice
        lines.append(
            texts(
                "clinician_rising_pain",
                points=advice.rising_points,
                sessions=advice.rising_sessions,
            )
        )
    if ClinicianReason.NO_IMPROVEMENT in reasons and user.advised_no_improvement_at is None:
        user.advised_no_improvement_at = now
        lines.append(
            texts(
                "clinician_no_improvement",
                weeks=rules.clinician_advice.no_improvement_weeks,
                meaningful=rules.meaningful_pain_change,
            )
        )
    return join_lines(*lines)


def outcome_of(session: ExerciseSession) -> SessionOutcome:
    return SessionOutcome(
        level=DoseLevel(session.dose_level),
        exercises_stopped_for_pain=sum(1 for e in session.exercises if e.outcome == "stopped"),
        symptom_change=session.symptom_change,
        pain_before=session.pain_before,
        pain_after=session.pain_after,
    )


def summary_text(services: Services, session: ExerciseSession, next_level: DoseLevel) -> Html:
    library, texts = services.library, services.library.texts
    outcomes = [e.outcome for e in session.exercises]
    pain_line = ""
    if session.pain_before is not None and session.pain_after is not None:
        trend = pain_trend(
            session.pain_before, session.pain_after, library.stop_rules.meaningful_pain_change
        )
        change = texts(
            f"pain_change_{trend.value}", points=abs(session.pain_after - session.pain_before)
        )
        pain_line = texts(
            "summary_pain", before=session.pain_before, after=session.pain_after, change=change
        )
    symptom_line = {
        "centralised": texts("symptoms_centralised"),
        "spread": texts("symptoms_spread"),
    }.get(session.symptom_change or "", "")
    return join_lines(
        texts("summary_title_partial" if session.stopped_early else "summary_title_done"),
        texts(
            "summary_counts",
            done=outcomes.count("done"),
            skipped=outcomes.count("skipped"),
            stopped=outcomes.count("stopped"),
        ),
        pain_line,
        symptom_line,
        texts(f"next_{next_level.value}"),
        texts("flare_note") if next_level is DoseLevel.GENTLE else "",
    )


async def rearm_timers(services: Services, job_queue: JobQueue[CoachContext]) -> None:
    """After a restart, schedule the release of holds that were running."""
    async with services.sessions() as db:
        sessions = await running_timers(db)
        chats = {s.id: await db.get(User, s.user_id) for s in sessions}
    for session in sessions:
        user = chats[session.id]
        assert user is not None and session.timer_ends_at is not None
        if not is_private_chat(user):
            continue  # begun in a group before groups were turned away: its release shows there
        timers.start(
            job_queue,
            session_id=session.id,
            step=session.step_index,
            set_number=session.set_number,
            chat_id=user.chat_id,
            delay=session.timer_ends_at - services.clock(),
            callback=on_timer_ends,
        )


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    return [
        CommandHandler("exercise", exercise_command),
        CallbackQueryHandler(on_resume, pattern=pattern(Action.RESUME)),
        CallbackQueryHandler(on_close, pattern=pattern(Action.CLOSE)),
        CallbackQueryHandler(on_pain_before, pattern=pattern(Action.PAIN_BEFORE)),
        CallbackQueryHandler(on_timer, pattern=pattern(Action.TIMER)),
        CallbackQueryHandler(on_set_done, pattern=pattern(Action.SET_DONE)),
        CallbackQueryHandler(on_skip, pattern=pattern(Action.SKIP)),
        CallbackQueryHandler(on_hurt, pattern=pattern(Action.HURT)),
        CallbackQueryHandler(on_hurt_reason, pattern=pattern(Action.HURT_REASON)),
        CallbackQueryHandler(on_stop, pattern=pattern(Action.STOP)),
        CallbackQueryHandler(on_pain_after, pattern=pattern(Action.PAIN_AFTER)),
        CallbackQueryHandler(on_symptom_change, pattern=pattern(Action.SYMPTOM_CHANGE)),
        CallbackQueryHandler(on_weekly_check, pattern=pattern(Action.WEEKLY_CHECK)),
    ]
