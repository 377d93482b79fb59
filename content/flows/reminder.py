"""/reminder settings as a pure flow: a time (pressed or typed), a zone (kept, typed, shared as a
location or picked by the time it is there now), the days (presets or toggles), or off.

The reminder itself and its dispatch are in bot/reminders.py; this is only the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from content.flows import menu
from content.flows.actions import Action
from content.flows.core import (
    END,
    Button,
    FlowEvent,
    FlowState,
    Show,
    Target,
    Toast,
    Transition,
    column,
    rows,
)
from content.schedule import (
    EVERY_DAY,
    OFFSET_ZONES,
    WEEKDAYS,
    clock_word,
    find_zone,
    index_word,
    known_zones,
    next_due_utc,
    offset_choices,
    parse_clock_word,
    parse_time,
    weekdays_of,
)
from content.texts import Html, Texts, join_lines

FLOW = "reminder"
COMMON_TIMES = ("0700", "0800", "1200", "1800", "2000")
PRESET_DAYS = {"all": EVERY_DAY, "weekdays": WEEKDAYS}


class Step(StrEnum):
    TIME = "time"
    ZONE = "zone"
    DAYS = "days"


class Kind(StrEnum):
    BEGIN = "begin"  # /reminder, or "Yes, remind me daily"
    TIME = "time"  # a time button; args: (word,)
    ZONE = "zone"  # a zone button: keep, times, o<index>; args: (word,)
    DAYS = "days"  # a days button: all, weekdays, pick, t<day>, done; args: (word,)
    TYPED = "typed"  # typed text, or the zone at a shared location (empty: off the map)
    OFF = "off"


# Steps where typed text is an answer.
TEXT_STEPS = frozenset({Step.TIME, Step.ZONE})


@dataclass(frozen=True, slots=True)
class ReminderView:
    """The reminder as stored, for describing it."""

    local_time: time
    weekdays: int
    timezone: str
    next_due_utc: datetime | None
    enabled: bool


@dataclass(frozen=True, slots=True)
class ReminderEnv:
    texts: Texts
    now: datetime  # aware, UTC
    zone: str  # the person's zone as saved
    reminder: ReminderView | None
    blocked: bool  # a warning sign: no invitations to exercise until cleared


@dataclass(frozen=True, slots=True)
class SetZone:
    """Save the person's time zone."""

    zone: str


@dataclass(frozen=True, slots=True)
class SaveReminder:
    local_time: time
    weekdays: int
    zone: str
    next_due_utc: datetime | None


@dataclass(frozen=True, slots=True)
class TurnRemindersOff:
    """Keep the reminder's settings, but send none."""


def days_text(texts: Texts, mask: int) -> str:
    if mask == EVERY_DAY:
        return texts("reminder_days_every")
    if mask == WEEKDAYS:
        return texts("reminder_days_weekdays")
    names = texts("day_names").split()
    return ", ".join(names[day] for day in weekdays_of(mask))


def describe(texts: Texts, key: str, view: ReminderView) -> Html:
    """The reminder's time, zone, days and next instant, in the person's local time."""
    due = view.next_due_utc
    zone = ZoneInfo(view.timezone)
    return texts(
        key,
        time=texts.formats.clock(view.local_time),
        zone=view.timezone,
        days=days_text(texts, view.weekdays),
        next=texts.formats.moment(due.astimezone(zone)) if due else "-",
    )


def days_picker(texts: Texts, mask: int) -> Show:
    """Seven toggles (ticked when chosen) and Done."""
    names = texts("day_names").split()
    toggles = [
        Button(("✓ " if mask & (1 << day) else "") + name, Action.REMINDER_DAYS, (f"t{day}",))
        for day, name in enumerate(names)
    ]
    done = Button(texts("button_done"), Action.REMINDER_DAYS, ("done",))
    return Show(texts("reminder_pick_days"), rows(toggles[:4], toggles[4:], [done]))


def local_time_grid(env: ReminderEnv) -> Show:
    """Buttons with the time it is now in each offset, to pick one's own."""
    choices = offset_choices(env.now)
    buttons = [Button(shown, Action.REMINDER_ZONE, (f"o{index}",)) for index, shown in choices]
    grid = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    return Show(env.texts("reminder_pick_time"), rows(*grid))


def question(step: str, data: dict[str, object], env: ReminderEnv) -> Show:
    """The question asked at `step`."""
    texts = env.texts
    if step == Step.TIME:
        times = [Button(f"{w[:2]}:{w[2:]}", Action.REMINDER_TIME, (w,)) for w in COMMON_TIMES]
        return Show(
            texts("reminder_ask_time"),
            rows(times, [Button(texts("button_reminder_off"), Action.REMINDER_OFF)]),
        )
    if step == Step.ZONE:
        current = texts("reminder_zone_current", zone=env.zone)
        return Show(
            texts("reminder_ask_zone", current=current),
            rows(
                [Button(texts("button_keep_zone", zone=env.zone), Action.REMINDER_ZONE, ("keep",))],
                [Button(texts("button_pick_time"), Action.REMINDER_ZONE, ("times",))],
            ),
        )
    mask = data.get("days")
    if isinstance(mask, int):
        return days_picker(texts, mask)
    return Show(
        texts("reminder_ask_days"),
        column(
            [
                Button(texts("button_every_day"), Action.REMINDER_DAYS, ("all",)),
                Button(texts("button_weekdays"), Action.REMINDER_DAYS, ("weekdays",)),
                Button(texts("button_choose_days"), Action.REMINDER_DAYS, ("pick",)),
            ]
        ),
    )


