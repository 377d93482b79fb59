"""Hold and rest timers on PTB's JobQueue, one per session, named so they can be found and
cancelled.

The session's row keeps when the timer ends, so a restarted or other instance can re-arm it;
the timer's event goes through the session's compare-and-set, so only one run of it speaks. A
job has no update, so it speaks the language stored for the session's person.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.ext import JobQueue

from bot.services import CoachContext, speaking
from storage.languages import language_of_session

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
        in_persons_language(session_id, callback),
        when=max(delay, timedelta(0)),
        data={"session_id": session_id, **data},
        name=job_name(session_id),
        chat_id=chat_id,
        job_kwargs=TIMER_JOB_KWARGS,
    )


def in_persons_language(
    session_id: int, callback: Callable[[Any], Coroutine[Any, Any, None]]
) -> Callable[[CoachContext], Coroutine[Any, Any, None]]:
    """`callback`, run in the language of the person whose session it is."""

    @functools.wraps(callback)
    async def run(context: CoachContext) -> None:
        async with context.services.transaction() as db:
            language = await language_of_session(db, session_id)
        with speaking(language):
            await callback(context)

    return run


def cancel(job_queue: JobQueue[Any] | None, session_id: int) -> None:
    """Remove the session's timer, if this process holds one."""
    if job_queue is None:
        return
    for job in job_queue.get_jobs_by_name(job_name(session_id)):
        job.schedule_removal()
