"""How many reminders of a wave go out with paid broadcast: plain arithmetic, no bot."""

from decimal import Decimal

from content.broadcast import Wave, messages_to_pay_for, paid_messages_affordable

FREE, PAID = 29.5, 970.5  # the bot's free pace, and what the paid lane adds up to 1,000/s


def pay_for(wave: Wave, affordable: int = 1_000_000) -> int:
    return messages_to_pay_for(
        wave, free_per_second=FREE, paid_per_second=PAID, affordable=affordable
    )


def test_a_wave_the_free_rate_delivers_in_time_costs_nothing() -> None:
    # Five minutes at 29.5/s carry 8,850 reminders.
    assert pay_for(Wave([(300.0, 8_850)])) == 0
    assert pay_for(Wave([(300.0, 1)])) == 0


def test_only_the_excess_over_what_the_free_rate_delivers_in_time_is_paid_for() -> None:
    assert pay_for(Wave([(300.0, 8_851)])) == 1
    assert pay_for(Wave([(300.0, 10_000)])) == 10_000 - 8_850


def test_later_deadlines_give_the_free_rate_more_room() -> None:
    # Due a minute apart: the second group has sixty more seconds of free sending.
    spread = Wave([(360.0, 6_000), (300.0, 6_000)])
    assert pay_for(spread) == 12_000 - int(FREE * 360)
    assert pay_for(spread) < pay_for(Wave([(300.0, 12_000)])) == 12_000 - int(FREE * 300)


def test_a_late_backlog_still_sends_the_free_lanes_share_free() -> None:
    # Already late: both lanes run at once, and the free lane takes what it sends meanwhile.
    paid = pay_for(Wave([(-30.0, 10_000)]))
    free = 10_000 - paid
    assert 0 < free <= FREE * paid / PAID  # the free lane finishes no later than the paid one
    assert (free + 1) > FREE * (paid - 1) / PAID  # and one more would make it the slower


def test_the_budget_caps_what_is_paid_for() -> None:
    assert pay_for(Wave([(0.0, 10_000)]), affordable=500) == 500
    assert pay_for(Wave([(0.0, 10_000)]), affordable=0) == 0


def test_an_empty_wave_pays_nothing() -> None:
    assert pay_for(Wave([])) == 0


def test_a_budget_in_stars_buys_ten_messages_a_star() -> None:
    assert paid_messages_affordable(100) == 1_000
    assert paid_messages_affordable(Decimal("0.35")) == 3
    assert paid_messages_affordable(0) == 0
