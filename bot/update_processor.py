"""Concurrent across people, in order within a chat: PTB's `concurrent_updates` with our own
`BaseUpdateProcessor`.

Different chats' updates run at the same time, so one person's slow moment (a picture being
drawn, a database round trip) does not hold up everyone else. One chat's updates still run
strictly one after another in the order Telegram sent them: a double tap, or a typed answer
right after a press, is never applied out of order or beside its predecessor.

How: the first update of an idle chat runs at once and, when done, runs the updates that
arrived for its chat meanwhile, oldest first, each in its own task with its own context
(the language and user of the update, bot/services.py, never leak between updates). A busy
chat's update only joins that queue and gives its slot back, so a person tapping quickly
holds one of PTB's `max_concurrent_updates` slots, never all of them, and the slots bound how
many chats run at once. A chat's entry is removed as soon as its queue is empty: idle chats
cost no memory.

PTB calls `do_process_update` in the order updates left its update queue: it starts one task
per update in that order and its semaphore hands out slots first come, first served.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import deque
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)


def ordering_key(update: object) -> int | None:
    """The chat whose updates must stay in order (the person, where there is no chat, as for a
    press on an inline message); None for anything else, which may run beside everything."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id  # a person's private chat has their own id
    return None


@dataclass(slots=True)
class _Waiting:
    """An update that arrived while its chat was busy, with the context it arrived in."""

    coroutine: Awaitable[Any]
    context: contextvars.Context
    update_id: int | None


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Runs different chats' updates concurrently and each chat's updates in arrival order."""

    __slots__ = ("_queues",)

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._queues: dict[int, deque[_Waiting]] = {}  # only chats with an update running

    @property
    def busy_chats(self) -> int:
        """How many chats have an update running now."""
        return len(self._queues)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            await coroutine
            return
        queue = self._queues.get(key)
        if queue is not None:  # the chat's running update runs this one after itself
            update_id = update.update_id if isinstance(update, Update) else None
            queue.append(_Waiting(coroutine, contextvars.copy_context(), update_id))
            return
        # Nothing awaits between the look-up above and this line: no update can slip between.
        self._queues[key] = queue = deque()
        try:
            await coroutine  # an error here reaches PTB once the chat's queue has run
        finally:
            try:
                while queue:
                    waiting = queue.popleft()
                    task = asyncio.create_task(_awaited(waiting.coroutine), context=waiting.context)
                    try:
                        await task
                    except Exception:  # PTB handles handler errors; this is past the handlers
                        logger.exception("update=%s failed outside the handlers", waiting.update_id)
            finally:
                self._queues.pop(key, None)  # shutdown may have cleared it already
                _drop(queue)

    async def initialize(self) -> None:
        """Nothing to set up: queues are made as chats become busy."""

    async def shutdown(self) -> None:
        """Drop what never ran (PTB lets running updates finish before it shuts down)."""
        for queue in self._queues.values():
            _drop(queue)
        self._queues.clear()


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _drop(queue: deque[_Waiting]) -> None:
    """Close updates that will not run (their chat's run was cancelled), saying so in the log."""
    while queue:
        waiting = queue.popleft()
        if asyncio.iscoroutine(waiting.coroutine):
            waiting.coroutine.close()
        logger.warning("update=%s dropped: its chat's run was cancelled", waiting.update_id)
