"""The words a session's record is made of, as enums: its status, each exercise's outcome, and
how the symptoms changed. Stored as these strings; compared as these members everywhere."""

from __future__ import annotations

from enum import StrEnum


class SessionStatus(StrEnum):
    """Where a session stands: under way, finished, or left before the end."""

    ACTIVE = "active"
    COMPLETED = "completed"
    PARTIAL = "partial"  # stopped, cancelled or ended by a warning sign


class ExerciseOutcome(StrEnum):
    """What became of one exercise in a session."""

    DONE = "done"
    SKIPPED = "skipped"
    STOPPED = "stopped"  # "It hurts": pain ended it


class SymptomChangeKey(StrEnum):
    """Where the symptoms went after a session (brief: centralising is the good sign)."""

    CENTRALISED = "centralised"
    SAME = "same"
    SPREAD = "spread"
