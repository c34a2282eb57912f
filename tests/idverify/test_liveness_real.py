"""Liveness on REAL footage: frames of a man at a webcam (tests/fixtures/liveness/README.md).

The genuine challenges were performed for real; the attacks reuse the same real frames.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from PIL import Image

from idverify import liveness

pytestmark = pytest.mark.slow
FRAMES = Path(__file__).resolve().parents[1] / "fixtures" / "liveness"
SEQUENCES = {
    "cap13": (("blink", "open_mouth", "turn_right"), (19, 27, 58, 59, 246, 402, 403, 483, 541, 542, 588)),
    "cap12-3": (("turn_left", "nod", "blink"), (477, 481, 530, 531, 548, 574, 575, 616, 642, 643, 657)),
    "cap12-2": (("open_mouth", "turn_right"), (83, 91, 115, 116, 313, 500, 501, 546)),
}


def _frames(key: str) -> list[np.ndarray]:
    clip = key.split("-")[0]
    return [np.asarray(Image.open(FRAMES / f"{clip}_{i:04d}.jpg").convert("RGB")) for i in SEQUENCES[key][1]]


@pytest.fixture(scope="module", params=sorted(SEQUENCES))
def real(request: pytest.FixtureRequest) -> tuple[tuple[str, ...], list[np.ndarray]]:
    return SEQUENCES[request.param][0], _frames(request.param)


def test_genuine_challenge_passes(real: tuple[tuple[str, ...], list[np.ndarray]]) -> None:
    challenge, frames = real
    result = liveness.check_liveness(frames, challenge)
    assert result.ok, (result.reasons, result.detected)
    assert tuple(a for a, _ in result.detected) == challenge


def test_wrong_order_and_reversed_frames_fail(real: tuple[tuple[str, ...], list[np.ndarray]]) -> None:
    challenge, frames = real
    assert liveness.check_liveness(frames, challenge[::-1]).reasons == ("liveness_challenge_failed",)
    assert not liveness.check_liveness(frames[::-1], challenge).ok


def test_real_still_repeated_or_jittered_fails(
    gen: ModuleType, real: tuple[tuple[str, ...], list[np.ndarray]]
) -> None:
    challenge, frames = real
    result = liveness.check_liveness([frames[0]] * 8, challenge)
    assert "liveness_static" in result.reasons and not result.detected
    rng = np.random.default_rng(0)
    jittered = [gen._jitter_frame(frames[0], rng) for _ in range(8)]
    assert not liveness.check_liveness(jittered, challenge).ok
