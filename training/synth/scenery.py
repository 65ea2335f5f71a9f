"""Untracked street furniture: trees, lamp posts, utility poles, electric boxes, railings.

Scenery occludes tracked objects like anything else but has no truth entry. Poles, trees and
boxes are also where posters get stuck, so the placement code reuses their positions.
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache

import numpy as np

from training.synth.drawing import Pen, jitter, scale_color
from training.synth.primitives import Model, Primitive
from training.synth.shapes import box, panel, shadow, sprite


class Scenery(str, Enum):
    """Kinds of untracked street furniture."""

    TREE = "tree"
    LAMP = "lamp"
    UTILITY_POLE = "utility_pole"
    ELECTRIC_BOX = "electric_box"
    RAILING = "railing"
    BOLLARD = "bollard"


POOL = 24
"""Scenery comes in this many looks per kind, built once per process and shared."""


def pooled_scenery(kind: Scenery, style_seed: int, ppm: float, width: float) -> Model:
    """A scenery model from a small shared pool of looks (fast and deterministic)."""
    return _pooled(kind, style_seed % POOL, ppm, round(width, 1))


@lru_cache(maxsize=1024)
def _pooled(kind: Scenery, variant: int, ppm: float, width: float) -> Model:
    index = list(Scenery).index(kind)
    return build_scenery(kind, np.random.default_rng([index, variant]), ppm, width)


def build_scenery(kind: Scenery, rng: np.random.Generator, ppm: float, width: float) -> Model:
    """The local model of one scenery item (``width`` is used by railings)."""
    builders = {
        Scenery.TREE: _tree,
        Scenery.LAMP: _lamp,
        Scenery.UTILITY_POLE: _utility_pole,
        Scenery.ELECTRIC_BOX: _electric_box,
        Scenery.RAILING: _railing,
        Scenery.BOLLARD: _bollard,
    }
    return tuple(builders[kind](rng, ppm, width))


def _tree(rng: np.random.Generator, ppm: float, width: float) -> list[Primitive]:
    del width
    height = float(rng.uniform(4.5, 9.0))
    crown_w = float(rng.uniform(2.5, 5.0))
    crown_h = float(rng.uniform(2.5, 4.5))
    trunk = jitter(rng, (60, 80, 100), 15)
    out: list[Primitive] = [shadow(crown_w * 0.4, crown_w * 0.4, 0.35)]
    pen = Pen(crown_w, height, ppm, max_px=256)
    mid = crown_w / 2
    pen.poly(
        [
            (mid - 0.1, height - crown_h),
            (mid + 0.1, height - crown_h),
            (mid + 0.13, height),
            (mid - 0.13, height),
        ],
        trunk,
    )
    pen.line((mid, height - crown_h * 0.2), (mid + crown_w * 0.25, crown_h * 0.5), trunk, 0.06)
    base = jitter(rng, (50, 110, 70), 20)
    for _ in range(int(rng.integers(14, 24))):
        x, y = float(rng.uniform(0.15, 0.85)) * crown_w, float(rng.uniform(0.2, 0.85)) * crown_h
        r = float(rng.uniform(0.12, 0.25)) * crown_w
        pen.ellipse(x, y, r, r * 0.8, scale_color(base, float(rng.uniform(0.6, 1.3))))
    pen.grain(0.6, int(rng.integers(0, 2**31)))
    out.append(sprite(pen.done(), crown_w, height))
    return out


def _lamp(rng: np.random.Generator, ppm: float, width: float) -> list[Primitive]:
    del ppm, width
    height = float(rng.uniform(6.0, 10.0))
    col = jitter(rng, (110, 110, 110), 30)
    out: list[Primitive] = []
    out += box((-0.07, 0.07), (-0.07, 0.07), (0.0, height), col)
    out += box((-0.04, 0.04), (-1.6, 0.0), (height - 0.1, height), col)
    out += box((-0.15, 0.15), (-1.8, -1.3), (height - 0.25, height - 0.05), (210, 210, 200))
    return out


def _utility_pole(rng: np.random.Generator, ppm: float, width: float) -> list[Primitive]:
    del ppm, width
    height = float(rng.uniform(7.0, 11.0))
    col = jitter(rng, (150, 155, 160), 15)
    out: list[Primitive] = []
    out += box((-0.13, 0.13), (-0.13, 0.13), (0.0, height), col)
    out += box((-0.9, 0.9), (-0.05, 0.05), (height - 0.8, height - 0.65), (70, 70, 70))
    return out


def _electric_box(rng: np.random.Generator, ppm: float, width: float) -> list[Primitive]:
    del ppm, width
    w, d, h = (
        float(rng.uniform(0.8, 1.4)),
        float(rng.uniform(0.4, 0.6)),
        float(rng.uniform(1.1, 1.7)),
    )
    col = jitter(rng, (160, 165, 160), 20) if rng.random() < 0.6 else (110, 140, 95)
    out: list[Primitive] = [shadow(w / 2, d / 2, 0.4)]
    out += box(
        (-w / 2, w / 2),
        (-d / 2, d / 2),
        (0.1, h),
        col,
        top=scale_color(col, 1.1),
        front=scale_color(col, 0.95),
    )
    return out


def _railing(rng: np.random.Generator, ppm: float, width: float) -> list[Primitive]:
    height = float(rng.uniform(0.85, 1.1))
    pen = Pen(width, height, ppm, max_px=512)
    white, blue = (235, 235, 235), jitter(rng, (160, 110, 40), 20)
    pen.rect(0, 0, width, 0.08, white)
    pen.rect(0, height * 0.75, width, height * 0.8, white)
    step = 0.18
    for x in np.arange(0.05, width, step):
        pen.line(
            (float(x), 0.05),
            (float(x), height * 0.78),
            blue if int(x / step) % 4 == 0 else white,
            0.03,
        )
    for x in np.arange(0.0, width, 2.0):
        pen.rect(float(x), 0, float(x) + 0.08, height, blue)
    return [panel((-width / 2, width / 2), (0.0, height), 0.0, pen.done())]


def _bollard(rng: np.random.Generator, ppm: float, width: float) -> list[Primitive]:
    del ppm, width
    col = (40, 170, 220) if rng.random() < 0.5 else (150, 150, 150)
    return list(box((-0.08, 0.08), (-0.08, 0.08), (0.0, 0.8), col))
