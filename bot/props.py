"""The room around the mannequin: floor level, and the mat, bed, pillow, chair and wall as
boxes placed from where the body is."""

from __future__ import annotations

import math
from dataclasses import dataclass

from content.motion import Demonstration
from content.skeleton import HEAD_RADIUS, Skeleton, Vec, add

BED_HEIGHT = 52.0
# Half width and half depth (cm) of the trunk at its joints.
TRUNK = {
    "pelvis": (15.5, 10.0),
    "waist": (13.0, 9.5),
    "chest": (16.5, 11.0),
    "neck_base": (11.0, 7.0),
}
SEAT_BELOW_HIP = 9.0
Colour = tuple[int, int, int]
MAT = (96, 168, 190)
WOOD = (200, 170, 130)
BED = (232, 228, 240)
BED_FRAME = (170, 150, 130)
PILLOW = (250, 250, 252)
WALL = (226, 222, 212)
FLOOR = (222, 218, 208)


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned box in the room (cm); `fit` says the picture must show all of it."""

    low: Vec
    high: Vec
    colour: Colour
    fit: bool = True

    def corners(self) -> list[Vec]:
        (x0, y0, z0), (x1, y1, z1) = self.low, self.high
        return [(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)]

    def faces(self) -> list[tuple[list[Vec], Colour]]:
        """The six faces, each with a shade: the top lightest, the sides darker."""
        (x0, y0, z0), (x1, y1, z1) = self.low, self.high

        def shade(k: float) -> Colour:
            r, g, b = self.colour
            return (int(r * k), int(g * k), int(b * k))

        return [
            ([(x0, y1, z0), (x1, y1, z0), (x1, y1, z1), (x0, y1, z1)], shade(1.0)),
            ([(x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)], shade(0.7)),
            ([(x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)], shade(0.9)),
            ([(x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0)], shade(0.9)),
            ([(x0, y0, z0), (x0, y0, z1), (x0, y1, z1), (x0, y1, z0)], shade(0.82)),
            ([(x1, y0, z0), (x1, y0, z1), (x1, y1, z1), (x1, y1, z0)], shade(0.82)),
        ]


def grounded(demo: Demonstration, skeletons: list[Skeleton]) -> list[Skeleton]:
    """Lift every frame by one amount so the start frame rests on the floor or the bed."""
    lowest = min(p[1] - _thickness(skeletons[0], name) for name, p in skeletons[0].points.items())
    level = BED_HEIGHT if "bed" in demo.props else 0.0
    lift = (0.0, level - lowest, 0.0)
    return [
        Skeleton({n: add(p, lift) for n, p in s.points.items()}, s.trunk, s.pelvis, s.head)
        for s in skeletons
    ]


def _thickness(skeleton: Skeleton, joint: str) -> float:
    """How far the body reaches below a joint (cm): the trunk is wide one way, deep the other."""
    if joint in TRUNK:
        half_width, half_depth = TRUNK[joint]
        frame = skeleton.pelvis if joint == "pelvis" else skeleton.trunk
        return math.hypot(half_width * frame.right[1], half_depth * frame.forward[1])
    return HEAD_RADIUS if joint == "head" else 3.5


def prop_boxes(demo: Demonstration, skeletons: list[Skeleton]) -> list[Box]:
    """The props of `demo`, placed around the grounded figure of the whole loop."""
    points = [p for s in skeletons for p in s.points.values()]
    start = skeletons[0].points
    min_x = min(p[0] for p in points) - 12
    max_x = max(p[0] for p in points) + 12
    boxes: list[Box] = []
    level = 0.0
    if "bed" in demo.props:
        level = BED_HEIGHT
        boxes.append(Box((min_x - 6, 10, -50), (max_x + 6, BED_HEIGHT - 14, 50), BED_FRAME))
        boxes.append(Box((min_x, BED_HEIGHT - 16, -46), (max_x, BED_HEIGHT, 46), BED))
        for x in (min_x, max_x - 2):
            boxes.append(Box((x - 4, 0, -48), (x + 2, 12, -42), BED_FRAME))
    if "bed" not in demo.props:  # the floor itself, so standing and sitting have ground
        boxes.append(Box((min_x - 20, -2, -45), (max_x + 20, 0, 45), FLOOR, fit=False))
    if "mat" in demo.props:
        boxes.append(Box((min_x, 0, -36), (max_x, 1.6, 36), MAT))
    if "pillow" in demo.props:
        hx, hz = start["head"][0], start["head"][2]
        boxes.append(Box((hx - 16, level, hz - 22), (hx + 10, level + 6, hz + 22), PILLOW))
    if "chair" in demo.props or "stool" in demo.props:
        boxes.extend(_chair(start["pelvis"], with_back="chair" in demo.props))
    if "wall" in demo.props:
        hands = [s.points[n][0] for s in skeletons for n in ("right_hand", "left_hand")]
        wall_x = max(hands) + 2
        boxes.append(Box((wall_x, 0, -70), (wall_x + 8, 260, 70), WALL, fit=False))
    return boxes


def _chair(pelvis: Vec, *, with_back: bool) -> list[Box]:
    x, y, z = pelvis
    seat = y - SEAT_BELOW_HIP
    back, front = x - 24, x + 20
    boxes = [Box((back, seat - 4, z - 22), (front, seat, z + 22), WOOD)]
    for lx in (back, front - 4):
        for lz in (z - 22, z + 18):
            boxes.append(Box((lx, 0, lz), (lx + 4, seat - 4, lz + 4), WOOD))
    if with_back:
        boxes.append(Box((back - 4, seat, z - 22), (back, seat + 40, z + 22), WOOD))
    return boxes
