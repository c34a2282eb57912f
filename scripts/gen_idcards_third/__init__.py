"""A third, independent renderer of Chinese second-generation resident ID cards (第二代居民身份证).

It is a held-out test set for the card reader: written from what real cards and real phone photos look
like, not from the two other renderers in this folder, and not tuned against the reader.

What it models
    People: an 18-digit number with a real GB/T 2260 county code (python-stdnum's division table, with the
    name each code had in the year the card was issued, so 邵东县 before 2019 and 邵东市 after), the birth
    date, a sequence whose last digit is odd for 男 and even for 女, and the GB 11643 check digit. Most
    people are from Hunan (43xxxx); the others from a few provinces, with Uyghur, Kazakh, Kyrgyz people
    mostly in Xinjiang and Mongol, Ewenki people mostly in Inner Mongolia. All 56 nationalities (GB/T 3304
    names without 族), 汉 about 60 %. Names of 2-4 characters with compound surnames sometimes, and
    transliterated names with the middle dot (买买提·艾力) for some Uyghur and Kazakh people (under 5 %).
    Addresses: province, prefecture and county spelled out, then a road and number or a 镇/乡, 村 and 组,
    sometimes 栋/单元/室, wrapped by the value font's width over 1-3 lines. The card valid on
    REFERENCE_DATE with the term set by the age at issue (<16: 5 years, 16-25: 10, 26-45: 20, 46+: 长期)
    and the issuing authority named from the county (分局 of a district, 县/市 公安局 otherwise).
    Front: blue labels (姓名, 性别/民族 on one row, 出生 with 年 月 日 printed between the numbers, 住址,
    公民身份号码), black values, the portrait on the right (tests/fixtures/faces), a pale guilloche ground.
    Back: an abstract red and gold emblem, 中华人民共和国 and 居民身份证, 签发机关 and 有效期限.
    Each card draws its own layout jitter, letter spacing, label/value gap, line spacing, font sizes and a
    font style (labels in 江城正义体, Sarasa Mono SC or WenQuanYi Micro Hei; values in
    Sarasa Mono SC with 江城正义体 digits, in 江城正义体, or in a faux-bold Noto Serif SC; the number
    in 江城正义体, WenQuanYi or Noto Serif digits, sometimes widely spaced). A glyph missing from a
    font falls back to 江城正义体, then Noto Serif.
Photographed conditions
    DEGRADATIONS are what phones do to a card a reader should still read; HARD_DEGRADATIONS are what it
    may reject. Photos are 1000-2000 px on the long side, some in portrait orientation, the card seen in
    3-D perspective over wood, fabric, a desk or a printed page of Chinese text.
Limits
    The guilloche, emblem, Great Wall and portrait are abstractions; no optically variable ink, no
    micro-print, no laser-engraved texture. Face photos are only the five fixtures. Street, town and
    village names are made of a small stock of syllables. County-level divisions directly under a province
    (codes xx90xx) are not used. The number carries the code of the county in the address, never a former
    home's. Digits in addresses are drawn in the value font (real cards print them alike).

Usage: ``python -m scripts.gen_idcards_third --out DIR --n N --seed S [--hard]`` writes N photos per side and
truth.json; --hard cycles through HARD_DEGRADATIONS as well. About 0.3 s a photo.
"""

from __future__ import annotations

import functools
import io
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .back import render_back
from .card import CARD_MM, PX_PER_MM
from .fonts import FONT_FILES, _font, wrap_address
from .front import render_front
from .people import FACES_DIR, NATIONS, REFERENCE_DATE, REPO, Identity, check_digit, make_identity

__all__ = [
    "CARD_MM",
    "DEGRADATIONS",
    "FACES_DIR",
    "FONT_FILES",
    "HARD_DEGRADATIONS",
    "NATIONS",
    "PX_PER_MM",
    "REFERENCE_DATE",
    "REPO",
    "SIDES",
    "Identity",
    "Sample",
    "_photograph",
    "check_digit",
    "generate",
    "make_identity",
    "render_back",
    "render_front",
    "wrap_address",
]

DEGRADATIONS: tuple[str, ...] = (
    "clean",
    "perspective_clutter",
    "rotate_90",
    "rotate_180",
    "rotate_270",
    "tilt",
    "thumb",
    "phone",
    "glare",
    "shadow",
    "defocus",
    "motion",
    "low_res",
    "jpeg",
    "worn",
    "sleeve",
    "overexposed",
)
HARD_DEGRADATIONS: tuple[str, ...] = ("cut_off", "heavy_blur", "dark", "tiny")

