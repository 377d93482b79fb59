"""Floors under the coach's updates/s: what a button press costs before any of our own work.

Two parts of every press are measured alone, so the throughput figure can be read against
what is possible with the same libraries on the same machine:

- Telegram's side in PTB: a bare `Application` whose one handler does what a coach press does
  towards Telegram (edit the pressed message, send the next question with its buttons, answer
  the press), fed presses one after another through the same in-memory Telegram.
- The database's side on PostgreSQL: one press's state change (read a row, write it back with
  a compare-and-set, commit) done four ways: the SQLAlchemy ORM as the bot does it, SQLAlchemy
  Core, the asyncpg driver alone, and the driver with the read and write in one statement.

    python -m bench.floors
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
from sqlalchemy import Integer, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bench import population
from bench.fake_telegram import FakeTelegram
from bench.throughput import TOKEN, Rate, echo_rate, press_update
from storage.engine import create_engine, create_session_factory

ROWS = 100
STATE_CHANGES = 2000
QUESTION = "How strong is your pain right now, from 0 (none) to 10 (the worst you can imagine)?"
KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton(str(n), callback_data=f"pain:{n}") for n in range(6)],
        [InlineKeyboardButton(str(n), callback_data=f"pain:{n}") for n in range(6, 11)],
        [InlineKeyboardButton("Stop for today", callback_data="stop")],
    ]
)


async def press_floor_rate(presses: int) -> Rate:
    """Presses/s of a PTB bot doing only a coach press's Telegram calls."""
    telegram = FakeTelegram()

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.edit_message_text("Pain now: 3", reply_markup=None)
        await context.bot.send_message(query.message.chat.id, QUESTION, reply_markup=KEYBOARD)
        await query.answer()

    app = Application.builder().token(TOKEN).request(telegram).get_updates_request(telegram)
    application = app.build()
    application.add_handler(CallbackQueryHandler(on_press))
    async with application:
        shown = (await application.bot.send_message(1, QUESTION, reply_markup=KEYBOARD)).to_dict()
        started = time.perf_counter()
        for _ in range(presses):
            pressed = press_update(1, shown, "pain:3")
            await application.process_update(Update.de_json(pressed, application.bot))
        elapsed = time.perf_counter() - started
    return Rate(presses, elapsed)


class _Base(DeclarativeBase):
    pass


class _Progress(_Base):
    """A person's place in a flow, as the coach keeps it: a step and a version to compare."""

    __tablename__ = "floor_progress"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    step: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's own form)


@dataclass(frozen=True)
class StateChangeCosts:
    """Milliseconds for one read, compare-and-set write and commit, each way."""

    orm: float
    core: float
    driver: float
    driver_one_statement: float


async def _per_change_ms(change: Callable[[int], Awaitable[None]]) -> float:
    for row in range(20):  # warm: statements prepared, pool open
        await change(row % ROWS + 1)
    started = time.perf_counter()
    for number in range(STATE_CHANGES):
        await change(number % ROWS + 1)
    return (time.perf_counter() - started) / STATE_CHANGES * 1000


async def state_change_costs() -> StateChangeCosts:
    """One press's state change on PostgreSQL, four ways, on a fresh database."""
    dsn, url = await population.create_database()
    engine: AsyncEngine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_Base.metadata.create_all)
            await connection.exec_driver_sql(
                f"INSERT INTO floor_progress SELECT g, 0, 1 FROM generate_series(1, {ROWS}) g"
            )
        sessions = create_session_factory(engine)
        table = _Progress.__table__

        async def orm(row: int) -> None:
            async with sessions() as db, db.begin():
                progress = await db.get(_Progress, row)
                assert progress is not None
                progress.step += 1

        async def core(row: int) -> None:
            async with engine.begin() as connection:
                found = await connection.execute(
                    select(table.c.step, table.c.version).where(table.c.id == row)
                )
                step, version = found.one()
                await connection.execute(
                    update(table)
                    .where(table.c.id == row, table.c.version == version)
                    .values(step=step + 1, version=version + 1)
                )

        driver = await asyncpg.connect(dsn)
        try:

            async def driver_alone(row: int) -> None:
                async with driver.transaction():
                    step, version = await driver.fetchrow(
                        "SELECT step, version FROM floor_progress WHERE id = $1", row
                    )
                    await driver.execute(
                        "UPDATE floor_progress SET step = $2, version = $3 "
                        "WHERE id = $1 AND version = $4",
                        row,
                        step + 1,
                        version + 1,
                        version,
                    )

            async def driver_one_statement(row: int) -> None:
                await driver.fetchval(
                    "UPDATE floor_progress SET step = step + 1, version = version + 1 "
                    "WHERE id = $1 RETURNING step",
                    row,
                )

            return StateChangeCosts(
                orm=await _per_change_ms(orm),
                core=await _per_change_ms(core),
                driver=await _per_change_ms(driver_alone),
                driver_one_statement=await _per_change_ms(driver_one_statement),
            )
        finally:
            await driver.close()
    finally:
        await engine.dispose()
        await population.drop_database(dsn)


def describe_costs(costs: StateChangeCosts) -> str:
    return (
        f"ORM {costs.orm:.2f} ms; SQLAlchemy Core {costs.core:.2f} ms; asyncpg alone "
        f"{costs.driver:.2f} ms; asyncpg, one statement {costs.driver_one_statement:.2f} ms"
    )


async def main() -> None:
    echo = await echo_rate(3000)
    floor = await press_floor_rate(3000)
    print(
        f"press floor (PTB only): {floor.per_second:,.0f}/s, {1000 / floor.per_second:.2f} ms "
        f"a press, {floor.per_second / echo.per_second:.0%} of echo {echo.per_second:,.0f}/s"
    )
    print("state change on PostgreSQL:", describe_costs(await state_change_costs()))


if __name__ == "__main__":
    asyncio.run(main())
