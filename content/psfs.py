"""Patient-Specific Functional Scale: the person's own hard activities, each rated 0-10.

0 means "can't do it at all", 10 "as well as before the problem". A change of 2 points or more
is clinically meaningful (Abbott & Schmitt 2014). Pure rules: names, weekly due dates, trends.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

MAX_ACTIVITIES = 3
MAX_NAME_CHARACTERS = 60  # visible characters of a typed activity
MAX_NAME_CODE_POINTS = 200  # the column's size: combining marks and emoji joiners add up
MEANINGFUL_CHANGE = 2
# Common hard activities offered as buttons; each key names a sentence `activity_<key>`.
COMMON_ACTIVITIES = ("sitting", "socks", "walking", "sleeping", "driving")

_WHITESPACE = re.compile(r"\s+")
# Not seen as characters of their own: combining marks, joiners, variation selectors.
_INVISIBLE_CATEGORIES = {"Mn", "Me", "Cf"}


def clean_activity_name(typed: str) -> str | None:
    """A typed activity trimmed, with runs of spaces and line breaks made one space; None
    when it is empty, too long (over 60 visible characters) or holds control characters."""
    name = _WHITESPACE.sub(" ", typed).strip()
    if not name or len(name) > MAX_NAME_CODE_POINTS:
        return None
    categories = [unicodedata.category(character) for character in name]
    if any(category in ("Cc", "Co", "Cs") for category in categories):
        return None
    visible = sum(1 for category in categories if category not in _INVISIBLE_CATEGORIES)
    if visible == 0 or visible > MAX_NAME_CHARACTERS:
        return None
    return name


def same_activity(first: str, second: str) -> bool:
    """Whether two names are the same activity (case and spacing aside)."""
    return _WHITESPACE.sub(" ", first).strip().casefold() == (
        _WHITESPACE.sub(" ", second).strip().casefold()
    )


def week_start(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def psfs_due(last_rated_on: date | None, today: date) -> bool:
    """Whether the weekly rating is due: never rated, or last rated before this week's Monday."""
    return last_rated_on is None or week_start(last_rated_on) < week_start(today)


@dataclass(frozen=True, slots=True)
class ActivityTrend:
    """One activity's first and latest score, and whether the change means something."""

    first: int
    latest: int
    ratings: int
    first_on: date
    latest_on: date

    @property
    def change(self) -> int:
        return self.latest - self.first

    @property
    def meaningful(self) -> bool:
        return abs(self.change) >= MEANINGFUL_CHANGE


def activity_trend(scores: Sequence[tuple[date, int]]) -> ActivityTrend | None:
    """The trend of one activity's ratings (day, 0-10 score); None before any rating."""
    if not scores:
        return None
    ordered = sorted(scores, key=lambda rating: rating[0])
    (first_on, first), (latest_on, latest) = ordered[0], ordered[-1]
    return ActivityTrend(first, latest, len(ordered), first_on, latest_on)
