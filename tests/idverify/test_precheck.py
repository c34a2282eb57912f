"""The upload-time pre-check: bad uploads rejected, genuine cards of both renderers accepted."""

from __future__ import annotations

import io
from types import ModuleType

import numpy as np
import pytest
from PIL import Image

from idverify.idcard import precheck


def _jpeg(pixels: np.ndarray, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def test_tiny_jpeg_rejected() -> None:
    result = precheck(_jpeg(np.full((8, 8, 3), 200, np.uint8)), "front")
    assert not result.ok and result.reasons == ("image_too_small",)


def test_truncated_jpeg_rejected(gen: ModuleType) -> None:
    data = gen.generate(1, seed=3, sides=("front",), degradations=("clean",))[0].jpeg
    result = precheck(data[: len(data) // 2], "front")
    assert not result.ok and result.reasons == ("image_corrupt",)


def test_not_an_image_rejected() -> None:
    assert precheck(b"%PDF-1.7 not a photo", "back").reasons == ("image_format_unsupported",)


@pytest.mark.parametrize("side", ["front", "back"])
def test_other_side_rejected(gen: ModuleType, side: str) -> None:
    sample = gen.generate(1, seed=4, sides=(side,), degradations=("clean",))[0]
    result = precheck(sample.jpeg, "back" if side == "front" else "front")
    assert not result.ok and result.reasons == ("wrong_side",)
    assert result.detected_side == side


@pytest.mark.parametrize("kind", ["clean", "perspective", "rotate90", "rotate180", "shadow", "noise", "jpeg"])
@pytest.mark.parametrize("side", ["front", "back"])
def test_genuine_cards_accepted(gen: ModuleType, kind: str, side: str) -> None:
    sample = gen.generate(1, seed=5, sides=(side,), degradations=(kind,))[0]
    result = precheck(sample.jpeg, side)
    assert result.ok, (result.reasons, result.measures)
    assert result.detected_side in (side, None)


def test_heavily_blurred_card_rejected(gen: ModuleType) -> None:
    import cv2

    sample = gen.generate(1, seed=6, sides=("front",), degradations=("clean",))[0]
    photo = np.asarray(Image.open(io.BytesIO(sample.jpeg)).convert("RGB"))
    result = precheck(_jpeg(cv2.GaussianBlur(photo, (0, 0), 7)), "front")
    assert not result.ok and "quality_blur" in result.reasons


def test_blank_paper_has_no_side() -> None:
    paper = np.full((600, 900, 3), 60, np.uint8)
    paper[100:500, 150:750] = 235
    result = precheck(_jpeg(paper), "front")
    assert result.detected_side is None and "side_unconfirmed" in result.warnings
