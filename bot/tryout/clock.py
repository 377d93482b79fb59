"""The try-out's clock: real time plus the jumps a person asked for, shared by every tab."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


class OffsetClock:
    """Reads as real UTC time moved forward by every jump so far; the bot reads only this."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def jump(self, by: timedelta) -> datetime:
        """Move forward (never back: the bot's records only go forward); return the new now."""
        self.offset += max(by, timedelta(0))
        return self()

    def jump_to(self, instant: datetime) -> datetime:
        """Move forward to `instant`, if it is still ahead; return the new now."""
        return self.jump(instant - self())


def next_at(now: datetime, zone: ZoneInfo, at: time) -> datetime:
    """The next `at` in `zone` after `now` (today's if still ahead, else tomorrow's), in UTC.

    "Tomorrow 08:00" at 00:30 would skip the coming morning's reminder as too late."""
    today = now.astimezone(zone).date()
    candidate = datetime.combine(today, at, tzinfo=zone).astimezone(UTC)
    if candidate > now:
        return candidate
    return datetime.combine(today + timedelta(days=1), at, tzinfo=zone).astimezone(UTC)
