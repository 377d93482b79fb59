"""Exercise pictures drawn from the pose data: the start and end position side by side.

A sided exercise's pose is written for the right side; the left side is its mirror image
(in a side view that turns the person round so their left limbs are the near ones).
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from content.models import Point, Pose, Side

SCALE = 3  # pose units to pixels
PANEL_W, PANEL_H = 200 * SCALE, 130 * SCALE
TITLE_H, FOOTER_H = 50, 56
WIDTH, HEIGHT = PANEL_W * 2 + 40, PANEL_H + TITLE_H + FOOTER_H
BACKGROUND = (250, 250, 247)
BODY = (70, 76, 88)
MOVING = (230, 110, 30)
FAR = (170, 176, 186)
PROP = (196, 186, 170)
MAT = (120, 170, 200)
ARROW = (40, 120, 200)

SIDE_SEGMENTS = {
    "trunk": [("neck", "mid"), ("mid", "hip"), ("neck", "hip")],
    "near_arm": [("neck", "elbow"), ("elbow", "hand")],
    "far_arm": [("neck", "elbow2"), ("elbow2", "hand2")],
    "near_leg": [("hip", "knee"), ("knee", "ankle"), ("ankle", "toe")],
    "far_leg": [("hip", "knee2"), ("knee2", "ankle2"), ("ankle2", "toe2")],
}
FRONT_SEGMENTS = {
    "trunk": [("neck", "pelvis"), ("r_shoulder", "l_shoulder")],
    "right_arm": [("r_shoulder", "r_elbow"), ("r_elbow", "r_hand")],
    "left_arm": [("l_shoulder", "l_elbow"), ("l_elbow", "l_hand")],
    "right_leg": [("pelvis", "r_knee"), ("r_knee", "r_foot")],
    "left_leg": [("pelvis", "l_knee"), ("l_knee", "l_foot")],
}


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _mirrored(points: dict[str, Point], mirror: bool) -> dict[str, Point]:
    return {name: ((200 - x) if mirror else x, y) for name, (x, y) in points.items()}


def _px(point: Point, left: int) -> tuple[int, int]:
    return left + int(point[0] * SCALE), TITLE_H + int(point[1] * SCALE)


def _draw_surface(draw: ImageDraw.ImageDraw, pose: Pose, left: int, mirror: bool) -> None:
    floor = TITLE_H + 112 * SCALE
    draw.line((left + 10, floor + 4, left + PANEL_W - 10, floor + 4), fill=PROP, width=4)
    if pose.surface == "mat":
        draw.rounded_rectangle(
            (left + 30, floor, left + PANEL_W - 30, floor + 12), radius=6, fill=MAT
        )
    elif pose.surface == "chair":
        hip = _mirrored(pose.start, mirror).get("hip") or _mirrored(pose.start, mirror)["pelvis"]
        back_x = hip[0] + (8 if mirror else -8) if pose.view == "side" else None
        seat = [(hip[0] - 16, hip[1] + 6), (hip[0] + 16, hip[1] + 6)]
        draw.line([_px(p, left) for p in seat], fill=PROP, width=8)
        for x in (hip[0] - 14, hip[0] + 14):
            draw.line([_px((x, hip[1] + 6), left), _px((x, 112), left)], fill=PROP, width=5)
        if back_x is not None:
            draw.line(
                [_px((back_x, hip[1] + 6), left), _px((back_x, hip[1] - 34), left)],
                fill=PROP,
                width=6,
            )


def _draw_figure(
    draw: ImageDraw.ImageDraw, pose: Pose, points: dict[str, Point], left: int, moving: bool
) -> None:
    segments = SIDE_SEGMENTS if pose.view == "side" else FRONT_SEGMENTS
    order = sorted(segments, key=lambda part: part in pose.moving)  # moving parts on top
    for part in order:
        colour = (
            MOVING if moving and part in pose.moving else (FAR if part.startswith("far") else BODY)
        )
        for a, b in segments[part]:
            if (
                part == "trunk"
                and pose.view == "side"
                and "mid" in points
                and (a, b) == ("neck", "hip")
            ):
                continue
            if part == "trunk" and pose.view == "side" and "mid" not in points and "mid" in (a, b):
                continue
            if a in points and b in points:
                draw.line(
                    [_px(points[a], left), _px(points[b], left)],
                    fill=colour,
                    width=12,
                    joint="curve",
                )
                for end in (a, b):
                    x, y = _px(points[end], left)
                    draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=colour)
    neck_to = "hip" if pose.view == "side" else "pelvis"
    assert neck_to in points
    head_colour = MOVING if moving and "head" in pose.moving else BODY
    hx, hy = _px(points["head"], left)
    radius = 9 * SCALE
    draw.line([_px(points["head"], left), _px(points["neck"], left)], fill=head_colour, width=10)
    draw.ellipse(
        (hx - radius, hy - radius, hx + radius, hy + radius),
        fill=BACKGROUND,
        outline=head_colour,
        width=6,
    )
    if "nose" in points:
        nx, ny = _px(points["nose"], left)
        draw.ellipse((nx - 5, ny - 5, nx + 5, ny + 5), fill=head_colour)


def _draw_arrow(draw: ImageDraw.ImageDraw, arrow: tuple[Point, Point], left: int) -> None:
    (x1, y1), (x2, y2) = _px(arrow[0], left), _px(arrow[1], left)
    draw.line((x1, y1, x2, y2), fill=ARROW, width=6)
    dx, dy = x2 - x1, y2 - y1
    length = max((dx * dx + dy * dy) ** 0.5, 1)
    ux, uy = dx / length, dy / length
    tip = [
        (x2, y2),
        (x2 - 18 * ux + 10 * uy, y2 - 18 * uy - 10 * ux),
        (x2 - 18 * ux - 10 * uy, y2 - 18 * uy + 10 * ux),
    ]
    draw.polygon(tip, fill=ARROW)


def exercise_picture(pose: Pose, side: Side | None, title: str, label: str) -> bytes:
    """The start and end position side by side, the moving part in colour, as PNG bytes."""
    mirror = side is Side.LEFT
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.text((20, 12), title, fill=BODY, font=_font(28))
    for index, (caption, points, moving) in enumerate(
        (("Start", pose.start, False), ("Then", pose.end, True))
    ):
        left = 10 + index * (PANEL_W + 20)
        _draw_surface(draw, pose, left, mirror)
        _draw_figure(draw, pose, _mirrored(points, mirror), left, moving)
        draw.text((left + 12, TITLE_H + 6), caption, fill=FAR, font=_font(24))
        if moving and pose.arrow is not None:
            (ax, ay), (bx, by) = pose.arrow
            arrow = ((200 - ax, ay), (200 - bx, by)) if mirror else pose.arrow
            _draw_arrow(draw, arrow, left)
    draw.text((20, HEIGHT - FOOTER_H + 12), label, fill=MOVING, font=_font(26))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
