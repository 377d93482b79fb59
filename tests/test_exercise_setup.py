"""Floor, bed or wall: chosen once in /settings, kept on the user, and every later session
shows those words and that demonstration. Cues and common mistakes sit under the steps."""

import asyncio
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bot.pictures import demo_for
from content.library import DATA_DIR, ContentError, load_library
from content.messages import step_message
from content.models import DoseLevel, RegionKey, Setup, Side
from storage.files import stored_file_id
from tests.conftest import RunningBot
from tests.flows import onboard
from tests.standin import ScriptedUser, TelegramStandIn

LIBRARY = load_library()


def setups_of(region: RegionKey, setup: Setup) -> dict[str, Setup]:
    routine = LIBRARY.build_routine(region, Side.RIGHT, DoseLevel.STANDARD, setup=setup)
    return {step.exercise_key: step.setup for step in routine.steps}


def test_bed_lies_the_floor_exercises_on_a_bed_and_leaves_standing_ones_alone() -> None:
    assert setups_of(RegionKey.LUMBAR, Setup.BED) == {
        "childs_pose": Setup.BED,
        "knee_to_chest": Setup.BED,
        "lumbar_side_bend": Setup.FLOOR,
        "glute_bridge": Setup.BED,
        "sciatic_nerve_glide": Setup.BED,
    }
    routine = LIBRARY.build_routine(
        RegionKey.LUMBAR, Side.RIGHT, DoseLevel.STANDARD, setup=Setup.BED
    )
    assert routine.steps[0].position == "Kneeling on your bed on your hands and knees."


def test_wall_is_used_where_an_exercise_has_it_and_a_bed_otherwise() -> None:
    chosen = setups_of(RegionKey.LUMBAR, Setup.WALL)
    assert chosen["childs_pose"] is Setup.WALL and chosen["knee_to_chest"] is Setup.BED
    thoracic = setups_of(RegionKey.THORACIC, Setup.WALL)
    assert thoracic["cat_camel"] is Setup.WALL and thoracic["book_opening"] is Setup.BED
    routine = LIBRARY.build_routine(
        RegionKey.LUMBAR, Side.RIGHT, DoseLevel.STANDARD, setup=Setup.WALL
    )
    child = routine.steps[0]
    assert "wall" in child.position and any("hands on the wall" in s for s in child.steps)


def test_every_setup_has_its_own_demonstration() -> None:
    routine = LIBRARY.build_routine(RegionKey.LUMBAR, Side.RIGHT, DoseLevel.STANDARD)
    floor = routine.steps[0]
    keys = {setup: demo_for(LIBRARY, replace(floor, setup=setup)) for setup in Setup}
    assert len({demo.key for demo in keys.values()}) == 3
    assert keys[Setup.BED].demonstration.props == ["bed"]
    assert keys[Setup.WALL].demonstration.posture == "upright"
    assert keys[Setup.FLOOR].demonstration.posture == "all_fours"


def test_cues_and_mistakes_are_shown_under_the_steps() -> None:
    for region in RegionKey:
        routine = LIBRARY.build_routine(region, Side.LEFT, DoseLevel.STANDARD)
        for step in routine.steps:
            assert 1 <= len(step.cues) <= 3 and 1 <= len(step.mistakes) <= 2
            text = step_message(
                LIBRARY.texts, step, position=1, count=1, set_number=1, pain_limit=3
            )
            numbered = text.index(f"{len(step.steps)}. ")
            assert numbered < text.index("✓") < text.index("Avoid:") < text.index("You should")
    bridge = LIBRARY.build_routine(RegionKey.LUMBAR, Side.RIGHT, DoseLevel.STANDARD).steps[-2]
    assert any("arching your back at the top" in m.lower() for m in bridge.mistakes)


