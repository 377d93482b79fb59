"""Concurrent across people, in order within a chat: PTB's `concurrent_updates` with our own
`BaseUpdateProcessor`.

Different chats' updates run at the same time, so one person's slow moment (a picture being
drawn, a database round trip, Telegram's answer) does not hold up everyone else. One chat's
updates still run strictly one after another in the order they arrived: a double tap, or a
typed answer right after a press, never overtakes or runs beside the update before it.

How: each update waits for the one before it from the same chat (a future per update, the
chat's newest kept in a dict that forgets a chat once its last update is done, so idle chats
cost nothing), then for one of `max_concurrent_updates` places, then runs in its own task and
context, as PTB runs every update (the language and user of an update never leak into
another). PTB's own limit, set higher, only bounds the updates in hand: a person who taps
quickly has updates waiting their turn, but holds at most one of the places, never all.
`process_update` returns once the update is handled, so the webhook can answer Telegram then.

PTB calls `do_process_update` in the order updates arrive: it starts one task per update in
that order, and its semaphore lets them in first come, first served.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)

IN_HAND_PER_PLACE = 16  # updates in hand (waiting their chat's turn included) per running one


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


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Runs different chats' updates concurrently and each chat's updates in arrival order."""

    __slots__ = ("_newest", "_places")

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates * IN_HAND_PER_PLACE)
        self._places = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._newest: dict[int, asyncio.Future[None]] = {}  # chat -> its newest update's end

    @property
    def busy_chats(self) -> int:
        """How many chats have an update in hand now."""
        return len(self._newest)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            async with self._places:
                await coroutine
            return
        # Nothing awaits between reading the chat's newest update and replacing it with this
        # one, so every update of a chat waits for exactly the one that arrived before it.
        before = self._newest.get(key)
        done = asyncio.get_running_loop().create_future()
        self._newest[key] = done
        started = False
        try:
            if before is not None:
                await asyncio.shield(before)  # cancelled here, this update leaves `before` be
            async with self._places:
                started = True
                await coroutine
        finally:
            if not started and asyncio.iscoroutine(coroutine):
                coroutine.close()  # cancelled before its turn (shutting down): it never runs
                logger.warning("update=%s dropped: cancelled before its turn", _id_of(update))
            if before is None or before.done():
                self._hand_on(key, done)
            else:  # the next update of the chat must still wait for the one before this
                before.add_done_callback(lambda _: self._hand_on(key, done))

    def _hand_on(self, key: int, done: asyncio.Future[None]) -> None:
        """The chat's next update may go; a chat with nothing after this one is forgotten."""
        done.set_result(None)
        if self._newest.get(key) is done:
            del self._newest[key]

    async def initialize(self) -> None:
        """Nothing to set up: a chat is remembered only while it has updates in hand."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB lets the updates in hand finish before it shuts down."""


def _id_of(update: object) -> int | None:
    return update.update_id if isinstance(update, Update) else None
