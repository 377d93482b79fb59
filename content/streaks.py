"""Streaks, weekly progress and pain trend as pure functions over local dates.

A streak is consecutive local days with a session. Paused days (a flare, a rest) neither count
nor break it; gentle sessions count like any other. A streak alive through yesterday stays
alive today, marked "today still to do", instead of dropping to zero in the morning.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import mean

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DayRun:
    """Consecutive local days with a session, `first` to `last` inclusive."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def day_runs(days: Iterable[date]) -> list[DayRun]:
    """Days with a session gathered into runs of consecutive days, oldest first."""
    runs: list[DayRun] = []
    for day in sorted(days):
        if runs and day - runs[-1].last <= ONE_DAY:
            runs[-1] = DayRun(runs[-1].first, day)
        else:
            runs.append(DayRun(day, day))
    return runs


def _run_index(runs: Sequence[DayRun], day: date) -> int:
    """The index of the latest run starting on or before `day` (-1 if none does)."""
    return bisect_right(runs, day, key=lambda run: run.first) - 1


def _holds(runs: Sequence[DayRun], day: date) -> bool:
    index = _run_index(runs, day)
    return index >= 0 and day <= runs[index].last


@dataclass(frozen=True, slots=True)
class CurrentStreak:
    days: int
    today_done: bool
    reached: date | None  # the earliest day the walk back looked at (for bounded queries)


def current_streak(runs: Sequence[DayRun], paused: Collection[date], today: date) -> CurrentStreak:
    """Days in a row up to today; an open today does not break a streak alive yesterday.

    `runs` are the session days as `day_runs` gathers them, so a long streak is walked a run
    at a time, not a day at a time. After moving west a session can be dated a day ahead of
    the new "today": it counts as today.
    """
    if _holds(runs, today + ONE_DAY):
        today += ONE_DAY
    today_done = _holds(runs, today)
    day = today if today_done or today in paused else today - ONE_DAY
    index = _run_index(runs, day)
    count = 0
    while True:
        if index >= 0 and day <= runs[index].last:  # a session day: its whole run counts
            count += (day - runs[index].first).days + 1
            day = runs[index].first - ONE_DAY
            index -= 1
        elif day in paused:  # neither counts nor breaks
            day -= ONE_DAY
        else:
            break
    return CurrentStreak(count, today_done, day)


def best_streak(runs: Sequence[DayRun], paused: Collection[date]) -> int:
    """The longest run of session days, paused days bridging but not counting."""
    best = length = 0
    previous: DayRun | None = None
    for run in runs:
        if previous is None or not _all_paused_between(previous.last, run.first, paused):
            length = 0
        length += run.days
        best = max(best, length)
        previous = run
    return best


def _all_paused_between(after: date, before: date, paused: Collection[date]) -> bool:
    day = after + ONE_DAY
    while day < before:
        if day not in paused:
            return False
        day += ONE_DAY
    return True


def paused_days(pauses: Sequence[tuple[date, date | None]], since: date, today: date) -> set[date]:
    """Every paused day from `since` to `today`; an open pause runs through today."""
    days: set[date] = set()
    for starts_on, ends_on in pauses:
        day, end = max(starts_on, since), min(ends_on or today, today)
        while day <= end:
            days.add(day)
            day += ONE_DAY
    return days


def week_start(today: date) -> date:
    """The Monday of today's week."""
    return today - timedelta(days=today.weekday())


def days_this_week(done: Collection[date], today: date) -> int:
    """Session days from Monday to today."""
    start = week_start(today)
    return sum(1 for day in done if start <= day <= today)


@dataclass(frozen=True, slots=True)
class PainTrendSummary:
    first_average: float
    last_average: float
    meaningful: bool

    @property
    def change(self) -> float:
        return self.last_average - self.first_average


def pain_trend_summary(
    pains_by_day: Sequence[tuple[date, int]], meaningful_change: int, days: int = 7
) -> PainTrendSummary | None:
    """The average pain of the first and of the last `days` recorded days, and whether the
    change between them is meaningful. None until there are two separate spans of days."""
    by_day: dict[date, list[int]] = {}
    for day, pain in pains_by_day:
        by_day.setdefault(day, []).append(pain)
    ordered = sorted(by_day)
    if len(ordered) < 2:
        return None
    span = min(days, len(ordered) // 2)
    first = mean(p for day in ordered[:span] for p in by_day[day])
    last = mean(p for day in ordered[-span:] for p in by_day[day])
    return PainTrendSummary(first, last, abs(last - first) >= meaningful_change)
