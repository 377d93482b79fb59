"""The bot's pace toward Telegram: under 30 free messages a second, up to 1,000 paid ones.

PTB's AIORateLimiter (22.8) sends messages with `allow_paid_broadcast` through a bucket of its
own (1,000 a second, bursting to 1,000 at once) beside the free one, so free and paid together
may exceed 1,000 a second, and its first second may carry 2,000. This limiter keeps PTB's shape
(the `BaseRateLimiter` interface, aiolimiter buckets, a 429 pausing every request) with two
differences: free messages go at a steady pace, one at a time, just under Telegram's 30 a
second, and every message, free or paid, also passes one overall bucket paced a little under
1,000 a second, so the total never crosses Telegram's paid ceiling.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from content.broadcast import PAID_MESSAGES_PER_SECOND

logger = logging.getLogger(__name__)

# A margin under Telegram's ceiling: requests arrive with a little jitter, and one 429 pauses
# the whole bot for over a second. A small burst lets a late timer catch up without drifting.
OVERALL_BURST = 10
PAID_LANE_PER_SECOND = PAID_MESSAGES_PER_SECOND - 2 * OVERALL_BURST
GROUP_MESSAGES_PER_MINUTE = 20

Result = bool | dict[str, Any] | list[dict[str, Any]]


class BroadcastRateLimiter(BaseRateLimiter[int]):
    """Free messages at `messages_per_second` (one at a time); all messages under ~1,000/s."""

    def __init__(self, messages_per_second: float, max_retries: int = 3) -> None:
        # A bucket of one message refilled at the pace: no bursts over Telegram's free limit.
        self._free = AsyncLimiter(1, 1 / messages_per_second)
        self._overall = AsyncLimiter(OVERALL_BURST, OVERALL_BURST / PAID_LANE_PER_SECOND)
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
        if not data.get("allow_paid_broadcast"):
            await self._free.acquire()
        await self._overall.acquire()
        await self._not_paused.wait()
        return await callback(*args, **kwargs)

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
