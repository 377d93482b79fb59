"""Exercise demonstrations: every exercise, side and setup moves smoothly inside the frame,
the moving part really moves, the real MP4 is what Telegram loops, and it is uploaded once."""

import io
import os
import shutil
import threading
from pathlib import Path

import av
import pytest
from PIL import Image, ImageChops

from bot import animation, mannequin
from bot.gallery import every_demo, every_picture_step, write_gallery
from bot.pictures import Demo, animation_bytes, demo_for, still_bytes, unique_temporary
from content.library import DATA_DIR, ContentError, load_library
from content.timeline import largest_step, part_points
from tests.conftest import FakeClock, RunningBot
from tests.flows import onboard, start_session
from tests.standin import ScriptedUser, TelegramStandIn
from tests.standin.users import BotMessage

LIBRARY = load_library()
DEMOS = every_demo(LIBRARY)
SMALL = (150, 150)
# At 12 frames a second no joint travels more than this between frames: a pose that jumped
# (a missing key frame, a sign error, an unplaced anchor) moves tens of centimetres at once.
MAX_STEP_CM = 10.0
MIN_MOVE_CM = 5.0


def test_every_exercise_in_every_routine_has_a_demonstration_for_every_side() -> None:
    wanted = {
        (key, side)
        for key, exercise in LIBRARY.exercises.items()
        for side in (("left", "right") if exercise.sided else ("both",))
        if any(key in region.exercises for region in LIBRARY.regions.values())
    }
    assert set(every_picture_step(LIBRARY)) == wanted
    assert {(key, side) for key, side, _ in DEMOS} == wanted
    assert len(wanted) == 24


@pytest.mark.parametrize("which", sorted(DEMOS), ids="-".join)
def test_the_figure_moves_smoothly_inside_the_frame(which: tuple[str, str, str]) -> None:
    demo = DEMOS[which]
    loop = animation.plan_loop(demo.demonstration, mirror=demo.mirror, size=SMALL)
    width, height = SMALL
    top = height * mannequin.TITLE_H
    bottom = height * (1 - mannequin.FOOTER_H)
    for index, skeleton in enumerate(loop.skeletons):
        left, low, right, high = mannequin.figure_extent(skeleton, loop.place.view)
        corners = [loop.place.px(p) for p in _box_corners(loop, left, low, right, high)]
        xs, ys = [x for x, _ in corners], [y for _, y in corners]
        assert min(xs) >= 0 and max(xs) <= width, f"frame {index} leaves the picture sideways"
        assert min(ys) >= top - 0.5, f"frame {index} reaches into the title"
        if demo.demonstration.focus == "whole":
            assert max(ys) <= bottom + 0.5, f"frame {index} reaches into the words below"
    steps = [largest_step(a, b) for a, b in zip(loop.skeletons, loop.skeletons[1:], strict=False)]
    assert max(steps) <= MAX_STEP_CM, f"a joint jumps {max(steps):.1f} cm between two frames"
    assert largest_step(loop.skeletons[-1], loop.skeletons[0]) <= MAX_STEP_CM  # it loops


def _box_corners(
    loop: animation.Loop, left: float, low: float, right: float, high: float
) -> list[tuple[float, float, float]]:
    """Room points whose projections are the extent's corners (the view's own axes)."""
    view = loop.place.view
    return [
        tuple(a * r + b * u for r, u in zip(view.right, view.up, strict=True))  # type: ignore[misc]
        for a in (left, right)
        for b in (low, high)
    ]


@pytest.mark.parametrize("which", sorted(DEMOS), ids="-".join)
def test_the_moving_part_differs_between_start_and_end(which: tuple[str, str, str]) -> None:
    demo = DEMOS[which]
    loop = animation.plan_loop(demo.demonstration, mirror=demo.mirror, size=SMALL)
    start = loop.skeletons[0]
    for part in demo.demonstration.moving:
        travelled = max(
            max(
                sum((a - b) ** 2 for a, b in zip(p, q, strict=True)) ** 0.5
                for p, q in zip(part_points(start, part), part_points(s, part), strict=True)
            )
            for s in loop.skeletons
        )
        assert travelled >= MIN_MOVE_CM, f"{part} hardly moves ({travelled:.1f} cm)"
    # and on the picture: the accent-coloured part is not where it was
    middle = len(loop.moments) // 2
    first = _frame(loop, 0)
    later = _frame(loop, middle)
    assert ImageChops.difference(first, later).getbbox() is not None


def _frame(loop: animation.Loop, index: int) -> Image.Image:
    return mannequin.frame_image(
        loop.demo, loop.skeletons[index], loop.place, loop.boxes, loop.size
    )


def test_an_exercise_without_a_side_says_no_side() -> None:
    steps = every_picture_step(LIBRARY)
    assert demo_for(LIBRARY, steps[("childs_pose", "both")]).label is None
    assert demo_for(LIBRARY, steps[("knee_to_chest", "left")]).label == "Left leg"


