"""Paid broadcast for reminder waves: how big a share of a dispatch pass to pay for, drawn
batch by batch from the daily Stars budget that every instance shares.

The arithmetic is content/broadcast.py; the pace is bot/rate_limits.py.
"""

from __future__ import annotations

import logging
import math
from datetime import date

from bot.rate_limits import PAID_LANE_PER_SECOND
from bot.services import Services
from content.broadcast import Wave, messages_to_pay_for, paid_messages_affordable
from storage.broadcast import give_back_paid_messages, paid_messages_on, take_paid_messages
from storage.reminders import due_counts

logger = logging.getLogger(__name__)


class PaidShare:
    """The share of one pass's reminders to send paid, and the budget it draws on."""

    def __init__(self, services: Services, share: float, day: date, allowance: int) -> None:
        self.services = services
        self.share = share  # of every claimed reminder, the fraction to pay for
        self.day = day  # the UTC day whose budget pays
        self.allowance = allowance  # paid messages a day
        self._owed = 0.0  # the fraction of a paid message carried to the next batch

    @classmethod
    async def plan(cls, services: Services) -> PaidShare:
        """Size up the wave due now: pay for what the free rate cannot deliver in time."""
        settings = services.settings
        now = services.clock()
        allowance = paid_messages_affordable(settings.paid_broadcast_daily_stars)
        if not settings.allow_paid_broadcast:
            return cls(services, 0.0, now.date(), 0)
        async with services.transaction() as db:
            counts = await due_counts(db, now)
            spent = await paid_messages_on(db, now.date())
        window = settings.paid_broadcast_within_minutes * 60
        wave = Wave([((due - now).total_seconds() + window, count) for due, count in counts])
        paid = messages_to_pay_for(
            wave,
            free_per_second=settings.messages_per_second,
            paid_per_second=PAID_LANE_PER_SECOND - settings.messages_per_second,
            affordable=allowance - spent,
        )
        if paid:
            logger.info("%d reminders due: %d of them go out with paid broadcast", wave.size, paid)
        return cls(services, paid / wave.size if wave.size else 0.0, now.date(), allowance)

    async def take(self, count: int) -> int:
        """How many of the next `count` claimed reminders to send paid, as the budget allows.

        Once the day's budget is spent, the rest of the pass goes out free.
        """
        self._owed += count * self.share
        wanted = math.floor(self._owed + 1e-9)
        if wanted <= 0:
            return 0
        self._owed -= wanted
        async with self.services.transaction() as db:
            granted = await take_paid_messages(db, self.day, wanted, self.allowance)
        if granted < wanted:
            logger.warning("the paid-broadcast budget for today is spent; sending at the free rate")
            self.share = 0.0
        return granted

    async def give_back(self, count: int) -> None:
        """Return what was taken for paid reminders that were not sent."""
        if count:
            async with self.services.transaction() as db:
                await give_back_paid_messages(db, self.day, count)
