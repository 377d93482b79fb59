"""Who may be invited to exercise, and when the safety questions are asked again (pure rules)."""

from __future__ import annotations

from datetime import date

from content.models import RedFlags, RegionKey
from content.rules import Screening

SEE_SOON = "see_soon"  # the see-soon list's place among the screening questions


def may_exercise(screening: str | None) -> bool:
    """Exercise is offered only after a screening with no emergency sign.

    See-soon signs are acknowledged and exercise goes on; an emergency sign, at screening, from
    /warning or from "It hurts", switches exercise off until a fresh screening is clear.
    """
    return screening in (Screening.CLEAR, Screening.SEE_SOON)


EXERCISE_ALLOWED = (Screening.CLEAR.value, Screening.SEE_SOON.value)


def screen_order(flags: RedFlags, region: RegionKey) -> list[str]:
    """The screening questions for `region` in order; some regions see the see-soon list first."""
    emergency = [group.key for group in flags.groups_for(region)]
    return [SEE_SOON, *emergency] if region in flags.first_for else [*emergency, SEE_SOON]


def weekly_check_due(last_screened_on: date | None, today: date) -> bool:
    """Ask "any new warning signs?" before the first session of a new (Monday-started) week."""
    if last_screened_on is None:
        return True
    return last_screened_on.isocalendar()[:2] < today.isocalendar()[:2]
