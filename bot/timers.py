"""Hold and rest timers on PTB's JobQueue, one per session, named so they can be found and
cancelled.

The session's row keeps when the timer ends, so a restarted or other instance can re-arm it;
the timer's event goes through the session's compare-and-set, so only one run of it speaks.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.ext import JobQueue

# APScheduler skips a job that starts over 1 s late by default; a late release still matters.
TIMER_JOB_KWARGS = {"misfire_grace_time": 300}


def job_name(session_id: int) -> str:
    return f"hold-timer:{session_id}"


def start(
    job_queue: JobQueue[Any] | None,
    *,
    session_id: int,
    chat_id: int,
    delay: timedelta,
    data: dict[str, Any],
    callback: Callable[[Any], Coroutine[Any, Any, None]],
) -> None:
    """Run `callback` after `delay` with `data`, replacing any timer of the session.

    A delay rather than an instant: the job queue runs on the real clock, our rules on an
    injected one.
    """
    if job_queue is None:
        return
    cancel(job_queue, session_id)
    job_queue.run_once(
        callback,
        when=max(delay, timedelta(0)),
        data={"session_id": session_id, **data},
        name=job_name(session_id),
        chat_id=chat_id,
        job_kwargs=TIMER_JOB_KWARGS,
    )


def cancel(job_queue: JobQueue[Any] | None, session_id: int) -> None:
    """Remove the session's timer, if this process holds one."""
    if job_queue is None:
        return
    for job in job_queue.get_jobs_by_name(job_name(session_id)):
        job.schedule_removal()