SIDES = ("front", "back")


@dataclass(frozen=True)
class Sample:
    """One rendered photo of one side of a card and what it says."""

    side: str
    degradation: str
    jpeg: bytes
    truth: dict[str, str]
    person: Identity


# ---------------------------------------------------------------------------------------------- the photo

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


def _card_quad(cw: float, ch: float, rx: float, ry: float, rz: float) -> np.ndarray:
    """Corners of a cw x ch card turned by rx, ry, rz (radians) and seen by a pinhole camera."""
    pts = np.array([[-cw / 2, -ch / 2, 0], [cw / 2, -ch / 2, 0], [cw / 2, ch / 2, 0], [-cw / 2, ch / 2, 0]])
    cx, sx, cy, sy, cz, sz = (
        math.cos(rx),
        math.sin(rx),
        math.cos(ry),
        math.sin(ry),
        math.cos(rz),
        math.sin(rz),
    )
    rot_x = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    rot_y = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rot_z = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    p = pts @ (rot_z @ rot_y @ rot_x).T
    focal = 1.8 * cw
    p[:, 2] += focal
    return p[:, :2] * focal / p[:, 2:3]


def _thumb(
    canvas: Image.Image, corner: tuple[float, float], inward: tuple[float, float], rng: random.Random
) -> None:
    """A thumb pressed over one card corner from outside (drawn on the margin canvas, before the warp)."""
    px = PX_PER_MM
    radius = rng.uniform(8.5, 10.0) * px
    angle = math.atan2(inward[1], inward[0]) + math.radians(rng.uniform(-20, 20))
    direction = np.array([math.cos(angle), math.sin(angle)])
    tip = np.array(corner) + np.array(inward) / math.sqrt(2) * rng.uniform(3.0, 5.0) * px
    root = tip - direction * 45 * px
    x0, y0 = (np.minimum(tip, root) - radius - 4).astype(int).clip(0)
    x1, y1 = (np.maximum(tip, root) + radius + 4).astype(int)
    x1, y1 = min(x1, canvas.width), min(y1, canvas.height)
    y, x = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    rel_x, rel_y = x - root[0], y - root[1]
    along = np.clip(rel_x * direction[0] + rel_y * direction[1], 0, 45 * px)
    across = np.hypot(rel_x - along * direction[0], rel_y - along * direction[1])
    dist = np.hypot(x - (root[0] + along * direction[0]), y - (root[1] + along * direction[1]))
    skin = np.array((rng.randint(222, 240), rng.randint(166, 188), rng.randint(140, 162)), np.float32)
    shade = 1.0 - 0.3 * (across / radius) ** 2
    rgb = skin * shade[..., None]
    to_tip = np.hypot(x - tip[0], y - tip[1])
    nail = (to_tip < radius * 0.62) & (across < radius * 0.55)
    rgb[nail] = rgb[nail] * 0.85 + np.array((245, 215, 205), np.float32) * 0.15 + 12
    alpha = np.clip((radius - dist) / (0.6 * px), 0, 1) * 255
    patch = Image.fromarray(np.dstack([np.clip(rgb, 0, 255), alpha]).astype(np.uint8), "RGBA")
    patch = patch.filter(ImageFilter.GaussianBlur(px * 0.35))  # near the lens: a little out of focus
    canvas.alpha_composite(patch, (int(x0), int(y0)))


@dataclass
class _Shot:
    """How one photo is taken: its size, where the card lies, what is under it."""

    size: tuple[int, int]  # (w, h) before any quarter turn
    fill: float  # card width / photo width
    tilt: tuple[float, float, float]  # rx, ry, rz in degrees
    background: str
    offset: tuple[float, float] = (0.0, 0.0)  # card centre shift, in photo fractions
    thumb: bool = False


