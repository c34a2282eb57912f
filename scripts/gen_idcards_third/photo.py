"""The photographed conditions, and _photograph, which turns a rendered card into the JPEG of one of them.

DEGRADATIONS are what phones do to a card a reader should still read; HARD_DEGRADATIONS are what it may
reject. A condition picks the shot (size, placement, background), then the camera's effects.
"""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
from PIL import Image

from .camera import (
    _barrel,
    _defocus,
    _glare,
    _light,
    _motion_blur,
    _sensor_noise,
    _sleeve,
    _soft_shadow,
    _unsharp,
    _wear,
)
from .scene import _compose, _Shot

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