@pytest.mark.parametrize(
    ("find", "replace_with", "message"),
    [
        (
            "  mistakes:\n    - Lifting your head",
            "  mistakes:\n    - One\n    - Two\n    - Lifting your head",
            r"exercises.yaml: knee_to_chest: mistakes: List should have at most 2 items",
        ),
        (
            "  setups:\n    bed:\n      position: Lying on your back on your bed",
            "  other_notes:\n    bed:\n      position: Lying on your back on your bed",
            r"exercises.yaml: knee_to_chest: other_notes: Extra inputs are not permitted",
        ),
    ],
)
def test_a_wrong_cue_list_or_setup_fails_at_load(
    tmp_path: Path, find: str, replace_with: str, message: str
) -> None:
    shutil.copytree(DATA_DIR, tmp_path / "data")
    exercises = tmp_path / "data" / "exercises.yaml"
    text = exercises.read_text()
    assert find in text
    exercises.write_text(text.replace(find, replace_with, 1))
    with pytest.raises(ContentError, match=message):
        load_library(tmp_path / "data")


async def test_settings_keeps_the_bed_and_the_next_session_shows_it(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    await user.press("Later")
    await user.send("/settings")
    question = await user.expect("Where do you do the floor exercises?")
    assert "Now: on the floor" in question
    assert question.labels == ["On the floor", "On a bed", "At a wall, else on a bed"]
    await user.press("On a bed", on=question)
    await user.expect("Saved: on a bed")
    await user.send("/settings")
    assert "Now: on a bed" in await user.expect("Where do you do the floor exercises?")
    await user.send("/cancel")
    await user.send("/exercise")
    await user.press("4", on=await user.expect("how strong"))
    step = await user.expect("1/")
    assert step.has_animation and "Kneeling on your bed" in step and "✓ " in step
    routine = LIBRARY.build_routine(
        RegionKey.LUMBAR, Side.RIGHT, DoseLevel.STANDARD, setup=Setup.BED
    )
    key = demo_for(LIBRARY, routine.steps[0]).key
    assert "-bed-" in key
    for _ in range(200):  # the file id is kept just after the send returns
        async with bot.services.sessions() as db:
            stored = await stored_file_id(db, key)
        if stored:
            break
        await asyncio.sleep(0.02)
    assert stored == step.raw["animation"]["file_id"]
    standin.assert_no_refusals()


async def test_a_forged_setup_button_changes_nothing(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    await user.send("/settings")
    question = await user.expect("Where do you do the floor exercises?")
    await user.press_data(question.message_id, "1|su|roof")
    await user.send("/settings")
    assert "Now: on the floor" in await user.expect("Where do you do the floor exercises?")


def test_a_setup_with_words_but_no_demonstration_fails_at_load(tmp_path: Path) -> None:
    shutil.copytree(DATA_DIR, tmp_path / "data")
    demos = tmp_path / "data" / "demos.yaml"
    text = demos.read_text()
    bed = "    bed:\n      like: floor\n      props: [bed, pillow]\n"
    start = text.index("  knee_to_chest:")
    demos.write_text(text[:start] + text[start:].replace(bed, "", 1))
    with pytest.raises(ContentError, match=r"demos.yaml: knee_to_chest: setups \[\] differ"):
        load_library(tmp_path / "data")


def test_the_gentle_slider_has_its_own_demonstration_with_toes_pointing() -> None:
    gentle = LIBRARY.build_routine(RegionKey.LUMBAR, Side.RIGHT, DoseLevel.GENTLE)
    standard = LIBRARY.build_routine(RegionKey.LUMBAR, Side.RIGHT, DoseLevel.STANDARD)
    slider = next(s for s in gentle.steps if s.exercise_key == "sciatic_nerve_glide")
    glide = next(s for s in standard.steps if s.exercise_key == "sciatic_nerve_glide")
    assert slider.easier and not glide.easier
    easy, usual = demo_for(LIBRARY, slider), demo_for(LIBRARY, glide)
    assert "-gentle-" in easy.key and easy.title == "Supine sciatic nerve slider"
    assert easy.demonstration.moves[0].to.right_leg.ankle < 0  # toes point away
    assert usual.demonstration.moves[0].to.right_leg.ankle > 0  # toes pulled up
    on_bed = demo_for(LIBRARY, replace(slider, setup=Setup.BED))
    assert on_bed.demonstration.props == ["bed", "pillow"] and on_bed.key != easy.key
