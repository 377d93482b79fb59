"""The safety net's rules as pure functions: who may be invited to exercise, which questions
are asked of whom, the weekly check, and the stop rules added after review."""

from datetime import date

import pytest

from content.library import Library, load_library
from content.models import DoseLevel, RegionKey, Side
from content.rules import (
    ClinicianReason,
    HurtOutcome,
    Screening,
    clinician_advice_due,
    hurt_outcome,
    session_level,
    should_drop,
)
from content.screening import SEE_SOON, may_exercise, screen_order, weekly_check_due
from storage.reminders import CLEARED_FOR_EXERCISE


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


@pytest.mark.parametrize(
    ("screening", "allowed"),
    [("clear", True), ("see_soon", True), ("emergency", False), (None, False)],
)
def test_only_a_screening_without_an_emergency_sign_allows_exercise(
    screening: str | None, allowed: bool
) -> None:
    assert may_exercise(screening) is allowed


def test_the_reminder_claim_skips_exactly_those_not_cleared_for_exercise() -> None:
    assert set(CLEARED_FOR_EXERCISE) == {s.value for s in Screening if may_exercise(s)}


def test_neck_screening_asks_about_both_arms_and_the_low_back_does_not(library: Library) -> None:
    neck = screen_order(library.red_flags, RegionKey.CERVICAL)
    low_back = screen_order(library.red_flags, RegionKey.LUMBAR)
    assert "both_arms" in neck and "both_arms" not in low_back
    both_arms = library.red_flags.group("both_arms")
    assert both_arms is not None
    assert any("both hands" in sign.lower() for sign in both_arms.signs)


@pytest.mark.parametrize("region", list(RegionKey))
def test_every_area_is_asked_the_heart_questions_apart_with_an_emergency_call(
    library: Library, region: RegionKey
) -> None:
    order = screen_order(library.red_flags, region)
    assert "chest_pain" in order and SEE_SOON in order
    chest = library.red_flags.group("chest_pain")
    assert chest is not None and chest.advice == "heart_advice"
    signs = " ".join(chest.signs).lower()
    for fragment in ("crushing", "arm, jaw, neck", "breathlessness", "sweating", "resting"):
        assert fragment in signs
    assert "emergency number now" in library.texts("heart_advice", come_back="")


def test_mid_back_users_see_the_see_soon_list_first_without_their_own_condition(
    library: Library,
) -> None:
    assert screen_order(library.red_flags, RegionKey.THORACIC)[0] == SEE_SOON
    see_soon = library.red_flags.see_soon
    assert not any("band of pain" in sign for sign in see_soon.signs_for(RegionKey.THORACIC))
    assert any("band of pain" in sign for sign in see_soon.signs_for(RegionKey.LUMBAR))
    # no emergency sign calls chest pain with back pain a red flag any more
    generic = " ".join(sign for g in library.red_flags.emergency for sign in g.signs).lower()
    assert "pain together with chest pain" not in generic


def test_the_reach_answer_round_to_the_chest_is_not_an_emergency() -> None:
    from content.rules import reach_is_emergency

    for side in Side:
        assert not reach_is_emergency(RegionKey.THORACIC, side, 2)


@pytest.mark.parametrize(
    ("last", "today", "due"),
    [
        (None, date(2026, 3, 10), True),
        (date(2026, 3, 9), date(2026, 3, 15), False),  # Monday to Sunday: the same week
        (date(2026, 3, 15), date(2026, 3, 16), True),  # Sunday to Monday: a new week
        (date(2026, 3, 10), date(2026, 3, 12), False),
        (date(2025, 12, 29), date(2026, 1, 2), False),  # ISO week 1 of 2026 spans the new year
        (date(2026, 1, 2), date(2026, 1, 5), True),
    ],
)
def test_the_weekly_check_comes_once_a_new_week(last: date | None, today: date, due: bool) -> None:
    assert weekly_check_due(last, today) is due


@pytest.mark.parametrize(("pain", "level"), [(6, DoseLevel.STANDARD), (7, DoseLevel.GENTLE)])
def test_pain_of_seven_or_more_before_a_session_gives_the_gentle_dose(
    library: Library, pain: int, level: DoseLevel
) -> None:
    assert session_level(DoseLevel.STANDARD, pain, library.stop_rules) is level
    assert session_level(DoseLevel.GENTLE, pain, library.stop_rules) is DoseLevel.GENTLE


@pytest.mark.parametrize(
    ("outcomes", "drop"),
    [
        (["stopped", "stopped"], True),
        (["done", "stopped", "stopped"], True),
        (["stopped", "done"], False),
        (["done", "stopped"], False),
        (["stopped"], False),
        (["skipped", "stopped"], False),
    ],
)
def test_an_exercise_stopped_in_two_sessions_in_a_row_is_dropped(
    library: Library, outcomes: list[str], drop: bool
) -> None:
    assert should_drop(outcomes, library.stop_rules) is drop


