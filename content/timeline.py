"""A demonstration's loop in time: start, each move (eased), its hold (counted), and back.

Pure: gives the pose and the words for every frame; content/skeleton.py places the joints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from content.motion import Demonstration, Pose
from content.skeleton import (
    FOREARM,
    SHIN,
    THIGH,
    UPPER_ARM,
    Skeleton,
    Vec,
    add,
    dot,
    pose_skeleton,
    scale,
)

START_SECONDS = 0.8  # a still moment at the start so the loop reads as a new rep


@dataclass(frozen=True, slots=True)
class Moment:
    """One frame of the loop: the pose, the words on screen and the hold count (if counting)."""

    pose: Pose
    say: str
    count: int | None
    count_of: int | None


def ease(t: float) -> float:
    """Slow in, slow out: a movement that starts and ends gently (0..1 -> 0..1)."""
    t = min(max(t, 0.0), 1.0)
    return 0.5 - 0.5 * math.cos(math.pi * t)


def _blend(a: Any, b: Any, t: float) -> Any:
    if isinstance(a, dict):
        return {key: _blend(a[key], b[key], t) for key in a}
    return a + (b - a) * t


def between(a: Pose, b: Pose, t: float) -> Pose:
    """The pose a fraction `t` of the way from `a` to `b`, every joint angle interpolated."""
    if t <= 0:
        return a
    if t >= 1:
        return b
    return Pose.model_validate(_blend(a.model_dump(), b.model_dump(), t))


def moments(demo: Demonstration, fps: float) -> list[Moment]:
    """Every frame of one loop of the demonstration at `fps` frames a second."""
    frames: list[Moment] = []

    def still(pose: Pose, seconds: float, say: str, counted: bool) -> None:
        steps = max(1, round(seconds * fps))
        whole = max(1, round(seconds))
        for index in range(steps):
            count = min(whole, 1 + int(index / fps)) if counted else None
            frames.append(Moment(pose, say, count, whole if counted else None))

    def travel(a: Pose, b: Pose, seconds: float, say: str) -> None:
        steps = max(2, round(seconds * fps))
        for index in range(1, steps + 1):
            frames.append(Moment(between(a, b, ease(index / steps)), say, None, None))

    still(demo.start, START_SECONDS, demo.start_say, counted=False)
    current = demo.start
    for move in demo.moves:
        travel(current, move.to, move.seconds, move.say)
        if move.hold:
            still(move.to, move.hold, demo.hold_say if move.count else move.say, counted=move.count)
        current = move.to
    # back as slowly as the slowest way there: a return is no quicker than the move
    travel(current, demo.start, max(move.seconds for move in demo.moves), demo.back_say)
    return frames


def placed_skeletons(demo: Demonstration, poses: list[Pose]) -> list[Skeleton]:
    """The skeleton of each pose, moved so the demonstration's anchor joint stays still."""
    skeletons = [pose_skeleton(pose, demo.posture) for pose in poses]
    if not skeletons:
        return []
    anchor = skeletons[0].points[demo.anchor]
    first = dict(skeletons[0].points)  # where planted hands and feet rest, all loop long
    placed: list[Skeleton] = []
    for skeleton in skeletons:
        offset = add(anchor, scale(skeleton.points[demo.anchor], -1))
        points = {name: add(p, offset) for name, p in skeleton.points.items()}
        if demo.plant:  # hands or feet that rest on something stay where they started
            for side, sign in (("right", 1.0), ("left", -1.0)):
                if "hands" in demo.plant:  # elbows bend out to the side, as in a push-up
                    outward = add(scale(skeleton.trunk.right, sign), scale(skeleton.trunk.up, -0.3))
                    arm = ("shoulder", "elbow", "wrist")
                    _reach(points, first, side, arm, (UPPER_ARM, FOREARM), ("hand",), outward)
                if "feet" in demo.plant:
                    leg = ("hip", "knee", "ankle")
                    _reach(points, first, side, leg, (THIGH, SHIN), ("heel", "toe"))
        placed.append(Skeleton(points, skeleton.trunk, skeleton.pelvis, skeleton.head))
    return placed


def _reach(
    points: dict[str, Vec],
    first: dict[str, Vec],
    side: str,
    chain: tuple[str, str, str],
    lengths: tuple[float, float],
    ends: tuple[str, ...],
    pole: Vec | None = None,
) -> None:
    """Two-bone inverse kinematics: bend the middle joint so the limb's end is back where it
    was in the first frame, bending toward `pole` (or the way it already bends)."""
    root_name, middle_name, end_name = (f"{side}_{j}" for j in chain)
    root, middle = points[root_name], points[middle_name]
    target = first[end_name]
    upper, lower = lengths
    to_target = add(target, scale(root, -1))
    distance = math.sqrt(dot(to_target, to_target)) or 1e-6
    reach = min(max(distance, abs(upper - lower) + 0.1), upper + lower - 0.01)
    axis = scale(to_target, 1 / distance)
    bend = pole if pole is not None else add(middle, scale(root, -1))
    bend = add(bend, scale(axis, -dot(bend, axis)))
    size = math.sqrt(dot(bend, bend))
    if size < 1e-6:
        return
    bend = scale(bend, 1 / size)
    along = (upper**2 - lower**2 + reach**2) / (2 * reach)
    out = math.sqrt(max(upper**2 - along**2, 0.0))
    points[middle_name] = add(root, scale(axis, along), scale(bend, out))
    points[end_name] = add(root, scale(axis, reach))
    for name in ends:  # the hand or foot keeps its first-frame place beside the end joint
        tip = f"{side}_{name}"
        points[tip] = add(points[end_name], first[tip], scale(first[end_name], -1))


def largest_step(a: Skeleton, b: Skeleton) -> float:
    """How far (cm) the joint that moved most travelled between two frames."""
    return max(
        math.dist(a.points[name], b.points[name]) for name in a.points.keys() & b.points.keys()
    )


def part_points(skeleton: Skeleton, part: str) -> list[Vec]:
    """The joints that belong to a moving part, to compare start and end."""
    prefix = {
        "right_arm": "right_",
        "left_arm": "left_",
        "right_leg": "right_",
        "left_leg": "left_",
    }
    if part == "head":
        return [skeleton.points["head"], skeleton.points["nose"]]
    if part == "trunk":
        names = ("waist", "chest", "neck_base", "right_shoulder", "left_shoulder")
        return [skeleton.points[n] for n in names]
    joints = ("shoulder", "elbow", "wrist", "hand") if "arm" in part else (
        "hip", "knee", "ankle", "toe"
    )  # fmt: skip
    return [skeleton.points[prefix[part] + joint] for joint in joints]
