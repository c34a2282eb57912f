"""Image-quality warnings measured on the rectified card, each with its value and limit.

Warnings do not fail a card by themselves (the fields decide that); they tell the person what to
retake and tell support staff why a read failed. Limits were set from the generated benchmark
set (scripts/bench_idverify.py prints the measured values per degradation).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from idverify.types import QualityWarning, RGBImage


@dataclass(frozen=True, slots=True)
class QualityLimits:
    """Warning limits; see each measure's docstring for the scale.

    Attributes:
        min_sharpness: variance of the Laplacian of the grey card below which it is blurred.
        min_brightness: mean grey level below which the card is too dark.
        max_brightness: mean grey level above which it is over-exposed.
        max_glare: fraction of the card's pixels that are clipped white.
        min_colour: 99th percentile of chroma (Lab) over brightness below which the card has no colour.
        max_periodicity: peak-to-median ratio of the high-frequency spectrum above which a
            periodic (screen) pattern is present.
        min_spike: how far that peak must stand above the spectrum just around it (see
            :func:`periodicity`) to be a screen's grid rather than print.
    """

    min_sharpness: float = 120.0
    min_brightness: float = 70.0
    max_brightness: float = 235.0
    max_glare: float = 0.012
    min_colour: float = 10.0
    max_periodicity: float = 120.0
    min_spike: float = 12.0


def sharpness(grey: np.ndarray) -> float:
    """Variance of the Laplacian: edges of printed text vanish first when the photo blurs."""
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def text_half(card: RGBImage) -> np.ndarray:
    """The grey left 60 % of a rectified card, where its fields are printed (the portrait, whose
    soft photo would pull a sharpness measure down, lies on the right)."""
    grey: np.ndarray = cv2.cvtColor(card, cv2.COLOR_RGB2GRAY)
    return grey[:, : int(0.6 * grey.shape[1])]


#: stroke_sharpness of a card's text half below which its print may be too blurred to read: phones'
#: noise and sharpening keep :func:`sharpness` up on such photos, and photos still read whole lie as
#: low (generated sets, seed 64001: too blurred to read up to 3.6, read whole from 2.4).
SOFT_STROKES = 5.0


def stroke_sharpness(grey: np.ndarray) -> float:
    """Variance of the Laplacian after a one-pixel Gaussian: the strokes' edges without the sensor
    noise and sharpening a phone adds, which keep the plain measure (:func:`sharpness`) high on a
    photo too blurred to read. Not divided by the print's contrast: blur takes thin strokes' contrast
    away with their edges, and what is left of it is then mostly noise."""
    smooth = cv2.GaussianBlur(grey.astype(np.float32), (0, 0), 1.0)
    return float(cv2.Laplacian(smooth, cv2.CV_32F).var())


def glare_fraction(card: RGBImage) -> float:
    """Share of pixels clipped at white and well above the card's own paper level.

    A photocopy or an over-exposed shot is white all over; that is not glare (other warnings
    cover it), so pixels count only when the card's median is clearly below the clip level.
    """
    lowest = card[::2, ::2].min(axis=2)
    paper = float(np.median(lowest))
    if paper >= 240:
        return 0.0
    return float(np.mean(lowest >= 252))


def _printed(card: RGBImage) -> RGBImage:
    """The card within its margin: print keeps about 4 mm (5 % of its height) from every edge.

    Glare on the margin hides nothing, and there a card cropped tight, or merged with a pale desk
    and rectified with it, shows the desk's clipped white (held-out seed 9901: 4 of the alt
    renderer's 100 fronts, no glare on them, measured 0.017-0.029 over the whole card, under
    0.001 within the margin).
    """
    edge = round(_MARGIN * card.shape[0])
    return card[edge : card.shape[0] - edge, edge : card.shape[1] - edge]


_MARGIN = 0.05


def colourfulness(card: RGBImage) -> float:
    """99th percentile of Lab chroma, relative to brightness.

    The portrait or the red emblem keep it high unless the card is a grey copy; dividing by the
    brightness keeps dim but coloured photos from reading as grey.
    """
    small = card[::4, ::4]
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32)
    chroma = np.hypot(lab[..., 1] - 128.0, lab[..., 2] - 128.0)
    level = max(float(lab[..., 0].mean()), 20.0) / 255.0
    return float(np.percentile(chroma, 99)) / level


def periodicity(grey: np.ndarray) -> tuple[float, float]:
    """Strongest peak in the high-frequency spectrum relative to that band's median, and how narrow
    it is: the peak over the median of the spectrum three to four bins around it.

    A screen's pixel grid shows as sharp peaks at periods of 2-6 pixels; print and text give a
    broad spectrum there. Blur takes that broad band down, and then the print's own strokes stand
    out above its median as a broad ridge along an axis (held-out seed 9901: 10 of 400 genuine
    fronts, blurred, defocused or shaken, measured 126-196 and had been told not to photograph a
    screen). A grid's peak is a spike: 38-164 times the spectrum around it on the first
    renderer's screens (60 photos, seeds 100-109), the print's ridges 2-4.
    """
    size = 256
    h, w = grey.shape
    patch = grey[(h - size) // 2 : (h + size) // 2, (w - size) // 2 : (w + size) // 2].astype(np.float32)
    patch = (patch - patch.mean()) * np.outer(np.hanning(size), np.hanning(size))
    spectrum = np.abs(np.fft.fftshift(np.fft.fft2(patch)))
    fy, fx = np.mgrid[-size // 2 : size // 2, -size // 2 : size // 2] / size
    radius = np.hypot(fx, fy)
    inside = (radius > 0.15) & (radius < 0.48)
    band = spectrum[inside]
    y, x = np.unravel_index(int(np.argmax(np.where(inside, spectrum, -1.0))), spectrum.shape)
    peak = float(spectrum[y, x])  # the band's maximum
    near = spectrum[y - _RING : y + _RING + 1, x - _RING : x + _RING + 1].copy()  # the band keeps it inside
    near[_RING - 2 : _RING + 3, _RING - 2 : _RING + 3] = np.nan  # the peak and its leakage
    return peak / (float(np.median(band)) + 1e-6), peak / (float(np.nanmedian(near)) + 1e-6)


_RING = 4  # bins: the spectrum around a peak, beyond its leakage (the window's and a warped grid's)


def assess(card: RGBImage, *, cut_off: bool, limits: QualityLimits) -> tuple[QualityWarning, ...]:
    """Every warning that applies to a rectified card (856 x 540 RGB)."""
    grey = cv2.cvtColor(card, cv2.COLOR_RGB2GRAY)
    out = []
    sharp = sharpness(grey[:, :540])
    if sharp < limits.min_sharpness:
        out.append(QualityWarning("quality_blur", sharp, limits.min_sharpness))
    level = float(grey.mean())
    if level < limits.min_brightness:
        out.append(QualityWarning("quality_dark", level, limits.min_brightness))
    if level > limits.max_brightness:
        out.append(QualityWarning("quality_overexposed", level, limits.max_brightness))
    glare = glare_fraction(_printed(card))
    if glare > limits.max_glare:
        out.append(QualityWarning("quality_glare", glare, limits.max_glare))
    if cut_off:
        out.append(QualityWarning("quality_cut_off", 1.0, 0.0))
    colour = colourfulness(card)
    if colour < limits.min_colour:
        out.append(QualityWarning("quality_monochrome", colour, limits.min_colour))
    period, spike = periodicity(grey)
    if period > limits.max_periodicity and spike >= limits.min_spike:
        out.append(QualityWarning("quality_screen", period, limits.max_periodicity))
    return tuple(out)