def test_a_dropped_exercise_is_left_out_with_the_reason(library: Library) -> None:
    routine = library.build_routine(
        RegionKey.LUMBAR, Side.RIGHT, DoseLevel.STANDARD, ["knee_to_chest"]
    )
    assert "knee_to_chest" not in {step.exercise_key for step in routine.steps}
    [left_out] = routine.left_out
    assert left_out.exercise_key == "knee_to_chest"
    assert "two sessions in a row" in left_out.reason


def _week(start: date, pains: list[int], every: int = 1) -> list[tuple[date, int]]:
    return [(date.fromordinal(start.toordinal() + i * every), p) for i, p in enumerate(pains)]


def test_pain_two_points_above_the_first_week_three_sessions_running_brings_advice(
    library: Library,
) -> None:
    rules = library.stop_rules
    first_week = _week(date(2026, 3, 2), [4, 4, 4])
    rising = _week(date(2026, 3, 12), [6, 7, 6])
    assert clinician_advice_due(first_week + rising, date(2026, 3, 14), rules) == [
        ClinicianReason.RISING_PAIN
    ]
    # two sessions up and one not: not yet
    mixed = _week(date(2026, 3, 12), [6, 5, 6])
    assert clinician_advice_due(first_week + mixed, date(2026, 3, 14), rules) == []
    # a high first week is the level itself, not a rise
    assert (
        clinician_advice_due(_week(date(2026, 3, 2), [4, 8, 8, 8]), date(2026, 3, 5), rules) == []
    )


def test_no_meaningful_improvement_after_six_weeks_brings_advice(library: Library) -> None:
    rules = library.stop_rules
    start = date(2026, 1, 5)
    flat = _week(start, [6] * 22, every=2)  # 6 weeks of sessions, pain still 6
    today = flat[-1][0]
    assert clinician_advice_due(flat, today, rules) == [ClinicianReason.NO_IMPROVEMENT]
    better = [*flat[:-4], *[(day, 4) for day, _ in flat[-4:]]]  # the last week down 2
    assert clinician_advice_due(better, today, rules) == []
    assert clinician_advice_due(flat[:10], flat[9][0], rules) == []  # before 6 weeks


def test_it_hurts_offers_pain_over_the_limit_everywhere_and_neck_signs_in_the_neck(
    library: Library,
) -> None:
    rules = library.stop_rules
    for region in RegionKey:
        keys = {reason.key for reason in rules.hurt_reasons_for(region)}
        assert "over_limit" in keys and "red_flag" in keys
        assert ("neck_signs" in keys) is (region is RegionKey.CERVICAL)
    assert hurt_outcome(rules, "over_limit") is HurtOutcome.STOP_EXERCISE
    assert hurt_outcome(rules, "neck_signs") is HurtOutcome.SAME_DAY
    assert HurtOutcome.SAME_DAY.ends_session and HurtOutcome.EMERGENCY.ends_session
    assert not HurtOutcome.STOP_EXERCISE.ends_session
    signs = " ".join(library.red_flags.neck_movement).lower()
    for fragment in ("dizziness", "double vision", "speaking", "swallowing", "faint", "sick"):
        assert fragment in signs


def test_the_nerve_glide_goes_only_to_a_light_pull_and_its_gentle_dose_is_the_slider(
    library: Library,
) -> None:
    standard = library.build_routine(RegionKey.LUMBAR, Side.LEFT, DoseLevel.STANDARD)
    gentle = library.build_routine(RegionKey.LUMBAR, Side.LEFT, DoseLevel.GENTLE)
    [glide] = [s for s in standard.steps if s.exercise_key == "sciatic_nerve_glide"]
    [slider] = [s for s in gentle.steps if s.exercise_key == "sciatic_nerve_glide"]
    assert "light pull, never into pain" in " ".join(glide.safety)
    assert glide.reps == 20 and glide.sets == 1  # the seed's fixed dose
    assert "slider" in slider.name.lower()
    assert any("point your toes away" in line for line in slider.steps)
    assert slider.reps <= glide.reps


def test_exercise_texts_fixed_after_review(library: Library) -> None:
    routine = library.build_routine(RegionKey.LUMBAR, Side.RIGHT, DoseLevel.STANDARD)
    by_key = {step.exercise_key: step for step in routine.steps}
    for key in ("childs_pose", "knee_to_chest"):
        assert "spread further down your leg" in " ".join(by_key[key].safety)
    assert not any("once more" in line for line in by_key["childs_pose"].steps)
    bend = by_key["lumbar_side_bend"]  # right-sided symptoms: lean to the left
    assert "your own left side" in bend.steps[0] and "your right side" in bend.steps[0]


def test_the_help_card_gives_both_lists_with_their_actions(library: Library) -> None:
    texts = library.texts
    assert "urgent help" in texts("warning_emergency_heading").lower()
    assert "emergency" in texts("help_emergency_action")
    assert "GP" in texts("help_see_soon_action")
