"""Exercise pictures as Telegram sees them: drawn once per exercise and side, cached on disk,
uploaded once, then sent by file_id."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from telegram import InlineKeyboardMarkup, InputFile

from bot import figures
from bot.services import CoachContext, Services
from content.library import Library, visible_length
from content.routine import RoutineStep
from storage.files import remember_file_id, stored_file_id

logger = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
RENDERER_VERSION = "1"  # bump when figures.py draws differently, so cached pictures renew


def picture_key(library: Library, step: RoutineStep) -> str:
    """Names one picture: the exercise, the side and a digest of what it is drawn from."""
    pose = library.poses[step.exercise_key]
    source = json.dumps(
        [RENDERER_VERSION, pose.model_dump(mode="json"), step.name, step.side_label],
        sort_keys=True,
    )
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    side = step.side.value if step.side else "both"
    return f"{step.exercise_key}-{side}-{digest}"


def picture_bytes(library: Library, step: RoutineStep, cache_dir: Path) -> bytes:
    """The PNG for this step, drawn on first use and kept in `cache_dir`."""
    path = cache_dir / f"{picture_key(library, step)}.png"
    if path.exists():
        return path.read_bytes()
    label = step.side_label or "Both sides"
    data = figures.exercise_picture(library.poses[step.exercise_key], step.side, step.name, label)
    cache_dir.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)  # atomic: another instance never reads half a file
    return data


async def send_step_with_picture(
    context: CoachContext,
    chat_id: int,
    step: RoutineStep,
    text: str,
    markup: InlineKeyboardMarkup | None,
) -> None:
    """The step's picture with its instructions as the caption (or just before them, when the
    text is longer than a caption may be)."""
    services: Services = context.services
    key = picture_key(services.library, step)
    async with services.sessions() as db:
        file_id = await stored_file_id(db, key)
    photo: str | InputFile = file_id or InputFile(
        picture_bytes(services.library, step, services.settings.picture_cache_dir),
        filename=f"{key}.png",
    )
    fits = visible_length(text) <= CAPTION_LIMIT
    message = await context.bot.send_photo(
        chat_id,
        photo,
        caption=text if fits else None,
        reply_markup=markup if fits else None,
    )
    if not fits:
        await context.bot.send_message(chat_id, text, reply_markup=markup)
    if file_id is None and message.photo:
        async with services.transaction() as db:
            await remember_file_id(db, key, message.photo[-1].file_id, services.clock())
