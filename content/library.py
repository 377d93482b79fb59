"""Load and validate every content file; a mistake fails loudly, naming the file and field."""

from __future__ import annotations

import dataclasses
import itertools
import re
import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from content.i18n import LOCALES_DIR, SOURCE_LANGUAGE, Formats, catalogue
from content.messages import step_message
from content.models import (
    DoseLevel,
    Education,
    Exercise,
    RedFlags,
    Region,
    RegionKey,
    Setup,
    Side,
    StopRules,
)
from content.motion import ExerciseDemos, expand_demo
from content.routine import Routine, build_routine
from content.texts import Texts, join_lines
from content.translatable import Translate, translate_file

DATA_DIR = Path(__file__).parent / "data"
CAPTION_LIMIT = 1024  # a step's first set is the caption of its picture
M = TypeVar("M", bound=BaseModel)
_TAG = re.compile(r"<[^>]+>")

# libyaml's parser where PyYAML was built with it (its wheels are): the content is read once per
# language at start-up, and the pure-Python parser took over a second of it for six languages.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ROUTINES_KEPT = 4096  # distinct routines kept per language; a full cache starts again


class ContentError(ValueError):
    """A content file is wrong; the message names the file and the field."""


@dataclass(frozen=True)
class Library:
    """Everything the coach knows, loaded and checked."""

    exercises: dict[str, Exercise]
    regions: dict[RegionKey, Region]
    red_flags: RedFlags
    stop_rules: StopRules
    education: Education
    texts: Texts
    demos: dict[str, ExerciseDemos]
    language: str = SOURCE_LANGUAGE
    formats: Formats = field(default_factory=lambda: Formats(SOURCE_LANGUAGE))
    # Routines already built, by everything they depend on: a session press needs its routine,
    # and building one resolves every sentence of every step again.
    _routines: dict[tuple[Any, ...], Routine] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def build_routine(
        self,
        region: RegionKey,
        side: Side,
        level: DoseLevel,
        dropped: Collection[str] = (),
        *,
        setup: Setup = Setup.FLOOR,
        notches: Mapping[str, int] | None = None,
    ) -> Routine:
        """The concrete routine for one person (see content.routine.build_routine)."""
        key = (region, side, level, tuple(dropped), setup, tuple(sorted((notches or {}).items())))
        routine = self._routines.get(key)
        if routine is None:
            if len(self._routines) >= ROUTINES_KEPT:
                self._routines.clear()
            routine = self._routines[key] = self._build_routine(
                region, side, level, dropped, setup, notches
            )
        return routine

    def _build_routine(
        self,
        region: RegionKey,
        side: Side,
        level: DoseLevel,
        dropped: Collection[str],
        setup: Setup,
        notches: Mapping[str, int] | None,
    ) -> Routine:
        spec = self.regions[region]
        return build_routine(
            self.exercises,
            spec.exercises,
            spec.cautions,
            region,
            side,
            level,
            dropped,
            lambda name: self.texts("dropped_reason", name=name),
            setup,
            notches,
        )


def _read_raw(translate: Translate | None, path: Path) -> Any:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"{path.name}: cannot be read: {error}") from error
    return raw if translate is None else translate_file(path.name, raw, translate)


