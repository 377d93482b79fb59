"""Rows written straight to the database for tests that need history behind a person."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from storage.models import ExerciseSession


def finished_session(user_id: int, day: date, **fields: Any) -> ExerciseSession:
    """A finished 12-minute lumbar session on this local day, at 09:00 UTC unless `started_at`
    says otherwise; `fields` set or override any other column."""
    started_at = fields.pop("started_at", datetime(day.year, day.month, day.day, 9, tzinfo=UTC))
    values: dict[str, Any] = {
        "user_id": user_id,
        "status": "completed",
        "phase": "done",
        "started_at": started_at,
        "ended_at": started_at + timedelta(minutes=12),
        "local_date": day,
        "region": "lumbar",
        "side": "right",
        "dose_level": "standard",
        "step_index": 0,
        "set_number": 1,
        "ended_by_red_flag": False,
        "stopped_early": False,
    }
    return ExerciseSession(**{**values, **fields})
