"""The bot's pace toward Telegram: under 30 free messages a second, up to 1,000 paid ones.

PTB's AIORateLimiter (22.8) sends messages with `allow_paid_broadcast` through a bucket of its
own (1,000 a second, bursting to 1,000 at once) beside the free one, so free and paid together
may exceed 1,000 a second, and its first second may carry 2,000. This limiter keeps PTB's shape
(the `BaseRateLimiter` interface, a 429 pausing every request) with two differences: free
messages go at a steady pace just under Telegram's 30 a second, and every message, free or
paid, also takes a slot of one overall pace a little under 1,000 a second, so the total never
crosses Telegram's paid ceiling. The paces are slots in turn (`SteadyPace`), not aiolimiter
buckets: slots missed while messages were held up are made up, where a bucket of one message
lost every late wake-up for good (the free lane fell to 27 a second in a paid wave), and one
of ten lost whatever a pause of Telegram's or of this process went over ten messages.

Pacing alone counts when a request leaves; Telegram counts when it arrives, and a request held
up on the way (a busy server, a process not scheduled for a few milliseconds) arrives closer to
the next ones than it left. So each message also holds a place in a one-second window, from the
moment it is sent until one second after its answer: however late it arrived, it arrived inside
that span, so no second as Telegram counts it ever holds more than the window allows.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from content.broadcast import PAID_MESSAGES_PER_SECOND

logger = logging.getLogger(__name__)

# A margin under Telegram's ceiling, one 429 pausing the whole bot for over a second. The
# one-second windows below are what keep every second under it; the margin keeps the pace from
# running into them all the time.
PAID_LANE_PER_SECOND = PAID_MESSAGES_PER_SECOND - 10
GROUP_MESSAGES_PER_MINUTE = 20
# Slots missed while messages were held up (Telegram slow to answer, this process busy, a timer
# woken late) are made up at once, up to this much; the one-second windows keep every second
# under Telegram's count meanwhile. Without it the pace only ever drifts below itself.
CATCH_UP_SECONDS = 0.3

Result = bool | dict[str, Any] | list[dict[str, Any]]


class SteadyPace:
    """One message every 1/`per_second` seconds, in slots taken in turn. Slots missed while
    messages were held up on the way (up to `catch_up` seconds of them) are used late, at once;
    after a quiet spell, with nothing sent meanwhile, the pace starts afresh without a burst."""

    def __init__(self, per_second: float, catch_up: float) -> None:
        self._interval = 1 / per_second
        self._catch_up = catch_up
        self._next = -math.inf  # the next slot, in event loop time

    async def acquire(self, *, held_up: bool) -> None:
        now = asyncio.get_running_loop().time()
        slot = max(self._next, now - self._catch_up if held_up else now)
        self._next = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)


class OneSecondWindow:
    """At most `places` messages in any second as the receiver counts them (see above)."""

    def __init__(self, places: int) -> None:
        self._places = asyncio.Semaphore(places)

    async def take(self) -> None:
        """Wait for a place; hold it while the message is sent."""
        await self._places.acquire()

    def leave(self) -> None:
        """The answer came (or the request failed): the place is free again in one second."""
        asyncio.get_running_loop().call_later(1.0, self._places.release)


class BroadcastRateLimiter(BaseRateLimiter[int]):
    """Free messages at `messages_per_second`; all messages under ~1,000/s."""

    def __init__(self, messages_per_second: float, max_retries: int = 3) -> None:
        self._free = SteadyPace(messages_per_second, CATCH_UP_SECONDS)
        self._overall = SteadyPace(PAID_LANE_PER_SECOND, CATCH_UP_SECONDS)
        self._sending = 0  # messages sent and not yet answered
        overall = OneSecondWindow(PAID_MESSAGES_PER_SECOND)
        self._paid_windows = (overall,)
        self._free_windows = (OneSecondWindow(math.ceil(messages_per_second)), overall)
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._max_retries = max_retries
        self._not_paused = asyncio.Event()
        self._not_paused.set()

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _group(self, chat_id: int | str) -> AsyncLimiter:
        if chat_id not in self._groups:
            self._groups[chat_id] = AsyncLimiter(GROUP_MESSAGES_PER_MINUTE, 60)
        return self._groups[chat_id]

    async def _paced(
        self,
        data: dict[str, Any],
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
    ) -> Result:
        chat_id = data.get("chat_id")
        if chat_id is None:  # answering a button press, getUpdates, ...: not a message
            await self._not_paused.wait()
            return await callback(*args, **kwargs)
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if isinstance(chat_id, str) or chat_id < 0:  # a group or channel: 20 a minute each
            await self._group(chat_id).acquire()
        paid = bool(data.get("allow_paid_broadcast"))
        if not paid:
            await self._free.acquire(held_up=self._sending > 0)
        await self._overall.acquire(held_up=self._sending > 0)
        await self._not_paused.wait()
        held: list[OneSecondWindow] = []
        try:
            for window in self._paid_windows if paid else self._free_windows:
                await window.take()
                held.append(window)
            self._sending += 1
            try:
                return await callback(*args, **kwargs)
            finally:
                self._sending -= 1
        finally:
            for window in held:
                window.leave()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Pace the request; after a 429, pause every request for retry_after + 0.1 s, retry."""
        retries = rate_limit_args or self._max_retries
        for attempt in range(retries + 1):
            try:
                return await self._paced(data, callback, args, kwargs)
            except RetryAfter as error:
                if attempt == retries:
                    raise
                pause = error.retry_after
                seconds = (pause if isinstance(pause, int) else pause.total_seconds()) + 0.1
                logger.info("Telegram asked to wait; pausing all requests %.1f s", seconds)
                self._not_paused.clear()
                await asyncio.sleep(seconds)
                self._not_paused.set()
        raise AssertionError("unreachable: the last attempt returns or raises")
