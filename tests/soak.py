"""The soak test: simulated people take seeded random walks through every flow against two bot
instances (real `python -m bot` processes) on one fresh PostgreSQL database behind webhooks;
in the middle one instance is killed with -9 and started again while the people keep going.

Each person presses buttons (the sensible answer more often than a warning sign, so most get
as far as sessions), taps twice, presses old buttons, types times, zones, pains and nonsense,
shares places, and sends every command. Reminders are made due now and then from outside.
Afterwards the invariants are checked from the database, the stand-in's record and both
instances' logs (see `check_invariants`), and one line is printed:

    soak: people <N>, updates <U>, kills <K>, violations <V>

Run `python -m tests.soak --people 1000` (`make soak`); tests/test_soak.py runs a small one.
The seed is printed first; `--seed` repeats a run's choices (timing still varies).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg

from bot.callbacks import Action, decode
from content.library import library_for
from tests.conftest import TOKEN
from tests.databases import create_database, drop_database
from tests.processes import BotProcess
from tests.standin import RecordedCall, ScriptedUser, TelegramStandIn
from tests.test_webhook import free_port

ANSWER_WITHIN_SECONDS = 240.0  # a delivery waits behind every other person's in a big run
REMINDER_ROUND_SECONDS = 4.0  # how often every enabled reminder is made due
DUE_POLL_SECONDS = 0.3  # how often the due times the bot itself set are read
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")  # a new record, not a traceback line

COMMANDS = {  # command: weight
    "/start": 1,
    "/exercise": 3,
    "/reminder": 2,
    "/streak": 1,
    "/export": 0.6,
    "/pause": 1,
    "/resume": 0.7,
    "/forget": 0.4,
    "/language": 1,
    "/activities": 1,
    "/cancel": 1,
    "/settings": 0.7,
    "/warning": 0.4,
    "/help": 0.5,
    "/learn": 0.5,
    "/frobnicate": 0.2,
}
TYPED = [
    # times, good and bad (digits int() refuses, out of range)
    *("07:30", "7.30", "8", "21:15", "2500", "1299", "²²²²", "8pm", "٠٨:٣٠", "24:00", "-1"),
    # zones and places
    *("Europe/Berlin", "Berlin", "Tokyo", "o²", "UTC+3", "Mars", "America/Sao_Paulo", "Киев"),
    # pains, activities and nonsense
    *("5", "11", "0", "Walking the dog", "Sitting at my desk", "x" * 300, "🙂", ""),
]
# Answers that end a walk early or take exercise away, pressed less than the sensible ones.
RARELY = {
    Action.DECLINE: 0.05,
    Action.HURT: 0.15,
    Action.STOP: 0.1,
    Action.FORGET: 0.3,
    Action.LANGUAGE: 0.5,
}

SESSION_ACTIONS = {
    Action.PAIN_BEFORE,
    Action.TIMER,
    Action.SET_DONE,
    Action.REST,
    Action.FEEDBACK,
    Action.PAIN_AFTER,
    Action.SYMPTOM_CHANGE,
}


def button_weight(data: str) -> float:
    """How likely a person presses this button, from its callback data."""
    callback = decode(data)
    if callback is None:
        return 1.0
    if callback.action == Action.SCREEN and callback.args[1] == 1:  # "yes" to a warning sign
        return 0.04
    if callback.action in (Action.WARNING, Action.WEEKLY_CHECK):
        return {"emergency": 0.03, "see_soon": 0.06}.get(str(callback.args[0]), 1.0)
    return RARELY.get(callback.action, 1.0)


@dataclass
class Record:
    """What the run saw, for the invariants and the summary."""

    updates: int = 0
    kills: int = 0
    killed_urls: set[str] = field(default_factory=set)  # webhooks of instances killed with -9
    violations: list[str] = field(default_factory=list)
    # how far the people got: sessions finished, pain after given, reminders sent...
    reached: Counter[str] = field(default_factory=Counter)
    # telegram user id -> due times their reminder had during the run (forced or the bot's own)
    due_times: dict[int, set[datetime]] = field(default_factory=lambda: defaultdict(set))


class Person:
    """One simulated person: a private chat and a seeded random walk."""

    def __init__(self, standin: TelegramStandIn, index: int, seed: int, record: Record) -> None:
        self.standin = standin
        self.rng = random.Random(seed * 1_000_003 + index)
        language = self.rng.choice(["en", "en", "en", "ru", "de", "es", "pt-br", "uk", "fr"])
        self.user = ScriptedUser(standin, f"P{index}", language_code=language)
        self.record = record
        self.pressed: list[tuple[int, str]] = []  # every (message id, data) pressed so far

    async def walk(self, steps: int, halfway: asyncio.Event, total_steps: int) -> None:
        await self.send("/start")
        for _ in range(steps):
            await self.act()
            if self.record.updates >= total_steps // 2:
                halfway.set()
            if self.rng.random() < 0.2:
                await asyncio.sleep(self.rng.uniform(0, 0.5))  # reading, thinking

    async def act(self) -> None:
        roll = self.rng.random()
        buttons = self.newest_buttons()
        if buttons and self.in_a_session(buttons):
            roll *= 0.8  # mid-session people mostly keep going: most get to the end
        if roll < 0.72 and buttons:
            message_id, data = self.choose(buttons)
            if self.rng.random() < 0.08:  # a double tap: both presses out before either is handled
                await self.press(message_id, data, wait=False)
            await self.press(message_id, data)
        elif roll < 0.76 and (old := [p for p in self.pressed if p[0] in self.user.chat.messages]):
            await self.press(*self.rng.choice(old))  # pressed before: an answered question
        elif roll < 0.88:
            names, weights = zip(*COMMANDS.items(), strict=True)
            await self.send(self.rng.choices(names, weights)[0])
        elif roll < 0.97:
            await self.send(self.rng.choice(TYPED))
        else:
            await self.something_else()

    def newest_buttons(self) -> list[tuple[int, str]]:
        """The buttons on the newest message that has any, as the chat shows it now."""
        for message_id in sorted(self.user.chat.messages, reverse=True):
            message = self.user.chat.messages[message_id]
            rows = message.get("reply_markup", {}).get("inline_keyboard", [])
            found = [(message_id, b["callback_data"]) for row in rows for b in row]
            if found:
                return found
        return []

    def in_a_session(self, buttons: list[tuple[int, str]]) -> bool:
        actions = {callback.action for _, data in buttons if (callback := decode(data))}
        return bool(actions & SESSION_ACTIONS)

    def choose(self, buttons: list[tuple[int, str]]) -> tuple[int, str]:
        weights = [button_weight(data) for _, data in buttons]
        return self.rng.choices(buttons, weights)[0]

    async def something_else(self) -> None:
        kind = self.rng.choice(["location", "sticker", "photo", "voice"])
        if kind == "location":
            await self.user.share_location(self.rng.uniform(-60, 70), self.rng.uniform(-180, 180))
        else:
            await getattr(self.user, f"send_{kind}")()
        await self.answered(self.standin.last_update_id)

    async def send(self, text: str) -> int:
        """Type `text` and wait until it is handled; the id of the message typed."""
        if text:
            await self.user.send(text)
        else:  # Telegram sends no empty text: an empty caption-less photo instead
            await self.user.send_photo()
        update_id = self.standin.last_update_id
        await self.answered(update_id)
        return update_id

    async def press(self, message_id: int, data: str, *, wait: bool = True) -> None:
        self.pressed.append((message_id, data))
        await self.user.press_data(message_id, data)
        if wait:
            await self.answered(self.standin.last_update_id)
        else:
            self.record.updates += 1

    async def answered(self, update_id: int) -> None:
        self.record.updates += 1
        if not await self.standin.delivered(update_id, ANSWER_WITHIN_SECONDS):
            self.record.violations.append(f"update {update_id} not answered in time")

    async def check_way_out(self) -> None:
        """/cancel and /start each get an answer, wherever the person is."""
        for command in ("/cancel", "/start"):
            await self.user.send(command)
            update_id = self.standin.last_update_id
            typed_as = max(self.user.chat.messages, default=0)
            await self.answered(update_id)
            if max(self.user.chat.messages, default=0) <= typed_as:
                self.record.violations.append(f"{command} got no answer (update {update_id})")


async def watch_due_times(postgres_dsn: str, record: Record, stop: asyncio.Event) -> None:
    """Make every enabled reminder due now and then, and note every due time the bot itself
    sets in between, so each reminder sent can be matched to one due time."""
    connection = await asyncpg.connect(postgres_dsn)
    last_round = time.monotonic()
    try:
        while not stop.is_set():
            if time.monotonic() - last_round > REMINDER_ROUND_SECONDS:
                last_round = time.monotonic()
                rows = await connection.fetch(
                    "UPDATE reminders r SET next_due_utc = clock_timestamp() FROM users u"
                    " WHERE u.id = r.user_id AND r.enabled"
                    " RETURNING u.telegram_user_id, r.next_due_utc"
                )
                for row in rows:
                    record.due_times[row["telegram_user_id"]].add(row["next_due_utc"])
            rows = await connection.fetch(
                "SELECT u.telegram_user_id, r.next_due_utc FROM reminders r"
                " JOIN users u ON u.id = r.user_id WHERE r.enabled AND r.next_due_utc IS NOT NULL"
            )
            for row in rows:
                record.due_times[row["telegram_user_id"]].add(row["next_due_utc"])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), DUE_POLL_SECONDS)
    finally:
        await connection.close()


async def kill_and_restart(instance: BotProcess, halfway: asyncio.Event, record: Record) -> None:
    """In the middle of the run: kill -9 one instance, and start it again on its port."""
    await halfway.wait()
    await instance.kill()
    record.kills += 1
    record.killed_urls.add(instance.url)
    await asyncio.sleep(1.0)  # deliveries to it fail meanwhile and go to the other
    await instance.start()
    await instance.wait_ready(within=120)


async def run_soak(
    people: int, seed: int, steps: int = 30, concurrency: int = 50, *, keep: bool = False
) -> Record:
    """The whole soak; returns what it saw, violations included."""
    record = Record()
    postgres_dsn, postgres_url = await create_database("soak")
    standin = TelegramStandIn(TOKEN)
    await standin.start()
    instances: list[BotProcess] = []
    workdir = tempfile.mkdtemp(prefix="soak-")
    if keep:
        print(f"soak: logs in {workdir}", flush=True)
    try:
        settings = {"REMINDER_CHECK_SECONDS": "1", "PICTURE_CACHE_DIR": f"{workdir}/pictures"}
        for index in range(2):
            instance = BotProcess(
                standin, postgres_url, free_port(), Path(workdir, f"i{index}"), **settings
            )
            await instance.start()
            await instance.wait_ready(within=120)  # one at a time: migrations run once
            instances.append(instance)
        await walk_everyone(
            standin, instances, postgres_dsn, record, people, seed, steps, concurrency
        )
        for instance in instances:
            if await instance.terminate() != 0:
                record.violations.append(f"instance on {instance.port} did not stop cleanly")
        record.updates = standin.last_update_id
        await check_invariants(standin, instances, postgres_dsn, record)
    finally:
        for instance in instances:
            if instance.running:
                await instance.kill()
        await standin.stop()
        await drop_database(postgres_url)
        if not keep:
            shutil.rmtree(workdir)
    return record


async def walk_everyone(
    standin: TelegramStandIn,
    instances: list[BotProcess],
    postgres_dsn: str,
    record: Record,
    people: int,
    seed: int,
    steps: int,
    concurrency: int,
) -> None:
    halfway = asyncio.Event()
    stop_watching = asyncio.Event()
    watcher = asyncio.create_task(watch_due_times(postgres_dsn, record, stop_watching))
    killer = asyncio.create_task(kill_and_restart(instances[0], halfway, record))
    room = asyncio.Semaphore(concurrency)  # people come and go; this many at once
    crowd = [Person(standin, index, seed, record) for index in range(people)]
    total = people * (steps + 3)

    async def one(person: Person) -> None:
        async with room:
            await person.walk(steps, halfway, total)

    await asyncio.gather(*(one(person) for person in crowd))
    halfway.set()  # a run too small to reach the middle still kills once
    await killer
    await asyncio.sleep(2 * REMINDER_ROUND_SECONDS)  # hold timers and reminders come out

    async def way_out(person: Person) -> None:
        async with room:
            await person.check_way_out()

    await asyncio.gather(*(way_out(person) for person in crowd))
    stop_watching.set()
    await watcher
    await asyncio.sleep(2.0)  # any reminder claimed just now goes out


async def check_invariants(
    standin: TelegramStandIn, instances: list[BotProcess], postgres_dsn: str, record: Record
) -> None:
    """Nothing counted twice, nothing sent twice, nothing lost, no error; each breach is one
    line in `record.violations`."""
    bad = record.violations
    connection = await asyncpg.connect(postgres_dsn)
    try:
        for row in await connection.fetch(
            "SELECT session_id, position, count(*) AS n FROM session_exercises"
            " GROUP BY session_id, position HAVING count(*) > 1"
        ):
            bad.append(f"session {row['session_id']} step {row['position']} recorded {row['n']}x")
        for row in await connection.fetch(
            "SELECT user_id, count(*) AS n FROM exercise_sessions WHERE status = 'active'"
            " GROUP BY user_id HAVING count(*) > 1"
        ):
            bad.append(f"user {row['user_id']} has {row['n']} sessions under way")
        exercises = library_for("en").exercises
        for row in await connection.fetch(
            "SELECT session_id, exercise_key, sets_done FROM session_exercises"
        ):
            exercise = exercises.get(row["exercise_key"])
            most = exercise.dose.sets.max if exercise else 0
            if row["sets_done"] > most:
                bad.append(
                    f"session {row['session_id']} {row['exercise_key']}: "
                    f"{row['sets_done']} sets counted, at most {most} exist"
                )
        for row in await connection.fetch(
            "SELECT s.id, s.step_index, count(e.id) AS n FROM exercise_sessions s"
            " LEFT JOIN session_exercises e ON e.session_id = s.id"
            " WHERE s.status = 'active' GROUP BY s.id, s.step_index"
        ):
            if row["n"] > row["step_index"] + 1:
                bad.append(
                    f"session {row['id']}: {row['n']} steps recorded at step {row['step_index']}"
                )
        reached = await connection.fetchrow(
            "SELECT"
            " (SELECT count(*) FROM users WHERE onboarded_at IS NOT NULL) AS onboarded,"
            " (SELECT count(*) FROM users WHERE screening = 'emergency') AS emergency,"
            " (SELECT count(*) FROM users WHERE screening = 'see_soon') AS see_soon,"
            " (SELECT count(*) FROM exercise_sessions) AS sessions,"
            " (SELECT count(*) FROM exercise_sessions WHERE status = 'completed') AS completed,"
            " (SELECT count(*) FROM exercise_sessions WHERE pain_after IS NOT NULL) AS pain_after,"
            " (SELECT count(*) FROM exercise_sessions WHERE symptom_change IS NOT NULL)"
            "   AS symptom_change,"
            " (SELECT count(*) FROM session_exercises WHERE outcome = 'stopped') AS hurt,"
            " (SELECT count(*) FROM session_exercises WHERE sets_done > 0) AS sets_done,"
            " (SELECT count(*) FROM pauses) AS pauses,"
            " (SELECT count(*) FROM activity_ratings) AS activity_ratings"
        )
        record.reached.update(dict(reached))
    finally:
        await connection.close()

    reminders_sent: Counter[int] = Counter()
    for call in standin.calls_to("sendMessage"):
        markup = json.dumps(call.params.get("reply_markup") or {})
        if call.status == 200 and f"|{Action.REMINDER_NOW.value}|" in markup:
            reminders_sent[int(call.params["chat_id"])] += 1
    record.reached["reminders"] = reminders_sent.total()
    for chat_id, sent in reminders_sent.items():
        due = len(record.due_times.get(chat_id, ()))
        if sent > due:
            bad.append(f"chat {chat_id}: {sent} reminders for {due} due times")

    record.reached["redelivered"] = sum(1 for *_, status in standin.deliveries if status >= 300)
    pushed = set(range(1, standin.last_update_id + 1))
    for update_id in sorted(pushed - standin.delivered_ids):
        bad.append(f"update {update_id} never delivered")
    logs = "\n".join(instance.log() for instance in instances)
    handled = {int(match) for match in re.findall(r"update=(\d+) user=\S+ handler=\S+ ms=", logs)}
    for update_id in sorted(pushed - handled):
        bad.append(f"update {update_id} answered but never handled (lost)")
    bad.extend(f"log: {record}" for record in errors_logged(logs))
    # The database never goes away in the soak: a person told "try again in a minute", or a
    # reminder pass given up, means the instances starved it (too few connections, a hang).
    bad.extend(f"log: {line[:300]}" for line in logs.splitlines() if DATABASE_MISSED in line)
    unanswered = standin.unanswered_presses()
    if unanswered:
        bad.append(f"{len(unanswered)} press(es) never answered: {sorted(unanswered)[:10]}")
    # Updates whose delivery to an instance killed in the run failed (and was made again).
    cut_short = {
        update_id
        for update_id, url, status in standin.deliveries
        if status >= 300 and url in record.killed_urls
    }
    answered = {
        str(call.params.get("callback_query_id"))
        for call in standin.calls
        if call.method == "answerCallbackQuery" and call.status == 200
    }
    for call in standin.refusals():
        if "not modified" in call.description:
            # A double tap: both presses carry the question with its buttons, and the second
            # closes it again as the first did. Telegram refuses that edit as well; harmless.
            continue
        if _answered_before_a_kill(standin, call, answered, cut_short):
            continue
        text = str(call.params.get("text") or call.params.get("caption") or "")[:80]
        bad.append(f"refused {call.method}: {call.status} {call.description[:90]} ({text!r})")


def _answered_before_a_kill(
    standin: TelegramStandIn, call: RecordedCall, answered: set[str], cut_short: set[int]
) -> bool:
    """A second answer to a press that was answered once already, and whose delivery to the
    instance killed with -9 failed: that instance had answered it (and saved its move) but
    not confirmed the delivery, so the other one got it again, found the move made and said
    so. Telegram refuses that second answer too, and the person saw the first; nothing was
    lost or counted twice. Any other refused answer stays a violation."""
    query_id = str(call.params.get("callback_query_id"))
    return (
        call.method == "answerCallbackQuery"
        and "query is too old" in call.description
        and query_id in answered
        and standin.press_update_ids.get(query_id) in cut_short
    )


async def stopped_by_signals(soak: Coroutine[Any, Any, Record]) -> Record:
    """Run the soak; SIGINT or SIGTERM cancels it, so its instances and database go too."""
    task = asyncio.ensure_future(soak)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    return await task


DATABASE_MISSED = "the database is unavailable"


def errors_logged(logs: str) -> list[str]:
    """Every record at ERROR or above, or with a traceback, each with its traceback."""
    records: list[list[str]] = []
    for line in logs.splitlines():
        if LOG_LINE.match(line) or not records:
            records.append([line[:300]])
        else:
            records[-1].append(line)
    return [
        "\n    ".join(record)
        for record in records
        if " ERROR " in record[0]
        or " CRITICAL " in record[0]
        or any(line.startswith("Traceback") for line in record[1:])
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--steps", type=int, default=30, help="actions per person")
    parser.add_argument("--concurrency", type=int, default=50, help="people at once")
    parser.add_argument("--keep", action="store_true", help="keep the instances' logs")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    print(f"soak: seed {seed}", flush=True)
    started = time.monotonic()
    soak = run_soak(args.people, seed, args.steps, args.concurrency, keep=args.keep)
    record = asyncio.run(stopped_by_signals(soak))
    for violation in record.violations[:50]:
        print(f"  violation: {violation}", file=sys.stderr)
    print(
        f"soak: people {args.people}, updates {record.updates}, kills {record.kills}, "
        f"violations {len(record.violations)}",
        flush=True,
    )
    reached = ", ".join(f"{name} {count}" for name, count in record.reached.items())
    print(f"soak: reached {reached}; took {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 1 if record.violations else 0


if __name__ == "__main__":
    sys.exit(main())
