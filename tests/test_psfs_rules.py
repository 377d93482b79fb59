"""Pure rules of the Patient-Specific Functional Scale: names, the weekly due date, trends."""

from datetime import date

import pytest

from content.psfs import activity_trend, clean_activity_name, psfs_due, same_activity


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Carrying shopping  ", "Carrying shopping"),
        ("Lifting\n  my   grandchild", "Lifting my grandchild"),
        ("<b>Gardening</b> & weeding", "<b>Gardening</b> & weeding"),  # escaped when shown
        ("x" * 60, "x" * 60),
        ("e\u0301" * 60, "e\u0301" * 60),  # accents on letters are not characters of their own
        ("🧦", "🧦"),
    ],
)
def test_a_fitting_typed_activity_is_trimmed_and_kept(typed: str, kept: str) -> None:
    assert clean_activity_name(typed) == kept


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "\n\t", "x" * 61, "Walking\x00", "\u200d\u200d", "Bend\x07ing"],
)
def test_an_empty_too_long_or_control_character_activity_is_refused(typed: str) -> None:
    assert clean_activity_name(typed) is None


def test_names_compare_without_case_or_spacing() -> None:
    assert same_activity("Sitting for 30 minutes", "  sitting  FOR 30 minutes")
    assert not same_activity("Sitting", "Sitting long")


@pytest.mark.parametrize(
    ("last", "today", "due"),
    [
        (None, date(2026, 3, 10), True),  # never rated
        (date(2026, 3, 10), date(2026, 3, 10), False),  # rated today
        (date(2026, 3, 9), date(2026, 3, 15), False),  # Monday to Sunday: the same week
        (date(2026, 3, 15), date(2026, 3, 16), True),  # Sunday, then Monday: a new week
        (date(2026, 3, 11), date(2026, 3, 17), True),  # six days, but a Monday in between
        (date(2026, 2, 1), date(2026, 3, 10), True),  # weeks missed
    ],
)
def test_the_rating_is_due_once_a_new_week_starts(
    last: date | None, today: date, due: bool
) -> None:
    assert psfs_due(last, today) is due


def test_no_trend_before_any_rating() -> None:
    assert activity_trend([]) is None


@pytest.mark.parametrize(
    ("scores", "change", "meaningful"),
    [
        ([3, 4], 1, False),
        ([3, 5], 2, True),  # 2 points: meaningful (Abbott & Schmitt 2014)
        ([6, 4], -2, True),  # worse counts too
        ([5, 9, 6], 1, False),  # first to latest, not the best
        ([4], 0, False),
    ],
)
def test_a_change_of_two_or_more_points_is_meaningful(
    scores: list[int], change: int, meaningful: bool
) -> None:
    days = [date(2026, 3, 2 + 7 * week) for week in range(len(scores))]
    trend = activity_trend(list(zip(days, scores, strict=True)))
    assert trend is not None
    assert (trend.first, trend.latest) == (scores[0], scores[-1])
    assert (trend.change, trend.meaningful) == (change, meaningful)


def test_the_trend_reads_ratings_by_day_whatever_their_order() -> None:
    trend = activity_trend([(date(2026, 3, 16), 7), (date(2026, 3, 2), 3), (date(2026, 3, 9), 5)])
    assert trend is not None and (trend.first, trend.latest, trend.ratings) == (3, 7, 3)
