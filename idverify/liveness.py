"""Active liveness: a random challenge of 2-3 actions, checked from dlib's 68 landmarks per frame.

Measures per frame: eye-aspect ratio (EAR), inner-mouth aspect ratio (MAR), yaw (nose-tip offset
from the eyes' midpoint in inter-eye distances, in the eye-line frame) and pitch (nose height
between eyes and chin); all are ratios of landmark distances, so a photo slid or zoomed in front of
the camera changes none of them. Open-eye EAR ranged 0.13-0.67 across still photos, so no fixed
threshold is used: every frame is compared with the same person's neutral level, the median of the
sequence (a challenge keeps most frames neutral). Two pixel cues back up the lid and lip points,
which dlib sometimes leaves in place (eyes looking up under a low brow; a mouth already open):
the eyes' edge ratio and the mouth's dark area (:func:`measure_appearance`, ~0.6 ms a frame),
compared with the neutral median in the same way; an open mouth counts when either its landmark
or its pixel cue crosses its threshold, a blink when the eye edges do, or when the EAR does with the
edges at least half-way there (the EAR alone is too noisy on open eyes). A frame is labelled with
the action whose relative change is largest; the runs of labels must equal the challenge, in order,
starting from a neutral frame.

Identity: the first frame is encoded as the reference; the last frame and any frame whose aligned
face differs sharply from the previous one are encoded and compared with it, so a person swapped
in midway is caught without paying for an encoding of every frame. The reference is also
compared with the card encoding when one is given.

Frames are expected as the camera recorded them (not mirrored): turning to one's left moves the
nose to the image's right. Set ``LivenessConfig.mirrored`` for previews that were mirrored.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from idverify.faces import (
    DEFAULT_THRESHOLD,
    Encoding,
    Face,
    encode_face,
    face_distance,
    find_faces,
    find_faces_near,
    tracking_scale,
)
from idverify.images import ImageLimits, decode_image, decode_video
from idverify.types import FrameMeasure, LivenessResult, RGBImage

# Darker than the nose skin by this many times the nose-tip-to-nostril log-contrast of the same
# frame counts as dark: a unit of contrast taken from the frame itself, so a change of exposure or
# gamma between frames scales the threshold with the pixels (a fixed ratio to the skin does not).
DARK_K = 2.0
ACTIONS = ("blink", "turn_left", "turn_right", "open_mouth", "nod")


@dataclass(frozen=True, slots=True)
class LivenessConfig:
    """Thresholds, all relative to the person's own neutral frames.

    Attributes:
        blink_ratio: EAR below this fraction of neutral means eyes closed, if the eye edges agree:
            alone it is no blink. On open eyes dlib's lid points move the EAR by up to 12 % between
            frames of a synthetic sequence (up to 14 % on real webcam frames), and a turn raises the
            sequence's median, so open eyes crossed 15 % now and then (a ``blink, nod, turn_right``
            sequence failed on an extra blink); the EAR score therefore counts only up to twice
            the eye-edge score, i.e. while both eyes' edges dropped at least half of ``eye_edge_drop``.
        eye_edge_drop: the eyes' edge ratio (see :func:`measure_appearance`) below neutral by this
            fraction, in both eyes, means eyes closed. Measured on synthetic frames of the five
            test photos: closed eyes dropped 0.61-0.90 (their EAR only 0.04-0.77), neutral frames at
            most 0.04, other actions at most 0.10 (``scripts/bench_idverify.py --liveness-only --cues``);
            on real webcam frames (``--real-footage``) blinks 0.30-0.74, neutral frames up to ~0.1.
        mouth_delta: MAR above neutral by this much means mouth open.
        mouth_dark_delta: the mouth box's dark area above neutral by this much also means mouth
            open (it works when the neutral mouth is already open and dlib misplaces the inner
            lips). Measured: open mouths +0.14-0.43 (their MAR only +0.03-0.36), neutral frames at
            most +0.02, other actions at most +0.04.
        yaw_delta: yaw beyond neutral by this much (fraction of face width) means a turn.
        pitch_delta: pitch above neutral by this much means a nod.
        unasked_margin: an action that was not asked for counts only when its change is this many
            times its threshold, so measurement noise (a neutral frame's EAR varies by up to ~20 %
            with dlib on small faces) does not fail an honest user, while a clearly performed
            extra action (a replayed clip doing every action) still fails the exact-order check.
        min_frames: fewest frames accepted.
        max_frames: most frames accepted (a video is sampled down to it).
        identity_threshold: encoding distance above which frames are different people.
        change_threshold: aligned-face correlation below which a frame is encoded and checked.
        mirrored: frames are mirrored (selfie preview), swapping left and right.
        full_detections: frames searched whole for faces (at least the first and the last); the
            others search only around the previous frame's face (~5 ms instead of ~30 ms a frame).
    """

    blink_ratio: float = 0.85
    eye_edge_drop: float = 0.3
    mouth_delta: float = 0.15
    mouth_dark_delta: float = 0.06
    yaw_delta: float = 0.08
    pitch_delta: float = 0.05
    unasked_margin: float = 1.5
    min_frames: int = 4
    max_frames: int = 12
    identity_threshold: float = DEFAULT_THRESHOLD
    change_threshold: float = 0.6
    mirrored: bool = False
    full_detections: int = 2


DEFAULT_CONFIG = LivenessConfig()


def new_challenge(length: int | None = None) -> tuple[str, ...]:
    """A random sequence of 2-3 distinct actions, drawn with a CSPRNG (it must not be guessable)."""
    count = length if length in (2, 3) else 2 + secrets.randbelow(2)
    pool = list(ACTIONS)
    out = []
    for _ in range(count):
        action = pool.pop(secrets.randbelow(len(pool)))
        if action in ("turn_left", "turn_right"):
            pool = [a for a in pool if a not in ("turn_left", "turn_right")]
        out.append(action)
    return tuple(out)


def measure(face: Face) -> tuple[float, float, float, float]:
    """(EAR, MAR, yaw, pitch) of one face's 68 landmarks, in the face's own eye-line frame."""
    pts = face.landmarks
    right_eye, left_eye = pts[36:42], pts[42:48]
    axis = left_eye.mean(axis=0) - right_eye.mean(axis=0)
    axis = axis / max(float(np.linalg.norm(axis)), 1e-6)
    normal = np.array([-axis[1], axis[0]])
    local = np.stack([pts @ axis, pts @ normal], axis=1)
    ear = (_eye_ratio(local[36:42]) + _eye_ratio(local[42:48])) / 2
    mar = _mouth_ratio(local[60:68])
    # Yaw: the nose tip's offset from the midpoint of the eyes, in inter-eye distances. The nose
    # sticks out, so it moves across the eye line as the head turns; the jaw ends do not work as
    # the reference, because on a head already turned the far one runs along the silhouette.
    eyes_x = (local[36:42, 0].mean() + local[42:48, 0].mean()) / 2
    yaw = (local[30, 0] - eyes_x) / max(local[42:48, 0].mean() - local[36:42, 0].mean(), 1e-6)
    eye_y = local[36:48, 1].mean()
    pitch = (local[30, 1] - eye_y) / max(local[8, 1] - eye_y, 1e-6)
    return float(ear), float(mar), float(yaw), float(pitch)


def measure_appearance(image: RGBImage, face: Face) -> tuple[float, float, float]:
    """(right-eye edges, left-eye edges, mouth darkness): pixel cues that do not trust the lid or lip points.

    dlib sometimes leaves the upper-lid points where they were while the eyes close, and loses the
    inner lips of a mouth that was already open. These cues read the pixels instead, in patches
    placed by the steadier points (eye corners, nose, chin), each normalised within its own frame:

    - eye edges: vertical-edge over horizontal-edge energy in a patch between the eye corners. An
      open eye has the iris's and sclera's vertical borders; a closed eye is lid skin with a
      horizontal lash line. A ratio of two gradients of the same patch, so a change of exposure,
      gain or contrast between frames cancels out.
    - mouth darkness: the area of a box over the mouth that is darker than the same frame's nose
      skin by ``DARK_K`` times the frame's own nose-to-nostril contrast (in log intensity, so a
      change of gain or gamma cancels out). An open mouth shows its dark inside.
    """
    import cv2

    # Only the face's box, in grey: converting a whole 960 px frame would cost more than the cues.
    pts = face.landmarks
    pad = 0.2 * float(np.ptp(pts[:, 0]))
    x0, y0 = (max(int(v - pad), 0) for v in pts.min(axis=0))
    x1, y1 = (int(v + pad) + 1 for v in pts.max(axis=0))
    crop = np.ascontiguousarray(image[y0:y1, x0:x1])
    grey = np.asarray(cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop, np.float32)
    pts = pts - (x0, y0)
    eyes = tuple(_eye_edges(grey, pts[i], pts[j]) for i, j in ((36, 39), (42, 45)))
    return eyes[0], eyes[1], _mouth_dark(grey, pts)


def _patch(
    grey: npt.NDArray[np.float32], origin: npt.NDArray[np.float64], across: npt.NDArray[np.float64],
    down: npt.NDArray[np.float64], size: tuple[int, int],
) -> npt.NDArray[np.float32]:  # fmt: skip
    """Resample the parallelogram origin + u*across + v*down (u, v in 0..1) to size (w, h) pixels."""
    import cv2

    w, h = size
    matrix = np.array([[across[0] / w, down[0] / h, origin[0]], [across[1] / w, down[1] / h, origin[1]]])
    flags = cv2.INTER_AREA | cv2.WARP_INVERSE_MAP
    patch = cv2.warpAffine(
        grey, matrix.astype(np.float32), size, flags=flags, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(patch, np.float32)


def _eye_edges(
    grey: npt.NDArray[np.float32], corner_a: npt.NDArray[np.float64], corner_b: npt.NDArray[np.float64]
) -> float:
    """Vertical/horizontal edge energy between two eye corners (0.8 of their span, 0.25 up, 0.15 down)."""
    import cv2

    axis = corner_b - corner_a
    normal = np.array([-axis[1], axis[0]])  # image y grows downward, so this points down the face
    centre = (corner_a + corner_b) / 2
    patch = _patch(grey, centre - 0.4 * axis - 0.25 * normal, 0.8 * axis, 0.4 * normal, (32, 16))
    gx = float(np.abs(cv2.Sobel(patch, cv2.CV_32F, 1, 0, ksize=3)).mean())
    gy = float(np.abs(cv2.Sobel(patch, cv2.CV_32F, 0, 1, ksize=3)).mean())
    return gx / max(gy, 1e-3)


def _mouth_dark(grey: npt.NDArray[np.float32], pts: npt.NDArray[np.float64]) -> float:
    """Dark area in a box over the mouth, in inter-ocular x eye-to-nose units (see ``DARK_K``).

    The box spans 0.9 of the mouth width, from halfway between the nose base and the upper lip to
    30 % of the way from the lower lip to the chin; the unit area shrinks with the face under a
    turn or a nod as the dark area does, and does not depend on the lip points' spacing.
    """
    axis = pts[45] - pts[36]
    iod = max(float(np.linalg.norm(axis)), 1e-6)
    axis = axis / iod
    normal = np.array([-axis[1], axis[0]])
    span = float((pts[54] - pts[48]) @ axis)
    top = pts[33] + (pts[51] - pts[33]) * 0.5
    height = max(float((pts[57] + (pts[8] - pts[57]) * 0.3 - top) @ normal), 1.0)
    centre = top + float(((pts[48] + pts[54]) / 2 - pts[33]) @ axis) * axis
    box = _patch(grey, centre - 0.45 * span * axis, 0.9 * span * axis, height * normal, (24, 32))
    nose = _patch(grey, pts[28] - axis * 0.1 * span, 0.2 * span * axis, pts[30] - pts[28], (6, 12))
    tip = float((pts[33] - pts[30]) @ normal)
    band = _patch(grey, pts[31] - normal * 0.5 * tip, pts[35] - pts[31], 0.7 * tip * normal, (16, 8))
    spread = max(float(np.log1p(band).std()), 0.05)
    dark = float((np.log1p(box) < float(np.median(np.log1p(nose))) - DARK_K * spread).mean())
    nose_height = max(float((pts[33] - (pts[36] + pts[45]) / 2) @ normal), 1.0)
    return dark * 0.9 * span * height / (iod * nose_height)


def _eye_ratio(eye: npt.NDArray[np.float64]) -> float:
    vertical = np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])
    return float(vertical / (2 * max(float(np.linalg.norm(eye[0] - eye[3])), 1e-6)))


def _mouth_ratio(inner: npt.NDArray[np.float64]) -> float:
    vertical = sum(np.linalg.norm(inner[i] - inner[8 - i]) for i in (1, 2, 3))
    return float(vertical / (3 * max(float(np.linalg.norm(inner[0] - inner[4])), 1e-6)))


def check_liveness(
    frames: Sequence[bytes | RGBImage] | bytes,
    challenge: Sequence[str],
    *,
    card_encoding: Encoding | None = None,
    config: LivenessConfig = DEFAULT_CONFIG,
) -> LivenessResult:
    """Check a frame sequence (or a short MP4/WebM clip) against a challenge.

    Args:
        frames: 4-12 JPEG/PNG/WebP frames or RGB arrays in capture order, or the bytes of a video.
        challenge: the actions asked for, from :func:`new_challenge`.
        card_encoding: the card portrait's encoding; when given, the live face must match it.
        config: thresholds.

    Returns:
        LivenessResult; reasons among liveness_challenge_invalid, liveness_frame_count, image_*,
        video_*, face_not_found, multiple_faces, liveness_identity_changed, face_mismatch,
        liveness_static, liveness_challenge_failed.
    """
    start = time.perf_counter()
    asked = tuple(challenge)
    if not 2 <= len(asked) <= 3 or len(set(asked)) != len(asked) or any(a not in ACTIONS for a in asked):
        return LivenessResult(False, ("liveness_challenge_invalid",), asked)
    images, reason = _decode_frames(frames, config)
    timings = {"decode_ms": _ms(start)}
    if reason is not None:
        return LivenessResult(False, (reason,), asked, timings=timings)
    return _evaluate(images, asked, card_encoding, config, timings)


def _decode_frames(
    frames: Sequence[bytes | RGBImage] | bytes, config: LivenessConfig
) -> tuple[list[RGBImage], str | None]:
    limits = ImageLimits(max_side=960)
    if isinstance(frames, bytes):
        video = decode_video(frames, max_frames=config.max_frames, limits=limits)
        if video.reason:
            return [], video.reason
        images = list(video.frames)
    else:
        images = []
        for frame in frames:
            decoded = decode_image(frame, limits=limits)
            if decoded.pixels is None:
                return [], decoded.reason
            images.append(decoded.pixels)
    if not config.min_frames <= len(images) <= config.max_frames:
        return [], "liveness_frame_count"
    return images, None


def _evaluate(
    images: list[RGBImage], asked: tuple[str, ...], card_encoding: Encoding | None, config: LivenessConfig,
    timings: dict[str, float],
) -> LivenessResult:  # fmt: skip
    start = time.perf_counter()
    faces = _track_faces(images, config)
    timings["landmarks_ms"] = _ms(start)
    bad = [i for i, f in enumerate(faces) if len(f) != 1]
    if bad:
        reason = "face_not_found" if not faces[bad[0]] else "multiple_faces"
        measures = tuple(FrameMeasure(i, len(f)) for i, f in enumerate(faces))
        return LivenessResult(False, (reason,), asked, frames=measures, timings=timings)
    start = time.perf_counter()
    values = np.array(
        [measure(f[0]) + measure_appearance(img, f[0]) for img, f in zip(images, faces, strict=True)]
    )
    timings["measure_ms"] = _ms(start)
    start = time.perf_counter()
    distances, card_distance = _identity(images, [f[0] for f in faces], card_encoding, config)
    timings["identity_ms"] = _ms(start)
    labels = _labels(values, asked, config)
    detected = _runs(labels)
    reasons = _reasons(values, labels, detected, asked, distances, card_distance, config)
    measures = tuple(_frame_measure(i, values[i], distances.get(i)) for i in range(len(images)))
    return LivenessResult(
        not reasons, tuple(reasons), asked, tuple(detected), measures, card_distance, timings
    )


def _track_faces(images: list[RGBImage], config: LivenessConfig) -> list[list[Face]]:
    """Faces per frame, found once and tracked.

    Whole frames are searched (at 480 px, as before tracking) on ``full_detections`` frames spread
    evenly, the first and the last among them, so a second face anywhere in the picture still
    fails the check. Landmarks come from a search around the previous frame's face at one scale
    for the whole sequence (:func:`find_faces_near`), so the same face in the same place gets the
    same box in every frame; where the face is not found there, the whole frame is searched.
    """
    whole = set(np.linspace(0, len(images) - 1, max(config.full_detections, 2)).round().astype(int).tolist())
    found: list[list[Face]] = []
    box: tuple[int, int, int, int] | None = None  # the face's box in the previous frame
    scale: float | None = None
    for i, image in enumerate(images):
        counted = None
        if i in whole or box is None:
            counted = find_faces(image, max_side=480)
            if len(counted) != 1:
                found.append(counted)
                box = None
                continue
            box = counted[0].box
        scale = scale or tracking_scale(box)
        faces = find_faces_near(image, box, scale=scale) or counted or find_faces(image, max_side=480)
        found.append(faces)
        box = faces[0].box if len(faces) == 1 else None
    return found


def _frame_measure(index: int, row: npt.NDArray[np.float64], distance: float | None) -> FrameMeasure:
    ear, mar, yaw, pitch, eye_r, eye_l, mouth_dark = (float(v) for v in row)
    return FrameMeasure(index, 1, ear, mar, yaw, pitch, distance, (eye_r, eye_l), mouth_dark)


def _identity(
    images: list[RGBImage], faces: list[Face], card_encoding: Encoding | None, config: LivenessConfig
) -> tuple[dict[int, float], float | None]:
    """Encode the first and last frames and any frame that changed sharply; distances to frame 0."""
    chips = [_chip(img, face) for img, face in zip(images, faces, strict=True)]
    picks = {0, len(images) - 1}
    picks |= {
        i for i in range(1, len(chips)) if _correlation(chips[i - 1], chips[i]) < config.change_threshold
    }
    reference = encode_face(images[0], faces[0])
    distances = {0: 0.0}
    for i in sorted(picks - {0}):
        distances[i] = face_distance(reference, encode_face(images[i], faces[i]))
    card = face_distance(reference, card_encoding) if card_encoding is not None else None
    return distances, card


def _chip(image: RGBImage, face: Face) -> npt.NDArray[np.float32]:
    """A 48x48 grey face patch aligned on the eyes, for a cheap frame-to-frame comparison."""
    import dlib

    chip = np.asarray(dlib.get_face_chip(image, face.shape, size=48, padding=0.0), np.float32).mean(axis=2)
    normalised: npt.NDArray[np.float32] = (chip - chip.mean()) / (chip.std() + 1e-6)
    return normalised


def _correlation(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    return float((a * b).mean())


def _labels(values: npt.NDArray[np.float64], asked: tuple[str, ...], config: LivenessConfig) -> list[str]:
    """Each frame's dominant action relative to the sequence's neutral (median) level, or ``neutral``.

    Scores are changes in units of their threshold; actions not asked for need ``unasked_margin``.
    """
    base = np.median(values, axis=0)
    sign = -1.0 if config.mirrored else 1.0
    labels = []
    for ear, mar, yaw, pitch, eye_r, eye_l, mouth_dark in values:
        eyes_closed = min(1 - eye_r / max(base[4], 1e-6), 1 - eye_l / max(base[5], 1e-6))  # both eyes
        lids, edges = (
            (1 - ear / max(base[0], 1e-6)) / (1 - config.blink_ratio),
            eyes_closed / config.eye_edge_drop,
        )
        scores = {
            # The lids' EAR counts only as far as twice the eye edges' score: on open eyes it moves by
            # up to 0.9 of its threshold between frames, the edges by at most 0.3 (see LivenessConfig).
            "blink": max(edges, min(lids, 2 * edges)),
            "open_mouth": max(
                (mar - base[1]) / config.mouth_delta, (mouth_dark - base[6]) / config.mouth_dark_delta
            ),
            "turn_left": sign * (yaw - base[2]) / config.yaw_delta,
            "turn_right": -sign * (yaw - base[2]) / config.yaw_delta,
            "nod": (pitch - base[3]) / config.pitch_delta,
        }
        scores = {a: v if a in asked else v / config.unasked_margin for a, v in scores.items()}
        action, score = max(scores.items(), key=lambda kv: kv[1])
        labels.append(action if score >= 1.0 else "neutral")
    return labels


def _runs(labels: list[str]) -> list[tuple[str, int]]:
    """Collapse consecutive equal labels into (action, first frame) runs, neutral dropped."""
    runs: list[tuple[str, int]] = []
    previous = "neutral"
    for i, label in enumerate(labels):
        if label != previous and label != "neutral":
            runs.append((label, i))
        previous = label
    return runs


def _reasons(
    values: npt.NDArray[np.float64], labels: list[str], detected: list[tuple[str, int]],
    asked: tuple[str, ...], distances: dict[int, float], card_distance: float | None, config: LivenessConfig,
) -> list[str]:  # fmt: skip
    reasons = []
    if any(d > config.identity_threshold for d in distances.values()):
        reasons.append("liveness_identity_changed")
    if card_distance is not None and card_distance > config.identity_threshold:
        reasons.append("face_mismatch")
    if float(np.ptp(values[:, :4], axis=0).max()) < 0.02:  # landmark measures; pixels carry noise
        reasons.append("liveness_static")
    if labels[0] != "neutral" or tuple(a for a, _ in detected) != asked:
        reasons.append("liveness_challenge_failed")
    return reasons


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
