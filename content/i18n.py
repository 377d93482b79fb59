"""The languages the coach speaks, their gettext catalogues and their date formats.

English in content/data is the source. Every other language is one gettext catalogue,
content/locales/<language>/LC_MESSAGES/messages.po (written by people, checked by the tests),
compiled to messages.mo by the install step (`make`). Messages are looked up by context and
English text (see content.translatable); a message missing from a catalogue falls back to the
English sentence. Dates, weekdays and times are formatted by Babel for the language's locale.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, get_day_names, get_month_names
from babel.numbers import format_decimal

SOURCE_LANGUAGE = "en"
# Language code -> its name in itself (shown on the /language buttons).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "ru": "Русский",
    "uk": "Українська",
    "es": "Español",
    "pt_BR": "Português (Brasil)",
    "de": "Deutsch",
}
# The Babel locale used for dates and numbers; English texts are written in British English.
FORMAT_LOCALES = {"en": "en_GB"}
LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"


class CatalogueMissing(RuntimeError):
    """A language's compiled catalogue is not there: the install step (`make`) builds it."""


def language_from_telegram(code: str | None) -> str:
    """The coach's language for Telegram's `language_code` (IETF tag); English for the rest.

    Portuguese of any country gets Brazilian Portuguese, the one we have.
    """
    if not code:
        return SOURCE_LANGUAGE
    primary = code.replace("_", "-").split("-")[0].lower()
    if primary == "pt" and "pt_BR" in LANGUAGES:
        return "pt_BR"
    return primary if primary in LANGUAGES else SOURCE_LANGUAGE


def known_language(language: str | None) -> str:
    """A stored language as one we speak (English for anything unknown or missing)."""
    return language if language in LANGUAGES else SOURCE_LANGUAGE


def catalogue_path(language: str, locales_dir: Path = LOCALES_DIR, suffix: str = ".po") -> Path:
    return locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


@cache
def catalogue(language: str, locales_dir: Path = LOCALES_DIR) -> gettext.NullTranslations:
    """The compiled catalogue of `language` (English needs none)."""
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    compiled = catalogue_path(language, locales_dir, ".mo")
    try:
        with compiled.open("rb") as file:
            return gettext.GNUTranslations(file)
    except FileNotFoundError:
        raise CatalogueMissing(
            f"{compiled} is missing: run `make` (it compiles the catalogues on install)"
        ) from None


@dataclass(frozen=True, slots=True)
class Formats:
    """Dates, times and numbers as a person reading `language` expects them."""

    language: str

    @property
    def locale(self) -> Locale:
        return Locale.parse(FORMAT_LOCALES.get(self.language, self.language))

    def day(self, value: date) -> str:
        """Weekday, day and month: "Thu 26 Nov", "чт, 26 нояб."."""
        return format_skeleton("MMMEd", value, locale=self.locale)

    def short_date(self, value: date) -> str:
        """Day and month: "26 Nov", "26 нояб."."""
        return format_skeleton("MMMd", value, locale=self.locale)

    def full_date(self, value: date) -> str:
        """Day, month and year: "26 Nov 2026", "26 нояб. 2026 г."."""
        return format_date(value, "medium", locale=self.locale)

    def clock(self, value: time | datetime) -> str:
        """A time of day: "08:00", "8:00"."""
        return format_time(value, "short", locale=self.locale)

    def moment(self, value: datetime) -> str:
        """Weekday, day, month and time: "Thu 26 Nov, 08:00", "чт, 26 нояб., 08:00"."""
        return f"{self.day(value)}, {self.clock(value)}"

    def short_moment(self, value: datetime) -> str:
        """Day, month and time: "26 Nov, 08:00"."""
        return f"{self.short_date(value)}, {self.clock(value)}"

    def weekday_names(self) -> list[str]:
        """Short weekday names, Monday first."""
        names = get_day_names("abbreviated", context="stand-alone", locale=self.locale)
        return [names[day] for day in range(7)]

    def month_name(self, value: date) -> str:
        """The short name of the month, standing alone: "Nov", "нояб."."""
        names = get_month_names("abbreviated", context="stand-alone", locale=self.locale)
        return str(names[value.month])

    def tenths(self, value: float) -> str:
        """A number to one decimal place with the locale's decimal mark: "4.5", "4,5"."""
        return format_decimal(value, format="#,##0.0", locale=self.locale)
