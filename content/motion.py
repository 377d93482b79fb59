"""Demonstrations as data: joint angles at a few key moments, per exercise and setup.

The angles are read by content/skeleton.py, which turns them into joint positions (forward
kinematics on an adult skeleton). Pure: no drawing here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from content.models import SETUP_FALLBACK, Frozen, Setup

Posture = Literal["upright", "on_back", "all_fours", "on_left_side"]
Prop = Literal["mat", "chair", "wall", "pillow", "bed", "cushion", "stool"]
Part = Literal["head", "trunk", "right_arm", "left_arm", "right_leg", "left_leg"]
Joint = Literal[
    "pelvis", "neck_base", "head", "right_hand", "left_hand", "right_knee", "right_ankle",
    "left_knee", "left_ankle", "right_toe", "left_toe", "right_elbow", "left_elbow",
]  # fmt: skip


class Body(Frozen):
    """The whole body's placement: tipped forward (pitch), to the right (roll), turned, raised."""

    pitch: float = 0
    roll: float = 0
    turn: float = 0
    rise: float = 0  # cm up
    shift: float = 0  # cm along the floor, toward the head of a lying person / the face


class Spine(Frozen):
    """A stretch of spine: bend forward (+) or back (-), side-bend right (+), turn right (+)."""

    bend: float = Field(default=0, ge=-60, le=90)
    side: float = Field(default=0, ge=-45, le=45)
    turn: float = Field(default=0, ge=-60, le=60)


class Neck(Spine):
    """The neck; `glide` slides the head forward (+) or straight back (-) in cm, as in a tuck."""

    glide: float = Field(default=0, ge=-6, le=6)


class Shoulders(Frozen):
    """Shoulder blades drawn back (+, squeeze) or up (+, shrug), in cm."""

    back: float = Field(default=0, ge=-3, le=5)
    up: float = Field(default=0, ge=-3, le=5)


class Arm(Frozen):
    """lift: 0 hanging, 90 at shoulder height, 180 overhead; toward: 0 in front, 90 out to the
    side, above 90 behind; twist: turns the forearm inward (+); elbow and wrist: bend."""

    lift: float = Field(default=0, ge=-60, le=200)
    toward: float = Field(default=0, ge=-90, le=180)
    twist: float = Field(default=0, ge=-90, le=120)
    elbow: float = Field(default=0, ge=0, le=160)
    wrist: float = Field(default=0, ge=-80, le=80)


class Leg(Frozen):
    """lift: hip bend (0 in line with the trunk, 90 thigh forward at a right angle); toward: out
    to the side (+); knee: bend; ankle: toes up toward the shin (+) or pointed (-)."""

    lift: float = Field(default=0, ge=-30, le=175)
    toward: float = Field(default=0, ge=-45, le=90)
    twist: float = Field(default=0, ge=-60, le=60)
    knee: float = Field(default=0, ge=0, le=170)
    ankle: float = Field(default=0, ge=-50, le=40)


class Pose(Frozen):
    """Every joint angle of the figure at one moment."""

    body: Body = Body()
    low_back: Spine = Spine()
    upper_back: Spine = Spine()
    neck: Neck = Neck()
    shoulders: Shoulders = Shoulders()
    right_arm: Arm = Arm()
    left_arm: Arm = Arm()
    right_leg: Leg = Leg()
    left_leg: Leg = Leg()


class Move(Frozen):
    """One movement of the loop: to a pose, over `seconds`, then held for `hold` seconds."""

    say: str = Field(min_length=1, max_length=28)
    to: Pose
    seconds: float = Field(default=1.4, gt=0, le=4)
    hold: float = Field(default=0, ge=0, le=6)
    count: bool = True  # show the hold counting up; off for a short pause


class Camera(Frozen):
    """Where we look from: turn 0 sees the person's right side, 90 their front; tilt looks
    down from above."""

    turn: float = Field(default=0, ge=-180, le=180)
    tilt: float = Field(default=0, ge=-10, le=80)


class Demonstration(Frozen):
    """An exercise in one setup, for the right side (the left side is its mirror image)."""

    posture: Posture
    props: list[Prop] = Field(default_factory=list)
    camera: Camera = Camera()
    anchor: Joint = "pelvis"  # stays still in the room while the rest moves
    plant: list[Literal["hands", "feet"]] = Field(default_factory=list)  # stay where they start
    moving: list[Part] = Field(min_length=1)
    start: Pose
    moves: list[Move] = Field(min_length=1)
    back_say: str = Field(default="Back to the start", max_length=28)
    # Shown before the first move and during a counted hold; translated like the others.
    start_say: str = Field(default="Start", max_length=28)
    hold_say: str = Field(default="Hold", max_length=28)
    # what the picture frames: the whole body, from the waist up (neck work), from the knees up
    focus: Literal["whole", "upper", "knees"] = "whole"

    @model_validator(mode="after")
    def _moves_somewhere(self) -> Demonstration:
        if all(move.to == self.start for move in self.moves):
            raise ValueError("no move changes the start pose")
        return self


class ExerciseDemos(Frozen):
    """Every setup an exercise can be done in; `floor` is the one as written."""

    floor: Demonstration
    bed: Demonstration | None = None
    wall: Demonstration | None = None
    # the easier movement of an exercise's gentle version, drawn with the chosen setup's props
    gentle_version: Demonstration | None = None

    def for_setup(self, setup: Setup, *, easier: bool = False) -> tuple[Setup, Demonstration]:
        """The demonstration to show someone who chose `setup`, and which setup it is."""
        found: Demonstration | None = None
        for each in SETUP_FALLBACK[setup]:
            found = getattr(self, each.value)
            if found is not None:
                break
        else:
            each, found = Setup.FLOOR, self.floor
        assert found is not None
        if easier and self.gentle_version is not None:
            return each, self.gentle_version.model_copy(update={"props": found.props})
        return each, found


def merged(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """`base` with `change` laid over it, nested mappings merged key by key."""
    result = dict(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def expand_demo(
    raw: dict[str, Any], postures: dict[str, Any], setups: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A demonstration as written (`like` another setup of the same exercise with changes,
    start `from` a named posture, moves as changes to the start) turned into full poses."""
    raw = dict(raw)
    if "like" in raw:
        other = raw.pop("like")
        if not setups or other not in setups or "like" in setups[other]:
            raise ValueError(f"like: {other!r} is not a setup of this exercise written out")
        raw = {**setups[other], **raw}
    start = dict(raw.get("start") or {})
    if "from" in start:
        name = start.pop("from")
        if name not in postures:
            raise ValueError(f"start: unknown posture {name!r}")
        start = merged(postures[name], start)
    raw["start"] = start
    moves = []
    for move in raw.get("moves") or []:
        if isinstance(move, dict) and isinstance(move.get("to"), dict):
            move = {**move, "to": merged(start, move["to"])}
        moves.append(move)
    raw["moves"] = moves
    return raw
