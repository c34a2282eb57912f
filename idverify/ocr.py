"""PP-OCR text recognition (and detection) through RapidOCR on ONNX Runtime, offline.

RapidOCR's wheel ships the PP-OCRv6 small detection and recognition models as ONNX files, so
nothing downloads. Its all-in-one pipeline (detect -> classify -> recognise over the whole
upscaled image) is more than a rectified ID card needs: the card reader detects lines once on the
card at a modest size, then sends the line crops to the recogniser packed side by side into a few
strips, and decodes the model's output itself (greedy CTC, as RapidOCR does) so that it keeps each
character's position, confidence and second choice.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from idverify.types import Choices, RGBImage


class ModelMissingError(RuntimeError):
    """A model file the engine needs is not installed; raised loudly, never papered over."""


#: Probability below which a choice after the second is not kept: a rare character the recogniser
#: barely knows (溆, read 淑 or 激) still gets about this much at its position.
ALT_FLOOR = 0.001
_ALT_KEPT = 6  # choices kept per character at most


@dataclass(frozen=True, slots=True)
class TextLine:
    """Recognised text of one crop and the recogniser's mean character confidence.

    Attributes:
        text: the characters read.
        score: their mean confidence.
        char_scores: each character's confidence, aligned with ``text`` (empty when not asked for).
        alternatives: for each character, the recogniser's other choices at its position with
            their probabilities, most probable first, aligned with ``text``: the second choice
            always, further ones while at least ``ALT_FLOOR`` probable (what to pick from when
            field knowledge says the first choice cannot be right).
        char_places: where each character's centre lies along the crop, as a share of its width
            (0 at its left edge, 1 at its right), aligned with ``text``: what tells a line's own
            characters from print the crop took in beside them.
    """

    text: str
    score: float
    char_scores: tuple[float, ...] = ()
    alternatives: tuple[Choices, ...] = ()
    char_places: tuple[float, ...] = ()


class OcrEngine:
    """Batched PP-OCR recognition of text-line crops (build once with :func:`get_ocr_engine`).

    Args:
        threads: ONNX Runtime intra-op threads; the default uses every core, which is right for a
            worker that runs one verification at a time.
    """

    def __init__(self, threads: int | None = None) -> None:
        from rapidocr import RapidOCR

        params: dict[str, Any] = {"Global.log_level": "error", "Global.use_cls": False}
        if threads:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
        self._pipeline = RapidOCR(params=params)
        _check_models(self._pipeline)
        # RapidOCR builds its sessions lazily; build them now so the first request is not slow
        # and a missing model fails at start-up.
        self._rec = self._pipeline._load_rec_model()  # type: ignore[no-untyped-call]
        self._det = self._pipeline._load_det_model()  # type: ignore[no-untyped-call]
        self._chars: list[str] = list(self._rec.postprocess_op.character)
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)

    def recognize(self, crops: Sequence[RGBImage]) -> list[TextLine]:
        """Recognise one line of text per crop, the crops packed side by side into shared strips.

        Each crop is scaled to the model's 48-pixel height at its own aspect and placed in a strip
        after the previous one, a gap of the model's padding between them; each strip is
        recognised once and every character goes to the crop under its position (see
        :func:`pack_strips`). A card's lines are mostly short (labels, a name, 男), and the
        recogniser would pad each to at least 320 pixels: packed, a front costs about 40 % fewer
        columns, and no crop is padded to the width of a longer one (which had turned 强 into 強).

        Args:
            crops: RGB crops, each holding a single line of text, any width.

        Returns:
            One TextLine per crop, same order ("" and 0.0 for a crop too small to read), with
            per-character confidences.
        """
        usable = [i for i, c in enumerate(crops) if c.shape[0] >= 8 and c.shape[1] >= 8]
        out = [TextLine("", 0.0) for _ in crops]
        scaled = [_to_model_input(crops[i]) for i in usable]
        read = self._read_strips(scaled, pack_strips([x.shape[2] for x in scaled]))
        # A character decoded in the padding between two crops went to the nearer one; it may be a
        # ghost of the packing (郎 before 慕容金思, absent when the crop is read alone) or a glyph
        # at the crop's very edge. Rare (a few crops in a hundred photos): such a crop is read
        # again on its own, and that reading kept.
        edged = [item for item, decoded in read.items() if decoded.edge]
        for item in edged:
            read[item] = self._read_strips([scaled[item]], pack_strips([scaled[item].shape[2]]))[0]
        for item, decoded in read.items():
            score = float(np.mean(decoded.scores)) if decoded.scores else 0.0
            rounded = tuple(round(v, 5) for v in decoded.scores)
            places = tuple(round(v, 4) for v in decoded.places)
            out[usable[item]] = TextLine(
                decoded.text, round(score, 5), rounded, tuple(decoded.choices), places
            )
        return out

    def _read_strips(self, scaled: Sequence[np.ndarray], strips: list[Strip]) -> dict[int, _Decoded]:
        """Each strip recognised once; every crop's characters decoded (keyed by index in ``scaled``)."""
        read: dict[int, _Decoded] = {}
        for strip in strips:
            batch = np.zeros((1, 3, _HEIGHT, strip.width), np.float32)
            for item, x0 in zip(strip.items, strip.starts, strict=True):
                batch[0, :, :, x0 : x0 + scaled[item].shape[2]] = scaled[item]
            probs = np.asarray(self._rec.session(batch))[0]
            read.update(_decode(probs, strip.width / probs.shape[0], strip, self._chars))
        return read

    def detect(self, image: RGBImage, *, max_side: int | None = None) -> list[np.ndarray]:
        """Text boxes (4 x 2 corner arrays, image pixels) in a whole image.

        Args:
            image: RGB image.
            max_side: scale the image so that its longer side is this before detecting (the boxes
                are mapped back). The model's default instead scales the *shorter* side up to 736
                pixels, which on a rectified 856 x 540 card costs about 0.45 s of CPU; at 480 it is
                about 0.13 s and card print (3 mm letters, 18 px high there) is still found.
        """
        saved = (self._det.limit_side_len, self._det.limit_type)
        if max_side is not None:
            self._det.limit_side_len, self._det.limit_type = max_side, "max"
        try:
            result = self._det(np.ascontiguousarray(image[:, :, ::-1]))
        finally:
            self._det.limit_side_len, self._det.limit_type = saved
        return [] if result.boxes is None else [np.asarray(b, np.float32) for b in result.boxes]


