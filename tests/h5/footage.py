"""What the H5 browser tests show the page: Y4M footage Chromium plays as the camera, and a card.

The page grabs frames on a fixed timetable (``SCHEDULE`` mirrors the one in
service/h5/static/verify.js). The footage shows, around each grab, the real frame the engine should
see there (tests/fixtures/liveness: a man at a webcam blinking, opening his mouth, turning), each
held until half-way to the next grab, so the page's own capture code picks them up despite a few
hundred milliseconds of start-up delay or a late timer.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
LIVENESS = ROOT / "tests" / "fixtures" / "liveness"
# verify.js: ready 3000 ms (grabs at 2000, 2700), then per action 2400 ms (1200, 1900) and a rest
# of 1600 ms (1100).
READY, READY_SHOTS = 3000, (2000, 2700)
ACT, ACT_SHOTS = 2400, (1200, 1900)
REST, REST_SHOTS = 1600, (1100,)
#: How long after the camera starts the page's timetable starts (the first picture shown), measured.
START_DELAY_MS = 300
#: Real frames performing a challenge, in the order the page grabs them (N N A1 A1 N A2 A2 N A3 A3 N).
CAP13 = (("blink", "open_mouth", "turn_right"), (19, 27, 58, 59, 246, 402, 403, 483, 541, 542, 588))


def grab_times(actions: int) -> list[int]:
    """When the page grabs each frame, in milliseconds from the start of its timetable."""
    times = list(READY_SHOTS)
    at = READY
    for _ in range(actions):
        times += [at + t for t in ACT_SHOTS]
        at += ACT
        times += [at + t for t in REST_SHOTS]
        at += REST
    return times


def frame(clip: str, number: int) -> np.ndarray:
    return np.asarray(Image.open(LIVENESS / f"{clip}_{number:04d}.jpg").convert("RGB"))


def timeline(shots: Sequence[np.ndarray], times: Sequence[int], fps: int = 10) -> list[np.ndarray]:
    """Video frames at ``fps`` showing ``shots[i]`` around ``times[i]`` (plus the start-up delay)."""
    edges = [(a + b) / 2 for a, b in zip(times, times[1:], strict=False)]
    length = times[-1] + 2000 + START_DELAY_MS
    out = []
    for k in range(int(length * fps / 1000)):
        t = k * 1000 / fps - START_DELAY_MS
        out.append(shots[sum(t >= e for e in edges)])
    return out


def write_y4m(path: Path, frames: Sequence[np.ndarray], fps: int = 10) -> Path:
    """RGB frames (even width and height) as a 4:2:0 YUV4MPEG2 file."""
    height, width = frames[0].shape[:2]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            out.write(b"FRAME\n" + cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


def performing(path: Path) -> tuple[tuple[str, ...], Path]:
    """Footage of the man in clip cap13 performing blink, open_mouth, turn_right; the challenge."""
    actions, numbers = CAP13
    shots = [frame("cap13", n) for n in numbers]
    return actions, write_y4m(path, timeline(shots, grab_times(len(actions))))


def still(path: Path, seconds: int = 20) -> Path:
    """A photo held in front of the camera: one real frame, unchanged."""
    return write_y4m(path, [frame("cap13", CAP13[1][0])] * (seconds * 10))


def card_of_the_man(seed: int = 7) -> tuple[Any, bytes, bytes]:
    """A generated card (scripts/gen_idcards.py: a fictional identity) whose portrait is the man of
    the footage, from the other clip (cap12): the identity, the front and the back as JPEG."""
    gen = _generator()
    portrait = gen.crop_portrait(frame("cap12", 477))
    rng = np.random.default_rng(seed)
    person = gen.make_identity(rng)
    front = gen.to_jpeg(gen.degrade(gen.render_front(person, portrait, rng), "clean", rng), 88)
    back = gen.to_jpeg(gen.degrade(gen.render_back(person, rng), "clean", rng), 88)
    return person, front, back


def _generator() -> ModuleType:
    """scripts/gen_idcards.py, loaded by path (scripts/ is no package; no sys.path changes)."""
    if "gen_idcards" in sys.modules:
        return sys.modules["gen_idcards"]
    spec = importlib.util.spec_from_file_location("gen_idcards", ROOT / "scripts" / "gen_idcards.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_idcards"] = module
    spec.loader.exec_module(module)
    return module
