"""Merchandise textures: goods seen from above, heaps of goods seen from the side, crates."""

from __future__ import annotations

import numpy as np

from training.synth.drawing import Pen, jitter, scale_color
from training.synth.primitives import Color, Facet, Texture
from training.synth.shapes import box

FRUIT: tuple[Color, ...] = (
    (40, 40, 200),
    (30, 140, 240),
    (40, 210, 230),
    (60, 160, 60),
    (40, 90, 160),
    (120, 60, 140),
    (50, 200, 120),
    (30, 60, 190),
)
CLOTH: tuple[Color, ...] = (
    (200, 60, 40),
    (40, 40, 190),
    (60, 150, 60),
    (210, 210, 210),
    (60, 60, 60),
    (40, 150, 210),
    (160, 60, 150),
    (90, 130, 180),
)
CRATE: tuple[Color, ...] = ((40, 40, 200), (180, 100, 30), (60, 150, 60), (40, 170, 220))


def goods_top(
    rng: np.random.Generator, width: float, depth: float, ppm: float, style: int | None = None
) -> Texture:
    """Goods laid out and seen from above: fruit, clothes, shoes or packets on a cloth."""
    pen = Pen(width, depth, ppm, max_px=256, opaque=True)
    style = int(rng.integers(0, 4)) if style is None else style
    pen.fill(jitter(rng, CLOTH[int(rng.integers(len(CLOTH)))], 25))
    if style == 0:
        _fruit_boxes(pen, rng, width, depth)
    elif style == 1:
        _folded_clothes(pen, rng, width, depth)
    elif style == 2:
        _shoes(pen, rng, width, depth)
    else:
        _packets(pen, rng, width, depth)
    pen.grain(0.3, int(rng.integers(0, 2**31)))
    return pen.done()


def _fruit_boxes(pen: Pen, rng: np.random.Generator, w: float, d: float) -> None:
    n = max(1, int(w / 0.45))
    for i in range(n):
        x0 = i * w / n + 0.03
        x1 = (i + 1) * w / n - 0.03
        pen.rect(x0, 0.03, x1, d - 0.03, (60, 110, 150))
        col = FRUIT[int(rng.integers(len(FRUIT)))]
        r = float(rng.uniform(0.035, 0.07))
        for y in np.arange(0.05 + r, d - 0.05, r * 1.8):
            for x in np.arange(x0 + r, x1 - r / 2, r * 1.8):
                pen.ellipse(
                    float(x), float(y), r, r, scale_color(col, float(rng.uniform(0.8, 1.15)))
                )


def _folded_clothes(pen: Pen, rng: np.random.Generator, w: float, d: float) -> None:
    for x in np.arange(0.05, w - 0.3, 0.35):
        for y in np.arange(0.05, d - 0.25, 0.3):
            col = jitter(rng, CLOTH[int(rng.integers(len(CLOTH)))], 30)
            pen.rect(float(x), float(y), float(x) + 0.3, float(y) + 0.25, col)
            pen.line(
                (float(x), float(y) + 0.12),
                (float(x) + 0.3, float(y) + 0.12),
                scale_color(col, 0.8),
                0.01,
            )


def _shoes(pen: Pen, rng: np.random.Generator, w: float, d: float) -> None:
    for x in np.arange(0.1, w - 0.2, 0.3):
        for y in np.arange(0.1, d - 0.1, 0.35):
            col = jitter(rng, CLOTH[int(rng.integers(len(CLOTH)))], 30)
            pen.ellipse(float(x), float(y), 0.05, 0.13, col)
            pen.ellipse(float(x) + 0.12, float(y), 0.05, 0.13, col)


def _packets(pen: Pen, rng: np.random.Generator, w: float, d: float) -> None:
    for _ in range(int(w * d * 40)):
        x, y = float(rng.uniform(0, w)), float(rng.uniform(0, d))
        col = jitter(rng, CLOTH[int(rng.integers(len(CLOTH)))], 40)
        pen.rect(x, y, x + float(rng.uniform(0.06, 0.2)), y + float(rng.uniform(0.06, 0.15)), col)


def goods_heap(rng: np.random.Generator, width: float, height: float, ppm: float) -> Texture:
    """A mound of round goods (fruit, vegetables, toys) seen from the side."""
    pen = Pen(width, height, ppm, max_px=256)
    cols = [FRUIT[int(i)] for i in rng.integers(0, len(FRUIT), size=3)]
    r = float(rng.uniform(0.04, 0.07))
    for y in np.arange(height - r, r * 0.5, -r * 1.4):
        frac = 1.0 - (height - y) / height
        half = width / 2 * (0.35 + 0.65 * frac)
        for x in np.arange(width / 2 - half + r, width / 2 + half - r / 2, r * 1.7):
            col = cols[int(rng.integers(3))]
            pen.ellipse(float(x), float(y), r, r, scale_color(col, float(rng.uniform(0.75, 1.2))))
    return pen.done()


def crate_stack(rng: np.random.Generator, a: float, b: float, levels: int) -> list[Facet]:
    """Plastic crates stacked at local ``(a, b)``."""
    col = jitter(rng, CRATE[int(rng.integers(len(CRATE)))], 15)
    out: list[Facet] = []
    for k in range(levels):
        z0 = k * 0.3
        out += box(
            (a - 0.3, a + 0.3),
            (b - 0.2, b + 0.2),
            (z0, z0 + 0.28),
            col,
            top=(60, 110, 150) if k == levels - 1 else col,
        )
    return out
