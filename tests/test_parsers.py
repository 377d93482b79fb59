"""Every parser of what people type or press returns a value or "not understood", whatever the
Unicode: property tests with Hypothesis, plus the inputs that once crashed the bot."""

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.callbacks import MAX_NUMBER, SHAPES, Action, decode, encode
from bot.reminder_settings import zone_at
from content.flows import psfs as psfs_flow
from content.flows import reminder as reminder_flow
from content.flows.core import FlowEvent, FlowState
from content.library import load_library
from content.psfs import clean_activity_name
from content.schedule import (
    OFFSET_ZONES,
    find_zone,
    index_word,
    known_zones,
    parse_clock_word,
    parse_time,
)


@given(st.text())
@example("2500")
@example("1299")
@example("²²²²")
@example("²:²²")
@example("٠٧٣٠")
def test_parse_time_gives_a_time_or_none_for_any_text(text: str) -> None:
    at = parse_time(text)
    assert at is None or isinstance(at, time)


@given(st.text())
@example("2500")
@example("1299")
@example("²²²²")
def test_parse_clock_word_gives_a_time_or_none_for_any_text(word: str) -> None:
    at = parse_clock_word(word)
    assert at is None or word == at.strftime("%H%M")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0730", time(7, 30)),
        ("2359", time(23, 59)),
        ("7:30", time(7, 30)),
        ("19.30", time(19, 30)),
        ("7 pm", time(19, 0)),
        ("٧:٣٠", time(7, 30)),  # Arabic-Indic digits are digits int() reads
        ("2500", None),
        ("1299", None),
        ("²²²²", None),
        ("24:00", None),
        ("13pm", None),
    ],
)
def test_typed_times(typed: str, expected: time | None) -> None:
    assert parse_time(typed) == expected


@given(st.text())
@example("o²")
@example("Europe/Berlin\x00")
def test_find_zone_gives_a_known_zone_or_none_for_any_text(text: str) -> None:
    zone = find_zone(text, known_zones())
    assert zone is None or zone in known_zones()


@given(st.text(), st.sampled_from(["o", "t"]), st.integers(min_value=0, max_value=40))
@example("o²", "o", len(OFFSET_ZONES))
@example("t²", "t", 7)
@example("t7", "t", 7)
def test_index_words_give_an_index_below_the_count_or_none(
    word: str, letter: str, count: int
) -> None:
    index = index_word(word, letter, count)
    assert index is None or (0 <= index < count and word == f"{letter}{index}")


@settings(deadline=None)  # the first place found loads the offline map (seconds on a slow host)
@given(st.floats(), st.floats())
@example(float("nan"), 0.0)
@example(200.0, 13.4)
def test_zone_at_gives_a_zone_or_none_for_any_place(latitude: float, longitude: float) -> None:
    zone = zone_at(latitude, longitude)
    assert zone is None or isinstance(zone, str)


@given(st.text())
@example("1|rs|2147483648")
@example("1|pn|٣")
@example("1|pn|5\n")
def test_decode_gives_a_callback_or_none_for_any_text(data: str) -> None:
    callback = decode(data)
    if callback is not None:  # whatever decodes, encodes back to the same data
        assert encode(callback.action, *callback.args) == data
        assert all(arg <= MAX_NUMBER for arg in callback.args if isinstance(arg, int))


@given(
    st.sampled_from(list(Action)),
    st.lists(st.text(alphabet=st.characters(), max_size=12), max_size=4),
)
def test_decode_of_well_formed_looking_data_never_crashes(action: Action, parts: list[str]) -> None:
    data = "|".join(["1", action.value, *parts])
    callback = decode(data)
    assert callback is None or len(callback.args) == len(SHAPES[action])


# The /reminder flow as a pure function: whatever is typed or pressed, it answers or asks again.
FLOW_TEXTS = load_library().texts
FLOW_ENV = reminder_flow.ReminderEnv(
    FLOW_TEXTS, datetime(2026, 3, 10, 6, tzinfo=UTC), "Europe/Berlin", None, blocked=False
)
FLOW_STATES = [
    FlowState(reminder_flow.FLOW, reminder_flow.Step.TIME),
    FlowState(reminder_flow.FLOW, reminder_flow.Step.ZONE, {"time": "0730"}),
    FlowState(reminder_flow.FLOW, reminder_flow.Step.DAYS, {"time": "0730", "zone": "UTC"}),
    FlowState(
        reminder_flow.FLOW, reminder_flow.Step.DAYS, {"time": "0730", "zone": "UTC", "days": 1}
    ),
]
# Any word the callback codec lets through.
CODEC_WORDS = st.from_regex(r"[a-z0-9_]{1,24}", fullmatch=True)


@given(st.sampled_from(FLOW_STATES), st.text())
@example(FLOW_STATES[0], "2500")
@example(FLOW_STATES[0], "²²²²")
@example(FLOW_STATES[1], "o²")
def test_the_reminder_flow_takes_any_typed_text(state: FlowState, text: str) -> None:
    step = reminder_flow.advance(state, FlowEvent(reminder_flow.Kind.TYPED, text=text), FLOW_ENV)
    assert step.effects  # an answer, or the question again: never silence


@given(
    st.sampled_from(FLOW_STATES),
    st.sampled_from([reminder_flow.Kind.TIME, reminder_flow.Kind.ZONE, reminder_flow.Kind.DAYS]),
    CODEC_WORDS,
)
@example(FLOW_STATES[0], reminder_flow.Kind.TIME, "2500")
@example(FLOW_STATES[1], reminder_flow.Kind.ZONE, "o99")
@example(FLOW_STATES[2], reminder_flow.Kind.DAYS, "t9")
def test_the_reminder_flow_takes_any_pressed_word(
    state: FlowState, kind: reminder_flow.Kind, word: str
) -> None:
    step = reminder_flow.advance(state, FlowEvent(kind, (word,)), FLOW_ENV)
    assert step.effects


@given(st.text())
@example("  swim\n\n 20 min ")
@example("\u200b\u200b")
@example("a" * 61)
def test_clean_activity_name_gives_a_fitting_name_or_none(typed: str) -> None:
    name = clean_activity_name(typed)
    assert name is None or (name == name.strip() and len(name) > 0 and "\n" not in name)


CHOOSING = [
    FlowState(psfs_flow.FLOW, psfs_flow.Step.CHOOSE, {"origin": origin.value, "chosen": chosen})
    for origin in psfs_flow.Origin
    for chosen in ([], ["Walking"], [f"Activity {n}" for n in range(5)])
]


@given(st.sampled_from(CHOOSING), st.text())
def test_the_activities_flow_takes_any_typed_text(state: FlowState, text: str) -> None:
    env = psfs_flow.PsfsEnv(FLOW_TEXTS, date(2026, 3, 10))
    step = psfs_flow.advance(state, FlowEvent(psfs_flow.Kind.TYPED, text=text), env)
    assert step.effects  # the name taken, or why not: never silence