def _parse(model: type[M], data: Any, where: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(top)"
        raise ContentError(f"{where}: {field}: {first['msg']}") from None


@cache
def library_for(language: str) -> Library:
    """The shipped content in `language`, loaded and checked once per process."""
    return load_library(language=language)


def load_library(
    data_dir: Path = DATA_DIR, language: str = SOURCE_LANGUAGE, locales_dir: Path = LOCALES_DIR
) -> Library:
    """Read every file under `data_dir`, validate each, then check they fit together.

    In a language other than English, every sentence comes from that language's catalogue
    (English where it has none), and the same checks run on the translated content.
    """
    translate: Translate | None = None
    formats = Formats(language)
    where_language = ""
    if language != SOURCE_LANGUAGE:
        translate = _checked(catalogue(language, locales_dir).pgettext)
        where_language = f" ({language})"
    try:
        library = _load(data_dir, translate, formats)
    except ContentError as error:
        raise ContentError(f"{error}{where_language}") from None
    return dataclasses.replace(library, language=language, formats=formats)


def placeholders(text: str) -> set[str]:
    """The {names} a sentence expects to be filled in."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _checked(translate: Translate) -> Translate:
    """`translate`, refusing a translation whose placeholders differ from the English."""

    def checked(context: str, english: str) -> str:
        translated = translate(context, english)
        try:
            same = placeholders(translated) == placeholders(english)
        except ValueError:  # an unbalanced brace
            same = False
        if not same:
            raise ContentError(
                f"{context}: the translation's {{placeholders}} differ from the English"
            )
        return translated

    return checked


def _load(data_dir: Path, translate: Translate | None, formats: Formats) -> Library:
    def read(name: str) -> Any:
        return _read_raw(translate, data_dir / name)

    raw_exercises = read("exercises.yaml") or {}
    exercises = {
        key: _parse(Exercise, {"key": key, **(body or {})}, f"exercises.yaml: {key}")
        for key, body in raw_exercises.items()
    }
    raw_routines = read("routines.yaml") or {}
    regions: dict[RegionKey, Region] = {}
    for key, body in raw_routines.items():
        region = _parse(Region, {"key": key, **(body or {})}, f"routines.yaml: {key}")
        for index, exercise_key in enumerate(region.exercises):
            if exercise_key not in exercises:
                raise ContentError(
                    f"routines.yaml: {key}.exercises[{index}]: unknown exercise {exercise_key!r}"
                )
        regions[region.key] = region
    if missing := set(RegionKey) - set(regions):
        raise ContentError(f"routines.yaml: missing routine(s) {sorted(missing)}")
    texts_raw = read("texts.yaml") or {}
    if not all(isinstance(value, str) for value in texts_raw.values()):
        raise ContentError("texts.yaml: every value must be a sentence")
    library = Library(
        exercises=exercises,
        regions=regions,
        red_flags=_parse(RedFlags, read("red_flags.yaml"), "red_flags.yaml"),
        stop_rules=_parse(StopRules, read("stop_rules.yaml"), "stop_rules.yaml"),
        education=_parse(Education, read("education.yaml"), "education.yaml"),
        texts=Texts(texts_raw, formats),
        demos=_load_demos(read("demos.yaml")),
    )
    for region in regions.values():
        for exercise_key in region.exercises:
            if exercise_key not in library.demos:
                raise ContentError(
                    f"demos.yaml: {exercise_key}: missing (every exercise has a demonstration)"
                )
    for key, exercise in exercises.items():
        demos = library.demos.get(key)
        drawn = {s for s in (Setup.BED, Setup.WALL) if demos and getattr(demos, s.value)}
        if demos is not None and (exercise.gentle_version is None) != (
            demos.gentle_version is None
        ):
            raise ContentError(
                f"demos.yaml: {key}: gentle_version must be drawn exactly when exercises.yaml "
                "has one (the easier movement needs its own demonstration)"
            )
        if demos is not None and drawn != set(exercise.setups):
            raise ContentError(
                f"demos.yaml: {key}: setups {sorted(s.value for s in drawn)} differ from "
                f"exercises.yaml's {sorted(s.value for s in exercise.setups)} (each setup has "
                "its words and its demonstration)"
            )
    _check_rendered_lengths(library)
    return library


def _load_demos(raw: Any) -> dict[str, ExerciseDemos]:
    raw = raw or {}
    postures = raw.get("postures") or {}
    demos = {}
    for key, setups in (raw.get("exercises") or {}).items():
        where = f"demos.yaml: {key}"
        if not isinstance(setups, dict):
            raise ContentError(f"{where}: needs one entry per setup")
        expanded = {}
        for setup, body in setups.items():
            try:
                expanded[setup] = expand_demo(body or {}, postures, setups)
            except (ValueError, TypeError) as error:
                raise ContentError(f"{where}.{setup}: {error}") from None
        demos[key] = _parse(ExerciseDemos, expanded, where)
    return demos


def visible_length(html_text: str) -> int:
    """Characters Telegram counts after parsing simple HTML (tags dropped, entities as one)."""
    plain = _TAG.sub("", html_text)
    return len(re.sub(r"&(lt|gt|amp|quot|#\d+);", "x", plain))


def _longest_preface(library: Library, routine: Routine, position: int) -> str:
    """The longest note a step's caption may carry above its instructions."""
    texts = library.texts
    if position == 1:  # after pain before: the high-pain advice
        return join_lines(texts("pain_before_noted", pain=10), texts("pain_high_before", pain=10))
    previous = max((step.name for step in routine.steps), key=len)
    return join_lines(
        texts("timer_released"),
        texts("step_done", name=previous),
        texts("ask_feedback", name=previous),
    )


def _check_rendered_lengths(library: Library) -> None:
    for region, side, level, setup in itertools.product(RegionKey, Side, DoseLevel, Setup):
        routine = library.build_routine(region, side, level, setup=setup)
        for position, step in enumerate(routine.steps, start=1):
            text = step_message(
                library.texts,
                step,
                position=position,
                count=len(routine.steps),
                set_number=step.sets,
                pain_limit=library.stop_rules.pain_limit_during,
                preface=_longest_preface(library, routine, position),
            )
            if visible_length(text) > CAPTION_LIMIT:
                raise ContentError(
                    f"exercises.yaml: {step.exercise_key}: the rendered message is "
                    f"{visible_length(text)} characters, over Telegram's {CAPTION_LIMIT}"
                    " for a picture's caption"
                )
