"""Dose progression inside the seed's ranges (pure): three calm sessions in a row step each
progressing exercise up one notch, a flare steps them back down, and two "hard" taps in a row
keep an exercise where it is. Doses never go past the source's maximum (content checks it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from content.models import DoseLevel, Exercise, StopRules
from content.rules import SessionOutcome, is_flare

CALM_SESSIONS_TO_STEP_UP = 3
HARD_TAPS_TO_HOLD = 2


class Feedback(StrEnum):
    """The optional tap after each exercise."""

    EASY = "easy"
    RIGHT = "right"
    HARD = "hard"


@dataclass(frozen=True, slots=True)
class PastSession:
    """What progression needs of one finished session: how it went and the notches it used."""

    outcome: SessionOutcome
    notches: Mapping[str, int]


class Why(StrEnum):
    CALM = "calm"  # stepped up after calm sessions
    FLARE = "flare"  # stepped down after a flare
    HARD = "hard"  # kept: it felt hard twice in a row


@dataclass(frozen=True, slots=True)
class NotchChange:
    """One exercise's dose moved (or was kept on purpose), and why."""

    exercise_key: str
    old: int
    new: int
    why: Why


def is_calm(outcome: SessionOutcome, rules: StopRules) -> bool:
    """Pain after not above pain before, symptoms not spreading, no exercise stopped."""
    if outcome.pain_before is None or outcome.pain_after is None:
        return False
    return not is_flare(outcome, rules) and outcome.pain_after <= outcome.pain_before


def held_by_hard_taps(taps: Sequence[str]) -> bool:
    """Two "hard" taps in a row (the newest taps, oldest first) keep the exercise's notch."""
    return len(taps) >= HARD_TAPS_TO_HOLD and all(
        tap == Feedback.HARD for tap in taps[-HARD_TAPS_TO_HOLD:]
    )


def next_notches(
    history: Sequence[PastSession],
    current: Mapping[str, int],
    exercises: Mapping[str, Exercise],
    taps: Mapping[str, Sequence[str]],
    rules: StopRules,
) -> tuple[dict[str, int], list[NotchChange]]:
    """The notches for the next session after `history` (oldest first), and what changed.

    A flare steps every notch down one. Three calm standard-dose sessions in a row, all at the
    current notches, step each progressing exercise up one, unless it is at its top or it was
    tapped "hard" twice in a row.
    """
    notches = {key: value for key, value in current.items() if value > 0}
    progressing = {key: ex for key, ex in exercises.items() if ex.progression is not None}
    changes: list[NotchChange] = []
    if not history:
        return notches, changes
    last = history[-1]
    if is_flare(last.outcome, rules):
        for key, old in sorted(notches.items()):
            notches[key] = old - 1
            changes.append(NotchChange(key, old, old - 1, Why.FLARE))
        return {k: v for k, v in notches.items() if v > 0}, changes
    window = history[-CALM_SESSIONS_TO_STEP_UP:]
    steady = all({k: v for k, v in past.notches.items() if v > 0} == notches for past in window)
    calm = all(
        past.outcome.level is DoseLevel.STANDARD and is_calm(past.outcome, rules) for past in window
    )
    if len(window) < CALM_SESSIONS_TO_STEP_UP or not (steady and calm):
        return notches, changes
    for key, exercise in sorted(progressing.items()):
        assert exercise.progression is not None
        old = notches.get(key, 0)
        if old + 1 >= len(exercise.progression.values):
            continue  # at the top of the source's range
        if held_by_hard_taps(taps.get(key, ())):
            changes.append(NotchChange(key, old, old, Why.HARD))
            continue
        notches[key] = old + 1
        changes.append(NotchChange(key, old, old + 1, Why.CALM))
    return notches, changes
