"""Turn a region's routine into concrete, side-resolved steps for one person."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from content.models import DoseLevel, Exercise, RegionKey, Setup, Side, SideRule
from content.translatable import SIDE_VARIANTS


@dataclass(frozen=True, slots=True)
class RoutineStep:
    """One exercise on one side at one dose, with every sentence resolved."""

    exercise_key: str
    name: str
    side: Side | None
    side_label: str | None
    position: str
    steps: tuple[str, ...]
    feel: str
    safety: tuple[str, ...]
    cues: tuple[str, ...]
    mistakes: tuple[str, ...]
    hold_seconds: int | None
    reps: int
    sets: int
    rest_seconds: int
    setup: Setup
    easier: bool = False  # the exercise's gentle version: another movement, another demonstration


@dataclass(frozen=True, slots=True)
class LeftOut:
    """An exercise of the routine this person does not do, and why."""

    exercise_key: str
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class Routine:
    region: RegionKey
    side: Side
    level: DoseLevel
    steps: tuple[RoutineStep, ...]
    left_out: tuple[LeftOut, ...]
    cautions: tuple[str, ...]


def opposite(side: Side) -> Side:
    """The other side; both stays both."""
    return {Side.LEFT: Side.RIGHT, Side.RIGHT: Side.LEFT}.get(side, side)


def sides_for(exercise: Exercise, symptom_side: Side) -> list[Side | None] | None:
    """The sides to work, in order, for someone with symptoms on `symptom_side`; None: leave out."""
    rule = exercise.side_rule
    one_sided = symptom_side is not Side.BOTH
    if rule is SideRule.NONE:
        return [None]
    if rule is SideRule.EACH_SIDE:
        if exercise.start_away and one_sided:
            return [opposite(symptom_side), symptom_side]
        return [Side.RIGHT, Side.LEFT]
    if rule is SideRule.AFFECTED_SIDE:
        return [symptom_side] if one_sided else [Side.RIGHT, Side.LEFT]
    # away from symptoms: the movement goes toward the side without symptoms
    if one_sided:
        return [opposite(symptom_side)]
    return None if exercise.when_both_sides == "skip" else [Side.RIGHT, Side.LEFT]


def for_side(text: str, side: Side | None) -> str:
    """A translated sentence's variant for `side` (see content.translatable: English needs none)."""
    if SIDE_VARIANTS not in text:
        return text
    left, right = text.split(SIDE_VARIANTS, 1)
    return left if side is Side.LEFT else right


def resolve_step(
    exercise: Exercise,
    side: Side | None,
    level: DoseLevel,
    chosen: Setup = Setup.FLOOR,
    notch: int = 0,
) -> RoutineStep:
    """One exercise with its side words, the dose for `level` (and, at the standard dose, its
    progression `notch`) and the setup filled in."""
    dose = exercise.dose if level is DoseLevel.STANDARD else exercise.gentle
    easier = exercise.gentle_version if level is DoseLevel.GENTLE else None
    hold = dose.hold_seconds.default if dose.hold_seconds else None
    sets = dose.sets.default
    if level is DoseLevel.STANDARD and exercise.progression is not None:
        values = exercise.progression.values
        value = values[max(0, min(notch, len(values) - 1))]
        if exercise.progression.field == "hold_seconds":
            hold = value
        else:
            sets = value
    words = {
        "side": side.value if side else "",
        "other_side": opposite(side).value if side else "",
        "hold": str(hold or ""),
    }

    def fill(text: str) -> str:
        return for_side(text, side).format(**words)

    setup = exercise.setup_for(chosen)
    variant = exercise.setups.get(setup)
    position = variant.position if variant else exercise.position
    steps = (variant.steps if variant else None) or exercise.steps
    return RoutineStep(
        exercise_key=exercise.key,
        name=easier.name if easier else exercise.name,
        side=side,
        side_label=fill(exercise.side_label) if side and exercise.side_label else None,
        position=fill(position),
        steps=tuple(fill(step) for step in (easier.steps if easier else steps)),
        feel=fill(easier.feel if easier else exercise.feel),
        safety=tuple(fill(note) for note in exercise.safety),
        cues=tuple(fill(cue) for cue in exercise.cues),
        mistakes=tuple(fill(mistake) for mistake in exercise.mistakes),
        hold_seconds=hold,
        reps=dose.reps.default,
        sets=sets,
        rest_seconds=dose.rest_seconds,
        setup=setup,
        easier=easier is not None,
    )


def build_routine(
    exercises: dict[str, Exercise],
    region_exercises: list[str],
    cautions: list[str],
    region: RegionKey,
    side: Side,
    level: DoseLevel,
    dropped: Collection[str] = (),
    dropped_reason: Callable[[str], str] = str,
    setup: Setup = Setup.FLOOR,
    notches: Mapping[str, int] | None = None,
) -> Routine:
    """The ordered steps of a region's routine for one person's side, dose level and setup.

    `dropped` exercises (stopped by pain session after session) are left out, with the reason
    `dropped_reason(name)`.
    """
    steps: list[RoutineStep] = []
    left_out: list[LeftOut] = []
    for key in region_exercises:
        exercise = exercises[key]
        if key in dropped:
            left_out.append(LeftOut(key, exercise.name, dropped_reason(exercise.name)))
            continue
        sides = sides_for(exercise, side)
        if sides is None:
            left_out.append(LeftOut(key, exercise.name, exercise.when_both_sides_reason or ""))
            continue
        notch = (notches or {}).get(key, 0)
        steps.extend(resolve_step(exercise, each, level, setup, notch) for each in sides)
    return Routine(region, side, level, tuple(steps), tuple(left_out), tuple(cautions))
