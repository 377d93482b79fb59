"""Where a session goes next: pure functions over the routine's steps and what has happened."""

from __future__ import annotations

from collections.abc import Collection, Sequence


def next_step_index(step_keys: Sequence[str], after: int, stopped: Collection[str]) -> int | None:
    """The next step after `after` whose exercise was not stopped; None at the end."""
    for index in range(after + 1, len(step_keys)):
        if step_keys[index] not in stopped:
            return index
    return None


def next_set(sets: int, set_number: int) -> int | None:
    """The next set of the same step, or None when this was the last."""
    return set_number + 1 if set_number < sets else None
