"""What both sides of a card share: its size, one card's print style, the printed ground, labels, values.

Positions and sizes are millimetres on the 85.6 x 54 mm card, drawn at PX_PER_MM, so the layout reads like
measurements taken from a real card.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from .fonts import _draw_text, _Face

CARD_MM = (85.6, 54.0)
PX_PER_MM = 14.0
_BLACK = (22, 20, 24)


@dataclass(frozen=True)
class _Style:
    """One card's printing: fonts, sizes (mm), spacing and the small misregistration of its print run."""

    label: _Face
    value: _Face
    number: _Face
    label_rgb: tuple[int, int, int]
    label_mm: float
    value_mm: float
    name_mm: float
    number_mm: float
    label_spread_mm: float  # extra space between the two characters of 姓名, 性别 …
    value_x_mm: float
    line_mm: float
    number_tracking_mm: float
    shift_mm: tuple[float, float]


def _pick_style(rng: random.Random) -> _Style:
    value = rng.choice((_Face("sarasa", "zhengyi"), _Face("serif", "serif", 1), _Face("zhengyi", "zhengyi")))
    wide_number = rng.random() < 0.35
    return _Style(
        label=rng.choice((_Face("zhengyi", "zhengyi"), _Face("sarasa", "zhengyi"), _Face("wqy", "wqy"))),
        value=value,
        number=rng.choice((_Face("zhengyi", "zhengyi"), _Face("wqy", "wqy", 1), _Face("serif", "serif", 1))),
        label_rgb=(rng.randint(30, 70), rng.randint(120, 165), rng.randint(185, 220)),
        label_mm=rng.uniform(2.3, 2.8),
        value_mm=rng.uniform(2.9, 3.4),
        name_mm=rng.uniform(3.2, 3.8),
        number_mm=rng.uniform(3.3, 3.9),
        label_spread_mm=rng.choice((0.0, rng.uniform(1.0, 2.6))),
        value_x_mm=rng.uniform(16.5, 18.5),
        line_mm=rng.uniform(4.3, 5.1),
        number_tracking_mm=rng.uniform(0.9, 1.5) if wide_number else rng.uniform(0.05, 0.45),
        shift_mm=(rng.uniform(-0.8, 0.8), rng.uniform(-0.7, 0.7)),
    )


@functools.cache
def _card_ground(side: str, variant: int) -> np.ndarray:
    """The pale printed ground: a two-tone wash with guilloche lines (a few cached variants per side)."""
    rng = random.Random(f"{side}-{variant}")
    w, h = round(CARD_MM[0] * PX_PER_MM), round(CARD_MM[1] * PX_PER_MM)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = x / w, y / h
    top = np.array((226, 238, 241) if side == "front" else (236, 238, 232), np.float32)
    bottom = np.array((246, 236, 230), np.float32)
    mix = (0.55 * v + 0.45 * u)[..., None]
    img = top * (1 - mix) + bottom * mix
    f1, f2, ph = rng.uniform(55, 75), rng.uniform(5, 9), rng.uniform(0, 6.3)
    lines = np.zeros_like(u)
    for freq, amp in ((f1, 0.09), (f1 * 1.07, 0.12)):
        wave = np.sin(freq * v + amp * freq * np.sin(f2 * u * 6.28 + ph))
        lines += np.clip(1 - np.abs(wave) / 0.16, 0, 1)
    cx, cy = rng.uniform(0.55, 0.75) * w, rng.uniform(0.3, 0.6) * h
    r = np.hypot(x - cx, y - cy) / w
    rings = np.clip(1 - np.abs(np.sin(r * rng.uniform(170, 220))) / 0.25, 0, 1) * np.clip(1 - r * 1.6, 0, 1)
    img -= lines[..., None] * np.array((12, 7, 3), np.float32) + rings[..., None] * np.array(
        (4, 9, 10), np.float32
    )
    return np.clip(img, 0, 255).astype(np.uint8)


def _rounded_alpha(w: int, h: int) -> Image.Image:
    alpha = Image.new("L", (w, h), 0)
    ImageDraw.Draw(alpha).rounded_rectangle((0, 0, w - 1, h - 1), radius=int(3.2 * PX_PER_MM), fill=255)
    return alpha


def _label(
    draw: ImageDraw.ImageDraw, st: _Style, xy_mm: tuple[float, float], text: str, spread: float
) -> float:
    px = PX_PER_MM
    size = round(st.label_mm * px)
    x, y = (xy_mm[0] + st.shift_mm[0]) * px, (xy_mm[1] + st.shift_mm[1]) * px
    return _draw_text(draw, (x, y), text, st.label, size, st.label_rgb, spread * px) / px - st.shift_mm[0]


def _value(
    draw: ImageDraw.ImageDraw, st: _Style, xy_mm: tuple[float, float], text: str, size_mm: float, face: _Face
) -> float:
    px = PX_PER_MM
    x, y = (xy_mm[0] + st.shift_mm[0]) * px, (xy_mm[1] + st.shift_mm[1]) * px
    return _draw_text(draw, (x, y), text, face, round(size_mm * px), _BLACK) / px - st.shift_mm[0]
