"""The pace toward Telegram holds however late requests arrive (bot/rate_limits.py)."""

import asyncio

from bot.rate_limits import OneSecondWindow, SteadyPace


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


async def test_slots_missed_while_messages_were_held_up_are_made_up_at_once() -> None:
    pace = SteadyPace(per_second=100, catch_up=0.3)
    loop = asyncio.get_running_loop()
    await pace.acquire(held_up=False)
    await asyncio.sleep(0.2)  # an answer kept us waiting: about 20 slots went by unused
    started = loop.time()
    for _ in range(19):  # the slots of those 0.2 s, at once
        await pace.acquire(held_up=True)
    assert loop.time() - started < 0.05
    for _ in range(10):  # then back at the pace
        await pace.acquire(held_up=True)
    assert loop.time() - started >= 0.08


async def test_a_quiet_spell_starts_the_pace_afresh_without_a_burst() -> None:
    pace = SteadyPace(per_second=100, catch_up=0.3)
    loop = asyncio.get_running_loop()
    await pace.acquire(held_up=False)
    await asyncio.sleep(0.2)  # nothing was being sent: nothing to make up
    started = loop.time()
    for _ in range(6):
        await pace.acquire(held_up=False)
    assert loop.time() - started >= 0.045  # the first at once, then one every 10 ms
