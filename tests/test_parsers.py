"""Every parser of what people type or press returns a value or "not understood", whatever the
Unicode: property tests with Hypothesis, plus the inputs that once crashed the bot."""

from datetime import time

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.callbacks import MAX_NUMBER, SHAPES, Action, decode, encode
from bot.reminders import zone_at
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
