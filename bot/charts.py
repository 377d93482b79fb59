"""Progress pictures drawn on the server with Pillow: a 12-week calendar and a pain line.

Pure drawing from plain values (days, pains) and the words in the person's language
(`ChartWords`); PNG bytes out, nothing sent from here.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from PIL import Image, ImageDraw, ImageFont

from bot.fonts import font
from content.library import Library

WEEKS = 12
WIDTH = 960
CELL, GAP = 30, 6
BACKGROUND = (255, 255, 255)
INK = (40, 44, 52)
MUTED = (140, 146, 156)
EMPTY = (232, 235, 239)
PAUSED = (200, 205, 214)
GENTLE = (150, 215, 170)
STANDARD = (38, 150, 80)
PAIN_BEFORE = (235, 140, 50)
PAIN_AFTER = (50, 90, 200)
LABELLED_DAYS = (0, 2, 4, 6)  # Monday, Wednesday, Friday, Sunday: every other row

PainRow = tuple[date, int | None, int | None]


@dataclass(frozen=True, slots=True)
class ChartWords:
    """Every word drawn on the pictures, in the person's language."""

    title: str
    pain_title: str
    pain_empty: str
    legend: tuple[str, str, str, str]  # session, gentle session, paused, no session
    before: str
    after: str
    weekdays: tuple[str, ...]  # short names, Monday first
    months: tuple[str, ...]  # short names, January first

    @classmethod
    def of(cls, library: Library) -> ChartWords:
        texts, formats = library.texts, library.formats
        return cls(
            title=texts("chart_title"),
            pain_title=texts("chart_pain_title"),
            pain_empty=texts("chart_pain_empty"),
            legend=(
                texts("chart_session"),
                texts("chart_gentle_session"),
                texts("chart_paused"),
                texts("chart_no_session"),
            ),
            before=texts("chart_before"),
            after=texts("chart_after"),
            weekdays=tuple(formats.weekday_names()),
            months=tuple(formats.month_name(date(2000, month, 1)) for month in range(1, 13)),
        )


def _font(size: int) -> ImageFont.FreeTypeFont:
    return font(size)


def calendar_start(today: date) -> date:
    """The Monday that starts the 12-week calendar ending with today's week."""
    return today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)


def _draw_calendar(
    draw: ImageDraw.ImageDraw,
    top: int,
    days: dict[date, str],
    paused: set[date],
    today: date,
    words: ChartWords,
) -> int:
    """Weeks as columns, Monday at the top; returns the y below it."""
    left = 70
    start = calendar_start(today)
    small = _font(16)
    for row in LABELLED_DAYS:
        label = words.weekdays[row]
        draw.text((20, top + row * (CELL + GAP) + 4), label, fill=MUTED, font=small)
    for week in range(WEEKS):
        monday = start + timedelta(weeks=week)
        if week == 0 or monday.day <= 7:
            draw.text(
                (left + week * (CELL + GAP), top - 24),
                words.months[monday.month - 1],
                fill=MUTED,
                font=small,
            )
        for row in range(7):
            day = monday + timedelta(days=row)
            x, y = left + week * (CELL + GAP), top + row * (CELL + GAP)
            if day > today:
                continue
            colour = {"standard": STANDARD, "gentle": GENTLE}.get(days.get(day, ""), EMPTY)
            if day not in days and day in paused:
                colour = PAUSED
            draw.rounded_rectangle((x, y, x + CELL, y + CELL), radius=6, fill=colour)
            if day == today:
                draw.rounded_rectangle(
                    (x - 3, y - 3, x + CELL + 3, y + CELL + 3), radius=8, outline=INK, width=2
                )
    legend_x = left + WEEKS * (CELL + GAP) + 30
    colours = (STANDARD, GENTLE, PAUSED, EMPTY)
    for index, (colour, text) in enumerate(zip(colours, words.legend, strict=True)):
        y = top + index * (CELL + GAP)
        draw.rounded_rectangle((legend_x, y, legend_x + CELL, y + CELL), radius=6, fill=colour)
        draw.text((legend_x + CELL + 12, y + 4), text, fill=INK, font=small)
    return top + 7 * (CELL + GAP)


def _draw_pain(
    draw: ImageDraw.ImageDraw, top: int, pains: Sequence[PainRow], today: date, words: ChartWords
) -> int:
    """Pain 0-10 over the same 12 weeks: before (orange) and after (blue) each session."""
    left, right, height = 70, WIDTH - 40, 200
    start = calendar_start(today)
    span = (today - start).days or 1
    small = _font(16)
    draw.text((20, top - 32), words.pain_title, fill=INK, font=_font(20))
    for level in (0, 5, 10):
        y = top + height - level * height // 10
        draw.line((left, y, right, y), fill=EMPTY, width=1)
        draw.text((40, y - 9), str(level), fill=MUTED, font=small)
    shown = [row for row in pains if start <= row[0] <= today]
    if not shown:
        draw.text(
            (left + 20, top + height // 2 - 10),
            words.pain_empty,
            fill=MUTED,
            font=small,
        )
        return top + height + 20

    def point(day: date, pain: int) -> tuple[int, int]:
        return left + (right - left) * (
            day - start
        ).days // span, top + height - pain * height // 10

    for index, colour in ((1, PAIN_BEFORE), (2, PAIN_AFTER)):
        points = [point(row[0], row[index]) for row in shown if row[index] is not None]  # type: ignore[arg-type]
        if len(points) > 1:
            draw.line(points, fill=colour, width=3, joint="curve")
        for x, y in points:
            draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill=colour)
    x, y = left, top + height + 20
    for colour, text in ((PAIN_BEFORE, words.before), (PAIN_AFTER, words.after)):
        draw.ellipse((x, y, x + 10, y + 10), fill=colour)
        draw.text((x + 16, y - 6), text, fill=colour, font=small)
        x += 16 + round(draw.textlength(text, font=small)) + 40
    return top + height + 50


def wrapped(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """`text` broken between words into lines no wider than `width` pixels."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and face.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def progress_picture(
    days: dict[date, str],
    paused: set[date],
    pains: Sequence[PainRow],
    today: date,
    words: ChartWords,
) -> bytes:
    """The /streak picture: the last 12 weeks of sessions and pain."""
    image = Image.new("RGB", (WIDTH, 700), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.text((20, 12), words.title, fill=INK, font=font(26, bold=True))
    bottom = _draw_calendar(draw, 90, days, paused, today, words)
    _draw_pain(draw, bottom + 70, pains, today, words)
    return _png(image)


def summary_page(
    title: str,
    lines: Sequence[str],
    days: dict[date, str],
    paused: set[date],
    pains: Sequence[PainRow],
    today: date,
    words: ChartWords,
) -> bytes:
    """A one-page summary to show a physiotherapist: key facts, calendar and pain."""
    line_height = 30
    text_top = 80
    lines = [part for line in lines for part in wrapped(line, _font(20), WIDTH - 40)]
    calendar_top = text_top + line_height * len(lines) + 60
    image = Image.new("RGB", (WIDTH, calendar_top + 7 * (CELL + GAP) + 380), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.text((20, 16), title, fill=INK, font=font(30, bold=True))
    for index, line in enumerate(lines):
        draw.text((20, text_top + index * line_height), line, fill=INK, font=_font(20))
    bottom = _draw_calendar(draw, calendar_top, days, paused, today, words)
    _draw_pain(draw, bottom + 70, pains, today, words)
    return _png(image)