def _compose(
    card: Image.Image, side: str, shot: _Shot, rng: random.Random, nrng: np.random.Generator
) -> np.ndarray:
    w, h = shot.size
    px = PX_PER_MM
    margin = round(40 * px) if shot.thumb else 2  # room for the thumb beyond the card
    canvas = Image.new("RGBA", (card.width + 2 * margin, card.height + 2 * margin), (0, 0, 0, 0))
    canvas.alpha_composite(card, (margin, margin))
    if shot.thumb:
        # corners with no text within ~14 mm: the portrait's on the front; the emblem's and the lower left
        # on the back (the validity dates can run to 74 mm, the title to 72 mm)
        corners = {"front": ((1, 0),), "back": ((0, 0), (0, 1))}[side]
        kx, ky = rng.choice(corners)
        corner = (margin + kx * card.width, margin + ky * card.height)
        _thumb(canvas, corner, (1 - 2 * kx, 1 - 2 * ky), rng)
    rx, ry, rz = (math.radians(a) for a in shot.tilt)
    quad = _card_quad(card.width, card.height, rx, ry, rz)
    span = quad[:, 0].max() - quad[:, 0].min()
    quad *= shot.fill * w / span
    extent = quad.max(axis=0) - quad.min(axis=0)
    room = np.maximum(np.array([w, h]) - extent, 0) / 2
    centre = np.array([w / 2, h / 2]) + np.array(shot.offset) * np.array([w, h])
    centre += np.array([rng.uniform(-1, 1), rng.uniform(-1, 1)]) * room * np.array([0.5, 0.3])
    dst = (quad - (quad.max(axis=0) + quad.min(axis=0)) / 2 + centre).astype(np.float32)
    src = np.array(
        [[margin, margin], [margin + card.width, margin], [margin + card.width, margin + card.height],
         [margin, margin + card.height]], np.float32,
    )  # fmt: skip
    homography = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(np.asarray(canvas), homography, (w, h), flags=cv2.INTER_AREA)
    alpha = warped[..., 3:4].astype(np.float32) / 255
    if shot.background == "page":
        background = _bg_page(nrng, h, w, float(np.linalg.norm(dst[1] - dst[0])) / CARD_MM[0])
    else:  # smooth textures: made at half size
        small = _BACKGROUNDS[shot.background](nrng, h // 2, w // 2).astype(np.float32)
        background = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    # the card's own shadow on what it lies on
    shadow = cv2.GaussianBlur(alpha[..., 0], (0, 0), max(2.0, 0.006 * w))
    shadow = np.roll(shadow, (int(0.004 * h) + 1, int(0.003 * w) + 1), axis=(0, 1))[..., None]
    background *= 1 - 0.35 * shadow
    return background + (warped[..., :3].astype(np.float32) - background) * alpha, dst


# ------------------------------------------------------------------------------------------- camera effects


def _light(
    img: np.ndarray, rng: np.random.Generator, gradient: float, vignette: float, cast: float
) -> np.ndarray:
    """Uneven light across the scene, lens vignetting and a white-balance cast, as one gain map."""
    h, w = img.shape[:2]
    a = rng.uniform(0, 2 * math.pi)
    y = (np.arange(h, dtype=np.float32)[:, None] / h - 0.5) * 2
    x = (np.arange(w, dtype=np.float32)[None, :] / w - 0.5) * 2
    gain = (1 + gradient / 2 * (x * math.cos(a) + y * math.sin(a))) * (1 - vignette / 2 * (x * x + y * y))
    wb = np.array([1 + rng.uniform(-cast, cast), 1.0, 1 + rng.uniform(-cast, cast)], np.float32)
    return img * (gain[..., None] * wb)


def _barrel(img: np.ndarray, k: float) -> np.ndarray:
    h, w = img.shape[:2]
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    nx, ny = (x - w / 2) / (w / 2), (y - h / 2) / (w / 2)
    scale = 1 + k * (nx * nx + ny * ny)
    map_x, map_y = nx * scale * (w / 2) + w / 2, ny * scale * (w / 2) + h / 2
    return cv2.remap(img, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _unsharp(img: np.ndarray, sigma: float, amount: float) -> np.ndarray:
    return img + amount * (img - cv2.GaussianBlur(img, (0, 0), sigma))


@functools.cache
def _noise_tile() -> np.ndarray:
    """One fixed tile of Gaussian noise; each photo takes its own window of it (much faster than fresh)."""
    return np.random.default_rng(2260).standard_normal((2200, 2200), dtype=np.float32)


def _sensor_noise(img: np.ndarray, rng: np.random.Generator, luma: float, chroma: float) -> np.ndarray:
    h, w = img.shape[:2]
    tile = _noise_tile()
    oy, ox = rng.integers(0, tile.shape[0] - h + 1), rng.integers(0, tile.shape[1] - w + 1)
    out = img + tile[oy : oy + h, ox : ox + w, None] * luma
    if chroma:
        sy, sx = h // 3 + 1, w // 3 + 1
        oy, ox = rng.integers(0, tile.shape[0] - 3 * sy), rng.integers(0, tile.shape[1] - sx)
        small = np.stack([tile[oy + k * sy : oy + (k + 1) * sy, ox : ox + sx] for k in range(3)], axis=2)
        out += cv2.resize(small * chroma, (w, h), interpolation=cv2.INTER_LINEAR)
    return out


def _point_on_card(quad: np.ndarray, rng: np.random.Generator, margin: float) -> np.ndarray:
    u, v = rng.uniform(margin, 1 - margin, 2)
    top = quad[0] * (1 - u) + quad[1] * u
    bottom = quad[3] * (1 - u) + quad[2] * u
    return top * (1 - v) + bottom * v


def _glare(img: np.ndarray, quad: np.ndarray, rng: np.random.Generator, peak: float) -> np.ndarray:
    """A specular spot of the light source on the card's laminate: a bright core and a wide halo."""
    h, w = img.shape[:2]
    span = float(np.linalg.norm(quad[1] - quad[0]))
    cx, cy = _point_on_card(quad, rng, 0.2)
    rx, ry = rng.uniform(0.07, 0.14) * span, rng.uniform(0.04, 0.09) * span
    y, x = np.ogrid[0:h, 0:w]
    d = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2
    spot = (np.exp(-d) * peak + np.exp(-d / 8) * peak * 0.3).astype(np.float32)[..., None]
    return img * (1 - spot) + 255 * spot


def _soft_shadow(img: np.ndarray, quad: np.ndarray, rng: np.random.Generator, depth: float) -> np.ndarray:
    """The soft edge of the phone's or a hand's shadow falling across part of the card."""
    h, w = img.shape[:2]
    span = float(np.linalg.norm(quad[1] - quad[0]))
    px, py = _point_on_card(quad, rng, 0.3)
    a = rng.uniform(0, 2 * math.pi)
    y, x = np.ogrid[0:h, 0:w]
    signed = ((x - px) * math.cos(a) + (y - py) * math.sin(a)) / (rng.uniform(0.04, 0.1) * span)
    soft = np.clip(signed + 0.5, 0, 1).astype(np.float32)
    soft = (soft * soft * (3 - 2 * soft))[..., None]
    tint = np.array([1.0, 1.0, 1.07], np.float32)  # shade is lit by the bluish room light
    return img * (1 - depth * soft) * (1 + (tint - 1) * soft)


def _defocus(img: np.ndarray, radius: float) -> np.ndarray:
    """Out-of-focus blur: a lens spreads a point into a disc (bokeh), not a Gaussian."""
    r = max(1, round(radius))
    kernel = np.zeros((2 * r + 1, 2 * r + 1), np.float32)
    cv2.circle(kernel, (r, r), r, 1.0, -1, lineType=cv2.LINE_AA)
    return cv2.GaussianBlur(cv2.filter2D(img, -1, kernel / kernel.sum()), (0, 0), 0.6)


def _motion_blur(img: np.ndarray, rng: np.random.Generator, length: int) -> np.ndarray:
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1 / length
    rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), float(rng.uniform(0, 180)), 1.0)
    kernel = cv2.warpAffine(kernel, rot, (length, length))
    return cv2.filter2D(img, -1, kernel / kernel.sum())


