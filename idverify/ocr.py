"""PP-OCR text recognition (and detection) through RapidOCR on ONNX Runtime, offline.

RapidOCR's wheel ships the PP-OCRv6 small detection and recognition models as ONNX files, so
nothing downloads. Its all-in-one pipeline (detect -> classify -> recognise over the whole
upscaled image) is more than a rectified ID card needs: the card reader detects lines once on the
card at a modest size, then sends the line crops to the recogniser in width-grouped batches.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from idverify.types import RGBImage


class ModelMissingError(RuntimeError):
    """A model file the engine needs is not installed; raised loudly, never papered over."""


@dataclass(frozen=True, slots=True)
class TextLine:
    """Recognised text of one crop and the recogniser's mean character confidence.

    Attributes:
        text: the characters read.
        score: their mean confidence.
        char_scores: each character's confidence, aligned with ``text`` (empty when not asked for).
    """

    text: str
    score: float
    char_scores: tuple[float, ...] = ()


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
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)

    def recognize(self, crops: Sequence[RGBImage]) -> list[TextLine]:
        """Recognise one line of text per crop, in one batched call.

        Args:
            crops: RGB crops, each holding a single line of text, any width.

        Returns:
            One TextLine per crop, same order ("" and 0.0 for a crop too small to read), with
            per-character confidences.
        """
        from rapidocr.ch_ppocr_rec import TextRecInput

        usable = [i for i, c in enumerate(crops) if c.shape[0] >= 8 and c.shape[1] >= 8]
        out = [TextLine("", 0.0) for _ in crops]
        for group in _width_groups([crops[i] for i in usable]):
            # The PP-OCR models were trained on BGR input.
            batch = [np.ascontiguousarray(crops[usable[j]][:, :, ::-1]) for j in group]
            result = self._rec(TextRecInput(img=batch, return_word_box=True))
            words = result.word_results or ((None,) * len(group))
            for j, text, score, info in zip(group, result.txts or (), result.scores, words, strict=False):
                out[usable[j]] = TextLine(str(text), float(score), _char_scores(str(text), info))
        return out

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


def _char_scores(text: str, info: Any) -> tuple[float, ...]:
    """Per-character confidences from RapidOCR's word info, when they line up with the text."""
    confs = list(getattr(info, "confs", None) or ())
    return tuple(float(c) for c in confs) if len(confs) == len(text) and text else ()


def _width_groups(crops: Sequence[RGBImage], spread: float = 1.35) -> list[list[int]]:
    """Indices of crops batched together: each batch within ``spread`` of its narrowest width.

    A batch is resized to 48 pixels high and padded to its widest member, and the recogniser
    reads the padding: a two-character name padded to the width of an address line was read
    with the wrong character variant (强 as 強) on a clean card. Grouping by width keeps padding
    close to the model's own (it pads to at least 320 x 48) and skips computing over padding.
    """
    ratios = [max(c.shape[1] / c.shape[0], _MIN_RATIO) for c in crops]
    groups: list[list[int]] = []
    for i in sorted(range(len(crops)), key=lambda k: ratios[k]):
        if groups and ratios[i] <= spread * ratios[groups[-1][0]]:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


_MIN_RATIO = 320 / 48  # the recogniser's input is at least this wide


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
