"""Streak rules over local dates: gaps, pauses, today still to do, time-zone moves, pain trend."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from content.streaks import (
    DayRun,
    best_streak,
    current_streak,
    day_runs,
    days_this_week,
    pain_trend_summary,
    paused_days,
)

TODAY = date(2026, 3, 10)  # a Tuesday


def ago(*days: int) -> set[date]:
    return {TODAY - timedelta(days=n) for n in days}


@pytest.mark.parametrize(
    ("done", "paused", "days", "today_done"),
    [
        (set(), set(), 0, False),
        (ago(0), set(), 1, True),
        (ago(1, 2, 3), set(), 3, False),  # alive through yesterday: today still to do, not zero
        (ago(0, 1, 2), set(), 3, True),
        (ago(2, 3), set(), 0, False),  # a missed yesterday breaks it
        (ago(0, 1, 3, 4), set(), 2, True),  # a gap
        (ago(1, 4, 5), ago(2, 3), 3, False),  # paused days bridge without counting
        (ago(3, 4), ago(0, 1, 2), 2, False),  # paused through today
        (ago(0, 2), ago(1), 2, True),
    ],
)
def test_current_streak(done: set[date], paused: set[date], days: int, today_done: bool) -> None:
    streak = current_streak(day_runs(done), paused, TODAY)
    assert (streak.days, streak.today_done) == (days, today_done)


def test_the_walk_back_says_how_far_it_read() -> None:
    assert current_streak(day_runs(ago(1, 2)), set(), TODAY).reached == TODAY - timedelta(days=3)


def test_a_session_dated_a_day_ahead_after_moving_west_counts_as_today() -> None:
    streak = current_streak(day_runs({TODAY + timedelta(days=1), TODAY}), set(), TODAY)
    assert (streak.days, streak.today_done) == (2, True)


def test_dst_days_are_ordinary_days() -> None:
    spring = date(2026, 3, 29)  # Europe's spring change: a 23-hour day is still one day
    done = {spring - timedelta(days=1), spring, spring + timedelta(days=1)}
    assert current_streak(day_runs(done), set(), spring + timedelta(days=1)).days == 3


@pytest.mark.parametrize(
    ("done", "paused", "best"),
    [
        (set(), set(), 0),
        (ago(0), set(), 1),
        (ago(10, 11, 12, 13, 1, 2), set(), 4),
        (ago(10, 11, 14, 15, 16), ago(12, 13), 5),
        (ago(1, 3), set(), 1),
    ],
)
def test_best_streak(done: set[date], paused: set[date], best: int) -> None:
    assert best_streak(day_runs(done), paused) == best


def test_days_gather_into_runs_of_consecutive_days() -> None:
    assert day_runs(ago(0, 1, 2, 5, 7, 8)) == [
        DayRun(TODAY - timedelta(days=8), TODAY - timedelta(days=7)),
        DayRun(TODAY - timedelta(days=5), TODAY - timedelta(days=5)),
        DayRun(TODAY - timedelta(days=2), TODAY),
    ]
    assert day_runs([]) == []


# The rules walked a day at a time, as they read: the run-at-a-time walk must agree with them.
def walked_streak(done: set[date], paused: set[date], today: date) -> tuple[int, bool, date]:
    if today + timedelta(days=1) in done:
        today += timedelta(days=1)
    day = today if today in done or today in paused else today - timedelta(days=1)
    count = 0
    while day in done or day in paused:
        count += day in done
        day -= timedelta(days=1)
    return count, today in done, day


def walked_best(done: set[date], paused: set[date]) -> int:
    best = length = 0
    for n in range(59, -2, -1):  # the oldest day the strategy makes to the newest
        day = TODAY - timedelta(days=n)
        if day in done:
            length += 1
        elif day not in paused:
            length = 0
        best = max(best, length)
    return best


days_ago = st.sets(st.integers(min_value=-1, max_value=59))


@given(done=days_ago, paused=days_ago)
def test_walking_runs_agrees_with_walking_days(done: set[int], paused: set[int]) -> None:
    done_days, paused_days_ = ago(*done), ago(*paused)
    streak = current_streak(day_runs(done_days), paused_days_, TODAY)
    walked = walked_streak(done_days, paused_days_, TODAY)
    assert (streak.days, streak.today_done, streak.reached) == walked
    assert best_streak(day_runs(done_days), paused_days_) == walked_best(done_days, paused_days_)


def test_open_and_closed_pauses_expand_to_days_within_the_window() -> None:
    pauses = [
        (TODAY - timedelta(days=9), TODAY - timedelta(days=7)),
        (TODAY - timedelta(days=1), None),
    ]
    assert paused_days(pauses, TODAY - timedelta(days=8), TODAY) == ago(8, 7, 1, 0)


def test_this_week_counts_monday_to_today() -> None:
    assert days_this_week(ago(0, 1, 2), TODAY) == 2  # Sunday belongs to last week


def test_pain_trend_uses_first_and_last_seven_days_and_two_points() -> None:
    first = [(date(2026, 1, d), 6) for d in range(1, 8)]
    last = [(date(2026, 2, d), 3) for d in range(1, 8)]
    trend = pain_trend_summary(first + last, 2)
    assert trend is not None and (trend.first_average, trend.last_average) == (6, 3)
    assert trend.meaningful
    small = pain_trend_summary([(date(2026, 1, 1), 5), (date(2026, 1, 2), 4)], 2)
    assert small is not None and not small.meaningful
    assert pain_trend_summary([(date(2026, 1, 1), 5)], 2) is None
