"""What the card lies on in a photo: wood, cloth, a desk with clutter, a printed page of Chinese text.

The page is there because its print is ink like the card's: the reader must find the card, not the page.
Each maker takes a numpy Generator and a size (h, w) and returns a float RGB image.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .fonts import _font

_PAGE_TEXT = (
    "根据国家有关规定本单位对申请材料进行审核请申请人按照要求提供真实有效的身份证明文件复印件"
    "办理业务时须本人到场并出示居民身份证原件工作人员将核对信息后予以受理如有疑问请咨询窗口"
    "建设工程施工许可证申请表项目名称建设地点建设规模合同价格开工日期竣工日期施工单位负责人签字盖章"
)


def _noise_field(
    rng: np.random.Generator, h: int, w: int, cell: int, cell_x: int | None = None
) -> np.ndarray:
    small = rng.standard_normal((max(2, h // cell), max(2, w // (cell_x or cell)))).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def _bg_wood(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Planks: fine grain running along x, bent slowly, with a few darker streaks."""
    y = np.arange(h, dtype=np.float32)[:, None]
    bend = _noise_field(rng, h, w, 300, 500) * 30 + _noise_field(rng, h, w, 40, 260) * 4
    period = rng.uniform(3.0, 7.0)
    grain = np.sin((y + bend) / period) * 0.5 + 0.5
    streaks = _noise_field(rng, h, w, 6, 180)
    base = np.array(rng.choice([(150, 98, 60), (182, 134, 88), (110, 72, 46), (196, 160, 118)]), np.float32)
    tone = 0.9 + 0.06 * grain + 0.05 * streaks + 0.05 * _noise_field(rng, h, w, 200, 200)
    plank = rng.integers(180, 420)
    seams = (np.abs(((y + bend * 0.2) % plank) - plank / 2) > plank / 2 - 1.5).astype(np.float32)
    return base * (tone - 0.35 * seams)[..., None]


def _bg_fabric(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    period = rng.uniform(3.0, 6.0)
    weave = (np.sin(x * 6.28 / period) * np.sin(y * 6.28 / period)) * 0.5 + 0.5
    base = np.array(rng.choice([(70, 80, 120), (120, 40, 50), (60, 60, 62), (170, 160, 140), (40, 90, 70)]))
    folds = _noise_field(rng, h, w, 150) * 0.12
    return base.astype(np.float32) * (0.85 + 0.2 * weave[..., None] + folds[..., None])


def _bg_desk(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    base = np.array(rng.choice([(200, 200, 196), (90, 92, 98), (225, 222, 214), (30, 32, 36)]), np.float32)
    ramp = np.linspace(0.85, 1.1, w, dtype=np.float32)[None, :, None]
    img = base * ramp * np.ones((h, 1, 1), np.float32)
    pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    for _ in range(int(rng.integers(1, 4))):  # a pen, a coin, a key: clutter
        x, y = float(rng.uniform(0, w)), float(rng.uniform(0, h))
        colour = tuple(int(c) for c in rng.integers(20, 230, 3))
        if rng.random() < 0.5:
            r = float(rng.uniform(0.02, 0.05)) * w
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            L, a = float(rng.uniform(0.2, 0.5)) * w, float(rng.uniform(0, math.pi))
            draw.line((x, y, x + L * math.cos(a), y + L * math.sin(a)), fill=colour, width=int(0.015 * w) + 2)
    return np.asarray(pil.filter(ImageFilter.GaussianBlur(2)), np.float32)


@functools.cache
def _page_ink(font_key: str, ruled: bool) -> Image.Image:
    """A large sheet of printed Chinese text as an ink mask (cached: text rendering is the slow part)."""
    sheet = Image.new("L", (2000, 2000), 0)
    draw = ImageDraw.Draw(sheet)
    size, step = 34, 58
    font = _font(font_key, size)
    text = _PAGE_TEXT * 8
    for k, y in enumerate(range(20, 2000, step)):
        a = (k * 37) % len(_PAGE_TEXT)
        draw.text((60, y), text[a : a + 2000 // size], font=font, fill=255)
        if ruled and k % 3 == 2:
            draw.line((0, y + step - 8, 2000, y + step - 8), fill=200, width=3)
    return sheet


def _bg_page(rng: np.random.Generator, h: int, w: int, px_per_mm: float = 0.0) -> np.ndarray:
    """A printed page of Chinese text (a form, a letter) under the card, a little turned.

    Its characters are 3-4.5 mm tall at the card's scale (px_per_mm), as on a printed A4 form.
    """
    ink = _page_ink(str(rng.choice(["serif", "sarasa"])), bool(rng.random() < 0.5))
    px_per_mm = px_per_mm or 0.012 * max(w, h)
    scale = rng.uniform(3.0, 4.5) * px_per_mm / 34
    cw, ch = min(2000, int(w / scale) + 1), min(2000, int(h / scale) + 1)
    ox, oy = int(rng.integers(0, 2000 - cw + 1)), int(rng.integers(0, 2000 - ch + 1))
    window = ink.crop((ox, oy, ox + cw, oy + ch)).resize((w, h), Image.Resampling.BILINEAR)
    window = window.rotate(float(rng.uniform(-8, 8)), resample=Image.Resampling.BILINEAR, fillcolor=0)
    paper = np.array(rng.integers(228, 250, 3), np.float32)
    mask = np.asarray(window, np.float32)[..., None] / 255
    return paper - (paper - np.array((40, 40, 44), np.float32)) * mask


_BACKGROUNDS: dict[str, Callable[[np.random.Generator, int, int], np.ndarray]] = {
    "wood": _bg_wood,
    "fabric": _bg_fabric,
    "desk": _bg_desk,
    "page": _bg_page,
}
