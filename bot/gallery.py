"""`python -m bot.gallery [folder]`: every demonstration (exercise, side and setup) as an MP4
and a first-frame PNG, and one contact sheet with the middle frame of each, for review."""

from __future__ import annotations

import itertools
import sys
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw

from bot import animation, mannequin
from bot.pictures import Demo, animation_bytes, demo_for, still_bytes
from content.library import Library, load_library
from content.models import DoseLevel, RegionKey, Setup, Side
from content.routine import RoutineStep

TILE = 360  # phone size: how a patient sees it


def every_picture_step(
    library: Library, level: DoseLevel = DoseLevel.STANDARD
) -> dict[tuple[str, str], RoutineStep]:
    """One step per exercise and side that any routine can ask for (as written: floor)."""
    steps: dict[tuple[str, str], RoutineStep] = {}
    for region in RegionKey:
        for side in Side:
            for step in library.build_routine(region, side, level).steps:
                steps.setdefault(
                    (step.exercise_key, step.side.value if step.side else "both"), step
                )
    return steps


def every_demo(library: Library) -> dict[tuple[str, str, str], Demo]:
    """Every demonstration a user can be sent: each exercise and side, in each of its setups,
    and the easier movement of a gentle version (its setup is marked "-gentle")."""
    demos: dict[tuple[str, str, str], Demo] = {}
    gentle = every_picture_step(library, DoseLevel.GENTLE)
    for (key, side), step in every_picture_step(library).items():
        versions = [step, gentle[(key, side)]] if gentle[(key, side)].easier else [step]
        for setup, version in itertools.product(Setup, versions):
            found, _ = library.demos[key].for_setup(setup)
            if found is setup:
                name = setup.value + ("-gentle" if version.easier else "")
                demos[(key, side, name)] = demo_for(library, replace(version, setup=setup))
    return demos


def middle_frame(demo: Demo, size: int = TILE) -> Image.Image:
    """The frame halfway through the loop, at phone size."""
    loop = animation.plan_loop(demo.demonstration, mirror=demo.mirror, size=(size, size))
    index = len(loop.moments) // 2
    image = mannequin.frame_image(
        loop.demo, loop.skeletons[index], loop.place, loop.boxes, loop.size
    )
    mannequin.draw_words(image, demo.title, demo.label, loop.moments[index])
    return image


def contact_sheet(demos: list[Demo], columns: int = 4) -> Image.Image:
    """The middle frame of every demonstration on one picture."""
    rows = (len(demos) + columns - 1) // columns
    sheet = Image.new("RGB", (columns * TILE, rows * TILE), "white")
    draw = ImageDraw.Draw(sheet)
    for index, demo in enumerate(demos):
        x, y = (index % columns) * TILE, (index // columns) * TILE
        sheet.paste(middle_frame(demo), (x, y))
        draw.rectangle((x, y, x + TILE - 1, y + TILE - 1), outline=(200, 200, 200))
    return sheet


def write_gallery(folder: Path, size: tuple[int, int] = animation.SIZE) -> list[Path]:
    """Write every animation, its still and the contact sheet into `folder` (tests draw small)."""
    library = load_library()
    folder.mkdir(parents=True, exist_ok=True)
    cache = folder / ".cache"
    written = []
    demos = every_demo(library)
    for (key, side, setup), demo in sorted(demos.items()):
        name = f"{key}-{side}" + ("" if setup == Setup.FLOOR else f"-{setup}")
        for suffix, data in (
            ("mp4", animation_bytes(demo, cache, size)),
            ("png", still_bytes(demo, cache, size)),
        ):
            path = folder / f"{name}.{suffix}"
            path.write_bytes(data)
            written.append(path)
    sheet = folder / "contact-sheet.png"
    contact_sheet([demos[k] for k in sorted(demos)]).save(sheet, optimize=True)
    written.append(sheet)
    return written


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "gallery")
    written = write_gallery(folder)
    print(f"{len(written)} files written to {folder}/ (contact-sheet.png shows them all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
