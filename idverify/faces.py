"""Face detection, 68-point landmarks and 128-d encodings with dlib, and the card-vs-live match.

The models are dlib's, shipped by face_recognition_models; they are loaded here directly by path
rather than through ``import face_recognition``, which prints and calls ``quit()`` when the model
package is missing. A missing model raises :class:`ModelMissingError` instead.

Threshold: dlib's encoder puts the same person at distances around 0.3-0.45 and different
people above 0.6 on most photos; face_recognition uses 0.6. We default to 0.55 (see
``DEFAULT_THRESHOLD``): the card portrait is small and printed, which raises same-person
distances, yet on the measured set no different-person pair came below 0.7, so 0.55 keeps a
wide margin against false accepts (the costly error here) while still accepting card portraits.
``scripts/bench_idverify.py`` prints the measured distances; change the default only with it.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from idverify.images import decode_image
from idverify.ocr import ModelMissingError
from idverify.types import FaceMatchResult, RGBImage

DEFAULT_THRESHOLD = 0.55
Encoding = npt.NDArray[np.float64]


@dataclass(frozen=True)
class FaceModels:
    """dlib's HOG detector, 68-point shape predictor and ResNet encoder."""

    detector: Any
    predictor: Any
    encoder: Any


@dataclass(frozen=True)
class Face:
    """One detected face.

    Attributes:
        box: (left, top, right, bottom) in the image's pixels.
        landmarks: 68 x 2 float array of dlib's iBUG points.
        shape: dlib's full_object_detection, kept for encoding.
    """

    box: tuple[int, int, int, int]
    landmarks: npt.NDArray[np.float64]
    shape: Any

    @property
    def area(self) -> int:
        """Box area in pixels."""
        left, top, right, bottom = self.box
        return (right - left) * (bottom - top)


