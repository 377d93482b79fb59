"""How many reminders of a wave to send with Telegram's paid broadcast: pure arithmetic.

Telegram delivers about 30 messages a second free of charge; `allow_paid_broadcast` raises
that to 1,000 a second for 0.1 Stars a message. A reminder is "in time" when it reaches the
person within the chosen window after its due time. We pay only for the reminders the free
rate cannot deliver in time, and when a backlog is late whatever we do, the free lane still
carries its share of it while the paid lane runs, so no Star buys what free sending gives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

STARS_PER_PAID_MESSAGE = Decimal("0.1")  # the Bot API's fee for one message sent with the flag
PAID_MESSAGES_PER_SECOND = 1000  # Telegram's ceiling with the flag, free messages included


def paid_messages_affordable(stars: int | Decimal) -> int:
    """How many messages a budget in Stars pays for."""
    return int(Decimal(stars) / STARS_PER_PAID_MESSAGE)


@dataclass(frozen=True)
class Wave:
    """Reminders waiting to be sent, grouped by how long until each group is late."""

    seconds_to_deadline: Sequence[tuple[float, int]]  # (seconds from now, how many); any order

    @property
    def size(self) -> int:
        return sum(count for _, count in self.seconds_to_deadline)


def messages_to_pay_for(
    wave: Wave, *, free_per_second: float, paid_per_second: float, affordable: int
) -> int:
    """How many of the wave to send with the paid flag (0 when the free rate is in time).

    Free sending takes the earliest deadlines first, one message per 1/free_per_second; every
    reminder that would miss its deadline that way is paid for. When even the paid ones finish
    after the free lane (a late backlog), the free lane takes as many more as it can send while
    the paid lane is still busy. Never more than `affordable`.
    """
    if wave.size == 0 or affordable <= 0:
        return 0
    free = 0
    paid = 0
    for seconds, count in sorted(wave.seconds_to_deadline):
        in_time = max(0, math.floor(free_per_second * max(seconds, 0.0)) - free)
        taken = min(count, in_time)
        free += taken
        paid += count - taken
    # Both lanes run at once: move work to the free lane while it still finishes first.
    spare = (paid * free_per_second - free * paid_per_second) / (free_per_second + paid_per_second)
    if spare > 0:
        moved = min(paid, math.floor(spare))
        paid -= moved
    return min(paid, affordable)
