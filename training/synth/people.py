"""People as camera-facing sprites: pedestrians, vendors (standing or squatting), bag carriers."""

from __future__ import annotations

import numpy as np

from training.synth.drawing import Pen, jitter, scale_color
from training.synth.primitives import Color, Model, Primitive, Sprite
from training.synth.shapes import shadow, sprite

SKIN: tuple[Color, ...] = ((140, 175, 215), (120, 160, 205), (100, 140, 185), (150, 185, 225))
HAIR: tuple[Color, ...] = ((20, 20, 25), (30, 30, 35), (40, 50, 70), (150, 150, 150))
CLOTHES: tuple[Color, ...] = (
    (40, 40, 40),
    (220, 220, 220),
    (140, 80, 30),
    (40, 40, 160),
    (60, 120, 60),
    (150, 150, 150),
    (30, 60, 120),
    (180, 130, 90),
    (90, 30, 110),
    (60, 160, 200),
    (200, 190, 60),
)
BAG_COLORS: tuple[Color, ...] = (
    (235, 235, 235),
    (40, 40, 200),
    (200, 120, 30),
    (60, 140, 200),
    (30, 30, 30),
    (120, 180, 80),
)


def _pick(rng: np.random.Generator, options: tuple[Color, ...], amount: int = 15) -> Color:
    return jitter(rng, options[int(rng.integers(len(options)))], amount)


def figure(
    rng: np.random.Generator,
    ppm: float,
    *,
    squat: bool = False,
    bags: int = 0,
    vendor: bool = False,
    a: float = 0.0,
    b: float = 0.0,
) -> Sprite:
    """One person standing (or squatting) at local ``(a, b)``, turned towards the camera."""
    height = float(rng.uniform(1.55, 1.85)) * (0.62 if squat else 1.0)
    width = 0.9 if bags else 0.65
    pen = Pen(width, height, ppm, max_px=192)
    skin, hair = _pick(rng, SKIN, 8), _pick(rng, HAIR, 8)
    shirt, trousers = _pick(rng, CLOTHES, 25), _pick(rng, CLOTHES[:6], 15)
    cx = width / 2
    stride = float(rng.uniform(0.0, 0.18)) if not squat else 0.0
    if squat:
        _squat_body(pen, cx, height, shirt, trousers)
    else:
        _standing_body(pen, cx, height, stride, shirt=shirt, trousers=trousers)
    head_r = 0.105
    head_y = head_r + 0.03
    pen.ellipse(cx, head_y, head_r * 0.9, head_r, skin)
    pen.ellipse(cx, head_y - head_r * 0.35, head_r * 0.95, head_r * 0.7, hair, arc=(180, 360))
    if vendor and rng.random() < 0.5:
        pen.ellipse(cx, head_y - head_r * 0.5, head_r * 1.8, head_r * 0.35, (90, 170, 200))
    elif rng.random() < 0.15:
        pen.ellipse(cx, head_y - head_r * 0.6, head_r, head_r * 0.5, _pick(rng, CLOTHES, 10))
    if vendor and rng.random() < 0.6:
        apron = jitter(rng, (200, 120, 40) if rng.random() < 0.5 else (230, 230, 230), 15)
        top = 0.3 if not squat else 0.25
        pen.rect(cx - 0.14, top, cx + 0.14, min(height, top + 0.55), apron)
    for k in range(bags):
        _bag(pen, rng, cx + (0.32 if k == 0 else -0.32), height, squat)
    return sprite(pen.done(), width, height, a=a, b=b)


def _standing_body(
    pen: Pen, cx: float, h: float, stride: float, *, shirt: Color, trousers: Color
) -> None:
    hip, shoulder = h * 0.52, h * 0.18
    pen.poly(
        [
            (cx - 0.13, hip),
            (cx - 0.02, hip),
            (cx - 0.04 - stride / 2, h - 0.04),
            (cx - 0.14 - stride / 2, h - 0.04),
        ],
        trousers,
    )
    pen.poly(
        [
            (cx + 0.02, hip),
            (cx + 0.13, hip),
            (cx + 0.14 + stride / 2, h - 0.04),
            (cx + 0.04 + stride / 2, h - 0.04),
        ],
        scale_color(trousers, 0.85),
    )
    pen.ellipse(cx - 0.09 - stride / 2, h - 0.03, 0.07, 0.03, (30, 30, 30))
    pen.ellipse(cx + 0.09 + stride / 2, h - 0.03, 0.07, 0.03, (30, 30, 30))
    pen.poly(
        [
            (cx - 0.19, shoulder),
            (cx + 0.19, shoulder),
            (cx + 0.16, hip + 0.04),
            (cx - 0.16, hip + 0.04),
        ],
        shirt,
    )
    sleeve = scale_color(shirt, 0.85)
    pen.line((cx - 0.2, shoulder + 0.04), (cx - 0.24, hip + 0.02), sleeve, 0.08)
    pen.line((cx + 0.2, shoulder + 0.04), (cx + 0.24, hip + 0.02), sleeve, 0.08)
    pen.rect(cx - 0.04, shoulder - 0.05, cx + 0.04, shoulder + 0.01, (120, 150, 190))


def _squat_body(pen: Pen, cx: float, h: float, shirt: Color, trousers: Color) -> None:
    pen.poly(
        [
            (cx - 0.25, h * 0.62),
            (cx + 0.25, h * 0.62),
            (cx + 0.22, h - 0.04),
            (cx - 0.22, h - 0.04),
        ],
        trousers,
    )
    pen.ellipse(cx - 0.16, h * 0.62, 0.1, 0.08, scale_color(trousers, 1.1))
    pen.ellipse(cx + 0.16, h * 0.62, 0.1, 0.08, scale_color(trousers, 1.1))
    pen.poly(
        [(cx - 0.19, 0.24), (cx + 0.19, 0.24), (cx + 0.17, h * 0.66), (cx - 0.17, h * 0.66)], shirt
    )
    pen.line((cx - 0.2, 0.28), (cx - 0.12, h * 0.6), scale_color(shirt, 0.85), 0.08)
    pen.line((cx + 0.2, 0.28), (cx + 0.12, h * 0.6), scale_color(shirt, 0.85), 0.08)


def _bag(pen: Pen, rng: np.random.Generator, x: float, h: float, squat: bool) -> None:
    color = _pick(rng, BAG_COLORS, 10)
    top = h * (0.5 if not squat else 0.55)
    bw, bh = float(rng.uniform(0.18, 0.28)), float(rng.uniform(0.22, 0.34))
    pen.ellipse(x, top, 0.05, 0.06, color, thickness_m=0.02, arc=(180, 360))
    pen.poly(
        [
            (x - bw / 2, top + 0.04),
            (x + bw / 2, top + 0.04),
            (x + bw / 2 + 0.02, top + bh),
            (x - bw / 2 - 0.02, top + bh),
        ],
        color,
    )
    pen.line(
        (x - bw / 4, top + 0.08), (x - bw / 5, top + bh - 0.03), scale_color(color, 0.85), 0.015
    )


def pedestrian(rng: np.random.Generator, ppm: float, bags: bool) -> Model:
    """A walking person, with one or two shopping bags when ``bags``."""
    parts: list[Primitive] = [shadow(0.3, 0.25, 0.35)]
    parts.append(figure(rng, ppm, bags=int(rng.integers(1, 3)) if bags else 0))
    return tuple(parts)
