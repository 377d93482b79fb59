"""Languages end to end: a person whose Telegram is set to Russian, Spanish, Ukrainian,
Portuguese or German is coached in it from /start through a whole lumbar session, its hold
timers, a reminder and /export; /language switches between languages; the command menu is set
per language.

Buttons are pressed by their translated labels, read from the same catalogue the bot uses; what
must not change (the seed's doses) is checked against words written out here.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.progress import EXPORT_COLUMNS
from bot.reminders import dispatch_due
from bot.tryout.standin.validation import visible_text
from content.i18n import LANGUAGES, language_from_telegram
from content.library import Library, library_for
from content.models import RegionKey
from storage.models import ExerciseSession, User
from tests.conftest import FakeClock, RunningBot
from tests.standin import BotMessage, ScriptedUser, TelegramStandIn
from tests.test_catalogues import leftover_english
from tests.test_progress import picture_of

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-output"


@dataclass(frozen=True)
class Seed:
    """How the seed's lumbar routine reads in one language: the words that carry its doses."""

    language: str
    first_name: str
    child: str  # the first exercise's name
    hold_30: str  # child's pose and knee to chest: a 30 s hold
    sets_1_of_2: str
    sets_1_of_3_10_reps: str  # the glute bridge: 3 sets of 10
    reps_20: str  # the sciatic nerve glide: 20 reps
    right_leg: str
    left_leg: str
    leaning_left: str  # side bending away from right-sided symptoms
    next_reminder: str  # the reminder's next instant, Sat 28 Mar 07:30, in the language


SEEDS = [
    Seed(
        "ru",
        "Аня",
        child="Поза ребёнка",
        hold_30="удержание 30 с",
        sets_1_of_2="Подход 1 из 2",
        sets_1_of_3_10_reps="Подход 1 из 3 · повторов: 10",
        reps_20="повторов: 20",
        right_leg="правая нога",
        left_leg="левая нога",
        leaning_left="наклон влево",
        next_reminder="Следующее: сб, 28 мар., 07:30",
    ),
    Seed(
        "es",
        "Lucía",
        child="Postura del niño",
        hold_30="mantén 30 s",
        sets_1_of_2="Serie 1 de 2",
        sets_1_of_3_10_reps="Serie 1 de 3 · 10 repeticiones",
        reps_20="20 repeticiones",
        right_leg="pierna derecha",
        left_leg="pierna izquierda",
        leaning_left="inclinándote a la izquierda",
        next_reminder="El próximo: sáb, 28 mar, 7:30",
    ),
    Seed(
        "uk",
        "Оля",
        child="Поза дитини",
        hold_30="утримання 30 с",
        sets_1_of_2="Підхід 1 з 2",
        sets_1_of_3_10_reps="Підхід 1 з 3 · повторів: 10",
        reps_20="повторів: 20",
        right_leg="права нога",
        left_leg="ліва нога",
        leaning_left="нахил ліворуч",
        next_reminder="Наступне: сб, 28 бер., 07:30",
    ),
    Seed(
        "pt_BR",
        "João",
        child="Postura da criança",
        hold_30="segure 30 s",
        sets_1_of_2="Série 1 de 2",
        sets_1_of_3_10_reps="Série 1 de 3 · 10 repetições",
        reps_20="20 repetições",
        right_leg="perna direita",
        left_leg="perna esquerda",
        leaning_left="inclinando para a esquerda",
        next_reminder="O próximo: sáb., 28 de mar., 07:30",
    ),
    Seed(
        "de",
        "Jonas",
        child="Stellung des Kindes",
        hold_30="30 s halten",
        sets_1_of_2="Satz 1 von 2",
        sets_1_of_3_10_reps="Satz 1 von 3 · 10 Wiederholungen",
        reps_20="20 Wiederholungen",
        right_leg="rechtes Bein",
        left_leg="linkes Bein",
        leaning_left="Neigung nach links",
        next_reminder="Die nächste: Sa., 28. März, 07:30",
    ),
]


def plain(html_text: str) -> str:
    return visible_text(html_text, "HTML")


def words(library: Library, key: str) -> str:
    """The longest stretch of a sentence with no placeholder or markup in it, to look for."""
    template = library.texts.template(key)
    pieces = re.split(r"\{\w+\}|<[^>]+>|\n", template)
    return max((piece.strip() for piece in pieces), key=len)


