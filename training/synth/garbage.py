"""Exposed garbage (class 1): heaps, bag piles, overflowing bins, scattered litter.

Also the clean, closed bin: a look-alike that must not be labelled.
"""

from __future__ import annotations

import numpy as np

from training.synth.drawing import Pen, jitter, scale_color
from training.synth.primitives import Color, Facet, Model, Primitive, Texture, vec
from training.synth.shapes import box, flat, panel, shadow, sprite

BAGS: tuple[Color, ...] = (
    (25, 25, 25),
    (30, 60, 30),
    (230, 230, 230),
    (170, 110, 40),
    (40, 40, 170),
    (170, 200, 210),
    (40, 160, 200),
)
LITTER: tuple[Color, ...] = (
    (240, 240, 240),
    (40, 40, 200),
    (30, 150, 220),
    (200, 200, 200),
    (60, 110, 160),
    (160, 120, 60),
    (50, 160, 80),
    (20, 20, 20),
)
BINS: tuple[tuple[Color, str], ...] = (
    ((160, 100, 30), "可回收物"),
    ((70, 70, 70), "其他垃圾"),
    ((60, 130, 50), "厨余垃圾"),
    ((40, 40, 190), "有害垃圾"),
)


def bag_texture(rng: np.random.Generator, width: float, height: float, ppm: float) -> Texture:
    """One tied plastic bag or woven sack seen from the side."""
    pen = Pen(width, height, ppm, max_px=128)
    col = jitter(rng, BAGS[int(rng.integers(len(BAGS)))], 12)
    knot = float(rng.uniform(0.1, 0.2)) * height
    w, h = width, height
    pen.poly(
        [
            (w * 0.42, knot),
            (w * 0.58, knot),
            (w * 0.95, h * 0.45),
            (w, h * 0.8),
            (w * 0.85, h),
            (w * 0.15, h),
            (0, h * 0.8),
            (w * 0.05, h * 0.45),
        ],
        col,
    )
    pen.poly([(w * 0.4, 0), (w * 0.5, knot * 1.2), (w * 0.6, 0)], scale_color(col, 0.9))
    pen.ellipse(
        w * 0.35, h * 0.55, w * 0.12, h * 0.18, scale_color(col, 1.5 if sum(col) < 300 else 1.12)
    )
    for _ in range(3):
        x = float(rng.uniform(0.2, 0.8)) * w
        pen.line(
            (x, h * 0.35),
            (x + float(rng.uniform(-0.1, 0.1)) * w, h * 0.9),
            scale_color(col, 0.75),
            0.01,
        )
    if col == BAGS[-1] or rng.random() < 0.2:
        for y in np.arange(h * 0.3, h, h * 0.12):
            pen.line((w * 0.1, float(y)), (w * 0.9, float(y)), (40, 40, 180), 0.015)
    return pen.done()


def litter_texture(
    rng: np.random.Generator, width: float, depth: float, ppm: float, density: float
) -> Texture:
    """Loose litter on the ground, seen from above (transparent between items)."""
    pen = Pen(width, depth, ppm, max_px=256)
    n = int(width * depth * density)
    for _ in range(n):
        x, y = float(rng.uniform(0.05, width - 0.05)), float(rng.uniform(0.05, depth - 0.05))
        col = jitter(rng, LITTER[int(rng.integers(len(LITTER)))], 20)
        kind = int(rng.integers(0, 3))
        if kind == 0:
            s = float(rng.uniform(0.06, 0.2))
            pen.poly(
                [(x, y), (x + s, y + s * 0.2), (x + s * 0.8, y + s), (x - s * 0.2, y + s * 0.7)],
                col,
            )
        elif kind == 1:
            pen.ellipse(x, y, 0.04, 0.11, col, angle=float(rng.uniform(0, 180)))
        else:
            pen.rect(x, y, x + float(rng.uniform(0.1, 0.3)), y + float(rng.uniform(0.08, 0.2)), col)
    return pen.done()


