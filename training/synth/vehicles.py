"""Vehicles: cars (solid boxes), parked bicycles and e-bikes (side-view panels), tricycles."""

from __future__ import annotations

import numpy as np

from training.synth.drawing import Pen, jitter, scale_color
from training.synth.primitives import Color, Model, Primitive
from training.synth.shapes import box, panel, prism, shadow
from training.synth.texts import TRICYCLE_TEXTS, pick

CAR_COLORS: tuple[Color, ...] = (
    (235, 235, 235),
    (190, 190, 195),
    (30, 30, 30),
    (40, 40, 170),
    (140, 90, 40),
    (90, 90, 95),
    (200, 200, 210),
    (60, 130, 180),
)
GLASS: Color = (70, 55, 45)
TYRE: Color = (25, 25, 25)
SHARED_BIKE: tuple[Color, ...] = ((30, 200, 250), (210, 140, 30), (90, 190, 60), (40, 40, 220))


def car(rng: np.random.Generator, ppm: float) -> Model:
    """A saloon, hatchback or van as boxes; front faces the local front."""
    del ppm
    body = jitter(rng, CAR_COLORS[int(rng.integers(len(CAR_COLORS)))], 10)
    length, width = float(rng.uniform(4.0, 4.9)), float(rng.uniform(1.7, 1.9))
    van = rng.random() < 0.2
    hl, hw = length / 2, width / 2
    parts: list[Primitive] = [shadow(hw + 0.1, hl, 0.55)]
    for a in (-hw + 0.05, hw - 0.25):
        for b in (-hl + 0.8, hl - 0.8):
            parts += box((a, a + 0.2), (b - 0.33, b + 0.33), (0.0, 0.62), TYRE)
    parts += box((-hw, hw), (-hl, hl), (0.3, 0.95), body, top=scale_color(body, 1.05))
    if van:
        parts += prism(
            (-hw + 0.05, hw - 0.05, -hl + 0.6, hl),
            (-hw + 0.1, hw - 0.1, -hl + 1.0, hl),
            (0.95, 1.9),
            GLASS,
            top_color=body,
            side_color=scale_color(body, 0.95),
        )
    else:
        parts += prism(
            (-hw + 0.1, hw - 0.1, -hl + 1.3, hl - 0.7),
            (-hw + 0.22, hw - 0.22, -hl + 2.0, hl - 1.2),
            (0.95, 1.45),
            GLASS,
            top_color=body,
        )
    for a in (-hw + 0.15, hw - 0.45):
        parts += box((a, a + 0.3), (-hl - 0.01, -hl + 0.05), (0.65, 0.8), (200, 230, 240))
    parts += box((-0.3, 0.3), (hl - 0.02, hl + 0.01), (0.45, 0.58), (200, 200, 200))
    return tuple(parts)


def bicycle(rng: np.random.Generator, ppm: float) -> Model:
    """A shared bike or an e-bike seen side-on (a two-sided panel across its length)."""
    ebike = rng.random() < 0.45
    length, height = (1.75, 1.15) if ebike else (1.7, 1.1)
    pen = Pen(length, height, ppm, max_px=192)
    color = (
        jitter(rng, CAR_COLORS[int(rng.integers(len(CAR_COLORS)))], 20)
        if ebike
        else SHARED_BIKE[int(rng.integers(len(SHARED_BIKE)))]
    )
    r = 0.3 if not ebike else 0.25
    for x in (r + 0.05, length - r - 0.05):
        pen.ellipse(x, height - r, r, r, TYRE, thickness_m=0.05 if not ebike else 0.08)
        pen.ellipse(x, height - r, 0.05, 0.05, (150, 150, 150))
    rear, front = (r + 0.05, height - r), (length - r - 0.05, height - r)
    if ebike:
        pen.poly(
            [
                (0.25, height - 0.55),
                (length - 0.55, height - 0.45),
                (length - 0.4, 0.25),
                (length - 0.3, 0.25),
                (length - 0.45, height - 0.25),
                (0.35, height - 0.25),
            ],
            color,
        )
        pen.rect(0.2, height - 0.75, 0.85, height - 0.6, (30, 30, 30))
        pen.line((length - 0.35, 0.25), (length - 0.5, 0.12), (40, 40, 40), 0.04)
        pen.rect(0.05, height - 0.8, 0.3, height - 0.6, jitter(rng, (40, 40, 40), 20))
    else:
        seat = (0.62, 0.28)
        pen.polyline([rear, (0.85, height - r), seat, rear], color, 0.04)
        pen.polyline([(0.85, height - r), (length - 0.5, 0.3), front], color, 0.04)
        pen.line(
            (seat[0] - 0.1, seat[1] - 0.03), (seat[0] + 0.12, seat[1] - 0.03), (20, 20, 20), 0.05
        )
        pen.line((seat[0], seat[1]), (length - 0.5, 0.3), color, 0.04)
        pen.rect(length - 0.45, 0.3, length - 0.15, 0.55, color, thickness_m=0.02)
        pen.line((length - 0.55, 0.22), (length - 0.4, 0.22), (30, 30, 30), 0.04)
    tex = pen.done()
    return (
        shadow(0.2, length * 0.45, 0.3),
        panel((-length / 2, length / 2), (0.0, height), 0.0, tex),
    )