async def onboard_in(user: ScriptedUser, library: Library, pain: str = "5") -> BotMessage:
    """From /start to the offer of a first session: low back, right side, thigh, one hard
    activity rated 4, all in the person's language; no to every warning sign."""
    texts = library.texts
    await user.send("/start")
    await user.expect(words(library, "welcome"))
    await user.press(texts("button_accept"))
    await user.expect(words(library, "ask_region"))
    await user.press(library.regions[RegionKey.LUMBAR].name)
    await user.expect(words(library, "ask_side"))
    await user.press(texts("side_right"))
    for _ in range(10):
        question = await user.reply()
        if words(library, "ask_reach") in question:
            break
        await user.press(texts("screen_no"), on=question)
    else:
        raise AssertionError("the screening never reached the question about reach")
    await user.press(library.regions[RegionKey.LUMBAR].reach[2], on=question)
    await user.expect(words(library, "ask_pain_now"))
    await user.press(pain, on=user.seen[-1])
    activities = await user.expect(words(library, "activity_ask_onboarding"))
    await user.press(texts("activity_sitting"), on=activities)
    chosen = await user.expect(words(library, "activity_chosen"))
    await user.press(texts("button_activity_done"), on=chosen)
    rating = await user.expect(words(library, "activity_rate"))
    await user.press("4", on=rating)
    return await user.expect(words(library, "onboarded"))


async def finish_step(
    user: ScriptedUser, bot: RunningBot, library: Library, step: BotMessage
) -> BotMessage:
    """Every set of the current step, firing hold timers at once; returns the next message."""
    first_set = plain(library.texts("step_set", set_number=1, sets=9, amount="")).split("9")[0]
    message = step
    while True:
        if any(label.startswith("▶") for label in message.labels):
            await user.press("▶", on=message)
            await user.expect(words(library, "timer_running"))
            await bot.fire_timer(int(message.buttons[0][1].split("|")[2]))
            message = await user.expect(words(library, "timer_released"))
        else:
            await user.press(library.texts("button_set_done"), on=message)
            message = await user.reply()
            if not message.labels:  # the finished exercise's message, now without buttons
                message = await user.reply()
        if first_set in message or words(library, "ask_pain_after") in message:
            return message


def assert_all_in(language: str, seen: list[BotMessage]) -> None:
    """Nothing the person saw, text or button, was left in English."""
    for message in seen:
        for text in (message.text, *message.labels):
            assert not leftover_english(language, text), (language, text)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda seed: seed.language)
async def test_onboarding_and_a_whole_lumbar_session_in_the_persons_language(
    bot: RunningBot, standin: TelegramStandIn, clock: FakeClock, seed: Seed
) -> None:
    library = library_for(seed.language)
    texts = library.texts
    user = ScriptedUser(standin, seed.first_name, language_code=seed.language)
    welcome_seen = await onboard_in(user, library)
    assert welcome_seen.labels[0] == texts("button_start_now")

    await user.press(texts("button_start_now"))
    question = await user.reply()
    assert words(library, "ask_pain_before") in question
    await user.press("5", on=question)
    step = await user.expect("1/")
    seen: list[str] = []
    while words(library, "ask_pain_after") not in step:
        seen.append(step.text)
        step = await finish_step(user, bot, library, step)
    assert len(seen) == 6
    child, knee_right, knee_left, side_bend, bridge, glide = seen
    assert seed.child in child and seed.hold_30 in child and seed.sets_1_of_2 in child
    assert seed.right_leg in knee_right and seed.hold_30 in knee_right
    assert seed.sets_1_of_2 in knee_right and seed.left_leg in knee_left
    assert seed.leaning_left in side_bend
    assert seed.sets_1_of_3_10_reps in bridge
    assert seed.right_leg in glide and seed.reps_20 in glide

    await user.press("3", on=step)
    change = await user.expect(words(library, "ask_symptom_change"))
    await user.press(library.stop_rules.symptom_changes[0].label, on=change)
    summary = await user.expect(words(library, "summary_title_done"))
    assert "5 → 3" in summary
    assert words(library, "reminder_offer") in summary  # offered once the session is over
    assert summary.labels == [texts("button_set_reminder"), texts("button_no_reminder")]
    assert_all_in(seed.language, user.seen)

    async with bot.services.sessions() as db:
        session = (
            await db.execute(
                select(ExerciseSession).options(selectinload(ExerciseSession.exercises))
            )
        ).scalar_one()
        stored = (await db.execute(select(User.language))).scalar_one()
    assert stored == seed.language
    assert [(e.exercise_key, e.side, e.outcome) for e in session.exercises] == [
        ("childs_pose", None, "done"),
        ("knee_to_chest", "right", "done"),
        ("knee_to_chest", "left", "done"),
        ("lumbar_side_bend", "left", "done"),
        ("glute_bridge", None, "done"),
        ("sciatic_nerve_glide", "right", "done"),
    ]
    standin.assert_no_refusals()


