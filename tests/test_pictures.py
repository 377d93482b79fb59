"""Exercise pictures: one for every exercise and side, valid and sensible, uploaded only once."""

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from bot.gallery import every_picture_step, write_gallery
from content.library import DATA_DIR, ContentError, load_library
from tests.conftest import RunningBot
from tests.flows import onboard, start_session
from tests.standin import ScriptedUser, TelegramStandIn


def test_every_exercise_in_every_routine_has_a_picture_for_every_side(tmp_path: Path) -> None:
    library = load_library()
    steps = every_picture_step(library)
    wanted = {
        (key, side)
        for key, exercise in library.exercises.items()
        for side in (("left", "right") if exercise.sided else ("both",))
        if any(key in region.exercises for region in library.regions.values())
    }
    assert set(steps) == wanted
    written = write_gallery(tmp_path)
    assert len(written) == len(wanted) == 24
    for path in written:
        image = Image.open(io.BytesIO(path.read_bytes()))
        image.verify()
        image = Image.open(path)
        assert image.format == "PNG" and 800 <= image.width <= 2000 and 300 <= image.height <= 1200
        assert len(path.read_bytes()) < 200_000  # small enough to upload quickly


def test_left_and_right_pictures_differ_and_are_mirror_images(tmp_path: Path) -> None:
    write_gallery(tmp_path)
    right = Image.open(tmp_path / "knee_to_chest-right.png").convert("L")
    left = Image.open(tmp_path / "knee_to_chest-left.png").convert("L")
    assert right.tobytes() != left.tobytes()
    # the figures (below the title, above the label) are mirror images of each other
    box = (0, 60, right.width, right.height - 60)
    panel_right = right.crop(box).crop((10, 0, 610, right.height - 120))
    panel_left = left.crop(box).crop((10, 0, 610, left.height - 120))
    mirrored = panel_left.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    differing = sum(
        1 for a, b in zip(panel_right.tobytes(), mirrored.tobytes(), strict=True) if abs(a - b) > 40
    )
    assert differing < 0.01 * panel_right.width * panel_right.height


def test_a_pose_with_an_unknown_point_fails_at_load(tmp_path: Path) -> None:
    shutil.copytree(DATA_DIR, tmp_path / "data")
    poses = tmp_path / "data" / "poses.yaml"
    poses.write_text(poses.read_text().replace("{head: [152, 50]", "{hed: [152, 50]", 1))
    with pytest.raises(
        ContentError, match=r"poses.yaml: childs_pose: .*start: unknown point.*'hed'"
    ):
        load_library(tmp_path / "data")


async def test_a_step_arrives_with_its_picture_and_the_second_time_by_file_id(
    bot: RunningBot, standin: TelegramStandIn, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    await onboard(user)
    first = await start_session(user)
    assert first.has_photo and "Child's pose" in first and "Set 1 of 2" in first
    assert first.labels[0].startswith("▶ Start")
    await user.send("/cancel")
    await user.expect("Nothing you've done is lost")
    await user.send("/exercise")
    await user.press("4", on=await user.expect("how strong"))
    again = await user.expect("1/6")
    assert again.has_photo
    photos = standin.calls_to("sendPhoto")
    assert [call.uploaded_files for call in photos] == [("photo",), ()]
    assert photos[1].params["photo"] == first.raw["photo"][-1]["file_id"]
    standin.assert_no_refusals()


async def test_learn_is_offered_after_onboarding(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    offer = await onboard(user)
    await user.press("First, tell me about pinched nerves", on=offer)
    card = await user.expect("Common symptoms")  # a low-back user's first card
    assert "When to get help" in card.labels