def current_question(state: FlowState, env: ReminderEnv) -> Show:
    """The question someone at `state` is answering."""
    return question(state.step, dict(state.data), env)


def takes_text(state: FlowState) -> bool:
    """Whether typed text (or a shared location) answers the question at `state`."""
    return state.step in TEXT_STEPS


def _go(step: Step, data: dict[str, object], env: ReminderEnv) -> Transition:
    return Transition(FlowState(FLOW, step, data), (question(step, data, env),))


def begin(env: ReminderEnv) -> Transition:
    """Show the reminder as it is now (if any), then ask for a time."""
    if env.blocked:
        return Transition(END, (menu.blocked(env.texts),))
    ask = question(Step.TIME, {}, env)
    if env.reminder is not None and env.reminder.enabled:
        now = describe(env.texts, "reminder_current", env.reminder)
        ask = Show(join_lines(now, ask.text), ask.keyboard)
    return Transition(FlowState(FLOW, Step.TIME), (ask,))


def advance(state: FlowState | None, event: FlowEvent, env: ReminderEnv) -> Transition:
    """The next step of the reminder settings."""
    texts = env.texts
    if event.kind == Kind.BEGIN:
        return begin(env)
    if event.kind == Kind.OFF:  # from any question: the wish is plain, and doing it twice is fine
        return Transition(END, (TurnRemindersOff(), Show(texts("reminder_off"))))
    answer = event.text if event.kind == Kind.TYPED else event.word(0)
    expected = {Kind.TIME: Step.TIME, Kind.ZONE: Step.ZONE, Kind.DAYS: Step.DAYS}.get(
        Kind(event.kind)
    )
    if state is None or answer is None or (expected is not None and state.step != expected):
        return Transition(state or END, (Toast(texts("stale_button")),))
    data = dict(state.data)
    if state.step == Step.TIME:
        return _answer_time(answer, data, env)
    if state.step == Step.ZONE:
        return _answer_zone(state, answer, data, env)
    if event.kind == Kind.TYPED:  # typed text is no answer to the days question
        return Transition(state, (Toast(texts("stale_button")),))
    return _answer_days(state, answer, data, env)


def _answer_time(answer: str, data: dict[str, object], env: ReminderEnv) -> Transition:
    at = parse_time(answer)
    if at is None:
        state = FlowState(FLOW, Step.TIME, data)
        return Transition(state, (Show(env.texts("reminder_time_unknown")),))
    return _go(Step.ZONE, {**data, "time": clock_word(at)}, env)


def _answer_zone(
    state: FlowState, answer: str, data: dict[str, object], env: ReminderEnv
) -> Transition:
    if answer == "times":
        return Transition(state, (local_time_grid(env),))
    zone = zone_from_answer(answer, env.zone)
    if zone is None:
        return Transition(state, (Show(env.texts("reminder_zone_unknown")),))
    moved = _go(Step.DAYS, {**data, "zone": zone}, env)
    return Transition(moved.state, (SetZone(zone), *moved.effects))


def zone_from_answer(answer: str, kept: str) -> str | None:
    """A zone from a button word ("keep", "o<index>") or from what was typed."""
    if answer == "keep":
        return kept
    if (offset := index_word(answer, "o", len(OFFSET_ZONES))) is not None:
        return OFFSET_ZONES[offset]
    return find_zone(answer, known_zones())


def _answer_days(
    state: FlowState, answer: str, data: dict[str, object], env: ReminderEnv
) -> Transition:
    if answer in PRESET_DAYS:
        return _save(data, PRESET_DAYS[answer], env)
    mask = data.get("days")
    mask = mask if isinstance(mask, int) else 0
    if answer == "done":
        if not mask:
            return Transition(state, (Toast(env.texts("reminder_days_none")),))
        return _save(data, mask, env)
    day = index_word(answer, "t", 7)
    if day is None and answer != "pick":
        return Transition(state, (Toast(env.texts("stale_button")),))
    if day is not None:
        mask ^= 1 << day
    picked = FlowState(FLOW, Step.DAYS, {**data, "days": mask})
    picker = days_picker(env.texts, mask)
    if day is not None:  # a tick on the same message: one edit, no new message
        picker = Show(picker.text, picker.keyboard, Target.PRESSED)
    return Transition(picked, (picker,))


def _save(data: dict[str, object], weekdays: int, env: ReminderEnv) -> Transition:
    at = parse_clock_word(str(data["time"]))
    assert at is not None, "only a valid time reaches the days step"
    zone = str(data.get("zone", env.zone))
    due = next_due_utc(at, ZoneInfo(zone), weekdays, env.now)
    saved = ReminderView(at, weekdays, zone, due, enabled=True)
    return Transition(
        END,
        (SaveReminder(at, weekdays, zone, due), Show(describe(env.texts, "reminder_set", saved))),
    )
