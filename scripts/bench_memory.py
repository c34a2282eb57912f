"""Peak memory of a verification job on the worst uploads the service accepts.

Each case runs in a fresh subprocess that first loads the engines as ``flask worker`` does
(``pipeline.warm_up``), then passes the uploads through the engine seam the jobs call
(``IdverifyEngine.precheck`` at upload, ``read_cards`` for the card job, ``verify`` with the cards
already read for the liveness job), and reports its peak RSS (``ru_maxrss``) before and after.

"Worst accepted" means what passes the upload checks (8 MB a file; a card photo up to 40 MP and a
liveness frame up to 8.4 MP, read from the header) while decoding to the most bytes a pixel:
PNGs of zeros compress to a few KB whatever size they declare (the issue's twelve 6300 x 6300 1-bit
frames were 59 KB and took a job to 1.76 GB).

    python -m scripts.bench_memory            # every case
    python -m scripts.bench_memory --case frames_rgba_png
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import resource
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAME_SIDE = 2898  # 8.4 MP, VERIFY_MAX_FRAME_PIXELS
CARD_SIDE = 6300  # 39.7 MP, under VERIFY_MAX_CARD_PIXELS (40 MP)
FRAMES = 12


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_of_zeros(
    width: int, height: int, *, bit_depth: int = 1, color_type: int = 0, level: int = 9
) -> bytes:
    """A valid PNG of ``width`` x ``height`` zero pixels, written row by row without decoding anything:
    a few KB that declare any size. ``color_type`` 0 is grey, 2 RGB, 6 RGBA."""
    channels = {0: 1, 2: 3, 6: 4}[color_type]
    row = bytes(1 + (width * bit_depth * channels + 7) // 8)  # filter byte + packed samples
    compressor = zlib.compressobj(level)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _jpeg(side: int) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (side, side), (128, 128, 128)).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def _small_jpeg() -> bytes:
    return _jpeg(640)


def _clip(frames: int = 300, size: tuple[int, int] = (1920, 1080)) -> bytes:
    """An MP4 (MPEG-4 Part 2) of ``frames`` full-HD frames: a flat picture compresses to almost nothing,
    so the 20 MB upload limit does not bound how many pixels a clip holds."""
    import tempfile

    import cv2
    import numpy as np

    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/clip.mp4"
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"mp4v"), 30, size)
        for i in range(frames):
            writer.write(np.full((size[1], size[0], 3), 100 + i % 50, np.uint8))
        writer.release()
        return Path(path).read_bytes()


CARDS: dict[str, Callable[[], bytes]] = {
    "typical": lambda: _jpeg(1600),
    "cards_1bit_png": lambda: png_of_zeros(CARD_SIDE, CARD_SIDE),
    "cards_rgba_png": lambda: png_of_zeros(CARD_SIDE, CARD_SIDE, bit_depth=8, color_type=6),
    "cards_jpeg": lambda: _jpeg(CARD_SIDE),
}
FRAME_CASES: dict[str, Callable[[], bytes]] = {
    "typical": _small_jpeg,
    "frames_1bit_png": lambda: png_of_zeros(FRAME_SIDE, FRAME_SIDE),
    "frames_rgba_png": lambda: png_of_zeros(FRAME_SIDE, FRAME_SIDE, bit_depth=8, color_type=6),
    "frames_jpeg": lambda: _jpeg(FRAME_SIDE),
    "video_1080p_300": _clip,  # one clip instead of frames
}
CASES = ["typical", *[c for c in CARDS if c != "typical"], *[c for c in FRAME_CASES if c != "typical"]]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def run_case(case: str) -> dict[str, float | str]:
    """Inside the child: load the engines, then run the case's uploads through the job's code path."""
    from idverify.pipeline import warm_up
    from service.verification.engine import CardInputs, EngineInputs, IdverifyEngine

    card = CARDS.get(case, CARDS["typical"])()
    frame = FRAME_CASES.get(case, FRAME_CASES["typical"])()
    engine = IdverifyEngine()
    warm_up()
    loaded = _peak_mb()
    start = time.perf_counter()
    inputs = CardInputs(card, card, "测试", None, dt.date(2026, 11, 29))
    for side in ("front", "back"):
        engine.precheck(card, side)
    cards = engine.read_cards(inputs)
    live = frame if case.startswith("video") else tuple([frame] * FRAMES)
    result = engine.verify(EngineInputs(inputs, live, ("blink", "turn_left"), cards))
    return {
        "case": case,
        "upload_kb": round(
            (2 * len(card) + len(frame) * (1 if isinstance(live, bytes) else FRAMES)) / 1024, 1
        ),
        "models_loaded_mb": round(loaded, 1),
        "peak_mb": round(_peak_mb(), 1),
        "seconds": round(time.perf_counter() - start, 1),
        "reasons": ",".join(result.reasons),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, help="one case (default: every case, each in a subprocess)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.case)))
        return
    print(f"{'case':<18} {'upload':>9} {'models':>8} {'peak RSS':>9} {'time':>6}  reasons")
    for case in [args.case] if args.case else CASES:
        child = subprocess.run(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "scripts.bench_memory", "--case", case, "--child"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(child.stdout.strip().splitlines()[-1])
        sizes = f"{row['upload_kb']:>7} KB {row['models_loaded_mb']:>5} MB {row['peak_mb']:>6} MB"
        print(f"{row['case']:<18} {sizes} {row['seconds']:>5}s  {row['reasons']}", flush=True)


if __name__ == "__main__":
    main()
