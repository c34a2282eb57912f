"""The emblem side (国徽面): an abstract emblem and Great Wall, the title, the authority and validity."""

from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw

from .card import _BLACK, CARD_MM, PX_PER_MM, _card_ground, _label, _pick_style, _rounded_alpha, _value
from .fonts import _draw_text, _Face
from .people import Identity


def _star(cx: float, cy: float, r: float, turn: float = 0.0) -> list[tuple[float, float]]:
    pts = []
    for k in range(10):
        a = turn - math.pi / 2 + k * math.pi / 5
        rr = r if k % 2 == 0 else r * 0.4
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return pts


def _draw_emblem(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    """An abstract national emblem: red disc, gold rim of grain, five stars over a gate."""
    gold, red = (222, 170, 40), (206, 32, 38)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=gold)
    draw.ellipse((cx - 0.8 * r, cy - 0.8 * r, cx + 0.8 * r, cy + 0.8 * r), fill=red)
    for k in range(26):
        a = math.pi * (0.15 + 0.7 * k / 25) + math.pi / 2
        for side in (-1, 1):
            gx, gy = cx + side * 0.9 * r * math.cos(a), cy + 0.9 * r * math.sin(a) * -1
            draw.ellipse((gx - 0.07 * r, gy - 0.11 * r, gx + 0.07 * r, gy + 0.11 * r), fill=(240, 196, 70))
    draw.polygon(_star(cx, cy - 0.42 * r, 0.2 * r), fill=gold)
    for k, (dx, dy) in enumerate(((-0.36, -0.55), (-0.22, -0.2), (0.22, -0.2), (0.36, -0.55))):
        draw.polygon(_star(cx + dx * r, cy + dy * r, 0.08 * r, k * 0.3), fill=gold)
    draw.rectangle((cx - 0.45 * r, cy + 0.05 * r, cx + 0.45 * r, cy + 0.42 * r), fill=gold)
    draw.polygon(
        [(cx - 0.55 * r, cy + 0.08 * r), (cx + 0.55 * r, cy + 0.08 * r), (cx + 0.38 * r, cy - 0.06 * r),
         (cx - 0.38 * r, cy - 0.06 * r)],
        fill=gold,
    )  # fmt: skip
    for k in range(5):
        gx = cx + (k - 2) * 0.17 * r
        draw.rectangle((gx - 0.04 * r, cy + 0.22 * r, gx + 0.04 * r, cy + 0.42 * r), fill=red)
    draw.rectangle((cx - 0.7 * r, cy + 0.5 * r, cx + 0.7 * r, cy + 0.6 * r), fill=gold)


def _draw_wall(draw: ImageDraw.ImageDraw, w: int, h: int, rng: random.Random) -> None:
    """A faint Great Wall on a ridge behind the back's text."""
    base = h * rng.uniform(0.55, 0.65)
    ph = rng.uniform(0, 6.3)
    ridge = [(x, base - h * 0.12 * (math.sin(x / w * 7 + ph) * 0.5 + 0.5)) for x in range(0, w + 8, 8)]
    lower = [(x, y + h * 0.1) for x, y in reversed(ridge)]
    draw.polygon([*ridge, *lower], fill=(233, 231, 222))
    for x, y in ridge[::2]:
        draw.rectangle((x, y - 9, x + 6, y), fill=(226, 223, 211))


def render_back(p: Identity, rng: random.Random) -> Image.Image:
    """The emblem side: emblem, title, issuing authority and validity, as an RGBA card."""
    st = _pick_style(rng)
    px = PX_PER_MM
    w, h = round(CARD_MM[0] * px), round(CARD_MM[1] * px)
    card = Image.fromarray(_card_ground("back", rng.randrange(6)).copy())
    draw = ImageDraw.Draw(card)
    _draw_wall(draw, w, h, rng)
    er = rng.uniform(7.6, 8.6)
    _draw_emblem(
        draw, (5.5 + er + rng.uniform(-0.5, 0.5)) * px, (5.0 + er + rng.uniform(-0.5, 0.5)) * px, er * px
    )
    title = rng.choice(
        (_Face("zhengyi", "zhengyi"), _Face("serif", "serif", 2), _Face("sarasa", "sarasa", 1))
    )
    tx = rng.uniform(27.0, 29.0)
    for text, dx, y, size, track in (
        ("中华人民共和国", 0.0, 12.2, 4.6, 1.3),
        ("居民身份证", 1.5, 24.5, 7.0, 2.5),
    ):
        y_px = (y + rng.uniform(-0.7, 0.7)) * px
        _draw_text(
            draw,
            ((tx + dx) * px, y_px),
            text,
            title,
            round(size * px),
            _BLACK,
            track * rng.uniform(0.8, 1.2) * px,
        )
    lx = rng.uniform(16.0, 18.5)
    vx = lx + rng.uniform(14.0, 16.0)
    y1 = rng.uniform(42.0, 43.5)
    y2 = y1 + rng.uniform(6.0, 7.0)
    spread = min(st.label_spread_mm, 0.6)
    _label(draw, st, (lx, y1), "签发机关", spread)
    _value(draw, st, (vx, y1), p.authority, st.value_mm, st.value)
    _label(draw, st, (lx, y2), "有效期限", spread)
    t = p.back_truth()
    _value(draw, st, (vx, y2), f"{t['valid_from']}-{t['valid_until']}", st.value_mm, st.value)
    card.putalpha(_rounded_alpha(w, h))
    return card
