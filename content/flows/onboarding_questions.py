"""The questions of onboarding and /settings (content/flows/onboarding.py asks them): the
disclaimer, area, side, each screening question, the see-soon advice, reach, pain and the
first-session offer. Pure builders over the library and a profile snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from content.flows.actions import Action
from content.flows.core import Button, Show, column, pain_scale, rows
from content.flows.warnings import bulleted
from content.library import Library
from content.models import DoseLevel, RegionKey, Side
from content.screening import SEE_SOON
from content.texts import escape, join_lines

CHANGE = "change"  # state data: the area and side a /settings change will save after screening


class Step(StrEnum):
    DISCLAIMER = "disclaimer"
    REGION = "region"
    SIDE = "side"
    SCREEN = "screen"
    SEE_SOON_ADVICE = "see_soon_advice"
    REACH = "reach"
    PAIN = "pain"
    FIRST_SESSION = "first_session"
    SETTINGS_REGION = "settings_region"
    SETTINGS_SIDE = "settings_side"


@dataclass(frozen=True, slots=True)
class Profile:
    """What onboarding needs to know about the person, as stored now."""

    first_name: str
    region: RegionKey | None
    side: Side | None
    screening: str | None
    disclaimer_accepted: bool
    onboarded_at: datetime | None
    dose_level: DoseLevel
    setup: str = "floor"  # where the floor exercises are done (content.models.Setup)


@dataclass(frozen=True, slots=True)
class OnboardingEnv:
    library: Library
    now: datetime  # aware, UTC
    profile: Profile


def region_of(profile: Profile, data: Mapping[str, Any]) -> RegionKey:
    """The area being screened: a pending /settings change first, else the saved one."""
    if CHANGE in data:
        return RegionKey(data[CHANGE]["region"])
    assert profile.region is not None, "asked only after the area is chosen"
    return profile.region


def side_of(profile: Profile, data: Mapping[str, Any]) -> Side:
    if CHANGE in data:
        return Side(data[CHANGE]["side"])
    assert profile.side is not None, "asked only after the side is chosen"
    return profile.side


def question(step: str, data: Mapping[str, Any], env: OnboardingEnv) -> Show:
    """The question someone at `step` answers; used to ask and to ask again."""
    library, texts, profile = env.library, env.library.texts, env.profile
    if step == Step.DISCLAIMER:
        first_name = data.get("first_name", "")
        return Show(
            texts("welcome", first_name=first_name, about=texts("about")),
            rows(
                [Button(texts("button_accept"), Action.ACCEPT)],
                [Button(texts("button_decline"), Action.DECLINE)],
            ),
        )
    if step in (Step.REGION, Step.SETTINGS_REGION):
        regions = library.regions.values()
        hints = "\n".join(f"• <b>{escape(r.name)}</b>: {escape(r.hint)}" for r in regions)
        return Show(
            texts("ask_region", hints=join_lines(hints)),
            column([Button(r.name, Action.REGION, (r.key.value,)) for r in regions]),
        )
    if step in (Step.SIDE, Step.SETTINGS_SIDE):
        return Show(
            texts("ask_side"),
            rows(
                [
                    Button(texts("side_left"), Action.SIDE, (Side.LEFT.value,)),
                    Button(texts("side_right"), Action.SIDE, (Side.RIGHT.value,)),
                ],
                [Button(texts("side_both"), Action.SIDE, (Side.BOTH.value,))],
            ),
        )
    if step == Step.SCREEN:
        return screening_question(data, env)
    if step == Step.SEE_SOON_ADVICE:
        return Show(
            texts("see_soon_advice"),
            rows([Button(texts("button_acknowledge"), Action.ACKNOWLEDGE)]),
        )
    if step == Step.REACH:
        scale = library.regions[region_of(profile, data)].reach
        return Show(
            texts("ask_reach"),
            column([Button(label, Action.REACH, (level,)) for level, label in enumerate(scale)]),
        )
    if step == Step.PAIN:
        return Show(texts("ask_pain_now"), pain_scale(Action.PAIN_NOW))
    return first_session_offer(env)


def screening_question(data: Mapping[str, Any], env: OnboardingEnv) -> Show:
    """The screening question at data["index"]: an emergency group or the see-soon list."""
    texts, flags = env.library.texts, env.library.red_flags
    key = data["order"][data["index"]]
    if key == SEE_SOON:
        asked, signs = (
            flags.see_soon.question,
            flags.see_soon.signs_for(region_of(env.profile, data)),
        )
    else:
        group = flags.group(key)
        assert group is not None, "the order holds only known groups"
        asked, signs = group.question, group.signs
    intro = texts("screen_intro") if data["index"] == 0 else ""
    return Show(
        join_lines(intro, f"<b>{escape(asked)}</b>", bulleted(signs)),
        rows(
            [Button(texts("screen_yes"), Action.SCREEN, (key, 1))],
            [Button(texts("screen_no"), Action.SCREEN, (key, 0))],
        ),
    )


def first_session_offer(env: OnboardingEnv) -> Show:
    """Set up: the routine's size for this area and side, start now or later."""
    library, texts, profile = env.library, env.library.texts, env.profile
    region, side = region_of(profile, {}), side_of(profile, {})
    routine = library.build_routine(region, side, profile.dose_level)
    return Show(
        texts(
            "onboarded",
            region=library.regions[region].name.lower(),
            side_words=texts(f"side_words_{side.value}"),
            count=len(routine.steps),
        ),
        rows(
            [Button(texts("button_start_now"), Action.FIRST_SESSION, ("now",))],
            [Button(texts("button_later"), Action.FIRST_SESSION, ("later",))],
            [Button(texts("button_learn_first"), Action.MENU, ("learn",))],
        ),
    )
