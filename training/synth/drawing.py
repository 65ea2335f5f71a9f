"""A small 2-D pen for procedural textures, in metres (x right, y down from the top-left).

Textures are BGRA ``uint8``; their resolution follows the level of detail the renderer asks for
(pixels per metre), so the same drawing code serves a distant and a near object. Random *style*
decisions belong to the caller's generator; per-pixel grain comes from a fixed noise tile so the
draw count of a generator never depends on the resolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray

from training.synth.fonts import text_mask
from training.synth.primitives import Color, Texture

MAX_TEXTURE_PX = 512
"""Longest texture side."""

TINY_TEXT_PX = 7
"""Text boxes smaller than this many pixels get blocks instead of glyphs."""

Point = tuple[float, float]
Box = tuple[float, float, float, float]


NOISE_PERIOD = 256
"""Period of the grain pattern in pixels."""


@lru_cache(maxsize=1)
def noise_tile() -> NDArray[np.float32]:
    """Fixed periodic grain in about -60..60, tiled to 1024×1024 (the same in every process)."""
    rng = np.random.default_rng(20240601)
    n = NOISE_PERIOD
    fine = rng.normal(0.0, 14.0, (n, n))
    coarse = cv2.GaussianBlur(np.tile(rng.normal(0.0, 60.0, (n, n)), (3, 3)), (0, 0), 6.0)
    tile = np.clip(fine + coarse[n : 2 * n, n : 2 * n], -60, 60).astype(np.float32)
    big = np.tile(tile, (4, 4))
    big.setflags(write=False)
    return big


@lru_cache(maxsize=8)
def _grain_bytes(strength_pct: int) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Positive and negative parts of the grain × strength, repeated for 3 channels."""
    g = noise_tile() * np.float32(strength_pct / 100.0)
    pos = np.repeat(np.clip(g, 0, 255).astype(np.uint8), 3, axis=1)
    neg = np.repeat(np.clip(-g, 0, 255).astype(np.uint8), 3, axis=1)
    pos.setflags(write=False)
    neg.setflags(write=False)
    return pos, neg


def add_grain(image: NDArray[np.uint8], strength: float, seed: int) -> None:
    """Add periodic grain to the first three channels of ``image`` in place (saturating)."""
    h, w = image.shape[:2]
    oy, ox = (seed * 7919) % NOISE_PERIOD, (seed * 104729) % NOISE_PERIOD
    if image.shape[2] != 3:
        rgb = image[:, :, :3].astype(np.float32)
        rgb += (grain(h, w, seed) * np.float32(strength))[..., None]
        image[:, :, :3] = np.clip(rgb, 0, 255).astype(np.uint8)
        return
    pos, neg = _grain_bytes(round(strength * 100))
    step = noise_tile().shape[0] - NOISE_PERIOD
    for y in range(0, h, step):
        for x in range(0, w, step):
            bh, bw = min(step, h - y), min(step, w - x)
            flat = image[y : y + bh, x : x + bw].reshape(bh, bw * 3)
            gy, gx = (oy + y) % NOISE_PERIOD, ((ox + x) % NOISE_PERIOD) * 3
            cv2.add(flat, pos[gy : gy + bh, gx : gx + bw * 3], dst=flat)
            cv2.subtract(flat, neg[gy : gy + bh, gx : gx + bw * 3], dst=flat)


