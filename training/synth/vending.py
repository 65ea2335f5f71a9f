"""Street vending (class 0): stalls, carts and goods occupying the pavement.

Umbrella stalls, canopy stalls, tricycle carts, goods spread on the ground, and goods put out
in front of a shop (店外经营).
"""

from __future__ import annotations

import numpy as np

from training.synth.drawing import Pen, jitter, scale_color
from training.synth.goods import CLOTH, crate_stack, goods_heap, goods_top
from training.synth.people import figure
from training.synth.primitives import Color, Facet, Model, Primitive, vec
from training.synth.shapes import box, cone, flat, panel, shadow, sprite
from training.synth.texts import AFRAME_TEXTS, pick
from training.synth.vehicles import tricycle_base

CANOPY: tuple[Color, ...] = (
    (170, 90, 30),
    (40, 40, 200),
    (235, 235, 235),
    (60, 140, 60),
    (40, 170, 230),
    (150, 60, 60),
)


def _table(rng: np.random.Generator, ppm: float, half_w: float, half_d: float) -> list[Primitive]:
    height = float(rng.uniform(0.7, 0.85))
    parts: list[Primitive] = []
    if rng.random() < 0.5:
        cloth = jitter(rng, CLOTH[int(rng.integers(len(CLOTH)))], 20)
        parts += box((-half_w, half_w), (-half_d, half_d), (0.0, height), cloth)
    else:
        leg = (80, 80, 80)
        for a in (-half_w + 0.03, half_w - 0.07):
            for b in (-half_d + 0.03, half_d - 0.07):
                parts += box((a, a + 0.04), (b, b + 0.04), (0.0, height), leg)
        parts += box((-half_w, half_w), (-half_d, half_d), (height - 0.04, height), (150, 160, 170))
    parts.append(
        flat(
            (-half_w, half_w),
            (-half_d, half_d),
            height + 0.01,
            goods_top(rng, 2 * half_w, 2 * half_d, ppm),
        )
    )
    heap_h = float(rng.uniform(0.15, 0.35))
    parts.append(
        sprite(
            goods_heap(rng, 2 * half_w * 0.9, heap_h, ppm),
            2 * half_w * 0.9,
            heap_h,
            b=0.0,
            z=height,
        )
    )
    return parts


def umbrella_stall(rng: np.random.Generator, ppm: float) -> Model:
    """A table of goods under a big striped umbrella, with the vendor."""
    half_w, half_d = float(rng.uniform(0.5, 1.0)), float(rng.uniform(0.3, 0.45))
    parts: list[Primitive] = [shadow(1.3, 1.0, 0.4)]
    parts += _table(rng, ppm, half_w, half_d)
    c1 = jitter(rng, CANOPY[int(rng.integers(len(CANOPY)))], 10)
    c2 = (235, 235, 235) if rng.random() < 0.6 else jitter(rng, CANOPY[int(rng.integers(6))], 10)
    rim = float(rng.uniform(1.85, 2.1))
    radius = float(rng.uniform(1.0, 1.4))
    parts += box((-0.02, 0.02), (half_d * 0.5, half_d * 0.5 + 0.04), (0.0, rim + 0.4), (60, 60, 60))
    parts += cone((0.0, half_d * 0.5), radius, rim, rim + 0.45, (c1, c2), segments=10)
    parts.append(figure(rng, ppm, vendor=True, a=float(rng.uniform(-0.3, 0.3)), b=half_d + 0.45))
    if rng.random() < 0.5:
        parts += crate_stack(rng, half_w + 0.4, 0.0, int(rng.integers(1, 4)))
    return tuple(parts)


def canopy_stall(rng: np.random.Generator, ppm: float) -> Model:
    """A folding gazebo with a table of goods (and clothes hung at the back)."""
    half = float(rng.uniform(1.0, 1.5))
    top, apex = 2.1, 2.1 + float(rng.uniform(0.3, 0.6))
    color = jitter(rng, CANOPY[int(rng.integers(len(CANOPY)))], 10)
    parts: list[Primitive] = [shadow(half, half, 0.45)]
    for a in (-half, half - 0.05):
        for b in (-half, half - 0.05):
            parts += box((a, a + 0.05), (b, b + 0.05), (0.0, top), (200, 200, 200))
    corners = [
        vec(-half, -half, top),
        vec(half, -half, top),
        vec(half, half, top),
        vec(-half, half, top),
    ]
    peak = vec(0.0, 0.0, apex)
    for i in range(4):
        shade = color if i % 2 == 0 else scale_color(color, 0.9)
        parts.append(
            Facet(np.array([corners[i], corners[(i + 1) % 4], peak]), shade, two_sided=True)
        )
        lo = [c - vec(0, 0, 0.25) for c in (corners[i], corners[(i + 1) % 4])]
        parts.append(
            Facet(
                np.array([corners[i], corners[(i + 1) % 4], lo[1], lo[0]]),
                scale_color(color, 0.85),
                two_sided=True,
            )
        )
    parts += _table(rng, ppm, half * 0.8, 0.35)
    if rng.random() < 0.5:
        pen = Pen(2 * half * 0.9, 1.2, ppm, max_px=256)
        for x in np.arange(0.05, 2 * half * 0.9 - 0.3, 0.32):
            col = jitter(rng, CLOTH[int(rng.integers(len(CLOTH)))], 30)
            pen.poly([(x, 0.1), (x + 0.3, 0.1), (x + 0.28, 1.1), (x + 0.02, 1.1)], col)
            pen.line((float(x) + 0.15, 0.0), (float(x) + 0.15, 0.1), (30, 30, 30), 0.01)
        parts.append(panel((-half * 0.9, half * 0.9), (0.8, 2.0), half - 0.1, pen.done()))
    parts.append(figure(rng, ppm, vendor=True, a=float(rng.uniform(-0.5, 0.5)), b=0.7))
    return tuple(parts)


