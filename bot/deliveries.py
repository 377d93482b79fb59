"""Webhook deliveries: each update handled to the end before its delivery is answered, and
handled once however often Telegram delivers it.

Telegram forgets an update once its delivery is answered with a 2xx. Answering first and
handling later loses the update if the instance dies in between (kill -9, out of memory, a
host going away), so the webhook answers only when the update is handled; a delivery that
failed or got no answer is retried by Telegram, on whichever instance the balancer picks.

A retried delivery must not be applied twice, so each update id is claimed in
`processed_updates`:
- On PostgreSQL the claim is the insert of the update's row, kept uncommitted while the
  update is handled and committed when it is done. Another instance given the same update
  waits on that row: if the holder finishes, the row is there and the delivery is skipped;
  if the holder died, PostgreSQL rolls its transaction back as its connection drops, and the
  waiting instance takes the update over.
- On SQLite (one instance, one writer) an open write transaction would block every handler,
  so the claim is committed before the update is handled.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot.services import CoachApp, Services, is_database_unavailable, is_dropped_connection
from storage.engine import is_postgresql
from storage.updates import claim_update

logger = logging.getLogger(__name__)
updates_logger = logging.getLogger("bot.updates")


class Deliveries:
    """The updates this instance has in hand; stops taking new ones when shutting down."""

    def __init__(self, application: CoachApp, services: Services) -> None:
        self.application = application
        self.services = services
        self.closing = False
        self._in_hand = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def handle(self, update: Update) -> bool:
        """Handle one delivered update to the end (or skip it if it was handled before).

        False when this instance is shutting down and took nothing: the delivery should get
        an answer that makes Telegram try again, elsewhere.
        """
        if self.closing:
            return False
        self._in_hand += 1
        self._idle.clear()
        try:
            # The update processor keeps PTB's limit on updates handled at once; the claim is
            # taken inside it, so waiting deliveries hold no database connection.
            processor = self.application.update_processor
            await processor.process_update(update, self._claimed_and_handled(update))
        finally:
            self._in_hand -= 1
            if not self._in_hand:
                self._idle.set()
        return True

    async def finish(self) -> None:
        """Take no new deliveries, and wait for those in hand (SIGTERM, a deploy)."""
        self.closing = True
        await self._idle.wait()

    async def _claimed_and_handled(self, update: Update) -> None:
        services = self.services
        if not is_postgresql(services.engine):
            async with services.single_statement() as connection:  # an insert, atomic by itself
                first_time = await claim_update(connection, update.update_id, services.clock())
            if first_time:
                await self.application.process_update(update)
            else:
                _log_duplicate(update)
            return
        started = False
        for again in (False, True):
            try:
                async with services.engine.connect() as connection, connection.begin():
                    # Waits here while another live instance holds this update.
                    if not await claim_update(connection, update.update_id, services.clock()):
                        _log_duplicate(update)
                        return
                    started = True
                    await self.application.process_update(update)
                return
            except Exception as error:
                if started:
                    raise  # handled but not marked: a retried delivery may run it again
                if not again and is_dropped_connection(error):
                    continue  # a pooled connection the database dropped: claim on a new one
                if not is_database_unavailable(error):
                    raise
            # No claim without the database: the person still hears "try again in a minute".
            logger.warning("update %s handled unclaimed: no database", update.update_id)
            await self.application.process_update(update)
            return


def _log_duplicate(update: Update) -> None:
    updates_logger.info("update=%s handler=duplicate-skipped", update.update_id)
