"""Queries behind the Patient-Specific Functional Scale: a person's activities and ratings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Activity, ActivityRating


@dataclass(frozen=True, slots=True)
class RatedActivity:
    """An activity's name, whether it is still active, and its ratings (day, score), oldest
    first."""

    name: str
    active: bool
    ratings: tuple[tuple[date, int], ...]


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


async def active_activities(db: AsyncSession, user_id: int) -> list[Activity]:
    """The person's active activities (at most three), in the order they were chosen."""
    result = await db.execute(
        select(Activity)
        .where(Activity.user_id == user_id, Activity.retired_at.is_(None))
        .order_by(Activity.id)
    )
    return list(result.scalars())


async def set_active_activities(
    db: AsyncSession, user_id: int, names: Sequence[str], now: datetime
) -> None:
    """Make `names` the active activities: the same name keeps its history, others are retired
    (kept for the export), new ones are added."""
    wanted = {_key(name): name for name in names}
    for activity in await active_activities(db, user_id):
        if wanted.pop(_key(activity.name), None) is None:
            activity.retired_at = now
    for name in wanted.values():
        db.add(Activity(user_id=user_id, name=name, created_at=now))
    await db.flush()


async def rate_activity(
    db: AsyncSession, user_id: int, name: str, score: int, rated_on: date
) -> bool:
    """Record the day's score for the active activity of this name (a second rating the same
    day replaces the first); False when there is no such activity."""
    activity = next(
        (a for a in await active_activities(db, user_id) if _key(a.name) == _key(name)), None
    )
    if activity is None:
        return False
    existing = await db.execute(
        select(ActivityRating).where(
            ActivityRating.activity_id == activity.id, ActivityRating.rated_on == rated_on
        )
    )
    rating = existing.scalar_one_or_none()
    if rating is None:
        db.add(ActivityRating(activity_id=activity.id, rated_on=rated_on, score=score))
    else:
        rating.score = score
    await db.flush()
    return True


async def last_rated_on(db: AsyncSession, user_id: int) -> date | None:
    """The latest day any active activity was rated."""
    result = await db.execute(
        select(func.max(ActivityRating.rated_on))
        .join(Activity, ActivityRating.activity_id == Activity.id)
        .where(Activity.user_id == user_id, Activity.retired_at.is_(None))
    )
    return result.scalar_one_or_none()


async def rated_activities(
    db: AsyncSession, user_id: int, *, include_retired: bool = False
) -> list[RatedActivity]:
    """The person's activities with every rating, in the order they were chosen."""
    query = (
        select(Activity)
        .where(Activity.user_id == user_id)
        .order_by(Activity.id)
        .options(selectinload(Activity.ratings))
    )
    if not include_retired:
        query = query.where(Activity.retired_at.is_(None))
    result = await db.execute(query)
    return [
        RatedActivity(
            name=activity.name,
            active=activity.retired_at is None,
            ratings=tuple((rating.rated_on, rating.score) for rating in activity.ratings),
        )
        for activity in result.scalars()
    ]