def _bags(
    rng: np.random.Generator,
    ppm: float,
    count: int,
    spread: float,
    *,
    z: float = 0.0,
    b: float = 0.0,
) -> list[Primitive]:
    out: list[Primitive] = []
    for _ in range(count):
        w = float(rng.uniform(0.45, 0.85))
        h = w * float(rng.uniform(0.8, 1.2))
        out.append(
            sprite(
                bag_texture(rng, w, h, ppm),
                w,
                h,
                a=float(rng.uniform(-spread, spread)),
                b=b + float(rng.uniform(-spread, spread)) * 0.6,
                z=z,
            )
        )
    return out


def garbage_bags(rng: np.random.Generator, ppm: float) -> Model:
    """A pile of tied rubbish bags dumped on the pavement."""
    spread = float(rng.uniform(0.3, 0.8))
    parts: list[Primitive] = [shadow(spread + 0.3, spread * 0.7 + 0.2, 0.4)]
    parts.append(
        flat(
            (-spread - 0.4, spread + 0.4),
            (-spread, spread),
            0.01,
            litter_texture(rng, 2 * spread + 0.8, 2 * spread, ppm, 12.0),
            layer=0,
        )
    )
    parts += _bags(rng, ppm, int(rng.integers(3, 9)), spread)
    parts += _bags(rng, ppm, int(rng.integers(0, 4)), spread * 0.5, z=0.3, b=spread * 0.2)
    return tuple(parts)


def heap_texture(
    rng: np.random.Generator, width: float, height: float, ppm: float, debris: bool
) -> Texture:
    """A lumpy mound of refuse (or bricks and sand) seen from the side."""
    pen = Pen(width, height, ppm, max_px=256)
    base = jitter(rng, (120, 150, 170), 15) if debris else jitter(rng, (60, 75, 85), 20)
    for _ in range(9):
        cx = float(rng.uniform(0.2, 0.8)) * width
        top = height * (1.0 - float(rng.uniform(0.55, 1.0)) * float(np.sin(np.pi * cx / width)))
        rx = float(rng.uniform(0.18, 0.32)) * width
        pen.ellipse(cx, height, rx, height - top, scale_color(base, float(rng.uniform(0.8, 1.2))))
    for _ in range(int(width * 14)):
        x = float(rng.uniform(0.12, 0.88)) * width
        y = height * (1 - float(rng.uniform(0.0, 0.75)) * float(np.sin(np.pi * x / width)))
        s = float(rng.uniform(0.06, 0.22))
        if debris:
            col = jitter(rng, (40, 70, 170), 25) if rng.random() < 0.7 else (200, 200, 200)
            pen.rect(x - s, y - s * 0.4, x + s, y + s * 0.2, col)
            continue
        col = jitter(rng, LITTER[int(rng.integers(len(LITTER)))], 25)
        if rng.random() < 0.4:
            pen.ellipse(x, y, s, s * 0.8, jitter(rng, BAGS[int(rng.integers(len(BAGS)))], 10))
        else:
            pen.poly(
                [
                    (x - s, y),
                    (x + s * 0.6, y - s * 0.7),
                    (x + s, y + s * 0.3),
                    (x - s * 0.4, y + s * 0.4),
                ],
                col,
            )
    pen.grain(0.5, int(rng.integers(0, 2**31)))
    return pen.done()


def garbage_heap(rng: np.random.Generator, ppm: float) -> Model:
    """A heap of mixed refuse or construction debris."""
    width = float(rng.uniform(1.2, 3.0))
    height = width * float(rng.uniform(0.35, 0.6))
    debris = rng.random() < 0.3
    parts: list[Primitive] = [shadow(width / 2, width / 3, 0.5)]
    parts.append(
        flat(
            (-width * 0.8, width * 0.8),
            (-width * 0.5, width * 0.5),
            0.01,
            litter_texture(rng, width * 1.6, width, ppm, 10.0),
            layer=0,
        )
    )
    parts.append(sprite(heap_texture(rng, width, height, ppm, debris), width, height))
    side_w = width * float(rng.uniform(0.5, 0.8))
    parts.append(
        sprite(
            heap_texture(rng, side_w, height * 0.7, ppm, debris),
            side_w,
            height * 0.7,
            a=width * 0.35,
            b=-width * 0.2,
        )
    )
    if not debris:
        parts += _bags(rng, ppm, int(rng.integers(1, 5)), width / 3, b=-width * 0.25)
    return tuple(parts)


