"""Safe image and video decoding: bytes or arrays in, RGB arrays or a reason code out.

Uploads come from phones and from anyone on the internet, so the format is sniffed from the
content (never the name), size limits are checked before pixels are allocated (decompression
bombs), EXIF orientation is applied (phones store portrait shots sideways), and every failure
becomes a reason code instead of an exception.
"""

from __future__ import annotations

import io
import os
import tempfile
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps

from idverify.types import RGBImage

_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """Limits applied before decoding.

    Attributes:
        max_bytes: largest accepted file; phone photos are 2-8 MB.
        max_pixels: largest accepted width x height; 40 MP is above any phone camera and far
            below what a bomb declares.
        min_side: smallest accepted side; below it no field or face is readable.
        max_side: decode large JPEGs at a reduced scale (DCT scaling) so that the longer side is
            at least this; None keeps full resolution. Saves most of the decode time of 12 MP photos.
    """

    max_bytes: int = 15 * 1024 * 1024
    max_pixels: int = 40_000_000
    min_side: int = 32
    max_side: int | None = None


DEFAULT_LIMITS = ImageLimits()


@dataclass(frozen=True, slots=True)
class DecodedImage:
    """A decoded RGB image, or the reason it could not be decoded."""

    pixels: RGBImage | None
    reason: str | None = None
    format: str | None = None

    @property
    def ok(self) -> bool:
        """True when pixels are available."""
        return self.pixels is not None


def sniff_format(data: bytes) -> str | None:
    """Name the container from its magic bytes: ``JPEG``, ``PNG``, ``WEBP`` or None."""
    for magic, name in _SIGNATURES:
        if data.startswith(magic):
            return name
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def decode_image(
    data: bytes | RGBImage | np.ndarray, *, limits: ImageLimits = DEFAULT_LIMITS
) -> DecodedImage:
    """Decode an upload into an RGB ``uint8`` array.

    Args:
        data: encoded file bytes (JPEG, PNG or WebP), or an already decoded array (H x W, H x W x 3
            RGB, or H x W x 4 RGBA).
        limits: byte, pixel and side limits.

    Returns:
        A DecodedImage with pixels, or with ``reason`` set to one of image_empty,
        image_format_unsupported, image_too_large_bytes, image_too_large_pixels, image_too_small,
        image_corrupt.
    """
    if isinstance(data, np.ndarray):
        return _from_array(data, limits)
    if not data:
        return DecodedImage(None, "image_empty")
    if len(data) > limits.max_bytes:
        return DecodedImage(None, "image_too_large_bytes")
    fmt = sniff_format(data)
    if fmt is None:
        return DecodedImage(None, "image_format_unsupported")
    return _decode_bytes(data, fmt, limits)


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from the header alone (nothing is decoded), or None when unreadable."""
    fmt = sniff_format(data)
    if fmt is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            width, height = Image.open(io.BytesIO(data), formats=[fmt]).size
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError):
        return None
    return int(width), int(height)


def _decode_bytes(data: bytes, fmt: str, limits: ImageLimits) -> DecodedImage:
    """Open with Pillow restricted to the sniffed format; limits first, pixels second."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=[fmt])
            width, height = img.size
            if width * height > limits.max_pixels:
                return DecodedImage(None, "image_too_large_pixels", fmt)
            if min(width, height) < limits.min_side:
                return DecodedImage(None, "image_too_small", fmt)
            if fmt == "JPEG" and limits.max_side and max(width, height) > 2 * limits.max_side:
                scale = limits.max_side / max(width, height)
                img.draft("RGB", (int(width * scale) + 1, int(height * scale) + 1))
            img.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return DecodedImage(None, "image_too_large_pixels", fmt)
    except (OSError, SyntaxError, ValueError, EOFError):
        return DecodedImage(None, "image_corrupt", fmt)
    return DecodedImage(_to_rgb(_orient(_shrink(img, limits.max_side))), None, fmt)