def _model_paths() -> dict[str, str]:
    """Paths of the dlib model files, from face_recognition_models (pkg_resources warning muted)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            import face_recognition_models as frm
        except ImportError as err:  # pragma: no cover - environment problem
            raise ModelMissingError("face_recognition_models is not installed") from err
    paths = {
        "predictor": frm.pose_predictor_model_location(),
        "encoder": frm.face_recognition_model_location(),
    }
    missing = [p for p in paths.values() if not os.path.exists(p)]
    if missing:
        raise ModelMissingError(f"dlib model files missing: {', '.join(missing)}")
    return paths


@cache
def get_face_models() -> FaceModels:
    """Load the dlib models once per process (about 0.5 s; workers call this before forking)."""
    import dlib

    paths = _model_paths()
    return FaceModels(
        dlib.get_frontal_face_detector(),
        dlib.shape_predictor(paths["predictor"]),
        dlib.face_recognition_model_v1(paths["encoder"]),
    )


def find_faces(image: RGBImage, *, max_side: int = 640, upsample: int = 0) -> list[Face]:
    """Detect faces (largest first) with landmarks.

    HOG detection runs on a copy scaled to ``max_side`` (it costs ~4x less than full size and
    finds faces down to ~80 px there); landmarks come from the full-resolution image, so their
    precision is not lost. If nothing is found, one retry with upsampling catches small faces.
    """
    import dlib

    models = get_face_models()
    scale = min(1.0, max_side / max(image.shape[:2]))
    small = image if scale == 1.0 else _resize(image, scale)
    rects = models.detector(small, upsample)
    if len(rects) == 0 and upsample == 0:
        rects = models.detector(small, 1)
    faces = []
    for rect in rects:
        box = tuple(int(round(v / scale)) for v in (rect.left(), rect.top(), rect.right(), rect.bottom()))
        full = dlib.rectangle(*box)
        shape = models.predictor(image, full)
        points = np.array([[p.x, p.y] for p in shape.parts()], np.float64)
        faces.append(Face((box[0], box[1], box[2], box[3]), points, shape))
    return sorted(faces, key=lambda f: -f.area)


# dlib's HOG uses 8 px cells on a pyramid that shrinks by 5/6 a level: a window whose corner sits on a
# multiple of 48 px sees the same cells as the whole image on the first two levels (80-115 px faces).
_HOG_GRID = 48


def tracking_scale(box: tuple[int, int, int, int], *, face_px: int = 96) -> float:
    """The scale at which a face of this box is about ``face_px`` wide, for :func:`find_faces_near`."""
    return min(1.0, face_px / max(box[2] - box[0], 1))


def find_faces_near(
    image: RGBImage, box: tuple[int, int, int, int], *, scale: float, margin: float = 0.6
) -> list[Face]:
    """Detect faces (largest first) only in a window around ``box``, the face's box in a previous frame.

    For tracking one face through a short sequence: the frame is scaled by ``scale`` (from
    :func:`tracking_scale`, the same for every frame of the sequence), and a window of the box
    widened by ``margin`` of its size on every side is searched without upsampling: ~5 ms instead
    of ~30 ms for a whole 480 px frame. The window's corner snaps to the detector's grid, so a face
    that did not move gets the same box, and so the same landmarks, in every frame (a still photo
    stays exactly still). Returns [] when the face left the window (a fast move or a cut): then
    search the whole frame with :func:`find_faces`. Faces elsewhere in the frame are not seen.
    """
    import dlib

    models = get_face_models()
    small = image if scale == 1.0 else _resize(image, scale)
    left, top, right, bottom = (v * scale for v in box)
    pad_x, pad_y = margin * (right - left), margin * (bottom - top)
    x0, y0 = (max(int(v) // _HOG_GRID * _HOG_GRID, 0) for v in (left - pad_x, top - pad_y))
    x1, y1 = min(int(right + pad_x) + 1, small.shape[1]), min(int(bottom + pad_y) + 1, small.shape[0])
    if x1 - x0 < 16 or y1 - y0 < 16:
        return []
    faces = []
    for rect in models.detector(np.ascontiguousarray(small[y0:y1, x0:x1]), 0):
        edges = (rect.left() + x0, rect.top() + y0, rect.right() + x0, rect.bottom() + y0)
        corners = [int(round(v / scale)) for v in edges]
        full = (corners[0], corners[1], corners[2], corners[3])
        shape = models.predictor(image, dlib.rectangle(*full))
        points = np.array([[p.x, p.y] for p in shape.parts()], np.float64)
        faces.append(Face(full, points, shape))
    return sorted(faces, key=lambda f: -f.area)


def _resize(image: RGBImage, scale: float) -> RGBImage:
    import cv2

    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return np.ascontiguousarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA))


def encode_face(image: RGBImage, face: Face) -> Encoding:
    """The 128-d dlib encoding of one face (about 75 ms on this class of CPU)."""
    descriptor = get_face_models().encoder.compute_face_descriptor(image, face.shape)
    return np.asarray(descriptor, np.float64)


def face_distance(a: Encoding, b: Encoding) -> float:
    """Euclidean distance between encodings; smaller is more alike."""
    return float(np.linalg.norm(a - b))


def card_face_encoding(portrait: RGBImage) -> Encoding | None:
    """Encoding of the largest face in a card portrait crop, None when none is found.

    The portrait of a rectified card holds a face of 90-130 pixels, which HOG finds without
    upsampling (a third of the time); :func:`find_faces` upsamples only when it finds none. The
    box differs by a few pixels, the encoding by 0.01-0.05 (measured on generated cards), far
    inside the match threshold.
    """
    faces = find_faces(portrait)
    return encode_face(portrait, faces[0]) if faces else None


def match_faces(
    card: bytes | RGBImage | Encoding, live: bytes | RGBImage, *, threshold: float = DEFAULT_THRESHOLD
) -> FaceMatchResult:
    """Compare the card portrait with a live capture.

    Args:
        card: the card portrait (image bytes or RGB array) or its precomputed 128-d encoding.
        live: the live capture; it must hold exactly one face.
        threshold: distances at or below it match (default 0.55, see the module docstring).

    Returns:
        FaceMatchResult; reasons among card_face_not_found, face_not_found, multiple_faces,
        face_mismatch, or an image_* reason.
    """
    import time

    start = time.perf_counter()
    card_encoding, reason = _card_encoding(card)
    timings = {"card_face_ms": (time.perf_counter() - start) * 1000}
    if card_encoding is None:
        return FaceMatchResult(False, (reason or "card_face_not_found",), None, threshold, 0, timings)
    start = time.perf_counter()
    decoded = decode_image(live)
    if decoded.pixels is None:
        return FaceMatchResult(False, (decoded.reason or "image_corrupt",), None, threshold, 0, timings)
    faces = find_faces(decoded.pixels)
    if len(faces) != 1:
        reason = "face_not_found" if not faces else "multiple_faces"
        return FaceMatchResult(False, (reason,), None, threshold, len(faces), timings)
    distance = face_distance(card_encoding, encode_face(decoded.pixels, faces[0]))
    timings["live_face_ms"] = (time.perf_counter() - start) * 1000
    ok = distance <= threshold
    return FaceMatchResult(ok, () if ok else ("face_mismatch",), distance, threshold, 1, timings)


def _card_encoding(card: bytes | RGBImage | Encoding) -> tuple[Encoding | None, str | None]:
    if isinstance(card, np.ndarray) and card.shape == (128,):
        return card.astype(np.float64), None
    decoded = decode_image(card)
    if decoded.pixels is None:
        return None, decoded.reason
    return card_face_encoding(decoded.pixels), "card_face_not_found"
