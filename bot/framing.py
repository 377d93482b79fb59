"""Framing a loop: one scale and origin for every frame, so the figure fits the picture and
nothing jumps between frames."""

from __future__ import annotations

from dataclasses import dataclass

from bot.props import Box
from content.motion import Demonstration
from content.skeleton import HEAD_RADIUS, Skeleton, Vec, View, camera_view

TITLE_H, FOOTER_H, MARGIN = 0.15, 0.13, 0.04  # fractions of the picture's height


@dataclass(frozen=True, slots=True)
class Placement:
    """How room centimetres become pixels for a whole loop (one scale, so nothing jumps)."""

    view: View
    scale: float
    origin_x: float
    origin_y: float
    width: int
    mirror: bool

    def px(self, point: Vec) -> tuple[float, float]:
        x, y, _ = self.view.project(point)
        sx = self.origin_x + x * self.scale
        if self.mirror:
            sx = self.width - sx
        return sx, self.origin_y - y * self.scale


def figure_extent(skeleton: Skeleton, view: View) -> tuple[float, float, float, float]:
    """The figure's projected bounds (cm): left, bottom, right, top, with body thickness."""
    xs, ys = [], []
    for point in skeleton.points.values():
        x, y, _ = view.project(point)
        xs.append(x)
        ys.append(y)
    pad = HEAD_RADIUS + 2
    return min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad


def placement(
    demo: Demonstration,
    skeletons: list[Skeleton],
    boxes: list[Box],
    size: tuple[int, int],
    mirror: bool,
) -> Placement:
    """Fit every frame of the loop, and the props that matter, inside the picture."""
    view = camera_view(demo.camera)
    extents = [figure_extent(s, view) for s in skeletons]
    if demo.focus != "whole":  # cut below the waist or the knees: the work is above
        joint, below = ("waist", 12) if demo.focus == "upper" else ("right_knee", 4)
        cut = min(view.project(s.points[joint])[1] for s in skeletons) - below
        extents = [(e[0], max(e[1], cut), e[2], e[3]) for e in extents]
    for box in boxes:
        if box.fit and demo.focus == "whole":
            xs = [view.project(c)[0] for c in box.corners()]
            ys = [view.project(c)[1] for c in box.corners()]
            extents.append((min(xs), min(ys), max(xs), max(ys)))
    left = min(e[0] for e in extents)
    bottom = min(e[1] for e in extents)
    right = max(e[2] for e in extents)
    top = max(e[3] for e in extents)
    width, height = size
    margin = MARGIN * height
    room_w = width - 2 * margin
    room_h = height * (1 - TITLE_H - FOOTER_H) - 2 * margin
    k = min(room_w / (right - left), room_h / (top - bottom))
    origin_x = width / 2 - (left + right) / 2 * k
    middle_y = height * TITLE_H + margin + room_h / 2
    origin_y = middle_y + (top + bottom) / 2 * k
    return Placement(view, k, origin_x, origin_y, width, mirror)
