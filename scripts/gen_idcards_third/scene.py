"""The card in the photo: turned in 3-D under a pinhole camera, perhaps a thumb on a corner, laid on a
background with its own soft shadow.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageFilter

from .backgrounds import _BACKGROUNDS, _bg_page
from .card import CARD_MM, PX_PER_MM


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