_HEIGHT = 48  # the recogniser's input height
_STRIDE = 8  # input columns per output step
_GAP = 32  # model padding between two packed crops: four output steps of blank
_STRIP_MIN = 640  # strips at least this wide; much longer ones cost more per column


@dataclass(frozen=True, slots=True)
class Strip:
    """Crops placed side by side for one recognition call.

    Attributes:
        items: indices of the crops, left to right.
        starts: each crop's first column in the strip.
        ends: each crop's column after its last.
        width: the strip's width (a multiple of the model's stride).
    """

    items: tuple[int, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    width: int


def pack_strips(widths: Sequence[int], *, gap: int = _GAP, strip_min: int = _STRIP_MIN) -> list[Strip]:
    """Crops of the given widths packed into strips, widest first, each into the first that holds it.

    A strip is as wide as the widest crop (at least ``strip_min``); each crop is followed by
    ``gap`` columns of padding, so the recogniser ends one crop's text before the next begins,
    and the strip is cut after its last crop's gap, so a half-empty last strip costs only what
    it holds.
    """
    limit = max([*widths, strip_min - gap]) + gap
    bins: list[list[int]] = []
    used: list[int] = []
    for i in sorted(range(len(widths)), key=lambda k: -widths[k]):
        need = widths[i] + gap
        slot = next((b for b in range(len(bins)) if used[b] + need <= limit), None)
        if slot is None:
            bins.append([])
            used.append(0)
            slot = len(bins) - 1
        bins[slot].append(i)
        used[slot] += need
    strips = []
    for members in bins:
        starts, ends, x = [], [], 0
        for i in members:
            starts.append(x)
            ends.append(x + widths[i])
            x += widths[i] + gap
        width = -(-x // _STRIDE) * _STRIDE
        strips.append(Strip(tuple(members), tuple(starts), tuple(ends), width))
    return strips


def _to_model_input(crop: RGBImage) -> np.ndarray:
    """A crop as the recogniser takes it: BGR (its training order), 48 high, scaled to -1..1, CHW."""
    import cv2

    width = max(1, int(np.ceil(_HEIGHT * crop.shape[1] / crop.shape[0])))
    resized = cv2.resize(np.ascontiguousarray(crop[:, :, ::-1]), (width, _HEIGHT))
    scaled: np.ndarray = resized.astype(np.float32).transpose(2, 0, 1) / 127.5 - 1.0
    return scaled


@dataclass
class _Decoded:
    """One crop's characters as decoded: text, confidences, other choices and places (0-1)."""

    text: str = ""
    scores: list[float] = field(default_factory=list)
    choices: list[Choices] = field(default_factory=list)
    places: list[float] = field(default_factory=list)
    edge: bool = False  # a character was decoded in the padding beside the crop, not over it


def _decode(
    probs: np.ndarray, columns_per_step: float, strip: Strip, charset: Sequence[str]
) -> dict[int, _Decoded]:
    """Greedy CTC decoding of one strip, each character given to the crop under its position.

    A character whose step falls in a gap goes to the nearer crop (a glyph at a crop's very edge).
    Each character comes with its confidence, its other choices at its step (blank excluded) and
    where its step lies along its crop.
    """
    best = probs.argmax(axis=1)
    confidence = probs.max(axis=1)
    keep = np.flatnonzero((best != 0) & np.r_[True, best[1:] != best[:-1]])
    out = {i: _Decoded() for i in strip.items}
    for step in keep:
        x = (step + 0.5) * columns_per_step
        distance = [max(a - x, x - b, 0.0) for a, b in zip(strip.starts, strip.ends, strict=True)]
        at = int(np.argmin(distance))
        item = strip.items[at]
        start, end = strip.starts[at], strip.ends[at]
        row = probs[step].copy()
        row[[0, best[step]]] = -1.0
        kept = min(_ALT_KEPT, row.size)
        top = np.argpartition(row, -kept)[-kept:]
        ranked = [k for k in top[np.argsort(row[top])[::-1]] if row[k] >= 0.0]  # not blank, not the first
        choices = tuple(
            (charset[k], float(row[k])) for n, k in enumerate(ranked) if n == 0 or row[k] >= ALT_FLOOR
        )
        read = out[item]
        read.edge |= not start <= x <= end
        read.text += charset[int(best[step])]
        read.scores.append(float(confidence[step]))
        read.choices.append(choices)
        read.places.append(min(max((x - start) / max(end - start, 1), 0.0), 1.0))
    return out


def _check_models(pipeline: Any) -> None:
    """Fail loudly when the packaged ONNX files are absent instead of letting RapidOCR download them."""
    root = str(pipeline.cfg.Global.model_root_dir)
    names = ("PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx")
    missing = [n for n in names if not os.path.exists(os.path.join(root, n))]
    if missing:
        raise ModelMissingError(f"PP-OCR models missing from {root}: {', '.join(missing)}")


@cache
def get_ocr_engine() -> OcrEngine:
    """The process-wide OCR engine, built on first use (workers call it before forking).

    One ONNX Runtime thread: a verification's many small recognition batches gain little from a
    second thread while its spinning costs CPU (measured on 2 cores under load: 0.45 s instead of
    0.9 s of CPU for one card's lines); a 2-core host runs two workers instead.
    """
    return OcrEngine(threads=1)
