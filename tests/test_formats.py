"""Dates, weekdays, times and numbers as each language's readers expect them (Babel)."""

from datetime import date, datetime, time

import pytest

from content.i18n import Formats

THURSDAY_MORNING = datetime(2026, 11, 26, 8, 0)


@pytest.mark.parametrize(
    ("language", "moment", "full_date", "tenths"),
    [
        ("en", "Thu 26 Nov, 08:00", "26 Nov 2026", "4.5"),
        ("ru", "чт, 26 нояб., 08:00", "26 нояб. 2026\u202fг.", "4,5"),
        ("uk", "чт, 26 лист., 08:00", "26 лист. 2026\u202fр.", "4,5"),
        ("es", "jue, 26 nov, 8:00", "26 nov 2026", "4,5"),
        ("pt_BR", "qui., 26 de nov., 08:00", "26 de nov. de 2026", "4,5"),
        ("de", "Do., 26. Nov., 08:00", "26.11.2026", "4,5"),
    ],
)
def test_each_language_formats_dates_and_numbers_its_own_way(
    language: str, moment: str, full_date: str, tenths: str
) -> None:
    formats = Formats(language)
    assert formats.moment(THURSDAY_MORNING) == moment
    assert formats.full_date(THURSDAY_MORNING.date()) == full_date
    assert formats.tenths(4.5) == tenths


def test_weekdays_start_on_monday_and_months_stand_alone() -> None:
    assert Formats("en").weekday_names()[:2] == ["Mon", "Tue"]
    assert Formats("ru").weekday_names()[0] == "пн"
    assert Formats("de").month_name(date(2026, 3, 1)) == "Mär"
    assert Formats("en").clock(time(7, 5)) == "07:05"
