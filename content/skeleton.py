"""Forward kinematics: joint angles on an adult skeleton become points in the room (cm), and
points seen from the demonstration's camera. Pure geometry, no drawing.

Room axes: x to the right of the picture, y up, z toward the viewer (before the camera turns).
A body frame is three unit vectors: the person's right, up (toward the head) and forward.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from content.motion import Arm, Camera, Leg, Pose, Spine

Vec = tuple[float, float, float]

# Adult proportions in cm (a person about 172 cm tall).
LUMBAR, THORACIC, NECK, HEAD_RADIUS = 13.0, 36.0, 9.0, 10.5
SHOULDER_HALF, HIP_HALF = 17.0, 9.0
UPPER_ARM, FOREARM, HAND = 29.0, 25.0, 9.5
THIGH, SHIN, FOOT = 44.0, 42.0, 19.0


def add(*vectors: Vec) -> Vec:
    return (
        sum(v[0] for v in vectors),
        sum(v[1] for v in vectors),
        sum(v[2] for v in vectors),
    )


def scale(v: Vec, k: float) -> Vec:
    return (v[0] * k, v[1] * k, v[2] * k)


def dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


@dataclass(frozen=True, slots=True)
class Frame:
    """An orientation: the person's right, up and forward as room vectors."""

    right: Vec
    up: Vec
    forward: Vec

    def pitch(self, degrees: float) -> Frame:
        """Tip the top forward (+)."""
        c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
        up = add(scale(self.up, c), scale(self.forward, s))
        return Frame(self.right, up, add(scale(self.forward, c), scale(self.up, -s)))

    def roll(self, degrees: float) -> Frame:
        """Tip the top to the right (+)."""
        c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
        up = add(scale(self.up, c), scale(self.right, s))
        return Frame(add(scale(self.right, c), scale(self.up, -s)), up, self.forward)

    def yaw(self, degrees: float) -> Frame:
        """Turn the front to the right (+)."""
        c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
        forward = add(scale(self.forward, c), scale(self.right, s))
        return Frame(add(scale(self.right, c), scale(self.forward, -s)), self.up, forward)

    def mirrored(self) -> Frame:
        """The same orientation seen for a limb on the left: right and turning swap."""
        return Frame(scale(self.right, -1), self.up, self.forward)


POSTURES: dict[str, Frame] = {
    "upright": Frame(right=(0, 0, 1), up=(0, 1, 0), forward=(1, 0, 0)),
    "on_back": Frame(right=(0, 0, 1), up=(-1, 0, 0), forward=(0, 1, 0)),
    "all_fours": Frame(right=(0, 0, 1), up=(1, 0, 0), forward=(0, -1, 0)),
    "on_left_side": Frame(right=(0, 1, 0), up=(1, 0, 0), forward=(0, 0, 1)),
}


@dataclass(frozen=True, slots=True)
class Skeleton:
    """Joint positions (cm, room axes) and the frames the drawing needs."""

    points: dict[str, Vec]
    trunk: Frame  # the upper back's frame: shoulders and chest
    pelvis: Frame
    head: Frame


def _spine(frame: Frame, spine: Spine) -> Frame:
    return frame.pitch(spine.bend).roll(spine.side).yaw(spine.turn)


def _limb_frame(trunk: Frame, lift: float, toward: float, twist: float, left: bool) -> Frame:
    """The frame of an upper arm or thigh whose `up` runs from the limb's end to its root."""
    base = trunk.mirrored() if left else trunk
    frame = base.yaw(toward).pitch(-lift).yaw(-twist)
    return frame.mirrored() if left else frame


def _arm(points: dict[str, Vec], name: str, root: Vec, trunk: Frame, arm: Arm, left: bool) -> None:
    upper = _limb_frame(trunk, arm.lift, arm.toward, arm.twist, left)
    elbow = add(root, scale(upper.up, -UPPER_ARM))
    lower = upper.pitch(-arm.elbow)
    wrist = add(elbow, scale(lower.up, -FOREARM))
    hand = lower.pitch(arm.wrist)
    points[f"{name}_shoulder"] = root
    points[f"{name}_elbow"] = elbow
    points[f"{name}_wrist"] = wrist
    points[f"{name}_hand"] = add(wrist, scale(hand.up, -HAND))