def _sleeve(img: np.ndarray, quad: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A clear plastic sleeve a little larger than the card: milky haze, a visible rim, a reflection band."""
    h, w = img.shape[:2]
    centre = quad.mean(axis=0)
    outline = (quad - centre) * np.array([rng.uniform(1.05, 1.1), rng.uniform(1.08, 1.16)]) + centre
    mask = np.zeros((h, w), np.float32)
    cv2.fillPoly(mask, [np.round(outline).astype(np.int32)], 1.0, lineType=cv2.LINE_AA)
    rim = cv2.GaussianBlur(mask, (0, 0), 2.0)
    rim = (np.abs(rim - 0.5) < 0.35).astype(np.float32) * 0.25
    haze = mask * rng.uniform(0.24, 0.34) + rim
    y, x = np.ogrid[0:h, 0:w]
    a = rng.uniform(0.5, 1.2)
    d = (x * math.cos(a) + y * math.sin(a)) / max(w, h) - rng.uniform(0.3, 0.7)
    band = np.exp(-((d / rng.uniform(0.06, 0.12)) ** 2)).astype(np.float32) * rng.uniform(0.28, 0.4) * mask
    out = img * (1 - haze[..., None]) + 215 * haze[..., None]
    return out * (1 - band[..., None]) + 250 * band[..., None]


def _wear(card: Image.Image, rng: random.Random) -> Image.Image:
    """Faded ink and light scratches on the card itself."""
    arr = np.asarray(card, np.float32)
    rgb = arr[..., :3]
    fade = rng.uniform(0.25, 0.4)
    rgb = rgb + (235 - rgb) * fade * (rgb < 200).any(axis=2, keepdims=True) * 0.8 + (235 - rgb) * fade * 0.2
    pil = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    w, h = pil.size
    for _ in range(rng.randint(8, 20)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        length, a = rng.uniform(0.05, 0.35) * w, rng.uniform(0, math.pi)
        tone = rng.randint(200, 245)
        draw.line(
            (x, y, x + length * math.cos(a), y + length * math.sin(a)), fill=(tone, tone, tone), width=1
        )
    pil.putalpha(card.getchannel("A"))
    return pil


# ---------------------------------------------------------------------------------------------- conditions


def _plan_shot(degradation: str, rng: random.Random) -> _Shot:
    """Photo size, card placement and background for one condition."""
    long_side = rng.randint(1000, 1700)
    ratio = rng.choice((4 / 3, 16 / 9, 3 / 2))
    portrait = rng.random() < 0.3 and not degradation.startswith("rotate")
    w, h = long_side, round(long_side / ratio)
    if portrait:
        w, h = h, w
    fill = rng.uniform(0.78, 0.92) if portrait else rng.uniform(0.5, 0.85)
    tilt = (rng.uniform(-10, 10), rng.uniform(-10, 10), rng.uniform(-3, 3))
    shot = _Shot((w, h), fill, tilt, rng.choice(("wood", "fabric", "desk", "page")))
    if degradation == "perspective_clutter":
        shot.background = rng.choice(("page", "page", "wood", "fabric", "desk"))
        shot.tilt = (rng.uniform(-24, 24), rng.uniform(-24, 24), rng.uniform(-8, 8))
        shot.fill = rng.uniform(0.5, 0.75)
    elif degradation == "tilt":
        shot.tilt = (rng.uniform(-5, 5), rng.uniform(-5, 5), rng.choice((-1, 1)) * rng.uniform(4, 12))
    elif degradation == "thumb":
        shot.thumb = True
    elif degradation == "low_res":
        shot.size = (w, h) = tuple(round(d * 1080 / long_side) for d in (w, h))  # type: ignore[assignment]
        shot.fill = rng.uniform(450, 600) / w
    elif degradation == "tiny":
        shot.size = (w, h) = tuple(round(d * 1000 / long_side) for d in (w, h))  # type: ignore[assignment]
        shot.fill = rng.uniform(170, 250) / w
    elif degradation == "cut_off":
        cut = rng.uniform(0.25, 0.4)
        shot.fill = rng.uniform(0.7, 0.85)
        shot.offset = (rng.choice((-1, 1)) * (0.5 - shot.fill / 2 + cut * shot.fill), 0.0)
    return shot


def _clean_scan(card: Image.Image, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    """A flatbed scan: the card square on a white bed, a little soft and noisy."""
    scale = rng.uniform(0.9, 1.15)
    size = (round(card.width * scale), round(card.height * scale))
    card = card.resize(size, Image.Resampling.LANCZOS).rotate(
        rng.uniform(-0.6, 0.6), resample=Image.Resampling.BICUBIC, expand=True
    )
    pad = round(rng.uniform(0.03, 0.08) * card.width)
    bed = Image.new("RGBA", (card.width + 2 * pad, card.height + 2 * pad), (246, 246, 244, 255))
    bed.alpha_composite(card, (pad, pad))
    img = cv2.GaussianBlur(np.asarray(bed.convert("RGB"), np.float32), (0, 0), 0.6)
    return _sensor_noise(img, nrng, 1.5, 0.0)


def _camera(
    img: np.ndarray, degradation: str, quad: np.ndarray, rng: random.Random, nrng: np.random.Generator
) -> np.ndarray:
    """What the phone and the light do to the composed scene."""
    k = float(np.linalg.norm(quad[1] - quad[0])) / 1000  # blur sizes follow the card's size in the photo
    phone = degradation == "phone"
    if degradation == "glare":
        img = _glare(img, quad, nrng, rng.uniform(0.55, 0.72))
    if degradation == "shadow":
        img = _soft_shadow(img, quad, nrng, rng.uniform(0.35, 0.5))
    if phone:
        img = _light(img, nrng, rng.uniform(0.25, 0.4), rng.uniform(0.25, 0.4), 0.13)
    else:
        img = _light(img, nrng, rng.uniform(0.0, 0.15), rng.uniform(0.0, 0.12), 0.04)
    if degradation == "overexposed":
        img = img * rng.uniform(1.45, 1.7) + 20
    elif degradation == "dark":
        img = img * rng.uniform(0.12, 0.2)
    if degradation == "defocus":
        img = _defocus(img, k * rng.uniform(4.0, 6.0))
    elif degradation == "heavy_blur":
        img = cv2.GaussianBlur(img, (0, 0), k * rng.uniform(6.0, 9.0))
    elif degradation == "motion":
        img = _motion_blur(img, nrng, max(3, round(k * rng.uniform(7, 12))))
    else:
        img = cv2.GaussianBlur(img, (0, 0), max(0.4, k * 0.6))
    if phone:
        img = _barrel(img, rng.uniform(0.03, 0.07))
    luma, chroma = (6.0, 5.0) if degradation in ("phone", "dark") else (2.0, 1.5)
    img = _sensor_noise(img, nrng, luma, chroma)
    return _unsharp(img, 2.0, rng.uniform(0.7, 1.0) if phone else rng.uniform(0.15, 0.4))


def _photograph(card: Image.Image, side: str, degradation: str, rng: random.Random) -> bytes:
    nrng = np.random.default_rng(rng.getrandbits(64))
    if degradation == "worn":
        card = _wear(card, rng)
    if degradation == "clean":
        img = _clean_scan(card, rng, nrng)
    else:
        shot = _plan_shot(degradation, rng)
        img, quad = _compose(card, side, shot, rng, nrng)
        if degradation == "sleeve":
            img = _sleeve(img, quad, nrng)
        img = _camera(img, degradation, quad, rng, nrng)
    turns = {"rotate_90": 1, "rotate_180": 2, "rotate_270": 3}.get(degradation, 0)
    out = Image.fromarray(np.ascontiguousarray(np.rot90(np.clip(img, 0, 255).astype(np.uint8), turns)))
    if degradation == "jpeg":
        quality = rng.randint(50, 80)
    else:
        quality = rng.randint(93, 96) if degradation == "clean" else rng.randint(82, 94)
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def generate(
    n: int,
    *,
    seed: int = 0,
    sides: Sequence[str] = SIDES,
    degradations: Sequence[str] = DEGRADATIONS,
) -> list[Sample]:
    """Render n photos per side: all fronts, then all backs; sample i of each side is the same person.

    Args:
        n: photos per side.
        seed: the same seed gives the same bytes on the same machine.
        sides: any of "front", "back".
        degradations: conditions, cycled as degradations[i % len(degradations)].

    Raises:
        ValueError: an unknown side or condition, or no conditions.
    """
    if unknown := [s for s in sides if s not in SIDES]:
        raise ValueError(f"unknown side(s) {unknown}; expected {SIDES}")
    known = DEGRADATIONS + HARD_DEGRADATIONS
    if not degradations or (unknown := [d for d in degradations if d not in known]):
        raise ValueError(f"unknown or no degradation(s) {list(degradations)}; expected some of {known}")
    people = [make_identity(random.Random(f"third-{seed}-person-{i}")) for i in range(n)]
    samples = []
    for side in sides:
        for i, person in enumerate(people):
            degradation = degradations[i % len(degradations)]
            rng = random.Random(f"third-{seed}-{side}-{i}-{degradation}")
            card = render_front(person, rng) if side == "front" else render_back(person, rng)
            truth = person.front_truth() if side == "front" else person.back_truth()
            samples.append(
                Sample(side, degradation, _photograph(card, side, degradation, rng), truth, person)
            )
    return samples
