"""Progress: /streak (text and picture) and /export for the physio (/pause is bot/pause.py).

Over 300 lines because /streak and /export share the progress they read (streak, pain trend,
activities); moving /export to its own module is the next step when it grows.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import charts, psfs
from bot.callbacks import Action, Callback, pattern
from bot.interaction import chat_id_of, current_user, on_press
from bot.keyboards import button, one_per_row
from bot.services import CoachContext, Services
from content.i18n import SOURCE_LANGUAGE
from content.models import RegionKey
from content.statuses import ExerciseOutcome, SymptomChangeKey
from content.streaks import (
    CurrentStreak,
    DayRun,
    best_streak,
    current_streak,
    days_this_week,
    pain_trend_summary,
    paused_days,
)
from content.texts import Html, join_lines
from storage.models import ExerciseSession, Pause, User
from storage.progress import (
    first_and_last_pains,
    pain_by_day,
    pauses_of_user,
    session_days,
    session_runs,
    sessions_for_export,
)
from storage.psfs import rated_activities
from storage.safety import dropped_exercise_keys

PICTURE_DAYS = 7 * charts.WEEKS  # the picture's 12 weeks, with the days of this week
EXPORT_COLUMNS = (
    "local_date",
    "local_start",
    "status",
    "region",
    "side",
    "dose_level",
    "duration_min",
    "pain_before",
    "pain_after",
    "reach_before",
    "symptom_change",
    "exercises_done",
    "exercises_skipped",
    "exercises_stopped",
    "exercises_dropped",  # left out of the routine: it hurt in sessions in a row
)


def local_today(services: Services, user: User) -> date:
    return services.clock().astimezone(ZoneInfo(user.timezone)).date()


@dataclass(frozen=True)
class Progress:
    """Everything /streak shows, computed in the user's time zone."""

    today: date
    days: dict[date, str]
    paused: set[date]
    streak: CurrentStreak
    best: int
    this_week: int
    total: int
    last_day: date | None
    pause: Pause | None


@dataclass(frozen=True)
class History:
    """A person's counted sessions as runs of days, and their pauses, read once."""

    runs: list[DayRun]
    sessions: int
    pauses: list[Pause]
    paused: set[date]

    def streak(self, today: date) -> CurrentStreak:
        return current_streak(self.runs, self.paused, today)

    @property
    def best(self) -> int:
        return best_streak(self.runs, self.paused)

    def pause_on(self, day: date) -> Pause | None:
        """The latest pause covering `day`, if any."""
        covering = [p for p in self.pauses if p.starts_on <= day and (p.ends_on or day) >= day]
        return covering[-1] if covering else None


async def load_history(db: AsyncSession, user: User, today: date) -> History:
    """Two reads whatever the history's length: a year of daily sessions is one run."""
    runs = await session_runs(db, user.id)
    pauses = await pauses_of_user(db, user.id)
    # Every paused day the person has, also before their first session (the picture shows them).
    since = min([today, *(first for first, _, _ in runs[:1]), *(p.starts_on for p in pauses)])
    return History(
        runs=[DayRun(first, last) for first, last, _ in runs],
        sessions=sum(sessions for *_, sessions in runs),
        pauses=pauses,
        paused=paused_days([(p.starts_on, p.ends_on) for p in pauses], since, today),
    )


async def record_best_streak(db: AsyncSession, user: User, today: date) -> int:
    """Keep the best streak up to date (called whenever a session ends or progress is read)."""
    history = await load_history(db, user, today)
    _raise_best_streak(user, history.best)
    return user.best_streak


def _raise_best_streak(user: User, best: int) -> None:
    if best > user.best_streak:  # only then: an unchanged user is not flushed before each read
        user.best_streak = best


async def load_progress(db: AsyncSession, services: Services, user: User) -> Progress:
    today = local_today(services, user)
    history = await load_history(db, user, today)
    _raise_best_streak(user, history.best)
    days = await session_days(db, user.id, today - timedelta(days=PICTURE_DAYS))
    return Progress(
        today=today,
        days=days,
        paused=history.paused,
        streak=history.streak(today),
        best=user.best_streak,
        this_week=days_this_week(days.keys(), today),
        total=history.sessions,
        last_day=history.runs[-1].last if history.runs else None,
        pause=history.pause_on(today),
    )


