"""Compose the coach's longer messages from content; pure, so limits can be checked at load."""

from __future__ import annotations

from content.routine import Routine, RoutineStep
from content.texts import Html, Texts, escape, join_lines

# A hold shorter than this is counted by the user within a rep, not timed by the bot.
TIMED_HOLD_MIN_SECONDS = 10


def has_timer(step: RoutineStep) -> bool:
    """Whether a set is one timed hold (long holds get a timer, short ones are counted)."""
    return step.hold_seconds is not None and step.hold_seconds >= TIMED_HOLD_MIN_SECONDS


def amount_text(texts: Texts, step: RoutineStep) -> Html:
    """What one set asks for, e.g. "hold 30 s" or "10 reps"."""
    if step.hold_seconds is None:
        return texts("amount_reps", reps=step.reps)
    if has_timer(step):
        if step.reps == 1:
            return texts("amount_hold", hold=step.hold_seconds)
        return texts("amount_holds", reps=step.reps, hold=step.hold_seconds)
    return texts("amount_reps_hold", reps=step.reps, hold=step.hold_seconds)


def step_message(
    texts: Texts,
    step: RoutineStep,
    *,
    position: int,
    count: int,
    set_number: int,
    pain_limit: int,
    preface: str = "",
) -> Html:
    """The message for one set of one exercise: title, start, numbered steps, dose, feel."""
    side_part = Html(f" · {escape(step.side_label)}") if step.side_label else Html("")
    numbered = "\n".join(f"{n}. {escape(line)}" for n, line in enumerate(step.steps, start=1))
    rest = (
        texts("rest_between_sets", rest=step.rest_seconds)
        if step.sets > 1 and step.rest_seconds
        else ""
    )
    safety = "\n".join(f"⚠️ {escape(note)}" for note in step.safety)
    cues = "\n".join(texts("step_cue", cue=cue) for cue in step.cues)
    mistakes = "\n".join(texts("step_mistake", mistake=mistake) for mistake in step.mistakes)
    return join_lines(
        preface,
        texts("step_heading", position=position, count=count, name=step.name, side_part=side_part),
        texts("step_start", position_text=step.position),
        numbered,
        cues,
        mistakes,
        texts("step_feel", feel=step.feel),
        safety,
        texts("step_set", set_number=set_number, sets=step.sets, amount=amount_text(texts, step)),
        rest,
        texts("step_pain_limit", pain_limit=pain_limit),
    )


def routine_notes(texts: Texts, routine: Routine) -> Html:
    """Why today's routine is as it is: the gentle dose, cautions, exercises left out."""
    return join_lines(
        texts("gentle_reason") if routine.level.value == "gentle" else "",
        *(f"⚠️ {note}" for note in routine.cautions),
        *(f"ℹ️ {left.reason}" for left in routine.left_out),
    )