def tricycle_cart(rng: np.random.Generator, ppm: float) -> Model:
    """A tricycle whose open bed is piled with goods, with a small umbrella and the vendor."""
    color = jitter(rng, CANOPY[int(rng.integers(len(CANOPY)))], 20)
    parts, bed = tricycle_base(rng, color)
    parts.append(
        flat((-0.68, 0.68), (-0.08, 1.48), bed + 0.01, goods_top(rng, 1.36, 1.56, ppm, style=0))
    )
    heap_h = float(rng.uniform(0.25, 0.45))
    parts.append(sprite(goods_heap(rng, 1.3, heap_h, ppm), 1.3, heap_h, b=0.7, z=bed))
    if rng.random() < 0.7:
        rim = bed + 1.5
        parts += box((-0.02, 0.02), (1.3, 1.34), (bed, rim + 0.3), (60, 60, 60))
        c = jitter(rng, CANOPY[int(rng.integers(len(CANOPY)))], 10)
        parts += cone((0.0, 1.3), 0.9, rim, rim + 0.3, (c, (235, 235, 235)), segments=8)
    if rng.random() < 0.5:
        parts.append(_price_board(rng, ppm, 0.75, bed))
    parts.append(figure(rng, ppm, vendor=True, a=0.95, b=0.6))
    return tuple(parts)


def _price_board(rng: np.random.Generator, ppm: float, a: float, z: float) -> Primitive:
    pen = Pen(0.5, 0.35, ppm, max_px=128, opaque=True)
    pen.fill((200, 225, 235))
    price = f"{int(rng.integers(2, 20))}元"
    pen.text(price, (0.03, 0.03, 0.47, 0.32), (30, 30, 200))
    return panel((a - 0.25, a + 0.25), (z, z + 0.35), -0.1, pen.done())


def ground_goods(rng: np.random.Generator, ppm: float) -> Model:
    """Goods spread on a cloth on the pavement, the vendor squatting behind."""
    w, d = float(rng.uniform(1.2, 2.6)), float(rng.uniform(0.8, 1.5))
    parts: list[Primitive] = [
        flat((-w / 2, w / 2), (-d / 2, d / 2), 0.02, goods_top(rng, w, d, ppm), layer=0),
    ]
    for _ in range(int(rng.integers(1, 4))):
        hw = float(rng.uniform(0.3, 0.6))
        hh = float(rng.uniform(0.15, 0.3))
        parts.append(
            sprite(
                goods_heap(rng, hw, hh, ppm),
                hw,
                hh,
                a=float(rng.uniform(-w / 3, w / 3)),
                b=float(rng.uniform(-d / 4, d / 4)),
            )
        )
    parts.append(
        figure(
            rng,
            ppm,
            vendor=True,
            squat=rng.random() < 0.7,
            a=float(rng.uniform(-w / 3, w / 3)),
            b=d / 2 + 0.3,
        )
    )
    if rng.random() < 0.5:
        parts += box((w / 2 + 0.1, w / 2 + 0.4), (0.0, 0.3), (0.0, 0.3), (40, 90, 160))
    return tuple(parts)


def shopfront_display(rng: np.random.Generator, ppm: float) -> Model:
    """Racks and crates of goods put out on the pavement in front of a shop."""
    parts: list[Primitive] = []
    width = float(rng.uniform(1.5, 3.0))
    a = -width / 2
    while a < width / 2 - 0.5:
        if rng.random() < 0.5:
            parts += crate_stack(rng, a + 0.3, 0.2, int(rng.integers(2, 5)))
            parts.append(
                flat(
                    (a, a + 0.6), (0.0, 0.4), 0.3 * 4 + 0.01, goods_top(rng, 0.6, 0.4, ppm, style=0)
                )
            )
            a += 0.7
        else:
            h = float(rng.uniform(1.2, 1.8))
            parts += box((a, a + 0.9), (0.0, 0.45), (0.0, h), (120, 120, 120))
            parts.append(panel((a, a + 0.9), (0.1, h - 0.05), -0.01, _shelf(rng, 0.9, h, ppm)))
            a += 1.0
    if rng.random() < 0.4:
        pen = Pen(0.6, 0.9, ppm, max_px=128, opaque=True)
        pen.fill((230, 230, 230))
        pen.text(pick(rng, AFRAME_TEXTS), (0.05, 0.05, 0.55, 0.85), (40, 40, 200), vertical=True)
        parts.append(panel((width / 2, width / 2 + 0.6), (0.0, 0.9), -0.2, pen.done()))
    return tuple([shadow(width / 2, 0.6, 0.35), *parts])


def _shelf(rng: np.random.Generator, w: float, h: float, ppm: float) -> np.ndarray:
    pen = Pen(w, h, ppm, max_px=128, opaque=True)
    pen.fill((90, 90, 90))
    for y in np.arange(0.05, h - 0.2, 0.3):
        for x in np.arange(0.03, w - 0.1, 0.1):
            col = jitter(rng, CLOTH[int(rng.integers(len(CLOTH)))], 40)
            pen.rect(float(x), float(y), float(x) + 0.08, float(y) + 0.24, col)
        pen.rect(0, float(y) + 0.24, w, float(y) + 0.27, (200, 200, 200))
    return pen.done()
