"""Fonts and text: the benchmark's four faces, glyph fallback, letter spacing and address wrapping.

The faces ship in dev-dependency packages and are found through their import specs, so nothing is
downloaded. Text is measured and drawn a glyph (or an untracked run) at a time because cards space their
letters and set digits in another face than the ideographs.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageDraw, ImageFont


def _package_file(package: str, relative: str) -> str:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"font package {package} is not installed (make sync)")
    return str(Path(spec.submodule_search_locations[0]) / relative)


FONT_FILES: dict[str, tuple[str, str]] = {
    "zhengyi": ("imgbox", "font/600.ttf"),  # 江城正义体 600W, a firm humanist Hei
    "sarasa": ("impaper", "res/sarasa-mono-sc-regular.ttf"),  # Sarasa Mono SC (its zero is slashed)
    "serif": ("pylopdf_fonts_zh_cn", "NotoSerifSC-Regular.otf"),  # a Song
    "wqy": ("paperang_p2_fonts_cjk", "fonts/wqy-microhei.ttc"),
}


@functools.cache
def _font(key: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_package_file(*FONT_FILES[key]), size)


@functools.cache
def _has_glyph(key: str, ch: str) -> bool:
    font = _font(key, 24)
    return bytes(font.getmask(ch)) != bytes(font.getmask("\ue000")) or ch == " "


@dataclass(frozen=True)
class _Face:
    """A font choice: the main font, the one digits are drawn in, and faux-bold stroke width."""

    main: str
    digits: str
    stroke: int = 0

    def key_for(self, ch: str) -> str:
        key = self.digits if ch.isascii() and ch.isalnum() else self.main
        for k in (key, "zhengyi", "serif"):
            if _has_glyph(k, ch):
                return k
        return key


@functools.cache
def _char_width(key: str, size: int, ch: str) -> float:
    return _font(key, size).getlength(ch)


def _text_width(text: str, face: _Face, size: int, tracking: float = 0.0) -> float:
    return sum(_char_width(face.key_for(c), size, c) + tracking for c in text) - tracking


def _draw_text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    face: _Face,
    size: int,
    fill: tuple[int, ...],
    tracking: float = 0.0,
) -> float:
    """Draw `text` from (x, baseline y), with `tracking` pixels between characters; returns the end x."""
    x, y = xy
    runs: list[tuple[str, str]] = []  # (font key, text): untracked text is drawn a run at a time
    for ch in text:
        key = face.key_for(ch)
        if runs and runs[-1][0] == key and not tracking:
            runs[-1] = (key, runs[-1][1] + ch)
        else:
            runs.append((key, ch))
    for key, run in runs:
        font = _font(key, size)
        draw.text((x, y), run, font=font, fill=fill, anchor="ls", stroke_width=face.stroke, stroke_fill=fill)
        x += font.getlength(run) + tracking
    return x - tracking


def wrap_address(address: str, face: _Face, size: int, width: float) -> list[str]:
    """Break the address into lines no wider than `width` pixels, by the font's own widths."""
    lines, line = [], ""
    for ch in address:
        if line and _text_width(line + ch, face, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines
