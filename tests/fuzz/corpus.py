"""The image fuzz corpus, generated at test time (no binary blobs in git): what phones and attackers
can send as a card photo or a liveness frame.

Each case is ``name -> bytes``. Real photos are stood in for by a drawn picture (a grey card on a
textured background): what matters here is the container, not the content.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib

import numpy as np
from PIL import Image

from scripts.bench_memory import png_of_zeros

MB = 1024 * 1024


def _picture(width: int = 320, height: int = 240) -> Image.Image:
    ys, xs = np.mgrid[0:height, 0:width]
    pixels = np.stack([xs * 255 // width, ys * 255 // height, (xs + ys) % 256], axis=2).astype(np.uint8)
    pixels[height // 4 : 3 * height // 4, width // 4 : 3 * width // 4] = (200, 190, 180)
    return Image.fromarray(pixels, "RGB")


def _save(img: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **options)
    return buf.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(header: bytes, idat: bytes) -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _declared_only_png(width: int, height: int) -> bytes:
    """A PNG header declaring a huge image with almost no data (a decompression bomb's header)."""
    return _png(struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0), zlib.compress(bytes(1000)))


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("readme.txt", "not an image")
    return buf.getvalue()


def _exif_jpeg(orientation: int) -> bytes:
    img = _picture(480, 320)
    exif = Image.Exif()
    exif[0x0112] = orientation
    return _save(img, "JPEG", exif=exif.tobytes())


HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'


@functools.cache
def corpus() -> dict[str, bytes]:
    """Every case, by name (built once per test process)."""
    picture = _picture()
    jpeg, png = _save(picture, "JPEG", quality=85), _save(picture, "PNG")
    cases = {
        "zero_bytes": b"",
        "one_byte": b"\xff",
        "jpeg_magic_only": b"\xff\xd8\xff",
        "truncated_jpeg": jpeg[: len(jpeg) // 2],
        "truncated_png": png[: len(png) // 2],
        "png_header_only": png[:33],
        "bomb_png_declared_60000x60000": _declared_only_png(60_000, 60_000),
        "bomb_png_1bit_6300x6300": png_of_zeros(6300, 6300),
        "bomb_png_1bit_12000x12000": png_of_zeros(12_000, 12_000, level=1),  # 144 MP
        "fifty_mb_jpeg": jpeg + bytes(50 * MB - len(jpeg)),
        "cmyk_jpeg": _save(picture.convert("CMYK"), "JPEG"),
        "grey_jpeg": _save(picture.convert("L"), "JPEG"),
        "progressive_jpeg": _save(picture, "JPEG", progressive=True),
        "png_16bit_grey": _save(Image.fromarray(np.full((240, 320), 40000, dtype=np.uint16)), "PNG"),
        "png_16bit_rgb": png_of_zeros(320, 240, bit_depth=16, color_type=2),
        "png_palette": _save(picture.convert("P", palette=Image.Palette.ADAPTIVE), "PNG"),
        "png_palette_transparent": _save(picture.convert("P"), "PNG", transparency=0),
        "png_rgba": _save(picture.convert("RGBA"), "PNG"),
        "png_1bit": _save(picture.convert("1"), "PNG"),
        "webp": _save(picture, "WEBP"),
        "tiny_png_1x1": _save(Image.new("RGB", (1, 1)), "PNG"),
        "gif": _save(picture, "GIF"),
        "bmp": _save(picture, "BMP"),
        "tiff": _save(picture, "TIFF"),
        "svg": SVG,
        "html": HTML,
        "zip": _zip(),
        "polyglot_jpeg_zip": jpeg + _zip(),
        "polyglot_png_html": png + HTML,
        "polyglot_jpeg_magic_html": b"\xff\xd8\xff\xe0" + HTML,
        "polyglot_gif_html": b"GIF89a" + HTML,
        "mp4_magic_junk": b"\x00\x00\x00\x18ftypmp42" + bytes(2000),
    }
    for orientation in range(1, 9):
        cases[f"exif_orientation_{orientation}"] = _exif_jpeg(orientation)
    return cases