def _leg(points: dict[str, Vec], name: str, root: Vec, pelvis: Frame, leg: Leg, left: bool) -> None:
    thigh = _limb_frame(pelvis, leg.lift, leg.toward, leg.twist, left)
    knee = add(root, scale(thigh.up, -THIGH))
    shin = thigh.pitch(leg.knee)
    ankle = add(knee, scale(shin.up, -SHIN))
    foot = shin.pitch(-leg.ankle)
    sole = scale(foot.up, -5.5)
    points[f"{name}_hip"] = root
    points[f"{name}_knee"] = knee
    points[f"{name}_ankle"] = ankle
    points[f"{name}_heel"] = add(ankle, sole, scale(foot.forward, -4))
    points[f"{name}_toe"] = add(ankle, sole, scale(foot.forward, FOOT - 4))


def pose_skeleton(pose: Pose, posture: str) -> Skeleton:
    """Joint positions of `pose`, with the pelvis at the room's origin before `body.rise`."""
    body = pose.body
    pelvis = POSTURES[posture].pitch(body.pitch).roll(body.roll).yaw(body.turn)
    root = add((0.0, body.rise, 0.0), scale(POSTURES[posture].up, body.shift))
    waist_frame = _spine(pelvis, pose.low_back)
    waist = add(root, scale(waist_frame.up, LUMBAR))
    # the upper back bends in two places, so a rounded or arched back shows as a curve
    half = Spine(
        bend=pose.upper_back.bend / 2, side=pose.upper_back.side / 2, turn=pose.upper_back.turn / 2
    )
    lower_thoracic = _spine(waist_frame, half)
    chest = add(waist, scale(lower_thoracic.up, THORACIC * 0.55))
    trunk = _spine(lower_thoracic, half)
    neck_base = add(chest, scale(trunk.up, THORACIC * 0.45))
    neck = _spine(trunk, pose.neck)
    skull = add(neck_base, scale(neck.up, NECK), scale(trunk.forward, pose.neck.glide))
    head = add(skull, scale(neck.up, HEAD_RADIUS * 0.8), scale(neck.forward, 1.5))
    points: dict[str, Vec] = {
        "pelvis": root,
        "waist": waist,
        "chest": chest,
        "neck_base": neck_base,
        "skull": skull,
        "head": head,
        "nose": add(head, scale(neck.forward, HEAD_RADIUS * 1.25), scale(neck.up, -1.5)),
    }
    blades = add(scale(trunk.forward, -pose.shoulders.back), scale(trunk.up, pose.shoulders.up))
    for name, sign, arm in (("right", 1, pose.right_arm), ("left", -1, pose.left_arm)):
        shoulder = add(neck_base, scale(trunk.up, -4), scale(trunk.right, sign * SHOULDER_HALF))
        _arm(points, name, add(shoulder, blades), trunk, arm, left=sign < 0)
    for name, sign, leg in (("right", 1, pose.right_leg), ("left", -1, pose.left_leg)):
        hip = add(root, scale(pelvis.right, sign * HIP_HALF))
        _leg(points, name, hip, pelvis, leg, left=sign < 0)
    return Skeleton(points=points, trunk=trunk, pelvis=pelvis, head=neck)


@dataclass(frozen=True, slots=True)
class View:
    """A camera: a room point becomes (x right, y up, depth toward the viewer)."""

    right: Vec
    up: Vec
    toward: Vec

    def project(self, point: Vec) -> Vec:
        return (dot(point, self.right), dot(point, self.up), dot(point, self.toward))


def camera_view(camera: Camera) -> View:
    """The view from `camera`: turn 0 looks along -z; tilt raises the eye and looks down."""
    turn, tilt = math.radians(camera.turn), math.radians(camera.tilt)
    toward = (
        math.sin(turn) * math.cos(tilt),
        math.sin(tilt),
        math.cos(turn) * math.cos(tilt),
    )
    right = (math.cos(turn), 0.0, -math.sin(turn))
    up = (
        toward[1] * right[2] - toward[2] * right[1],
        toward[2] * right[0] - toward[0] * right[2],
        toward[0] * right[1] - toward[1] * right[0],
    )
    return View(right=right, up=up, toward=toward)
