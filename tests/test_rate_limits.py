"""The pace toward Telegram holds however late requests arrive (bot/rate_limits.py)."""

import asyncio

from bot.rate_limits import OneSecondWindow


async def test_a_message_answered_late_holds_its_place_until_a_second_after_the_answer() -> None:
    window = OneSecondWindow(2)
    await window.take()
    await window.take()
    third = asyncio.create_task(window.take())
    await asyncio.sleep(0.3)  # the first answer is late: its place was held all along
    assert not third.done()
    loop = asyncio.get_running_loop()
    answered = loop.time()
    window.leave()
    await asyncio.wait_for(third, 2)
    assert loop.time() - answered >= 0.99  # counted by Telegram within that span, whenever
