"""Image-quality measures on synthetic print (fast, no models)."""

from __future__ import annotations

from types import ModuleType

import cv2
import numpy as np
import pytest

from idverify.quality import QualityLimits, assess, sharpness, stroke_sharpness


def _print(rows: int = 4) -> np.ndarray:
    """Dark 3-pixel strokes on pale paper, in rows like a card's text half."""
    grey = np.full((540, 514), 225.0, np.float32)
    rng = np.random.default_rng(1)
    for row in range(rows):
        y = 80 + row * 100
        for x in range(40, 480, 9):
            grey[y : y + int(rng.integers(12, 30)), x : x + 3] = 40.0
            grey[y + int(rng.integers(0, 20)) : y + 3 + int(rng.integers(0, 20)), x : x + 8] = 40.0
    return grey


def _phone(grey: np.ndarray, blur: float) -> np.ndarray:
    """A phone's shot: optics (a Gaussian), then sensor noise, then the sharpening phones apply."""
    shot = cv2.GaussianBlur(grey, (0, 0), blur) if blur else grey.copy()
    shot += np.random.default_rng(2).normal(0, 2, shot.shape).astype(np.float32)
    shot = cv2.addWeighted(shot, 1.3, cv2.GaussianBlur(shot, (0, 0), 2.0), -0.3, 0)
    return np.clip(shot, 0, 255).astype(np.uint8)


def test_noise_keeps_the_plain_measure_up_but_not_the_strokes() -> None:
    blurred, sharp = _phone(_print(), 6.0), _phone(_print(), 0.0)
    assert sharpness(blurred) > 7.0  # the pre-check's plain limit passes it: noise, not print
    assert stroke_sharpness(blurred) < 1.0 < 20.0 < stroke_sharpness(sharp)


def _codes(card: np.ndarray) -> set[str]:
    return {w.code for w in assess(card, cut_off=False, limits=QualityLimits())}


def test_a_white_desk_rectified_with_the_card_is_not_glare(gen: ModuleType) -> None:
    """A card merged with a clipped-white desk is rectified with a rim of it: glare there hides no
    print (held-out seed 9901: four alt fronts told 证件有反光 for their desk)."""
    rng = np.random.default_rng(3)
    card = cv2.resize(gen.render_front(gen.make_identity(rng, ()), gen.portraits()[0], rng), (856, 540))
    rim = card.copy()
    rim[:22], rim[-22:], rim[:, :22], rim[:, -22:] = 255, 255, 255, 255  # 4 % of the height
    assert "quality_glare" not in _codes(rim)


@pytest.mark.parametrize(("x", "y"), [(300, 250), (120, 80)])
def test_glare_over_the_print_is_glare(gen: ModuleType, x: int, y: int) -> None:
    rng = np.random.default_rng(3)
    card = cv2.resize(gen.render_front(gen.make_identity(rng, ()), gen.portraits()[0], rng), (856, 540))
    card[y - 30 : y + 30, x - 60 : x + 60] = 255  # about 1.6 % of the card, over its fields
    assert "quality_glare" in _codes(card)
