"""A demonstration as a short silent H.264 loop (PyAV) and as a still picture (PNG)."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from bot import mannequin
from bot.props import Box, grounded, prop_boxes
from content.motion import Demonstration
from content.skeleton import Skeleton
from content.timeline import Moment, moments, placed_skeletons

SIZE = (540, 540)  # phone-first square; Telegram shows it full width
FPS = 12


@dataclass(frozen=True, slots=True)
class Loop:
    """Everything needed to draw one demonstration's frames: one placement for the loop."""

    demo: Demonstration
    moments: list[Moment]
    skeletons: list[Skeleton]
    boxes: list[Box]
    place: mannequin.Placement
    size: tuple[int, int]


def plan_loop(
    demo: Demonstration, *, mirror: bool, size: tuple[int, int] = SIZE, fps: float = FPS
) -> Loop:
    """Pose, place and frame every moment of the loop (no drawing yet)."""
    timeline = moments(demo, fps)
    skeletons = grounded(demo, placed_skeletons(demo, [m.pose for m in timeline]))
    boxes = prop_boxes(demo, skeletons)
    place = mannequin.placement(demo, skeletons, boxes, size, mirror)
    return Loop(demo, timeline, skeletons, boxes, place, size)


def frames(loop: Loop, title: str, label: str | None) -> Iterator[Image.Image]:
    """Each frame of the loop as a picture, words included."""
    for moment, skeleton in zip(loop.moments, loop.skeletons, strict=True):
        image = mannequin.frame_image(loop.demo, skeleton, loop.place, loop.boxes, loop.size)
        mannequin.draw_words(image, title, label, moment)
        yield image


def still_png(loop: Loop, title: str, label: str | None, index: int = 0) -> bytes:
    """One frame (the start by default) as PNG bytes, for places where a still suits better."""
    moment, skeleton = loop.moments[index], loop.skeletons[index]
    image = mannequin.frame_image(loop.demo, skeleton, loop.place, loop.boxes, loop.size)
    mannequin.draw_words(image, title, label, moment)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def encode_mp4(pictures: Iterator[Image.Image], size: tuple[int, int], fps: float = FPS) -> bytes:
    """Silent H.264 in MP4 (yuv420p, moov atom first) that Telegram loops as an animation."""
    # Imported here: PyAV (with numpy) adds about 70 ms to start-up and 26 MB to every
    # instance, and a running bot encodes only the few loops it has not drawn before.
    import av

    handle, name = tempfile.mkstemp(suffix=".mp4", prefix=f"demo-{os.getpid()}-")
    os.close(handle)
    path = Path(name)
    try:
        with av.open(str(path), mode="w", options={"movflags": "faststart"}) as container:
            stream = container.add_stream("libx264", rate=round(fps))
            stream.width, stream.height = size
            stream.pix_fmt = "yuv420p"
            stream.options = {"crf": "28", "preset": "medium", "tune": "animation"}
            for picture in pictures:
                frame = av.VideoFrame.from_image(picture)  # type: ignore[no-untyped-call]
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode(None):
                container.mux(packet)
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


def animation_mp4(loop: Loop, title: str, label: str | None) -> bytes:
    """The whole loop drawn and encoded."""
    return encode_mp4(frames(loop, title, label), loop.size)