def _bin(rng: np.random.Generator, ppm: float, a: float, lid_open: bool) -> list[Primitive]:
    color, label = BINS[int(rng.integers(len(BINS)))]
    w, d, h = 0.58, 0.72, float(rng.uniform(0.95, 1.1))
    parts: list[Primitive] = []
    parts += box((a - w / 2, a + w / 2), (-d / 2, d / 2), (0.05, h), color, front=color)
    for x in (a - w / 2 + 0.02, a + w / 2 - 0.1):
        parts += box((x, x + 0.08), (d / 2 - 0.15, d / 2), (0.0, 0.16), (20, 20, 20))
    pen = Pen(w * 0.9, 0.3, ppm, max_px=128, opaque=True)
    pen.fill((230, 230, 230))
    pen.text(label, (0.02, 0.02, w * 0.9 - 0.02, 0.28), color)
    parts.append(
        panel(
            (a - w * 0.45, a + w * 0.45),
            (h - 0.45, h - 0.15),
            -d / 2 - 0.005,
            pen.done(),
            two_sided=False,
        )
    )
    lid = scale_color(color, 0.9)
    if lid_open:
        parts.append(
            Facet(
                np.array(
                    [
                        vec(a - w / 2, d / 2, h),
                        vec(a + w / 2, d / 2, h),
                        vec(a + w / 2, d / 2 + 0.1, h + 0.7),
                        vec(a - w / 2, d / 2 + 0.1, h + 0.7),
                    ]
                ),
                lid,
                two_sided=True,
            )
        )
    else:
        parts += box(
            (a - w / 2 - 0.02, a + w / 2 + 0.02), (-d / 2 - 0.03, d / 2 + 0.02), (h, h + 0.05), lid
        )
    return parts


def overflowing_bin(rng: np.random.Generator, ppm: float) -> Model:
    """A wheelie bin with its lid up, bags heaped on and around it."""
    n = int(rng.integers(1, 3))
    parts: list[Primitive] = [shadow(0.4 * n + 0.3, 0.6, 0.45)]
    parts.append(
        flat((-1.2, 1.2), (-0.9, 0.9), 0.01, litter_texture(rng, 2.4, 1.8, ppm, 15.0), layer=0)
    )
    for k in range(n):
        a = (k - (n - 1) / 2) * 0.7
        parts += _bin(rng, ppm, a, lid_open=True)
        for _ in range(int(rng.integers(1, 3))):
            parts += _bags(rng, ppm, 1, 0.15, z=0.75, b=0.0)
    parts += _bags(rng, ppm, int(rng.integers(2, 7)), 0.4 * n + 0.3, b=-0.35)
    return tuple(parts)


def scattered_litter(rng: np.random.Generator, ppm: float) -> Model:
    """Litter strewn over the pavement (lies flat; hardest to see from afar)."""
    w, d = float(rng.uniform(1.5, 3.5)), float(rng.uniform(1.0, 2.0))
    parts: list[Primitive] = [
        flat((-w / 2, w / 2), (-d / 2, d / 2), 0.01, litter_texture(rng, w, d, ppm, 30.0))
    ]
    for _ in range(int(rng.integers(1, 4))):
        s = float(rng.uniform(0.15, 0.3))
        parts.append(
            sprite(
                bag_texture(rng, s, s, ppm),
                s,
                s,
                a=float(rng.uniform(-w / 3, w / 3)),
                b=float(rng.uniform(-d / 3, d / 3)),
            )
        )
    return tuple(parts)


def clean_bin(rng: np.random.Generator, ppm: float) -> Model:
    """One or two closed bins on clean ground (a negative)."""
    n = int(rng.integers(1, 4))
    parts: list[Primitive] = [shadow(0.4 * n, 0.5, 0.4)]
    for k in range(n):
        parts += _bin(rng, ppm, (k - (n - 1) / 2) * 0.7, lid_open=False)
    return tuple(parts)
