"""The end of a session: count it, set the next dose and notches, advise a clinician when the
rules say so, and write the summary (its effects are records and one message)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.progress import record_best_streak
from bot.psfs import weekly_offer
from bot.services import Services
from content.flows.actions import Action
from content.flows.core import Button, Keyboard, column
from content.models import DoseLevel
from content.progression import NotchChange, PastSession, Why, next_notches
from content.rules import (
    ClinicianReason,
    SessionOutcome,
    clinician_advice_due,
    next_dose_level,
    pain_trend,
)
from content.statuses import ExerciseOutcome, SymptomChangeKey
from content.texts import Html, join_lines
from storage.models import ExerciseSession, Reminder, User
from storage.queries import recent_feedback, recent_sessions
from storage.safety import pains_before

RECENT_FOR_DOSING = 10


def outcome_of(session: ExerciseSession) -> SessionOutcome:
    return SessionOutcome(
        level=DoseLevel(session.dose_level),
        exercises_stopped_for_pain=sum(
            1 for e in session.exercises if e.outcome == ExerciseOutcome.STOPPED
        ),
        symptom_change=session.symptom_change,
        pain_before=session.pain_before,
        pain_after=session.pain_after,
    )


async def finish(
    db: AsyncSession, services: Services, user: User, session: ExerciseSession
) -> tuple[Html, Keyboard]:
    """Set the next dose and notches from the sessions so far; the summary and its buttons."""
    library = services.library
    await db.flush()
    history = await recent_sessions(db, user.id, RECENT_FOR_DOSING)
    level = next_dose_level([outcome_of(s) for s in history], library.stop_rules)
    user.dose_level = level.value
    taps = await recent_feedback(db, user.id, 2)
    notches, changes = next_notches(
        [PastSession(outcome_of(s), s.notches) for s in history],
        user.notches,
        library.exercises,
        taps,
        library.stop_rules,
    )
    user.notches = notches
    await record_best_streak(db, user, session.local_date)
    advice = await clinician_advice(db, services, user, session)
    text = join_lines(
        summary_text(services, session, level), dose_changes(services, changes), advice
    )
    keyboard: Keyboard = ()
    if (rating := await weekly_offer(db, services, user)) is not None:  # once a week
        text, keyboard = join_lines(text, rating.text), rating.keyboard
    if await db.get(Reminder, user.id) is None:
        texts = library.texts
        text = join_lines(text, texts("reminder_offer"))
        keyboard = keyboard + column(
            [
                Button(texts("button_set_reminder"), Action.MENU, ("reminder",)),
                Button(texts("button_no_reminder"), Action.MENU, ("noreminder",)),
            ]
        )
    return text, keyboard


def dose_changes(services: Services, changes: list[NotchChange]) -> Html:
    """Tell the person when and why an exercise's dose changed (or was kept)."""
    library, texts = services.library, services.library.texts
    lines = []
    for change in changes:
        exercise = library.exercises[change.exercise_key]
        assert exercise.progression is not None
        field, values = exercise.progression.field, exercise.progression.values
        amount = texts(f"dose_{field}", value=values[change.new])
        key = {Why.CALM: "dose_up", Why.FLARE: "dose_down", Why.HARD: "dose_kept_hard"}[change.why]
        lines.append(texts(key, name=exercise.name, amount=amount))
    return join_lines(*lines)


async def clinician_advice(
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
        SymptomChangeKey.CENTRALISED: texts("symptoms_centralised"),
        SymptomChangeKey.SPREAD: texts("symptoms_spread"),
    }.get(SymptomChangeKey(session.symptom_change or "same"), "")
    return join_lines(
        texts("summary_title_partial" if session.stopped_early else "summary_title_done"),
        texts(
            "summary_counts",
            done=outcomes.count(ExerciseOutcome.DONE),
            skipped=outcomes.count(ExerciseOutcome.SKIPPED),
            stopped=outcomes.count(ExerciseOutcome.STOPPED),
        ),
        pain_line,
        symptom_line,
        texts(f"next_{next_level.value}"),
        _after_note(services, session, next_level),
    )


def _after_note(services: Services, session: ExerciseSession, next_level: DoseLevel) -> Html:
    """What to watch for after the session: get checked after a see-soon sign such as new
    numbness or weakness; otherwise, after a flare, that a mild one settling in a day is fine."""
    texts, rules = services.library.texts, services.library.stop_rules
    reasons = (rules.hurt_reason(e.hurt_reason or "") for e in session.exercises)
    if any(reason is not None and reason.get_checked for reason in reasons):
        return texts("get_checked_soon")
    return texts("flare_note") if next_level is DoseLevel.GENTLE else Html("")
