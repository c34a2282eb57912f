"""What the phone and the light do to a photo (light, lens, blur, noise, glare, shadow, a plastic sleeve),
and what years in a wallet do to the card (wear).

Each is a small function over a float image, so that a condition in photo.py reads as a short recipe.
"""

from __future__ import annotations

import functools
import math
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw


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
