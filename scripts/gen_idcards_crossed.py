"""Cards of one renderer photographed by another's camera: a test set neither renderer was written for.

``scripts/gen_idcards.py`` draws cards on a plain pale ground and photographs them its way (glare,
shadow, a screen, black and white …); ``scripts/gen_idcards_third`` draws tinted guilloche cards and
photographs them in its scenes (a printed page, a thumb, a sleeve, defocus, motion …). Crossed, the
plain card lies on the third renderer's printed page (pale on pale: found neither by its edge nor
by its colour) and the third's cards go through the first's effects. Even samples are the first's
cards in the third's scenes, odd ones the third's cards under the first's effects, each cycling
through its camera's conditions; ``degradation`` names both (``third:thumb``, ``first:glare``).

Usage: ``bench_idverify --renderers gen_idcards_crossed``; the tests take single photos from
:func:`first_card_third_camera` and :func:`third_card_first_camera`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw

from scripts import gen_idcards as first
from scripts import gen_idcards_third as third
from scripts.gen_idcards_third import SIDES, Sample  # a sample's person is either renderer's Identity

_CORNER_MM = 3.18  # the card's corner radius (ISO/IEC 7810 ID-1)


def first_card_third_camera(seed: int, index: int, side: str) -> tuple[Any, str, bytes]:
    """The first renderer's card ``index`` in the third's scene (its conditions cycled by index).

    Returns:
        The person, the condition and the JPEG.
    """
    rng = np.random.default_rng(seed * 1000 + index)
    person = first.make_identity(rng, ())
    faces = first.portraits()
    front = first.render_front(person, faces[index % len(faces)], rng)  # drawn for both: one rng sequence
    flat = front if side == "front" else first.render_back(person, rng)
    w, h = round(third.CARD_MM[0] * third.PX_PER_MM), round(third.CARD_MM[1] * third.PX_PER_MM)
    card = Image.fromarray(flat).resize((w, h), Image.Resampling.BICUBIC).convert("RGBA")
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, w - 1, h - 1), radius=round(_CORNER_MM * third.PX_PER_MM), fill=255
    )
    card.putalpha(mask)
    condition = third.DEGRADATIONS[index % len(third.DEGRADATIONS)]
    jpeg = third._photograph(card, side, condition, random.Random(f"cross-{seed}-{side}-{index}-{condition}"))
    return person, condition, jpeg


def third_card_first_camera(seed: int, index: int, side: str) -> tuple[Any, str, bytes]:
    """The third renderer's card ``index`` under the first's effects (cycled by index).

    Returns:
        The person, the condition and the JPEG.
    """
    person = third.make_identity(random.Random(f"cross-{seed}-{index}"))
    rng = random.Random(f"cross-{seed}-{side}-{index}")
    drawn = third.render_front(person, rng) if side == "front" else third.render_back(person, rng)
    ground = Image.new("RGBA", drawn.size, (200, 200, 200, 255))  # outside the rounded corners
    ground.alpha_composite(drawn.convert("RGBA"))
    flat = cv2.resize(np.asarray(ground.convert("RGB")), (856, 540), interpolation=cv2.INTER_AREA)
    condition = first.DEGRADATIONS[index % len(first.DEGRADATIONS)]
    nrng = np.random.default_rng(seed * 1000 + index)
    quality = int(nrng.integers(22, 35)) if condition == "jpeg" else 88
    return person, condition, first.to_jpeg(first.degrade(flat, condition, nrng), quality)


def generate(n: int, *, seed: int = 0, sides: Sequence[str] = SIDES) -> list[Sample]:
    """n photos per side: all fronts, then all backs; sample i of each side is the same person."""
    samples = []
    for side in sides:
        for i in range(n):
            if i % 2 == 0:
                person, condition, jpeg = first_card_third_camera(seed, i, side)
                label = f"third:{condition}"
            else:
                person, condition, jpeg = third_card_first_camera(seed, i, side)
                label = f"first:{condition}"
            truth = person.front_truth() if side == "front" else person.back_truth()
            samples.append(Sample(side, label, jpeg, truth, person))
    return samples