def progress_text(services: Services, progress: Progress, pain_line: str) -> Html:
    texts, formats = services.library.texts, services.library.formats
    if progress.total == 0:
        body = texts("progress_none")
    else:
        streak = progress.streak
        body = join_lines(
            texts(
                "progress_streak",
                days=streak.days,
                today=texts("progress_today_done" if streak.today_done else "progress_today_open"),
            ),
            texts("progress_best", days=progress.best),
            texts("progress_week", done=progress.this_week, target=services.settings.weekly_target),
            texts(
                "progress_total",
                count=progress.total,
                last=texts("progress_last", day=formats.day(progress.last_day))
                if progress.last_day
                else "",
            ),
            pain_line,
        )
    pause_line = ""
    if progress.pause is not None:
        until = progress.pause.ends_on
        pause_line = texts(
            "progress_paused",
            until=texts("progress_paused_until", day=formats.day(until)) if until else "",
        )
    return join_lines(texts("progress_title"), body, pause_line)


async def pain_line(db: AsyncSession, services: Services, user: User) -> Html:
    texts, formats = services.library.texts, services.library.formats
    trend = pain_trend_summary(
        await first_and_last_pains(db, user.id), services.library.stop_rules.meaningful_pain_change
    )
    if trend is None:
        return Html("")
    verdict = "progress_pain_same"
    if trend.meaningful:
        verdict = "progress_pain_better" if trend.change < 0 else "progress_pain_worse"
    return texts(
        "progress_pain",
        first=formats.tenths(trend.first_average),
        last=formats.tenths(trend.last_average),
        verdict=texts(verdict),
    )


async def show_streak(update: Update, context: CoachContext) -> None:
    """/streak: the summary as the caption of a 12-week picture, with pause and export."""
    services = context.services
    texts = services.library.texts
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        progress = await load_progress(db, services, user)
        caption = progress_text(services, progress, await pain_line(db, services, user))
        activities, rate_button = await psfs.streak_section(db, services, user)
        pains = await pain_by_day(db, user.id, charts.calendar_start(progress.today))
    picture = charts.progress_picture(
        progress.days,
        progress.paused,
        pains,
        progress.today,
        charts.ChartWords.of(services.library),
    )
    pause_button = (
        button(texts("button_end_pause"), Action.PAUSE, "end")
        if progress.pause
        else button(texts("button_pause"), Action.PAUSE, "ask")
    )
    await context.bot.send_photo(
        chat_id_of(update),
        InputFile(picture, filename="progress.png"),
        caption=join_lines(caption, activities),
        reply_markup=one_per_row(
            [
                *([rate_button] if rate_button else []),
                pause_button,
                button(texts("button_export"), Action.EXPORT),
            ]
        ),
    )


# --- export


