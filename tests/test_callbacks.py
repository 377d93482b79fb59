"""The callback-data codec: compact, versioned, within 64 bytes, and strict when parsing."""

import pytest

from bot.callbacks import MAX_NUMBER, SHAPES, Action, CallbackDataError, decode, encode


def test_round_trip_of_every_action_with_large_ids() -> None:
    for action, shape in SHAPES.items():
        args = tuple(MAX_NUMBER if kind == "n" else "nerves_legs_hands" for kind in shape)
        data = encode(action, *args)
        assert len(data.encode()) <= 64
        parsed = decode(data)
        assert parsed is not None and parsed.action is action and parsed.args == args


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "garbage",
        "2|dn|1|0|1",
        "1|zz|1",
        "1|dn|1|0",
        "1|dn|1|0|x",
        "1|dn|1|0|1|9",
        "1|rg|Lumbar",
        "1|rg|" + "a" * 60,
        "1|pn|-1",
        "1|pn|5\n",
        "1|pn|٣",
        "1|rg|neck\n",
        "1|rs|2147483648",
        "1|rs|99999999999",
    ],
)
def test_anything_not_made_by_encode_is_rejected(data: str | None) -> None:
    assert decode(data) is None


def test_encode_refuses_what_would_not_parse() -> None:
    with pytest.raises(CallbackDataError):
        encode(Action.SET_DONE, 1, 2)
    with pytest.raises(CallbackDataError):
        encode(Action.REGION, "has space")
    with pytest.raises(CallbackDataError):
        encode(Action.RESUME, MAX_NUMBER + 1)
