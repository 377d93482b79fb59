"""Draw the demonstration mannequin with Pillow: rounded, outlined body parts in depth order,
a face that shows where the head points, the props, and the words of the moment.

Drawn at `SUPERSAMPLE` times the size and scaled down, so every edge is smooth.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from bot.fonts import font
from bot.framing import FOOTER_H, TITLE_H, Placement, figure_extent, placement
from bot.props import TRUNK, Box, prop_boxes
from content.motion import Demonstration
from content.skeleton import HEAD_RADIUS, Frame, Skeleton, Vec, View, add, dot, scale
from content.timeline import Moment

SUPERSAMPLE = 3
BACKGROUND = (248, 247, 243)
INK = (44, 50, 62)
BODY = ((128, 144, 166), (44, 52, 66))  # fill, outline
FAR = ((198, 205, 216), (128, 136, 150))
ACCENT = ((240, 122, 36), (146, 64, 12))
FAR_ACCENT = ((248, 184, 134), (190, 112, 60))
LABEL = (196, 88, 10)
HAIR = (70, 58, 52)
Colours = tuple[tuple[int, int, int], tuple[int, int, int]]
COUNT = (40, 120, 200)

LIMBS: dict[str, list[tuple[str, str, float, float]]] = {
    "arm": [
        ("shoulder", "elbow", 5.6, 4.3),
        ("elbow", "wrist", 4.2, 3.2),
        ("wrist", "hand", 3.6, 3.3),
    ],
    "leg": [
        ("hip", "knee", 8.6, 5.8),
        ("knee", "ankle", 5.6, 3.8),
        ("ankle", "heel", 3.8, 3.4),
        ("heel", "toe", 3.4, 2.4),
    ],
}


@dataclass(frozen=True, slots=True)
class Capsule:
    """A tapered round-ended segment on the picture (pixels)."""

    a: tuple[float, float]
    b: tuple[float, float]
    ra: float
    rb: float


def _font(size: int) -> ImageFont.FreeTypeFont:
    return font(size)


def _fitting_font(
    draw: ImageDraw.ImageDraw, words: list[str], size: float, room: float
) -> ImageFont.FreeTypeFont:
    """The font at `size`, or smaller until `words` side by side fit in `room` pixels (a
    translated title can be much longer than the English)."""
    face = _font(round(size))
    while size > 8 and sum(draw.textlength(word, font=face) for word in words) > room:
        size *= 0.92
        face = _font(round(size))
    return face


def _draw_capsules(
    draw: ImageDraw.ImageDraw, capsules: list[Capsule], colours: Colours, line: float
) -> None:
    fill, outline = colours
    for colour, grow in ((outline, line), (fill, 0.0)):
        for c in capsules:
            for (x, y), r in ((c.a, c.ra + grow), (c.b, c.rb + grow)):
                draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
            dx, dy = c.b[0] - c.a[0], c.b[1] - c.a[1]
            length = math.hypot(dx, dy)
            if length < 1e-6:
                continue
            nx, ny = -dy / length, dx / length
            ra, rb = c.ra + grow, c.rb + grow
            draw.polygon(
                [
                    (c.a[0] + nx * ra, c.a[1] + ny * ra),
                    (c.b[0] + nx * rb, c.b[1] + ny * rb),
                    (c.b[0] - nx * rb, c.b[1] - ny * rb),
                    (c.a[0] - nx * ra, c.a[1] - ny * ra),
                ],
                fill=colour,
            )


def _torso_capsules(skeleton: Skeleton, place: Placement) -> list[Capsule]:
    """The trunk as tapered pieces whose width is the body's width seen from the camera."""
    view, pts = place.view, skeleton.points
    nodes = []
    for name, (half_width, half_depth) in TRUNK.items():
        frame = skeleton.pelvis if name == "pelvis" else skeleton.trunk
        nodes.append((name, place.px(pts[name]), half_width, half_depth, frame))
    capsules = []
    for (_, pa, wa, da, fa), (_, pb, wb, db, fb) in itertools.pairwise(nodes):
        normal = _screen_normal(pa, pb, view, place.mirror)
        capsules.append(
            Capsule(
                pa,
                pb,
                _apparent(fa, wa, da, normal) * place.scale,
                _apparent(fb, wb, db, normal) * place.scale,
            )
        )
    neck_r = 5.0 * place.scale
    capsules.append(
        Capsule(place.px(pts["neck_base"]), place.px(pts["skull"]), neck_r, neck_r * 0.9)
    )
    return capsules


