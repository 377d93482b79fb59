"""The typeface for words drawn into pictures: Noto Sans, shipped by a Python package.

It covers Latin and Cyrillic (Pillow's built-in font has no Cyrillic), and comes with the
install, never downloaded at run time.
"""

from __future__ import annotations

import threading
from functools import cache

import fontpkg_noto_sans
from PIL import ImageFont

NOTO_SANS = fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf"


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Noto Sans at `size` pixels, regular or bold (a variable font: weight 400 or 700)."""
    # One face per thread: pictures are drawn in worker threads, and a FreeType face is not
    # meant to be shared between threads.
    return _font(size, bold, threading.get_ident())


@cache
def _font(size: int, bold: bool, thread: int) -> ImageFont.FreeTypeFont:
    face = ImageFont.truetype(str(NOTO_SANS), size)
    # Axes in the font's order: weight, then width (100 is normal width).
    face.set_variation_by_axes([700 if bold else 400, 100])
    return face
