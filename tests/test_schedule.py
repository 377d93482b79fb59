"""Next reminder instants across DST in several zones, with day filters and typed times."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from content.schedule import EVERY_DAY, WEEKDAYS, local_instant, next_due_utc, parse_time


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone: str, due: datetime | None) -> str:
    assert due is not None
    return due.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("zone", "after", "expected_local"),
    [
        # the day before, the day of and the day after each zone's spring change: 08:00 stays 08:00
        ("Europe/Berlin", utc(2026, 3, 28, 12), "2026-03-29 08:00"),
        ("Europe/Berlin", utc(2026, 3, 29, 12), "2026-03-30 08:00"),
        ("Europe/Berlin", utc(2026, 10, 24, 12), "2026-10-25 08:00"),
        ("America/New_York", utc(2026, 3, 7, 18), "2026-03-08 08:00"),
        ("America/New_York", utc(2026, 10, 31, 18), "2026-11-01 08:00"),
        ("Australia/Sydney", utc(2026, 4, 4, 2), "2026-04-05 08:00"),
        ("Australia/Sydney", utc(2026, 10, 3, 2), "2026-10-04 08:00"),
        ("Asia/Kolkata", utc(2026, 6, 1, 3), "2026-06-02 08:00"),
        ("Pacific/Chatham", utc(2026, 4, 4, 12), "2026-04-05 08:00"),
        ("Pacific/Chatham", utc(2026, 9, 26, 12), "2026-09-27 08:00"),
    ],
)
def test_eight_oclock_stays_eight_oclock_local_across_dst(
    zone: str, after: datetime, expected_local: str
) -> None:
    due = next_due_utc(time(8, 0), ZoneInfo(zone), EVERY_DAY, after)
    assert local(zone, due) == expected_local


def test_the_dst_offset_is_applied_on_each_side_of_the_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    assert local_instant(date(2026, 3, 28), time(8), berlin) == utc(2026, 3, 28, 7)
    assert local_instant(date(2026, 3, 30), time(8), berlin) == utc(2026, 3, 30, 6)


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected_local"),
    [
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), "2026-03-29 03:00"),
        ("America/New_York", date(2026, 3, 8), time(2, 15), "2026-03-08 03:00"),
        ("Australia/Sydney", date(2026, 10, 4), time(2, 30), "2026-10-04 03:00"),
        ("Pacific/Chatham", date(2026, 9, 27), time(2, 50), "2026-09-27 03:45"),
    ],
)
def test_a_time_in_the_spring_gap_goes_out_at_the_first_valid_minute(
    zone: str, day: date, at: time, expected_local: str
) -> None:
    assert local(zone, local_instant(day, at, ZoneInfo(zone))) == expected_local


def test_the_repeated_autumn_hour_sends_once() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    first = next_due_utc(time(2, 30), berlin, EVERY_DAY, utc(2026, 10, 24, 12))
    assert first == utc(2026, 10, 25, 0, 30)  # the first 02:30 (summer time)
    second = next_due_utc(time(2, 30), berlin, EVERY_DAY, first)
    assert local("Europe/Berlin", second) == "2026-10-26 02:30"


def test_weekdays_only_skips_the_weekend() -> None:
    friday_evening = utc(2026, 11, 27, 20)
    due = next_due_utc(time(7, 30), ZoneInfo("Europe/Berlin"), WEEKDAYS, friday_evening)
    assert local("Europe/Berlin", due) == "2026-11-30 07:30"  # Monday


def test_a_done_or_skipped_day_is_not_reminded() -> None:
    zone = ZoneInfo("Asia/Kolkata")
    after = utc(2026, 6, 1, 0)  # 05:30 local on 1 June
    assert (
        local("Asia/Kolkata", next_due_utc(time(8), zone, EVERY_DAY, after)) == "2026-06-01 08:00"
    )
    skipped = next_due_utc(time(8), zone, EVERY_DAY, after, not_on_or_before=date(2026, 6, 1))
    assert local("Asia/Kolkata", skipped) == "2026-06-02 08:00"


def test_no_allowed_day_means_no_reminder() -> None:
    assert next_due_utc(time(8), ZoneInfo("UTC"), 0, utc(2026, 1, 1)) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7:30", time(7, 30)),
        ("19:30", time(19, 30)),
        ("7am", time(7)),
        ("7.30 pm", time(19, 30)),
        ("12am", time(0)),
        ("12 pm", time(12)),
        ("8h15", time(8, 15)),
        ("25:00", None),
        ("13pm", None),
        ("soon", None),
        ("", None),
    ],
)
def test_typed_times_are_understood(typed: str, expected: time | None) -> None:
    assert parse_time(typed) == expected