def test_left_is_the_mirror_image_of_right(tmp_path: Path) -> None:
    right = _still(DEMOS[("knee_to_chest", "right", "floor")], tmp_path)
    left = _still(DEMOS[("knee_to_chest", "left", "floor")], tmp_path)
    band = (0, int(right.height * 0.14), right.width, int(right.height * 0.85))
    mirrored = left.crop(band).transpose(Image.Transpose.FLIP_LEFT_RIGHT).convert("L")
    plain = right.crop(band).convert("L")
    differing = sum(
        1 for a, b in zip(plain.tobytes(), mirrored.tobytes(), strict=True) if abs(a - b) > 60
    )
    assert differing < 0.01 * plain.width * plain.height
    assert plain.tobytes() != left.crop(band).convert("L").tobytes()


def _still(demo: Demo, folder: Path) -> Image.Image:
    return Image.open(io.BytesIO(still_bytes(demo, folder)))


def test_the_real_animation_is_a_silent_h264_loop_telegram_can_show(tmp_path: Path) -> None:
    demo = DEMOS[("glute_bridge", "both", "floor")]
    data = animation_bytes(demo, tmp_path)
    assert 10_000 < len(data) < 1_000_000  # a few hundred KB at most
    with av.open(io.BytesIO(data)) as container:
        assert not container.streams.audio
        video = container.streams.video[0]
        assert video.codec_context.name == "h264"
        assert (video.width, video.height) == animation.SIZE
        assert 480 <= video.width <= 720
        decoded = list(container.decode(video))
    assert len(decoded) >= 3 * animation.FPS
    assert decoded[0].format.name == "yuv420p"
    first = decoded[0].to_image()
    assert first.getbbox() is not None
    # cached on disk: the second call reads the same bytes back
    assert list(tmp_path.glob("*.mp4")) and animation_bytes(demo, tmp_path) == data
    still = Image.open(io.BytesIO(still_bytes(demo, tmp_path)))
    assert still.format == "PNG" and still.size == animation.SIZE


def test_temporary_cache_files_are_unique_per_process_and_call(tmp_path: Path) -> None:
    target = tmp_path / "demo.mp4"
    first, second = unique_temporary(target), unique_temporary(target)
    assert first != second and first.parent == target.parent
    assert str(os.getpid()) in first.name


def test_gallery_writes_every_animation_and_a_contact_sheet(tmp_path: Path) -> None:
    written = write_gallery(tmp_path, size=(160, 160))  # small: the real size is tested above
    names = {path.name for path in written}
    assert "contact-sheet.png" in names
    assert sum(name.endswith(".mp4") for name in names) == len(DEMOS)
    sheet = Image.open(tmp_path / "contact-sheet.png")
    assert sheet.width >= 4 * 300 and sheet.height >= (len(DEMOS) // 4) * 300


def test_a_demonstration_that_never_moves_fails_at_load(tmp_path: Path) -> None:
    shutil.copytree(DATA_DIR, tmp_path / "data")
    demos = tmp_path / "data" / "demos.yaml"
    text = demos.read_text().replace("neck: {turn: 60}", "neck: {turn: 0}", 1)
    demos.write_text(text)
    with pytest.raises(ContentError, match=r"demos.yaml: neck_rotation: .*no move changes"):
        load_library(tmp_path / "data")


async def test_a_step_arrives_with_its_animation_drawn_off_the_loop_then_by_file_id(
    standin: TelegramStandIn,
    sqlite_url: str,
    clock: FakeClock,
    new_user: type[ScriptedUser],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn_on: list[int] = []
    real = animation.animation_mp4

    def spy(loop: animation.Loop, title: str, label: str | None) -> bytes:
        drawn_on.append(threading.get_ident())  # then draws for real
        return real(loop, title, label)

    monkeypatch.setattr(animation, "animation_mp4", spy)
    bot = RunningBot(standin, sqlite_url, clock, picture_cache_dir=tmp_path / "cache")
    await bot.start()
    try:
        user = new_user()
        await onboard(user)
        first = await start_session(user)
        await _carry_on_after_cancel(user, first, standin)
    finally:
        await bot.stop()
    # drawn once, and not on the event loop's thread: other chats go on meanwhile
    assert len(drawn_on) == 1 and threading.get_ident() not in drawn_on
    assert list((tmp_path / "cache").glob("childs_pose-both-floor-*.mp4"))


async def _carry_on_after_cancel(
    user: ScriptedUser, first: BotMessage, standin: TelegramStandIn
) -> None:
    assert first.has_animation and "Child's pose" in first and "Set 1 of 2" in first
    assert first.labels[0].startswith("▶ Start")
    await user.send("/cancel")
    await user.expect("Nothing you've done is lost")
    await user.send("/exercise")
    await user.press("4", on=await user.expect("how strong"))
    again = await user.expect("1/6")
    assert again.has_animation
    sends = standin.calls_to("sendAnimation")
    assert [call.uploaded_files for call in sends] == [("animation",), ()]
    assert sends[1].params["animation"] == first.raw["animation"]["file_id"]
    standin.assert_no_refusals()


async def test_learn_is_offered_after_onboarding(
    bot: RunningBot, new_user: type[ScriptedUser]
) -> None:
    user = new_user()
    offer = await onboard(user)
    await user.press("First, tell me about pinched nerves", on=offer)
    card = await user.expect("Common symptoms")  # a low-back user's first card
    assert "When to get help" in card.labels