def _screen_normal(
    pa: tuple[float, float], pb: tuple[float, float], view: View, mirror: bool
) -> Vec:
    dx, dy = pb[0] - pa[0], -(pb[1] - pa[1])
    if mirror:
        dx = -dx
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length
    return add(scale(view.right, nx), scale(view.up, ny))


def _apparent(frame: Frame, half_width: float, half_depth: float, normal: Vec) -> float:
    return math.hypot(
        half_width * dot(frame.right, normal), half_depth * dot(frame.forward, normal)
    )


def _limb_capsules(skeleton: Skeleton, place: Placement, side: str, kind: str) -> list[Capsule]:
    pts = skeleton.points
    return [
        Capsule(
            place.px(pts[f"{side}_{a}"]),
            place.px(pts[f"{side}_{b}"]),
            ra * place.scale,
            rb * place.scale,
        )
        for a, b, ra, rb in LIMBS[kind]
    ]


def _draw_head(
    draw: ImageDraw.ImageDraw, skeleton: Skeleton, place: Placement, colours: Colours, line: float
) -> None:
    """A round head with hair at the back, eyes and a nose, so its direction shows."""
    fill, outline = colours
    pts, head = skeleton.points, skeleton.head
    cx, cy = place.px(pts["head"])
    r = HEAD_RADIUS * place.scale
    nose_x, nose_y = place.px(pts["nose"])
    toward = place.view.toward
    dx, dy = nose_x - cx, nose_y - cy
    dist = math.hypot(dx, dy) or 1.0
    ux, uy = dx / dist, dy / dist
    nose_out = dist > r * 0.98
    draw.ellipse((cx - r - line, cy - r - line, cx + r + line, cy + r + line), fill=outline)
    if nose_out:  # side-on: the nose stands out beyond the head's outline
        base = 0.3 * r
        root_x, root_y = cx + ux * r * 0.75, cy + uy * r * 0.75
        tip = (nose_x + ux * line, nose_y + uy * line)
        draw.polygon(
            [tip, (root_x - uy * (base + line), root_y + ux * (base + line)),
             (root_x + uy * (base + line), root_y - ux * (base + line))],
            fill=outline,
        )  # fmt: skip
        draw.polygon(
            [(nose_x, nose_y), (root_x - uy * base, root_y + ux * base),
             (root_x + uy * base, root_y - ux * base)],
            fill=fill,
        )  # fmt: skip
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
    back_of_head = add(scale(head.up, 0.55), scale(head.forward, -0.8))
    hair_x, hair_y = place.px(add(pts["head"], scale(back_of_head, HEAD_RADIUS)))
    if math.hypot(hair_x - cx, hair_y - cy) > r * 0.25 or dot(back_of_head, toward) > 0:
        angle = math.degrees(math.atan2(hair_y - cy, hair_x - cx))
        spread = 75 if dot(back_of_head, toward) <= 0.3 else 150  # seen from behind: all hair
        draw.chord((cx - r, cy - r, cx + r, cy + r), angle - spread, angle + spread, fill=HAIR)
    eye_r = r * 0.15
    for sign in (1, -1):
        eye = add(
            pts["head"],
            scale(head.forward, HEAD_RADIUS * 0.8),
            scale(head.up, HEAD_RADIUS * 0.15),
            scale(head.right, sign * HEAD_RADIUS * 0.42),
        )
        if dot(add(eye, scale(pts["head"], -1)), toward) > HEAD_RADIUS * 0.15:
            ex, ey = place.px(eye)
            draw.ellipse((ex - eye_r, ey - eye_r, ex + eye_r, ey + eye_r), fill=outline)
    if not nose_out and dot(head.forward, toward) > 0:  # facing us: a small nose on the face
        base = 0.16 * r
        draw.polygon(
            [(nose_x, nose_y + base), (nose_x - base, nose_y + base), (nose_x, nose_y - base * 2)],
            fill=outline,
        )
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=outline, width=max(1, round(line)))