def _shrink(img: Image.Image, max_side: int | None) -> Image.Image:
    """Bring a large decoded image down to about ``max_side`` in its own mode, before any RGB copy.

    PNG and WebP have no reduced-size decoding (JPEG has, see the draft above), so their one
    full-size copy is the decoded image in its native mode (1 byte a pixel for 1-bit and grey);
    without this, a 40 MP 1-bit PNG became a 120 MB RGB array before anything looked at it.
    Same threshold as the JPEG draft: only images over twice ``max_side`` are reduced.
    """
    if not max_side or max(img.size) <= 2 * max_side:
        return img
    factor = max(img.size) // max_side
    exif = img.info.get("exif")
    if img.mode in ("L", "LA", "RGB", "RGBA", "I", "F", "CMYK"):
        small = img.reduce(factor)  # box filter: every pixel counts
    else:  # 1-bit, palette, 16-bit: reduce() does not take them
        small = img.resize(
            (max(1, img.width // factor), max(1, img.height // factor)), Image.Resampling.NEAREST
        )
    if exif is not None:
        small.info["exif"] = exif  # the orientation still applies
    return small


def _orient(img: Image.Image) -> Image.Image:
    """Apply EXIF orientation; a broken EXIF block is ignored rather than failing the photo."""
    try:
        return ImageOps.exif_transpose(img)
    except (OSError, ValueError, TypeError, KeyError, SyntaxError):
        return img


def _to_rgb(img: Image.Image) -> RGBImage:
    """Flatten any mode (L, P, RGBA, CMYK, I;16) to contiguous RGB uint8."""
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img)
    return np.ascontiguousarray(np.asarray(img.convert("RGB"), dtype=np.uint8))


def _from_array(arr: np.ndarray, limits: ImageLimits) -> DecodedImage:
    """Validate a caller's array: uint8, 2-D grey or 3-D with 1, 3 or 4 channels."""
    if arr.size == 0:
        return DecodedImage(None, "image_empty")
    if arr.dtype != np.uint8 or arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (1, 3, 4)):
        return DecodedImage(None, "image_format_unsupported")
    height, width = arr.shape[:2]
    if width * height > limits.max_pixels:
        return DecodedImage(None, "image_too_large_pixels")
    if min(width, height) < limits.min_side:
        return DecodedImage(None, "image_too_small")
    if arr.ndim == 2 or arr.shape[2] == 1:
        return DecodedImage(np.ascontiguousarray(np.repeat(arr.reshape(height, width, 1), 3, axis=2)))
    if arr.shape[2] == 4:
        return DecodedImage(_to_rgb(Image.fromarray(arr, "RGBA")))
    return DecodedImage(np.ascontiguousarray(arr))


def encode_jpeg(image: RGBImage, quality: int = 90) -> bytes:
    """Encode an RGB array as JPEG bytes (tests, CLI and the generator use it)."""
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def sniff_video(data: bytes) -> str | None:
    """``mp4`` (ISO BMFF ``ftyp`` box) or ``webm`` (EBML header), else None."""
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return "mp4"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    return None


@dataclass(frozen=True, slots=True)
class DecodedVideo:
    """Frames sampled from a video, or the reason it could not be decoded."""

    frames: tuple[RGBImage, ...]
    reason: str | None = None


def decode_video(data: bytes, *, max_frames: int = 12, limits: ImageLimits = DEFAULT_LIMITS) -> DecodedVideo:
    """Decode an MP4 or WebM clip with OpenCV and sample up to ``max_frames`` frames evenly.

    OpenCV reads only from files, so the bytes go to a private temporary file that is removed
    afterwards. The container is sniffed first so that arbitrary uploads never reach FFmpeg.
    """
    if not data:
        return DecodedVideo((), "image_empty")
    if len(data) > limits.max_bytes:
        return DecodedVideo((), "image_too_large_bytes")
    kind = sniff_video(data)
    if kind is None:
        return DecodedVideo((), "video_format_unsupported")
    fd, path = tempfile.mkstemp(suffix="." + kind)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        frames = _read_frames(path, max_frames, limits)
    finally:
        os.unlink(path)
    if not frames:
        return DecodedVideo((), "video_corrupt")
    return DecodedVideo(tuple(frames))


def _read_frames(path: str, max_frames: int, limits: ImageLimits) -> list[RGBImage]:
    """Count the frames (grab() only demuxes and decodes, it keeps nothing), then retrieve an even
    sample of them, each reduced to ``limits.max_side``: memory holds ``max_frames`` small frames,
    never the whole clip (600 full-HD frames would be 3.7 GB). Stops at the pixel limit."""
    cap = cv2.VideoCapture(path)
    try:
        count = 0
        while count < 600 and cap.grab():
            count += 1
    finally:
        cap.release()
    if count == 0:
        return []
    picks = set(np.linspace(0, count - 1, min(count, max_frames)).round().astype(int).tolist())
    cap = cv2.VideoCapture(path)
    frames: list[RGBImage] = []
    try:
        for index in range(count):
            if not cap.grab():
                break
            if index not in picks:
                continue
            ok, frame = cap.retrieve()
            if not ok or frame is None:
                break
            if frame.shape[0] * frame.shape[1] > limits.max_pixels:
                return []
            frames.append(np.ascontiguousarray(cv2.cvtColor(_fit(frame, limits.max_side), cv2.COLOR_BGR2RGB)))
    finally:
        cap.release()
    return frames


def _fit(frame: np.ndarray, max_side: int | None) -> np.ndarray:
    """A video frame scaled down (area filter) so its longer side is at most ``max_side``."""
    longest = max(frame.shape[:2])
    if not max_side or longest <= max_side:
        return frame
    scale = max_side / longest
    size = (max(1, round(frame.shape[1] * scale)), max(1, round(frame.shape[0] * scale)))
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
