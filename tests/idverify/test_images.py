"""Safe decoding: formats sniffed by content, limits before pixels, reason codes not exceptions."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from idverify.images import ImageLimits, decode_image, decode_video, sniff_format


def _encode(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB", **kw: object) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, 128 if mode == "L" else (200, 30, 30)).save(buf, format=fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_decodes_supported_formats(fmt: str) -> None:
    result = decode_image(_encode(fmt))
    assert result.ok and result.format == fmt
    assert result.pixels is not None and result.pixels.shape == (48, 64, 3)


def test_format_is_sniffed_from_content_not_name() -> None:
    assert sniff_format(_encode("GIF")) is None
    assert decode_image(_encode("GIF")).reason == "image_format_unsupported"
    assert decode_image(b"<svg xmlns='http://www.w3.org/2000/svg'/>").reason == "image_format_unsupported"


def test_empty_input() -> None:
    assert decode_image(b"").reason == "image_empty"


def test_truncated_jpeg_is_corrupt_not_exception() -> None:
    data = _encode("JPEG", (400, 300))
    assert decode_image(data[: len(data) // 2]).reason == "image_corrupt"


def test_garbage_after_magic_is_corrupt() -> None:
    assert decode_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100).reason == "image_corrupt"


def test_byte_limit() -> None:
    assert decode_image(_encode("PNG"), limits=ImageLimits(max_bytes=10)).reason == "image_too_large_bytes"


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge canvas: the decompression-bomb shape."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = zlib.compress(b"\x00" * 1000)
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + struct.pack(">I", len(idat))
        + b"IDAT"
        + idat
        + struct.pack(">I", zlib.crc32(b"IDAT" + idat))
    )


@pytest.mark.parametrize("side", [10_000, 100_000])
def test_decompression_bomb_refused_before_decoding(side: int) -> None:
    assert decode_image(_png_header_only(side, side)).reason == "image_too_large_pixels"


def test_too_small() -> None:
    assert decode_image(_encode("PNG", (10, 10))).reason == "image_too_small"


def test_exif_orientation_applied() -> None:
    img = Image.new("RGB", (80, 40), (0, 0, 255))
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90 CW on display
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    pixels = decode_image(buf.getvalue()).pixels
    assert pixels is not None and pixels.shape[:2] == (80, 40)


def test_palette_and_alpha_flattened_to_rgb() -> None:
    pixels = decode_image(_encode("PNG", mode="RGBA")).pixels
    assert pixels is not None and pixels.shape[2] == 3


@pytest.mark.parametrize(
    ("array", "reason"),
    [
        (np.zeros((0, 0, 3), np.uint8), "image_empty"),
        (np.zeros((50, 50, 3), np.float32), "image_format_unsupported"),
        (np.zeros((50, 50, 5), np.uint8), "image_format_unsupported"),
        (np.zeros((5, 50, 3), np.uint8), "image_too_small"),
    ],
)
def test_bad_arrays(array: np.ndarray, reason: str) -> None:
    assert decode_image(array).reason == reason


def test_grey_array_becomes_rgb() -> None:
    pixels = decode_image(np.full((40, 40), 7, np.uint8)).pixels
    assert pixels is not None and pixels.shape == (40, 40, 3)


def test_large_jpeg_decoded_at_reduced_scale() -> None:
    data = _encode("JPEG", (4000, 3000))
    pixels = decode_image(data, limits=ImageLimits(max_side=1000)).pixels
    assert pixels is not None and 1000 <= max(pixels.shape) < 4000


def test_video_sniffing() -> None:
    assert decode_video(b"not a video at all").reason == "video_format_unsupported"
    assert decode_video(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64).reason == "video_corrupt"