def grain(height: int, width: int, seed: int) -> NDArray[np.float32]:
    """A ``(height, width)`` window of the periodic grain, offset by ``seed``."""
    big = noise_tile()
    oy, ox = (seed * 7919) % NOISE_PERIOD, (seed * 104729) % NOISE_PERIOD
    if oy + height <= big.shape[0] and ox + width <= big.shape[1]:
        return big[oy : oy + height, ox : ox + width]
    reps = (height // NOISE_PERIOD + 2, width // NOISE_PERIOD + 2)
    return np.tile(big[:NOISE_PERIOD, :NOISE_PERIOD], reps)[oy : oy + height, ox : ox + width]


def jitter(rng: np.random.Generator, color: Color, amount: int = 20) -> Color:
    """A colour with each channel moved by up to ``amount``."""
    d = rng.integers(-amount, amount + 1, size=3).tolist()
    return (_byte(color[0] + d[0]), _byte(color[1] + d[1]), _byte(color[2] + d[2]))


def _byte(x: float) -> int:
    return 0 if x < 0 else 255 if x > 255 else int(x)


def scale_color(color: Color, factor: float) -> Color:
    """A colour brightened or darkened by ``factor``."""
    return (_byte(color[0] * factor), _byte(color[1] * factor), _byte(color[2] * factor))


class Pen:
    """Draws into a new BGRA texture of ``width_m × height_m`` at ``ppm`` pixels per metre."""

    def __init__(
        self,
        width_m: float,
        height_m: float,
        ppm: float,
        max_px: int = MAX_TEXTURE_PX,
        opaque: bool = False,
    ) -> None:
        ppm = min(ppm, max_px / max(width_m, height_m, 1e-6))
        self.width_px = max(2, round(width_m * ppm))
        self.height_px = max(2, round(height_m * ppm))
        self.kx = self.width_px / width_m
        self.ky = self.height_px / height_m
        channels = 3 if opaque else 4
        self.tex: NDArray[np.uint8] = np.zeros((self.height_px, self.width_px, channels), np.uint8)

    def _p(self, x: float, y: float) -> tuple[int, int]:
        return round(x * self.kx * 16), round(y * self.ky * 16)

    def _t(self, thickness_m: float) -> int:
        return max(1, round(thickness_m * self.kx))

    def fill(self, color: Color, alpha: int = 255) -> None:
        """Fill the whole texture."""
        self.tex[:] = (*color, alpha)[: self.tex.shape[2]]

    def rect(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        color: Color,
        *,
        alpha: int = 255,
        thickness_m: float = 0.0,
    ) -> None:
        """A filled (or outlined, with ``thickness_m``) axis-aligned rectangle."""
        if thickness_m > 0:
            pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
            self.polyline(pts, color, thickness_m, closed=True, alpha=alpha)
            return
        c0, c1 = max(0, round(x0 * self.kx)), min(self.width_px, round(x1 * self.kx))
        r0, r1 = max(0, round(y0 * self.ky)), min(self.height_px, round(y1 * self.ky))
        if c1 <= c0 and 0 <= c0 < self.width_px:
            c1 = c0 + 1
        if r1 <= r0 and 0 <= r0 < self.height_px:
            r1 = r0 + 1
        self.tex[r0:r1, c0:c1] = (*color, alpha)[: self.tex.shape[2]]

    def poly(self, pts: Sequence[Point], color: Color, *, alpha: int = 255) -> None:
        """A filled polygon."""
        arr = np.array([self._p(x, y) for x, y in pts], np.int32)
        cv2.fillPoly(self.tex, [arr], (*color, alpha), cv2.LINE_AA, shift=4)

    def polyline(
        self,
        pts: Sequence[Point],
        color: Color,
        thickness_m: float,
        *,
        closed: bool = False,
        alpha: int = 255,
    ) -> None:
        """An open or closed polyline."""
        arr = np.array([self._p(x, y) for x, y in pts], np.int32)
        cv2.polylines(
            self.tex, [arr], closed, (*color, alpha), self._t(thickness_m), cv2.LINE_AA, shift=4
        )

    def line(
        self, p0: Point, p1: Point, color: Color, thickness_m: float, *, alpha: int = 255
    ) -> None:
        """A straight line from ``p0`` to ``p1``."""
        self.polyline([p0, p1], color, thickness_m, alpha=alpha)

    def ellipse(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        color: Color,
        *,
        alpha: int = 255,
        angle: float = 0.0,
        thickness_m: float = 0.0,
        arc: tuple[float, float] = (0.0, 360.0),
    ) -> None:
        """A filled (or outlined) ellipse or arc."""
        axes = (max(1, round(rx * self.kx * 16)), max(1, round(ry * self.ky * 16)))
        thick = self._t(thickness_m) if thickness_m > 0 else -1
        cv2.ellipse(
            self.tex,
            self._p(cx, cy),
            axes,
            angle,
            arc[0],
            arc[1],
            (*color, alpha),
            thick,
            cv2.LINE_AA,
            shift=4,
        )

    def text(self, text: str, box: Box, color: Color, *, vertical: bool = False) -> None:
        """Fit ``text`` into ``box`` (x0, y0, x1, y1; centred), in colour only, alpha untouched."""
        x0, y0, x1, y1 = box
        bw, bh = (x1 - x0) * self.kx, (y1 - y0) * self.ky
        if bw < 3 or bh < 3 or not text:
            return
        if min(bw, bh) < TINY_TEXT_PX:
            self._smudge((x0, y0, x1, y1), color, len(text), vertical)
            return
        if vertical:
            cells = [text_mask(ch, _quantise(min(bw, bh / max(len(text), 1)))) for ch in text]
            width = max(c.shape[1] for c in cells)
            mask = np.concatenate([_pad_width(c, width) for c in cells], axis=0)
        else:
            mask = text_mask(text, _quantise(bh))
        s = min(bw / mask.shape[1], bh / mask.shape[0])
        w, h = max(1, int(mask.shape[1] * s)), max(1, int(mask.shape[0] * s))
        small = np.asarray(cv2.resize(mask, (w, h), interpolation=cv2.INTER_AREA), np.uint8)
        ox = int(x0 * self.kx + (bw - w) / 2)
        oy = int(y0 * self.ky + (bh - h) / 2)
        self._blend(ox, oy, small, color)

    def _smudge(self, box: Box, color: Color, chars: int, vertical: bool) -> None:
        """Text too small to read: one block per character, as a distant sign shows it."""
        x0, y0, x1, y1 = box
        n = max(1, chars)
        for k in range(n):
            if vertical:
                step = (y1 - y0) / n
                self.rect(
                    x0 + (x1 - x0) * 0.15,
                    y0 + k * step + step * 0.15,
                    x1 - (x1 - x0) * 0.15,
                    y0 + (k + 1) * step - step * 0.15,
                    color,
                )
            else:
                step = (x1 - x0) / n
                self.rect(
                    x0 + k * step + step * 0.15,
                    y0 + (y1 - y0) * 0.2,
                    x0 + (k + 1) * step - step * 0.15,
                    y1 - (y1 - y0) * 0.2,
                    color,
                )

    def _blend(self, ox: int, oy: int, mask: NDArray[np.uint8], color: Color) -> None:
        h, w = mask.shape
        x0, y0 = max(ox, 0), max(oy, 0)
        x1, y1 = min(ox + w, self.width_px), min(oy + h, self.height_px)
        if x1 <= x0 or y1 <= y0:
            return
        m = mask[y0 - oy : y1 - oy, x0 - ox : x1 - ox].astype(np.float32)[..., None] / 255.0
        region = self.tex[y0:y1, x0:x1, :3].astype(np.float32)
        col = np.array(color, np.float32)
        self.tex[y0:y1, x0:x1, :3] = (region + (col - region) * m).astype(np.uint8)

    def grain(self, strength: float, seed: int) -> None:
        """Add luminance grain (``strength`` ≈ 0..1) to the colour channels."""
        add_grain(self.tex, strength, seed)

    def gradient(self, top: float, bottom: float) -> None:
        """Multiply the colour channels by a vertical ramp from ``top`` to ``bottom``."""
        ramp = np.linspace(top, bottom, self.height_px, dtype=np.float32)[:, None, None]
        rgb = self.tex[:, :, :3].astype(np.float32) * ramp
        self.tex[:, :, :3] = np.clip(rgb, 0, 255).astype(np.uint8)

    def done(self) -> Texture:
        """The finished, read-only texture."""
        self.tex.setflags(write=False)
        return self.tex


def _quantise(px: float) -> int:
    """Round a glyph size to a few steps so the text-mask cache stays small."""
    steps = (8, 12, 16, 24, 32, 48, 64, 96)
    return next((s for s in steps if s >= px), steps[-1])


def _pad_width(mask: NDArray[np.uint8], width: int) -> NDArray[np.uint8]:
    pad = width - mask.shape[1]
    return np.pad(mask, ((0, 0), (pad // 2, pad - pad // 2))) if pad > 0 else mask
