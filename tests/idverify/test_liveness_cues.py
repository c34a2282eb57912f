"""The pixel cues of liveness (eye edges, mouth darkness) on real photos and synthetic actions.

Sequences are SYNTHETIC (scripts/gen_idcards.py warps one real photo); what is tested is that the
cues move with the action relative to the same face's neutral frames, and not with light alone.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from idverify import faces, liveness
from idverify.types import to_dict

pytestmark = pytest.mark.slow


def _cues(frame: np.ndarray) -> tuple[float, float, float]:
    return liveness.measure_appearance(frame, faces.find_faces(frame)[0])


def _relit(frame: np.ndarray, gain: float, gamma: float) -> np.ndarray:
    return np.clip(255 * (frame / 255) ** gamma * gain, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def neutral(gen: ModuleType, face_photo: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: gen.selfie_frame(face_photo[name]) for name in ("obama2", "biden")}


@pytest.mark.parametrize("name", ["obama2", "biden"])
def test_closed_eyes_drop_edge_ratio_in_both_eyes(
    gen: ModuleType, neutral: dict[str, np.ndarray], name: str
) -> None:
    frame = neutral[name]
    before = _cues(frame)
    after = _cues(gen.act(frame, gen._landmarks(frame), "blink"))
    drops = [1 - after[i] / before[i] for i in (0, 1)]
    assert min(drops) > 1.5 * liveness.DEFAULT_CONFIG.eye_edge_drop, drops


@pytest.mark.parametrize(("gain", "gamma"), [(0.5, 1.0), (1.6, 1.0), (1.0, 0.6), (0.8, 1.5)])
def test_light_alone_moves_no_pixel_cue(neutral: dict[str, np.ndarray], gain: float, gamma: float) -> None:
    cfg = liveness.DEFAULT_CONFIG
    frame = neutral["obama2"]
    before, after = _cues(frame), _cues(_relit(frame, gain, gamma))
    assert max(1 - after[i] / before[i] for i in (0, 1)) < 0.5 * cfg.eye_edge_drop
    assert after[2] - before[2] < 0.5 * cfg.mouth_dark_delta


def test_dropped_jaw_darkens_an_already_open_mouth(gen: ModuleType, neutral: dict[str, np.ndarray]) -> None:
    frame = neutral["obama2"]  # mouth open mid-speech in the neutral photo
    opened = gen.act(frame, gen._landmarks(frame), "open_mouth")
    assert _cues(opened)[2] - _cues(frame)[2] > 1.5 * liveness.DEFAULT_CONFIG.mouth_dark_delta


def test_blink_and_mouth_pass_where_lid_and_lip_points_lag(
    gen: ModuleType, face_photo: dict[str, np.ndarray]
) -> None:
    """obama2: dlib barely moves the upper lids as the eyes close, and the mouth starts open."""
    challenge = ("blink", "open_mouth")
    frames = gen.frames_to_jpeg(gen.make_sequence(face_photo["obama2"], challenge, np.random.default_rng(7)))
    result = liveness.check_liveness(frames, challenge)
    assert result.ok, (result.reasons, result.frames)
    neutral, blink = result.frames[0].eye_edges, result.frames[result.detected[0][1]].eye_edges
    assert neutral is not None and blink is not None
    assert all(
        b < (1 - liveness.DEFAULT_CONFIG.eye_edge_drop) * n for b, n in zip(blink, neutral, strict=True)
    )
    assert to_dict(result)["frames"][0]["eye_edges"] == pytest.approx(list(neutral), abs=1e-4)


def _covered(gen: ModuleType, frame: np.ndarray) -> np.ndarray:
    import cv2

    out = frame.copy()
    for eye in np.split(gen._landmarks(frame)[36:48], 2):
        centre, width = eye.mean(axis=0), float(np.ptp(eye[:, 0]))
        cv2.ellipse(out, (int(centre[0]), int(centre[1])), (int(width * 0.9), int(width * 0.5)), 0, 0, 360,
                    (20, 20, 25), -1)  # fmt: skip
    return out


@pytest.mark.parametrize("covered", [False, True], ids=["light-changing", "eyes-covered"])
def test_still_with_light_changes_or_covered_eyes_fails(
    gen: ModuleType, neutral: dict[str, np.ndarray], covered: bool
) -> None:
    frame = _covered(gen, neutral["biden"]) if covered else neutral["biden"]
    rng = np.random.default_rng(11)
    lights = [(1.0, 1.0), (1.0, 1.0), (0.55, 1.3), (0.6, 1.2), (1.0, 1.0), (1.5, 0.7), (1.4, 0.8), (1.0, 1.0)]
    frames = [_relit(gen._jitter_frame(frame, rng), g, y) for g, y in lights]
    result = liveness.check_liveness(gen.frames_to_jpeg(frames), ("blink", "open_mouth"))
    assert not result.ok and not result.detected, result.frames


def _measures(plan: list[str]) -> np.ndarray:
    """Per-frame (EAR, MAR, yaw, pitch, right eye edges, left eye edges, mouth dark) for a plan, at
    the levels measured on synthetic obama frames; every action moves only its own measures."""
    neutral = np.array([0.36, 0.42, -0.20, 0.25, 0.87, 0.74, 0.11])
    change = {
        "blink": {0: -0.12, 4: -0.77, 5: -0.64},
        "nod": {3: 0.09, 0: -0.02},
        "turn_right": {2: -0.15, 0: 0.03, 4: 0.55},
        "neutral": {},
    }
    rows = []
    for kind in plan:
        row = neutral.copy()
        for column, delta in change[kind].items():
            row[column] += delta
        rows.append(row)
    return np.array(rows)


def test_ear_dip_on_open_eyes_is_no_blink() -> None:
    """Regression: ``blink, nod, turn_right`` was seen failing on an extra blink in a neutral frame.

    The EAR alone made a blink at 15 % under the median, and dlib's lid points move the EAR of open
    eyes by up to ~12 % between synthetic frames (0.86 of the threshold on non-blink frames of 40
    such sequences) and by up to 24 % on real webcam frames of open eyes, while the eye edges (the
    pixel cue) stay within a third of theirs. The values here are such a frame, built by hand.
    """
    plan = ["neutral", "neutral", "blink", "blink", "neutral", "nod", "nod", "neutral"]
    plan += ["turn_right", "turn_right", "neutral"]
    values = _measures(plan)
    values[7, 0] *= 0.83  # open eyes, EAR 17 % under the others: lid-point noise
    challenge = ("blink", "nod", "turn_right")
    labels = liveness._labels(values, challenge, liveness.DEFAULT_CONFIG)
    assert labels == plan


@pytest.mark.parametrize(
    ("ear", "edges", "blink"),
    [(0.80, 0.75, True), (0.70, 0.60, True), (1.0, 0.55, True), (0.70, 1.0, False), (0.80, 0.95, False)],
    ids=["lids+edges-half", "both-full", "edges-alone", "lids-alone", "lids+edges-slight"],
)
def test_blink_needs_the_eye_edges(ear: float, edges: float, blink: bool) -> None:
    """EAR (fraction of neutral) counts only while both eyes' edges (fraction of neutral) dropped
    at least half of ``eye_edge_drop``; the edges alone suffice."""
    values = _measures(["neutral"] * 6)
    values[3, 0] *= ear
    values[3, 4:6] *= edges
    labels = liveness._labels(values, ("blink", "nod"), liveness.DEFAULT_CONFIG)
    assert labels[3] == ("blink" if blink else "neutral")
