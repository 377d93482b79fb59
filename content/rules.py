"""Safety and dosing rules as pure functions: screening outcome, stop rules, next dose level."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from content.models import DoseLevel, RegionKey, Side, StopRules
from content.statuses import ExerciseOutcome, SymptomChangeKey


class Screening(StrEnum):
    CLEAR = "clear"
    SEE_SOON = "see_soon"
    EMERGENCY = "emergency"


def screening_outcome(emergency_answers: Mapping[str, bool], see_soon: bool) -> Screening:
    """Strict rule: any single emergency sign wins; then any see-soon sign."""
    if any(emergency_answers.values()):
        return Screening.EMERGENCY
    return Screening.SEE_SOON if see_soon else Screening.CLEAR


def reach_is_emergency(region: RegionKey, side: Side, reach: int) -> bool:
    """Symptoms down both legs are sciatica in both legs, an emergency sign on its own."""
    legs_start_at = 2  # 0 low back, 1 buttock, 2 thigh and beyond
    return region is RegionKey.LUMBAR and side is Side.BOTH and reach >= legs_start_at


class HurtOutcome(StrEnum):
    STOP_EXERCISE = "stop_exercise"
    EMERGENCY = "emergency"
    SAME_DAY = "same_day"
    CARRY_ON = "carry_on"

    @property
    def ends_session(self) -> bool:
        """A warning sign: the session ends and exercise is off until a clear screening."""
        return self in (HurtOutcome.EMERGENCY, HurtOutcome.SAME_DAY)


def hurt_outcome(rules: StopRules, reason_key: str) -> HurtOutcome:
    """What an "it hurts" answer does; an unknown answer is treated as stopping the exercise."""
    reason = rules.hurt_reason(reason_key)
    return HurtOutcome(reason.outcome) if reason else HurtOutcome.STOP_EXERCISE


@dataclass(frozen=True, slots=True)
class SessionOutcome:
    """What a finished (or partial) session tells the dosing rule."""

    level: DoseLevel
    exercises_stopped_for_pain: int
    symptom_change: str | None
    pain_before: int | None
    pain_after: int | None


def pain_change(before: int | None, after: int | None) -> int | None:
    """After minus before, when both are known."""
    return None if before is None or after is None else after - before


def is_flare(outcome: SessionOutcome, rules: StopRules) -> bool:
    """Pain stopped an exercise, symptoms spread, or pain rose by a meaningful amount."""
    change = pain_change(outcome.pain_before, outcome.pain_after)
    return (
        outcome.exercises_stopped_for_pain > 0
        or outcome.symptom_change == SymptomChangeKey.SPREAD
        or (change is not None and change >= rules.meaningful_pain_change)
    )


def next_dose_level(recent: Sequence[SessionOutcome], rules: StopRules) -> DoseLevel:
    """Gentle after a flare; back to standard after enough calm gentle sessions in a row.

    `recent` is ordered oldest first.
    """
    if not recent:
        return DoseLevel.STANDARD
    if is_flare(recent[-1], rules):
        return DoseLevel.GENTLE
    if recent[-1].level is DoseLevel.STANDARD:
        return DoseLevel.STANDARD
    calm_gentle = 0
    for outcome in reversed(recent):
        if outcome.level is not DoseLevel.GENTLE or is_flare(outcome, rules):
            break
        calm_gentle += 1
    if calm_gentle >= rules.standard_after_calm_sessions:
        return DoseLevel.STANDARD
    return DoseLevel.GENTLE


class PainTrend(StrEnum):
    BETTER = "better"
    SLIGHTLY_BETTER = "slightly_better"
    SAME = "same"
    SLIGHTLY_WORSE = "slightly_worse"
    WORSE = "worse"


def pain_trend(before: int, after: int, meaningful: int) -> PainTrend:
    """Name a change in 0-10 pain, calling a change of `meaningful` points or more real."""
    change = after - before
    if change == 0:
        return PainTrend.SAME
    if change < 0:
        return PainTrend.BETTER if -change >= meaningful else PainTrend.SLIGHTLY_BETTER
    return PainTrend.WORSE if change >= meaningful else PainTrend.SLIGHTLY_WORSE


def session_level(planned: DoseLevel, pain_before: int, rules: StopRules) -> DoseLevel:
    """High pain before a session (7/10 or more) gives the gentle dose at most."""
    return DoseLevel.GENTLE if pain_before >= rules.high_pain_before else planned


def should_drop(outcomes: Sequence[str], rules: StopRules) -> bool:
    """Drop an exercise stopped by "It hurts" in the last sessions in a row that reached it.

    `outcomes` holds that exercise's outcome in each session that reached it, oldest first
    ("stopped" on either side counts as stopped).
    """
    needed = rules.drop_after_sessions_in_a_row
    return len(outcomes) >= needed and all(o == ExerciseOutcome.STOPPED for o in outcomes[-needed:])


class ClinicianReason(StrEnum):
    RISING_PAIN = "rising_pain"
    NO_IMPROVEMENT = "no_improvement"


FIRST_WEEK = timedelta(days=7)


def first_week_level(pains: Sequence[tuple[date, int]]) -> float | None:
    """The mean pain before sessions in the first 7 days from the first session."""
    if not pains:
        return None
    start = pains[0][0]
    first = [pain for day, pain in pains if day < start + FIRST_WEEK]
    return sum(first) / len(first)


def clinician_advice_due(
    pains: Sequence[tuple[date, int]], today: date, rules: StopRules
) -> list[ClinicianReason]:
    """Reasons to advise contacting a clinician, from (local date, pain before) oldest first.

    Rising: pain before the last sessions (all after the first week) each 2 or more points
    above the first week's level, 3 sessions in a row. No improvement: 6 weeks or more after
    the first session, the last week's pain is down by less than a meaningful change.
    """
    baseline = first_week_level(pains)
    if baseline is None:
        return []
    advice = rules.clinician_advice
    start = pains[0][0]
    reasons: list[ClinicianReason] = []
    recent = pains[-advice.rising_sessions :]
    if len(recent) == advice.rising_sessions and all(
        day >= start + FIRST_WEEK and pain >= baseline + advice.rising_points
        for day, pain in recent
    ):
        reasons.append(ClinicianReason.RISING_PAIN)
    if today >= start + timedelta(weeks=advice.no_improvement_weeks):
        last_week = [pain for day, pain in pains if day > today - FIRST_WEEK] or [pains[-1][1]]
        if baseline - sum(last_week) / len(last_week) < rules.meaningful_pain_change:
            reasons.append(ClinicianReason.NO_IMPROVEMENT)
    return reasons
