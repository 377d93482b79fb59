"""When the next daily reminder is due, in the user's own zone: pure functions over plain values.

08:00 stays 08:00 local across DST changes; a time inside the spring-forward gap goes out at
the first valid minute after it; in the repeated autumn hour the first occurrence is used, and
because the next due time is always computed after the last one, it is sent once.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

EVERY_DAY = 0b1111111
WEEKDAYS = 0b0011111  # Monday is bit 0, as date.weekday() counts
_LONGEST_GAP_MINUTES = 24 * 60  # Samoa skipped a whole day in 2011


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of `at` on `day` in `zone`; a time in a DST gap moves to the gap's end."""
    naive = datetime.combine(day, at)
    for minute in range(_LONGEST_GAP_MINUTES + 1):
        candidate = naive + timedelta(minutes=minute)
        aware = candidate.replace(tzinfo=zone)  # fold=0: the first of two repeated times
        if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == candidate:
            return aware.astimezone(UTC)
    raise ValueError(f"{naive} never exists in {zone.key}")


def next_due_utc(
    at: time,
    zone: ZoneInfo,
    weekdays: int,
    after: datetime,
    *,
    not_on_or_before: date | None = None,
) -> datetime | None:
    """The first reminder instant strictly after `after` on an allowed weekday.

    `not_on_or_before` skips local days up to and including it (today done, or skipped).
    None when no weekday is allowed.
    """
    if not weekdays & EVERY_DAY:
        return None
    start = after.astimezone(zone).date()
    for offset in range(0, 9):
        day = start + timedelta(days=offset)
        if not weekdays & (1 << day.weekday()):
            continue
        if not_on_or_before is not None and day <= not_on_or_before:
            continue
        due = local_instant(day, at, zone)
        if due > after:
            return due
    return None


_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*$", re.IGNORECASE)
# ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
_CLOCK_WORD = re.compile(r"([0-9]{2})([0-9]{2})", re.ASCII)


def clock_word(at: time) -> str:
    """A time as four digits, HHMM: how the time buttons and the flow's data carry it."""
    return at.strftime("%H%M")


def parse_clock_word(word: str) -> time | None:
    """Four digits HHMM ("0730") as a time; None unless it is a real time of day ("2500")."""
    match = _CLOCK_WORD.fullmatch(word)
    if not match:
        return None
    return _valid_time(int(match.group(1)), int(match.group(2)))


def _valid_time(hour: int, minute: int) -> time | None:
    return time(hour, minute) if 0 <= hour <= 23 and 0 <= minute <= 59 else None


def parse_time(text: str) -> time | None:
    """A typed time such as 7:30, 19:30, 0730, 7am or 7.30 pm; None if it is not one."""
    if (at := parse_clock_word(text.strip())) is not None:
        return at
    match = _TIME.match(text)
    if not match:
        return None
    # \d matches any Unicode decimal digit ("٧"), and int() reads every one of them.
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower().replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    return _valid_time(hour, minute)


# Zones for "this is my time now": whole-hour offsets (which do not follow daylight saving)
# plus the places whose offset is not a whole hour.
OFFSET_ZONES: tuple[str, ...] = (
    *(f"Etc/GMT{-hours:+d}" if hours else "Etc/GMT" for hours in range(-11, 15)),
    "America/St_Johns",
    "Asia/Tehran",
    "Asia/Kabul",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Yangon",
    "Australia/Darwin",
    "Australia/Adelaide",
    "Pacific/Chatham",
)


def offset_choices(now: datetime) -> list[tuple[int, str]]:
    """(index into OFFSET_ZONES, local time now) for each zone, earliest local time first,
    one per distinct local time."""
    seen: dict[str, int] = {}
    for index, zone in enumerate(OFFSET_ZONES):
        shown = now.astimezone(ZoneInfo(zone)).strftime("%H:%M")
        seen.setdefault(shown, index)
    return sorted(((index, shown) for shown, index in seen.items()), key=lambda pair: pair[1])


def weekdays_of(mask: int) -> list[int]:
    """The weekday numbers (Monday 0) a day mask allows."""
    return [day for day in range(7) if mask & (1 << day)]


def find_zone(text: str, known: set[str]) -> str | None:
    """An IANA zone from what a person typed: 'Europe/Berlin', 'berlin' or 'New York'."""
    wanted = text.strip().replace(" ", "_").lower()
    if not wanted:
        return None
    by_lower = {zone.lower(): zone for zone in known}
    if wanted in by_lower:
        return by_lower[wanted]
    cities = sorted(zone for zone in known if zone.lower().rsplit("/", 1)[-1] == wanted)
    return cities[0] if cities else None


@cache
def known_zones() -> set[str]:
    """Every IANA zone this machine knows (read once)."""
    return zoneinfo.available_timezones()


# A button word of one letter and an index: "o3" (the fourth offset zone), "t0" (Monday).
_INDEX_WORD = re.compile(r"([a-z])([0-9]{1,2})", re.ASCII)


def index_word(word: str, letter: str, count: int) -> int | None:
    """The index in a button word such as "o3", if it has this letter and is below `count`."""
    match = _INDEX_WORD.fullmatch(word)
    if match is None or match.group(1) != letter:
        return None
    index = int(match.group(2))
    return index if index < count else None
