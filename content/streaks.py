"""Streaks, weekly progress and pain trend as pure functions over local dates.

A streak is consecutive local days with a session. Paused days (a flare, a rest) neither count
nor break it; gentle sessions count like any other. A streak alive through yesterday stays
alive today, marked "today still to do", instead of dropping to zero in the morning.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import mean

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class CurrentStreak:
    days: int
    today_done: bool
    reached: date | None  # the earliest day the walk back looked at (for bounded queries)


def current_streak(done: Collection[date], paused: Collection[date], today: date) -> CurrentStreak:
    """Days in a row up to today; an open today does not break a streak alive yesterday.

    After moving west a session can be dated a day ahead of the new "today": it counts as today.
    """
    if today + ONE_DAY in done:
        today += ONE_DAY
    today_done = today in done
    day = today if today_done or today in paused else today - ONE_DAY
    count = 0
    while True:
        if day in done:
            count += 1
        elif day not in paused:
            break
        day -= ONE_DAY
    return CurrentStreak(count, today_done, day)


def best_streak(done: Collection[date], paused: Collection[date]) -> int:
    """The longest run of session days, paused days bridging but not counting."""
    best = run = 0
    if not done:
        return 0
    day, last = min(done), max(done)
    while day <= last:
        if day in done:
            run += 1
            best = max(best, run)
        elif day not in paused:
            run = 0
        day += ONE_DAY
    return best


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
