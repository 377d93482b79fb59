"""Exercise demonstrations as Telegram sees them: a looping animation per exercise, side and
setup, drawn once and cached on disk, uploaded once, then sent by file_id."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from telegram import InlineKeyboardMarkup, InputFile, Message

from bot import animation
from bot.services import CoachContext, Services
from content.library import Library, visible_length
from content.motion import Demonstration
from content.routine import RoutineStep
from storage.files import remember_file_id, stored_file_id

logger = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
RENDERER_VERSION = "5"  # bump when the drawing changes, so cached files renew


@dataclass(frozen=True, slots=True)
class Demo:
    """What one step's demonstration is drawn from, and the words drawn on it."""

    key: str
    demonstration: Demonstration
    mirror: bool
    title: str
    label: str | None


def demo_for(library: Library, step: RoutineStep) -> Demo:
    """The demonstration of this step: its exercise, side and setup, named by a digest."""
    _, demonstration = library.demos[step.exercise_key].for_setup(step.setup, easier=step.easier)
    label = step.side_label[:1].upper() + step.side_label[1:] if step.side_label else None
    source = json.dumps(
        [RENDERER_VERSION, demonstration.model_dump(mode="json"), step.name, label],
        sort_keys=True,
    )
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    side = step.side.value if step.side else "both"
    version = "-gentle" if step.easier else ""
    key = f"{step.exercise_key}{version}-{side}-{step.setup.value}-{digest}"
    mirror = step.side is not None and step.side.value == "left"
    return Demo(key, demonstration, mirror, step.name, label)


def unique_temporary(path: Path) -> Path:
    """A temporary name beside `path` that no other process or thread uses at the same time."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def _cached(path: Path, draw: Callable[[], bytes]) -> bytes:
    if path.exists():
        return path.read_bytes()
    data = draw()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = unique_temporary(path)
    temporary.write_bytes(data)
    temporary.replace(path)  # atomic: another instance never reads half a file
    return data


def _file_name(demo: Demo, size: tuple[int, int], suffix: str) -> str:
    return f"{demo.key}.{suffix}" if size == animation.SIZE else f"{demo.key}-{size[0]}.{suffix}"


def animation_bytes(demo: Demo, cache_dir: Path, size: tuple[int, int] = animation.SIZE) -> bytes:
    """The MP4 loop, drawn on first use and kept in `cache_dir` (blocking: call off the loop)."""

    def draw() -> bytes:
        loop = animation.plan_loop(demo.demonstration, mirror=demo.mirror, size=size)
        return animation.animation_mp4(loop, demo.title, demo.label)

    return _cached(cache_dir / _file_name(demo, size, "mp4"), draw)


def still_bytes(demo: Demo, cache_dir: Path, size: tuple[int, int] = animation.SIZE) -> bytes:
    """The first frame as a PNG, for places where a still suits better (blocking)."""

    def draw() -> bytes:
        loop = animation.plan_loop(demo.demonstration, mirror=demo.mirror, size=size)
        return animation.still_png(loop, demo.title, demo.label)

    return _cached(cache_dir / _file_name(demo, size, "png"), draw)


async def send_step_with_picture(
    context: CoachContext,
    chat_id: int,
    step: RoutineStep,
    text: str,
    markup: InlineKeyboardMarkup | None,
) -> Message:
    """The step's demonstration with its instructions as the caption (or just after it, when
    the text is longer than a caption may be); returns the message that carries the buttons."""
    services: Services = context.services
    demo = demo_for(services.library, step)
    file_id = services.file_ids.get(demo.key)
    if file_id is None:
        async with services.sessions() as db:
            file_id = await stored_file_id(db, demo.key)
    video: str | InputFile
    if file_id is not None:
        video = file_id
    else:  # drawing and encoding take a moment: off the event loop, so other chats go on
        data = await asyncio.to_thread(animation_bytes, demo, services.settings.picture_cache_dir)
        video = InputFile(data, filename=f"{demo.key}.mp4")
    fits = visible_length(text) <= CAPTION_LIMIT
    width, height = animation.SIZE
    message = await context.bot.send_animation(
        chat_id,
        video,
        width=width,
        height=height,
        caption=text if fits else None,
        reply_markup=markup if fits else None,
    )
    shown = message
    if not fits:
        shown = await context.bot.send_message(chat_id, text, reply_markup=markup)
    if file_id is None and message.animation:
        async with services.transaction() as db:
            await remember_file_id(db, demo.key, message.animation.file_id, services.clock())
    if message.animation:  # the id Telegram knows it by now, whether sent by id or uploaded
        services.file_ids[demo.key] = message.animation.file_id
    return shown
