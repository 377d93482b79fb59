"""`python -m bot.gallery [folder]`: every exercise picture, every side, in one folder."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.pictures import picture_bytes
from content.library import Library, load_library
from content.models import DoseLevel, RegionKey, Side
from content.routine import RoutineStep


def every_picture_step(library: Library) -> dict[tuple[str, str], RoutineStep]:
    """One step per exercise and side that any routine can ask for."""
    steps: dict[tuple[str, str], RoutineStep] = {}
    for region in RegionKey:
        for side in Side:
            for step in library.build_routine(region, side, DoseLevel.STANDARD).steps:
                steps.setdefault(
                    (step.exercise_key, step.side.value if step.side else "both"), step
                )
    return steps


def write_gallery(folder: Path) -> list[Path]:
    library = load_library()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for (key, side), step in sorted(every_picture_step(library).items()):
        path = folder / f"{key}-{side}.png"
        path.write_bytes(picture_bytes(library, step, folder / ".cache"))
        written.append(path)
    return written


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "gallery")
    written = write_gallery(folder)
    print(f"{len(written)} pictures written to {folder}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
