"""What a session shows at each phase: captions and keyboards (pure, for the session flow)."""

from __future__ import annotations

from dataclasses import dataclass

from content.flows.actions import Action
from content.flows.core import Button, Keyboard, column, pain_scale, rows
from content.library import Library
from content.messages import amount_text, has_timer, routine_notes, step_message
from content.models import RegionKey
from content.routine import Routine, RoutineStep
from content.texts import Html, escape, join_lines


@dataclass(frozen=True, slots=True)
class Place:
    """Where in the routine a session is: which step, which set, and that step."""

    session_id: int
    index: int
    set_number: int
    routine: Routine

    @property
    def step(self) -> RoutineStep:
        return self.routine.steps[self.index]


def step_caption(library: Library, place: Place, preface: str = "", note: str = "") -> Html:
    """The exercise's whole caption: steps, dose, the set it is at, and a note under it."""
    text = step_message(
        library.texts,
        place.step,
        position=place.index + 1,
        count=len(place.routine.steps),
        set_number=place.set_number,
        pain_limit=library.stop_rules.pain_limit_during,
        preface=preface,
    )
    return join_lines(text, note)


def set_caption(library: Library, place: Place, preface: str = "") -> Html:
    """A short caption for a later set: no instructions again, only where you are."""
    texts, step = library.texts, place.step
    side_part = Html(f" · {escape(step.side_label)}") if step.side_label else Html("")
    return join_lines(
        preface,
        texts(
            "step_heading",
            position=place.index + 1,
            count=len(place.routine.steps),
            name=step.name,
            side_part=side_part,
        ),
        texts(
            "step_set",
            set_number=place.set_number,
            sets=step.sets,
            amount=amount_text(texts, step),
        ),
    )


def step_keyboard(
    library: Library,
    place: Place,
    *,
    holding: bool = False,
    resting: bool = False,
    feedback: tuple[int, str] | None = None,
) -> Keyboard:
    """The buttons under an exercise: hold or rest timers, set done, skip, it hurts, stop."""
    texts, step = library.texts, place.step
    sid, index, number = place.session_id, place.index, place.set_number
    timer_row: list[Button] = []
    if has_timer(step) and not holding:
        timer_row.append(
            Button(
                texts("button_timer", hold=step.hold_seconds), Action.TIMER, (sid, index, number)
            )
        )
    if number > 1 and step.rest_seconds and not holding and not resting:
        timer_row.append(
            Button(texts("button_rest", rest=step.rest_seconds), Action.REST, (sid, index, number))
        )
    done_label = texts("button_let_go" if holding else "button_set_done")
    feedback_row: list[Button] = []
    if feedback is not None:
        position, _ = feedback
        feedback_row = [
            Button(texts(f"button_feedback_{value}"), Action.FEEDBACK, (sid, position, value))
            for value in ("easy", "right", "hard")
        ]
    return rows(
        feedback_row,
        timer_row,
        [
            Button(done_label, Action.SET_DONE, (sid, index, number)),
            Button(texts("button_skip"), Action.SKIP, (sid, index)),
        ],
        [
            Button(texts("button_hurts"), Action.HURT, (sid, index)),
            Button(texts("button_stop"), Action.STOP, (sid,)),
        ],
    )


def feedback_line(library: Library, feedback: tuple[int, str] | None) -> str:
    if feedback is None:
        return ""
    return library.texts("ask_feedback", name=feedback[1])


def intro(library: Library, routine: Routine) -> Html:
    """The session's headline: how many exercises at which dose, and how to stop."""
    texts = library.texts
    return join_lines(
        texts(
            "session_intro",
            count=len(routine.steps),
            level=texts(f"level_{routine.level.value}"),
            pain_limit=library.stop_rules.pain_limit_during,
        ),
        routine_notes(texts, routine),
    )


def pain_before_prompt(
    library: Library, session_id: int, routine: Routine
) -> tuple[Html, Keyboard]:
    text = join_lines(intro(library, routine), library.texts("ask_pain_before"))
    return text, pain_scale(Action.PAIN_BEFORE, session_id)


def pain_after_prompt(
    library: Library, session_id: int, preface: str = ""
) -> tuple[Html, Keyboard]:
    return join_lines(preface, library.texts("ask_pain_after")), pain_scale(
        Action.PAIN_AFTER, session_id
    )


def change_prompt(library: Library, session_id: int, region: RegionKey) -> tuple[Html, Keyboard]:
    spread = library.regions[region].spread
    options = [
        Button(change.label.format(spread=spread), Action.SYMPTOM_CHANGE, (session_id, change.key))
        for change in library.stop_rules.symptom_changes
    ]
    return library.texts("ask_symptom_change"), column(options)


def hurt_prompt(library: Library, place: Place, region: RegionKey) -> tuple[Html, Keyboard]:
    """What happened? The stop rules' choices for this area (the neck adds its own signs)."""
    rules = library.stop_rules
    words = {"spread": library.regions[region].spread, "pain_limit": rules.pain_limit_during}
    options = [
        Button(
            reason.label.format(**words),
            Action.HURT_REASON,
            (place.session_id, place.index, reason.key),
        )
        for reason in rules.hurt_reasons_for(region)
    ]
    # Someone in pain must not have to pick a reason first to be able to stop.
    options.append(Button(library.texts("button_stop"), Action.STOP, (place.session_id,)))
    neck_signs = ""
    if region is RegionKey.CERVICAL:
        signs = "\n".join(f"• {escape(sign)}" for sign in library.red_flags.neck_movement)
        neck_signs = join_lines(library.texts("hurt_neck_signs"), signs)
    return join_lines(library.texts("hurt_question"), neck_signs), column(options)
