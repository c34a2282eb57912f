"""The personal side (人像面): labels and values, the portrait cut from a face fixture, the number."""

from __future__ import annotations

import dataclasses
import functools
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .card import _BLACK, CARD_MM, PX_PER_MM, _card_ground, _label, _pick_style, _rounded_alpha, _value
from .fonts import _draw_text, _text_width, wrap_address
from .people import FACES_DIR, Identity


@functools.cache
def _face_crop(name: str) -> Image.Image:
    """A passport-style crop (26:32) around the largest detected face of a fixture photo."""
    img = Image.open(FACES_DIR / name).convert("RGB")
    gray = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2GRAY)
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    found = cascade.detectMultiScale(gray, 1.1, 5, minSize=(60, 60))
    if len(found):
        fx, fy, fw, fh = max(found, key=lambda b: b[2] * b[3])
    else:
        fw = fh = min(img.size) // 2
        fx, fy = (img.width - fw) // 2, img.height // 4
    cw = min(fw * 1.9, img.width, img.height * 26 / 32)
    ch = cw * 32 / 26
    # keep the crop inside the photo: a face near an edge sits off-centre rather than beside a black band
    left = min(max(fx + fw / 2 - cw / 2, 0), img.width - cw)
    top = min(max(fy - 0.55 * fh, 0), img.height - ch)
    crop = img.crop((int(left), int(top), int(left + cw), int(top + ch))).resize((260, 320))
    return _whiten_backdrop(crop)


def _whiten_backdrop(photo: Image.Image) -> Image.Image:
    """ID photos are taken against a plain light backdrop: fade what lies around the head and shoulders."""
    w, h = photo.size
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)
    draw.ellipse((0.2 * w, 0.06 * h, 0.8 * w, 0.7 * h), fill=255)
    draw.ellipse((-0.05 * w, 0.66 * h, 1.05 * w, 1.5 * h), fill=255)
    soft = np.asarray(mask.filter(ImageFilter.GaussianBlur(0.05 * w)), np.float32)[..., None] / 255
    backdrop = np.array((238, 241, 243), np.float32)
    arr = np.asarray(photo, np.float32)
    out = arr * soft + (backdrop * 0.8 + arr * 0.2) * (1 - soft)
    return Image.fromarray(out.astype(np.uint8))


def _paste_portrait(card: Image.Image, face: str, box_mm: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = (int(c * PX_PER_MM) for c in box_mm)
    photo = _face_crop(face).resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS)
    arr = np.asarray(photo, np.float32)
    gray = arr.mean(axis=2, keepdims=True)
    arr = 0.7 * arr + 0.3 * gray  # the card's dye print is less saturated than a photo
    arr = 30 + arr * 0.86
    under = np.asarray(card.crop((x0, y0, x1, y1)).convert("RGB"), np.float32)
    card.paste(Image.fromarray(np.clip(0.9 * arr + 0.1 * under, 0, 255).astype(np.uint8)), (x0, y0))


def render_front(p: Identity, rng: random.Random) -> Image.Image:
    """The personal side: labels, values, portrait and number, as an RGBA card with rounded corners."""
    st = _pick_style(rng)
    w, h = round(CARD_MM[0] * PX_PER_MM), round(CARD_MM[1] * PX_PER_MM)
    card = Image.fromarray(_card_ground("front", rng.randrange(6)).copy())
    _paste_portrait(card, p.face, (55.0 + rng.uniform(-0.6, 0.6), 5.5, 81.0, 37.5))
    draw = ImageDraw.Draw(card)
    lx, vx, top = rng.uniform(5.6, 7.2), st.value_x_mm, rng.uniform(8.6, 10.0)
    spread = st.label_spread_mm
    _label(draw, st, (lx, top), "姓名", spread)
    name_face = (
        st.value if st.value.main == "zhengyi" else dataclasses.replace(st.value, stroke=1)
    )  # bolder name
    _value(draw, st, (vx, top + 0.2), p.name, st.name_mm, name_face)
    row = top + st.line_mm * 1.45
    _label(draw, st, (lx, row), "性别", spread)
    _value(draw, st, (vx, row), p.sex, st.value_mm, st.value)
    nx = vx + rng.uniform(11.0, 13.5)
    after = _label(draw, st, (nx, row), "民族", spread)
    _value(draw, st, (after + rng.uniform(2.2, 3.6), row), p.nation, st.value_mm, st.value)
    row += st.line_mm * 1.45
    _label(draw, st, (lx, row), "出生", spread)
    x = vx
    for number, unit in ((p.birth.year, "年"), (p.birth.month, "月"), (p.birth.day, "日")):
        x = _value(draw, st, (x, row), str(number), st.value_mm, st.value) + rng.uniform(0.8, 1.6)
        x = _label(draw, st, (x, row), unit, 0.0) + rng.uniform(1.0, 2.2)
    row += st.line_mm * 1.45
    _label(draw, st, (lx, row), "住址", spread)
    size_mm = st.value_mm
    while (
        len(lines := wrap_address(p.address, st.value, round(size_mm * PX_PER_MM), (53.5 - vx) * PX_PER_MM))
        > 3
    ):
        size_mm -= 0.1  # the card has room for three address lines: a long address is set smaller
    for line in lines:
        _value(draw, st, (vx, row), line, size_mm, st.value)
        row += st.line_mm
    num_y = rng.uniform(45.5, 47.5)
    after = _label(draw, st, (lx, num_y), "公民身份号码", 0.0 if spread else rng.uniform(0, 0.3))
    nx = max(after + rng.uniform(3.0, 5.0), rng.uniform(26.5, 29.0))
    track = st.number_tracking_mm
    while (
        nx
        + _text_width(p.id_number, st.number, round(st.number_mm * PX_PER_MM), track * PX_PER_MM)
        / (PX_PER_MM)
        > 82.5
        and track > 0
    ):
        track = max(0.0, track - 0.1)
    px = PX_PER_MM
    _draw_text(
        draw,
        ((nx + st.shift_mm[0]) * px, (num_y + st.shift_mm[1]) * px),
        p.id_number,
        st.number,
        round(st.number_mm * px),
        _BLACK,
        track * px,
    )
    card.putalpha(_rounded_alpha(w, h))
    return card