def sessions_csv(services: Services, sessions: list[ExerciseSession], zone: ZoneInfo) -> bytes:
    """One row per session, in the user's local time; exercises by name and side.

    The file is for spreadsheets and other programs, so it stays the same in every language:
    English headers, ISO dates, English codes and exercise names. The summary page beside it
    is the part for people, in their language.
    """
    source = services.libraries(SOURCE_LANGUAGE)
    names = {key: exercise.name for key, exercise in source.exercises.items()}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for session in sessions:
        started = session.started_at.astimezone(zone)
        duration = (
            round((session.ended_at - session.started_at).total_seconds() / 60, 1)
            if session.ended_at
            else ""
        )

        def exercises(outcome: str, session: ExerciseSession = session) -> str:
            return "; ".join(
                names.get(e.exercise_key, e.exercise_key) + (f" ({e.side})" if e.side else "")
                for e in session.exercises
                if e.outcome == outcome
            )

        writer.writerow(
            [
                session.local_date.isoformat(),
                started.strftime("%H:%M"),
                session.status,
                session.region,
                session.side,
                session.dose_level,
                duration,
                _blank(session.pain_before),
                _blank(session.pain_after),
                _blank(session.reach_before),
                session.symptom_change or "",
                exercises(ExerciseOutcome.DONE),
                exercises(ExerciseOutcome.SKIPPED),
                exercises(ExerciseOutcome.STOPPED),
                "; ".join(names.get(key, key) for key in session.dropped_keys),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _blank(value: int | None) -> str | int:
    return "" if value is None else value


def summary_lines(
    services: Services,
    user: User,
    progress: Progress,
    sessions: list[ExerciseSession],
    pain: str,
    dropped: list[str],
    activities: Sequence[str] = (),
) -> list[str]:
    """The facts on the physio summary page, as plain text (it is drawn, not sent as HTML)."""
    texts, formats = services.library.texts, services.library.formats
    region = services.library.regions[RegionKey(user.region)].name if user.region else "-"
    outcomes = [e.outcome for s in sessions for e in s.exercises]
    changes = [s.symptom_change for s in sessions]
    exercises = services.library.exercises
    dropped_names = [exercises[key].name for key in dropped if key in exercises]
    lines = [
        texts(
            "summary_area",
            region=region,
            side_words=texts(f"side_words_{user.side}") if user.side else "-",
        ),
        texts(
            "summary_sessions",
            counted=progress.total,
            started=len(sessions),
            first=formats.full_date(sessions[0].local_date) if sessions else "-",
            last=formats.full_date(sessions[-1].local_date) if sessions else "-",
        ),
        texts(
            "summary_streak",
            days=progress.streak.days,
            best=progress.best,
            level=texts(f"level_{user.dose_level}"),
        ),
        texts(
            "summary_reactions",
            stopped=outcomes.count(ExerciseOutcome.STOPPED),
            spread=changes.count(SymptomChangeKey.SPREAD),
            centralised=changes.count(SymptomChangeKey.CENTRALISED),
        ),
        pain or texts("summary_no_pain"),
        texts("summary_dropped", names=", ".join(dropped_names)) if dropped_names else "",
        *activities,
        texts("summary_footer"),
    ]
    return [_plain(line) for line in lines if line]


async def export(update: Update, context: CoachContext) -> None:
    """/export: a CSV of every session and a one-page summary picture."""
    services = context.services
    texts = services.library.texts
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        zone = ZoneInfo(user.timezone)
        sessions = await sessions_for_export(db, user.id)
        progress = await load_progress(db, services, user)
        pain = await pain_line(db, services, user)
        pains = await pain_by_day(db, user.id, charts.calendar_start(progress.today))
        table = sessions_csv(services, sessions, zone)
        dropped = await dropped_exercise_keys(db, user.id)
        rated = await rated_activities(db, user.id, include_retired=True)
        activity_lines = psfs.summary_lines(services, rated)
        lines = summary_lines(services, user, progress, sessions, pain, dropped, activity_lines)
    page = charts.summary_page(
        texts("summary_title"),
        lines,
        progress.days,
        progress.paused,
        pains,
        progress.today,
        charts.ChartWords.of(services.library),
    )
    chat_id = chat_id_of(update)
    await context.bot.send_document(
        chat_id,
        InputFile(table, filename=f"nerve-coach-sessions-{progress.today.isoformat()}.csv"),
        caption=texts("export_caption"),
    )
    if any(activity.ratings for activity in rated):
        # A second small table: its rows are ratings, not sessions, so mixing them into the
        # sessions' table would leave most of either's columns empty.
        await context.bot.send_document(
            chat_id,
            InputFile(
                psfs.activities_csv(rated),
                filename=f"nerve-coach-activities-{progress.today.isoformat()}.csv",
            ),
            caption=texts("activities_export_caption"),
        )
    await context.bot.send_document(
        chat_id,
        InputFile(page, filename=f"nerve-coach-summary-{progress.today.isoformat()}.png"),
        caption=texts("summary_caption"),
    )


def _plain(html_text: str) -> str:
    """Telegram HTML as the plain text drawn on a picture."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text)).replace("→", "->")


@on_press
async def on_export(update: Update, context: CoachContext, callback: Callback) -> str | None:
    await export(update, context)
    return None


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    return [
        CommandHandler("streak", show_streak),
        CommandHandler("export", export),
        CallbackQueryHandler(on_export, pattern=pattern(Action.EXPORT)),
    ]