@pytest.mark.parametrize("seed", SEEDS, ids=lambda seed: seed.language)
async def test_reminders_and_export_speak_the_persons_language(
    bot: RunningBot, standin: TelegramStandIn, clock: FakeClock, seed: Seed
) -> None:
    clock.now = datetime(2026, 3, 27, 20, 0, tzinfo=UTC)  # Friday evening in Berlin
    library = library_for(seed.language)
    texts = library.texts
    user = ScriptedUser(standin, seed.first_name, language_code=seed.language)
    await onboard_in(user, library)
    await user.press(texts("button_later"))
    offer = await user.expect(words(library, "reminder_offer"))
    await user.press(texts("button_set_reminder"), on=offer)
    await user.expect(words(library, "reminder_ask_time"))
    await user.send("7:30")
    await user.expect(words(library, "reminder_ask_zone"))
    await user.send("berlin")
    await user.expect(words(library, "reminder_ask_days"))
    await user.press(texts("button_every_day"))
    confirmation = await user.expect(words(library, "reminder_set"))
    assert seed.next_reminder in confirmation, confirmation.text

    clock.now = datetime(2026, 3, 28, 6, 30, tzinfo=UTC)  # 07:30 in Berlin: a job, no update
    assert await dispatch_due(bot.services, bot.app.bot) == 1  # type: ignore[union-attr]
    reminder = await user.expect(words(library, "reminder_due"))
    assert texts("button_snooze") in reminder.labels

    await user.send("/export")
    table = await user.expect(words(library, "export_caption"))
    rows = list(csv.reader(io.StringIO(standin.files[table.raw["document"]["file_id"]].decode())))
    assert tuple(rows[0]) == EXPORT_COLUMNS  # stable English headers for spreadsheets
    summary = await user.expect(words(library, "summary_caption"))
    page = picture_of(standin, summary)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.save(SCREENSHOTS / f"summary-{seed.language}.png")
    await user.send("/streak")
    progress = await user.expect(words(library, "progress_title"))
    picture_of(standin, progress).save(SCREENSHOTS / f"streak-{seed.language}.png")
    assert_all_in(seed.language, user.seen)
    standin.assert_no_refusals()


async def test_language_command_switches_and_is_kept(
    bot: RunningBot, standin: TelegramStandIn
) -> None:
    spanish, russian, english = library_for("es"), library_for("ru"), library_for("en")
    user = ScriptedUser(standin, "Lucía", language_code="es-MX")
    await user.send("/start")
    await user.expect(words(spanish, "welcome"))
    await user.send("/language")
    question = await user.expect(words(spanish, "language_question"))
    assert question.labels == [
        f"✓ {name}" if code == "es" else name for code, name in LANGUAGES.items()
    ]
    await user.press("Русский", on=question)
    await user.expect(words(russian, "language_saved"))
    await user.send("/help")
    await user.expect(words(russian, "help"))
    async with bot.services.sessions() as db:
        assert (await db.execute(select(User.language))).scalar_one() == "ru"

    await bot.restart()  # stored, not remembered in memory
    await user.send("/start")
    await user.expect(words(russian, "welcome"))
    await user.send("/language")
    await user.press("English", on=await user.expect(words(russian, "language_question")))
    await user.expect("From now on I'll write in English")
    await user.send("/help")
    await user.expect(words(english, "help"))
    standin.assert_no_refusals()


async def test_a_forged_language_press_changes_nothing(
    bot: RunningBot, standin: TelegramStandIn
) -> None:
    user = ScriptedUser(standin, "Ana", language_code="pt-BR")
    await user.send("/language")
    question = await user.expect(words(library_for("pt_BR"), "language_question"))
    await user.press_data(question.message_id, "1|lg|fr")
    await user.no_reply()
    async with bot.services.sessions() as db:
        assert (await db.execute(select(User.language))).scalar_one() == "pt_BR"
    standin.assert_no_refusals()


async def test_the_command_menu_is_set_in_every_language(
    bot: RunningBot, standin: TelegramStandIn
) -> None:
    assert {c["command"] for c in standin.commands} >= {"start", "language", "export"}
    assert set(standin.commands_by_language) == {"ru", "uk", "es", "pt", "de"}
    for code, commands in standin.commands_by_language.items():
        library = library_for(language_from_telegram(code))
        described = {c["command"]: c["description"] for c in commands}
        assert described["language"] == library.texts("command_language")
        assert described.keys() == {c["command"] for c in standin.commands}
    standin.assert_no_refusals()


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("ru", "ru"),
        ("uk", "uk"),
        ("es", "es"),
        ("es-AR", "es"),
        ("pt-br", "pt_BR"),
        ("pt", "pt_BR"),
        ("pt-PT", "pt_BR"),
        ("de", "de"),
        ("de-AT", "de"),
        ("en", "en"),
        ("fr", "en"),
        ("fa", "en"),
        (None, "en"),
        ("", "en"),
    ],
)
def test_telegram_language_codes_map_to_a_language_we_speak(
    code: str | None, language: str
) -> None:
    assert language_from_telegram(code) == language


async def test_an_unknown_telegram_language_gets_english(
    bot: RunningBot, standin: TelegramStandIn
) -> None:
    user = ScriptedUser(standin, "Sara", language_code="fa")
    await user.send("/start")
    await user.expect("not medical advice")
    standin.assert_no_refusals()