def draw_figure(
    draw: ImageDraw.ImageDraw, demo: Demonstration, skeleton: Skeleton, place: Placement
) -> None:
    """The mannequin, far parts first, moving parts in the accent colour."""

    def depth(point: Vec) -> float:
        return place.view.project(point)[2]

    pts = skeleton.points
    spine_depth = sum(depth(pts[n]) for n in ("pelvis", "waist", "chest")) / 3
    line = max(1.0, place.scale * 1.1)
    items: list[tuple[float, str]] = [(spine_depth, "trunk"), (depth(pts["head"]) + 0.5, "head")]
    for side in ("right", "left"):
        for kind, joints in (
            ("arm", ("shoulder", "elbow", "wrist")),
            ("leg", ("hip", "knee", "ankle")),
        ):
            items.append((sum(depth(pts[f"{side}_{j}"]) for j in joints) / 3, f"{side}_{kind}"))
    for _, part in sorted(items):
        moving = part in demo.moving
        if part == "head":
            _draw_head(draw, skeleton, place, ACCENT if moving else BODY, line)
            continue
        if part == "trunk":
            _draw_capsules(draw, _torso_capsules(skeleton, place), ACCENT if moving else BODY, line)
            continue
        side, kind = part.split("_")
        root = pts[f"{side}_{'shoulder' if kind == 'arm' else 'hip'}"]
        far = depth(root) < spine_depth - 5
        colours = (FAR_ACCENT if far else ACCENT) if moving else (FAR if far else BODY)
        _draw_capsules(draw, _limb_capsules(skeleton, place, side, kind), colours, line)


def draw_props(draw: ImageDraw.ImageDraw, boxes: list[Box], place: Placement) -> None:
    """Props as shaded boxes, far faces first."""
    faces = []
    for box in boxes:
        faces.extend(box.faces())
    faces.sort(key=lambda face: sum(place.view.project(c)[2] for c in face[0]) / 4)
    for corners, shade in faces:
        draw.polygon([place.px(c) for c in corners], fill=shade, outline=INK, width=1)


def draw_words(image: Image.Image, title: str, label: str | None, moment: Moment) -> None:
    """Title, and the side on the line below it; the moment's words and the hold count."""
    draw = ImageDraw.Draw(image)
    width, height = image.size
    unit = height / 100
    # bands behind the words: a figure framed from the waist up is cut off cleanly here
    draw.rectangle((0, 0, width, TITLE_H * height), fill=BACKGROUND)
    draw.rectangle((0, height - FOOTER_H * height, width, height), fill=BACKGROUND)
    draw.line((0, height - FOOTER_H * height, width, height - FOOTER_H * height), fill=FAR[0])
    room = width - 6 * unit
    title_font = _fitting_font(draw, [title], 5 * unit, room)
    if title_font.size < 0.7 * 5 * unit and "(" in title:  # too small to read: drop the aside
        title = re.sub(r"\s*\([^)]*\)", "", title)
        title_font = _fitting_font(draw, [title], 5 * unit, room)
    draw.text((3 * unit, 2 * unit), title, fill=INK, font=title_font)
    if label:
        label_font = _fitting_font(draw, [label], 5 * unit, room)
        draw.text((3 * unit, 8.2 * unit), label, fill=LABEL, font=label_font)
    bottom = height - FOOTER_H * height
    count_room = (moment.count_of or 0) * 8 * unit  # the hold's dots on the right
    say_font = _fitting_font(draw, [moment.say], 6 * unit, width - 6 * unit - count_room)
    draw.text((3 * unit, bottom + 3 * unit), moment.say, fill=INK, font=say_font)
    if moment.count is not None and moment.count_of is not None:
        r = 2.6 * unit
        for index in range(moment.count_of):
            x = width - 4 * unit - (moment.count_of - 1 - index) * 3 * r
            y = bottom + 6.2 * unit
            filled = index < moment.count
            draw.ellipse(
                (x - r, y - r, x + r, y + r),
                fill=COUNT if filled else None,
                outline=COUNT,
                width=max(1, round(unit * 0.6)),
            )


def frame_image(
    demo: Demonstration,
    skeleton: Skeleton,
    place: Placement,
    boxes: list[Box],
    size: tuple[int, int],
) -> Image.Image:
    """One frame without words, drawn large and scaled down to `size`."""
    big = (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE)
    image = Image.new("RGB", big, BACKGROUND)
    draw = ImageDraw.Draw(image)
    big_place = Placement(
        place.view, place.scale * SUPERSAMPLE, place.origin_x * SUPERSAMPLE,
        place.origin_y * SUPERSAMPLE, big[0], place.mirror,
    )  # fmt: skip
    draw_props(draw, boxes, big_place)
    draw_figure(draw, demo, skeleton, big_place)
    return image.reduce(SUPERSAMPLE)  # box-average each block: smooth edges, quickly


__all__ = [
    "FOOTER_H",
    "TITLE_H",
    "Placement",
    "draw_words",
    "figure_extent",
    "frame_image",
    "placement",
    "prop_boxes",
]