def tricycle_base(rng: np.random.Generator, color: Color) -> tuple[list[Primitive], float]:
    """Chassis, wheels and rider seat of an electric tricycle; returns (parts, bed height)."""
    del rng
    bed = 0.6
    parts: list[Primitive] = [shadow(0.75, 1.2, 0.45)]
    for a in (-0.62, 0.52):
        parts += box((a, a + 0.1), (0.55, 1.05), (0.0, 0.5), TYRE)
    parts += box((-0.05, 0.05), (-1.15, -0.75), (0.0, 0.5), TYRE)
    parts += box((-0.7, 0.7), (-0.1, 1.5), (bed - 0.08, bed), scale_color(color, 0.6))
    parts += box((-0.25, 0.25), (-0.9, -0.1), (0.4, 0.9), color)
    parts += box((-0.22, 0.22), (-0.5, -0.15), (0.9, 1.0), (30, 30, 30))
    parts += box((-0.35, 0.35), (-1.05, -0.98), (1.05, 1.1), (40, 40, 40))
    parts += box((-0.04, 0.04), (-1.05, -0.95), (0.5, 1.1), (60, 60, 60))
    return parts, bed


def delivery_tricycle(rng: np.random.Generator, ppm: float) -> Model:
    """A parked delivery tricycle with a closed cargo box (a look-alike of a vending cart)."""
    color = jitter(
        rng,
        [(160, 90, 20), (240, 240, 240), (60, 140, 60), (40, 40, 200)][int(rng.integers(4))],
        15,
    )
    parts, bed = tricycle_base(rng, color)
    top = bed + float(rng.uniform(0.9, 1.2))
    parts += box((-0.7, 0.7), (0.0, 1.5), (bed, top), color, top=scale_color(color, 1.05))
    pen = Pen(1.5, top - bed, ppm, max_px=192, opaque=True)
    pen.fill(color)
    stripe = (30, 30, 200) if color[2] < 150 else (160, 90, 20)
    pen.rect(0, 0.1, 1.5, 0.25, stripe)
    pen.text(
        pick(rng, TRICYCLE_TEXTS),
        (0.15, 0.35, 1.35, top - bed - 0.15),
        (255, 255, 255) if sum(color) < 450 else (40, 40, 40),
    )
    tex = pen.done()
    for side in (-1, 1):
        a = side * 0.71
        parts.append(_side_panel(a, side, bed, top, tex))
    return tuple(parts)


def _side_panel(a: float, side: int, z0: float, z1: float, tex: np.ndarray) -> Primitive:
    from training.synth.primitives import Quad, vec  # noqa: PLC0415 - keep the header short

    b0, b1 = (1.5, 0.0) if side < 0 else (0.0, 1.5)
    return Quad(
        vec(a, b0, z1), vec(0.0, b1 - b0, 0.0), vec(0.0, 0.0, z0 - z1), tex, two_sided=False
    )
