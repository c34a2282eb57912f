"""Decoding at reduced size, so that no accepted upload drives a job past its memory bound: PNGs are
reduced in their own mode before any RGB copy, and a clip keeps only its sampled frames, reduced."""

from __future__ import annotations

import io
import subprocess
import sys

import cv2
import numpy as np
import pytest
from PIL import Image

from idverify.images import ImageLimits, decode_image, decode_video
from scripts.bench_memory import png_of_zeros


@pytest.mark.parametrize(("bit_depth", "color_type"), [(1, 0), (8, 0), (8, 2), (8, 6), (16, 2)])
def test_a_large_png_comes_out_at_about_the_side_asked_for(bit_depth, color_type):
    data = png_of_zeros(4000, 3000, bit_depth=bit_depth, color_type=color_type)
    pixels = decode_image(data, limits=ImageLimits(max_side=960)).pixels
    assert pixels is not None and pixels.dtype == np.uint8
    assert pixels.shape[2] == 3 and 960 <= max(pixels.shape[:2]) < 2 * 960


def test_a_png_within_twice_the_side_keeps_its_size():
    pixels = decode_image(png_of_zeros(1500, 1000), limits=ImageLimits(max_side=960)).pixels
    assert pixels is not None and pixels.shape[:2] == (1000, 1500)


def test_reducing_a_palette_png_keeps_its_colours():
    img = Image.new("P", (3000, 2000))
    img.putpalette([0, 0, 0, 250, 20, 20] + [0] * 762)
    img.paste(1, (0, 0, 3000, 2000))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    pixels = decode_image(buf.getvalue(), limits=ImageLimits(max_side=960)).pixels
    assert pixels is not None and tuple(pixels[10, 10]) == (250, 20, 20)


def test_decoding_the_issues_frame_stays_small():
    """A 6300 x 6300 1-bit PNG (4.9 KB) decoded for liveness: was a 119 MB RGB array, now ~3 MB."""
    code = (
        "import resource; from idverify.images import ImageLimits, decode_image;"
        "from scripts.bench_memory import png_of_zeros; data = png_of_zeros(6300, 6300);"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
        "pixels = decode_image(data, limits=ImageLimits(max_side=960)).pixels;"
        "print(pixels.nbytes, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)"
    )
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    nbytes, grown_kb = map(int, child.stdout.split())
    assert nbytes < 4 * 1024 * 1024
    # The child measures its own growth: the 1-bit image in its own mode (40 MB) and a reduced copy.
    assert grown_kb < 80 * 1024


def _clip(path, frames: int, size: tuple[int, int]) -> bytes:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 15, size)
    for i in range(frames):
        frame = np.full((size[1], size[0], 3), (i * 5) % 255, np.uint8)
        writer.write(frame)
    writer.release()
    return path.read_bytes()


def test_a_clip_keeps_only_its_sample_reduced(tmp_path):
    data = _clip(tmp_path / "clip.mp4", 40, (1280, 720))
    video = decode_video(data, max_frames=12, limits=ImageLimits(max_side=640))
    assert video.reason is None and len(video.frames) == 12
    assert all(frame.shape == (360, 640, 3) for frame in video.frames)
    shades = [int(frame[0, 0, 0]) for frame in video.frames]
    assert shades == sorted(shades) and shades[0] < 10 and shades[-1] > 150  # first to last, in order


def test_a_short_clip_keeps_every_frame(tmp_path):
    video = decode_video(_clip(tmp_path / "clip.mp4", 5, (320, 240)), max_frames=12)
    assert video.reason is None and len(video.frames) == 5 and video.frames[0].shape == (240, 320, 3)
