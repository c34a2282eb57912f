"""The image fuzz corpus through idverify's entry points, in a subprocess: every case ends with a
result and reason codes (ok, or not ok with at least one reason), never an exception, a hang or a crash."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.corpus import corpus

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # the real OCR and face models


@pytest.fixture(scope="module")
def outcomes() -> dict[str, dict]:
    child = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "tests.fuzz.run_idverify"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,  # a hang fails here
    )
    assert child.returncode == 0, child.stderr[-3000:]  # a crash (a signal) fails here
    rows = [json.loads(line) for line in child.stdout.splitlines() if line.startswith("{")]
    return {row.pop("case"): row for row in rows}


def test_every_case_reaches_every_entry_point(outcomes):
    assert set(outcomes) == set(corpus())


@pytest.mark.parametrize("case", sorted(corpus()))
def test_a_clean_result_with_reasons(outcomes, case):
    for entry, outcome in outcomes[case].items():
        assert "raised" not in outcome, (entry, outcome)
        assert outcome["ok"] or outcome["reasons"], (entry, outcome)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("zero_bytes", "image_empty"),
        ("truncated_jpeg", "image_corrupt"),
        ("bomb_png_declared_60000x60000", "image_too_large_pixels"),
        ("bomb_png_1bit_12000x12000", "image_too_large_pixels"),
        ("fifty_mb_jpeg", "image_too_large_bytes"),
        ("gif", "image_format_unsupported"),
        ("svg", "image_format_unsupported"),
        ("html", "image_format_unsupported"),
        ("zip", "image_format_unsupported"),
        ("polyglot_jpeg_magic_html", "image_corrupt"),
    ],
)
def test_what_cannot_be_decoded_says_why(outcomes, case, reason):
    assert outcomes[case]["decode_image"]["reasons"] == [reason]
    assert outcomes[case]["check_liveness"]["reasons"] == [reason]


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_decodes_upright(outcomes, orientation):
    """The photo is 480 x 320 as stored; orientations 5-8 turn it a quarter."""
    upright = [480, 320] if orientation >= 5 else [320, 480]
    assert outcomes[f"exif_orientation_{orientation}"]["decode_image"] == {
        "ok": True,
        "reasons": [],
        "shape": upright,
    }
