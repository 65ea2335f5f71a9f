"""Helpers that build primitives for object models in local metres (see :mod:`primitives`).

Boxes and prisms of flat-coloured facets, umbrella cones, upright panels, flat rectangles,
camera-facing sprites and soft ground shadows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import cv2
import numpy as np

from training.synth.primitives import Color, Facet, FloatArray, Quad, Sprite, Texture, vec


def box(
    a: tuple[float, float],
    b: tuple[float, float],
    z: tuple[float, float],
    color: Color,
    *,
    top: Color | None = None,
    front: Color | None = None,
) -> list[Facet]:
    """The six outward faces of an axis-aligned local box ``a × b × z`` (front is ``b = b0``)."""
    (a0, a1), (b0, b1), (z0, z1) = sorted(a), sorted(b), sorted(z)
    c = [vec(a0, b0, z0), vec(a1, b0, z0), vec(a1, b1, z0), vec(a0, b1, z0)]
    d = [p + vec(0.0, 0.0, z1 - z0) for p in c]
    faces = [
        ([d[0], d[1], d[2], d[3]], top or color),
        ([c[0], c[3], c[2], c[1]], color),
        ([c[0], c[1], d[1], d[0]], front or color),
        ([c[1], c[2], d[2], d[1]], color),
        ([c[2], c[3], d[3], d[2]], color),
        ([c[3], c[0], d[0], d[3]], color),
    ]
    return [Facet(np.array(pts), col) for pts, col in faces]


def _outward(points: FloatArray, centre: FloatArray) -> FloatArray:
    p = points.tolist()
    a = [p[1][i] - p[0][i] for i in range(3)]
    b = [p[2][i] - p[0][i] for i in range(3)]
    n = (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])
    c = centre.tolist()
    k = len(p)
    d = sum(n[i] * (sum(q[i] for q in p) / k - c[i]) for i in range(3))
    return points if d >= 0 else points[::-1]


def cone(
    centre: tuple[float, float],
    radius: float,
    z_rim: float,
    z_apex: float,
    colors: Sequence[Color],
    *,
    segments: int = 10,
) -> list[Facet]:
    """An umbrella-like cone of triangular gores, colours cycling per gore (two-sided)."""
    ca, cb = centre
    apex = vec(ca, cb, z_apex)
    out: list[Facet] = []
    for i in range(segments):
        t0, t1 = 2 * math.pi * i / segments, 2 * math.pi * (i + 1) / segments
        p0 = vec(ca + radius * math.cos(t0), cb + radius * math.sin(t0), z_rim)
        p1 = vec(ca + radius * math.cos(t1), cb + radius * math.sin(t1), z_rim)
        out.append(Facet(np.array([apex, p0, p1]), colors[i % len(colors)], two_sided=True))
    return out


def panel(
    a: tuple[float, float],
    z: tuple[float, float],
    b: float,
    texture: Texture,
    *,
    two_sided: bool = True,
    back: Texture | None = None,
    emissive: bool = False,
) -> Quad:
    """A vertical textured panel at depth ``b`` facing the front (texture upright)."""
    return Quad(
        vec(a[0], b, z[1]),
        vec(a[1] - a[0], 0.0, 0.0),
        vec(0.0, 0.0, z[0] - z[1]),
        texture,
        two_sided,
        back,
        emissive=emissive,
    )


def flat(
    a: tuple[float, float],
    b: tuple[float, float],
    z: float,
    texture: Texture,
    *,
    layer: int = 1,
    counts: bool = True,
) -> Quad:
    """A horizontal textured rectangle at height ``z`` (texture top edge at the front)."""
    return Quad(
        vec(a[0], b[0], z),
        vec(a[1] - a[0], 0.0, 0.0),
        vec(0.0, b[1] - b[0], 0.0),
        texture,
        True,
        None,
        layer,
        counts,
    )


def sprite(
    texture: Texture,
    width: float,
    height: float,
    *,
    a: float = 0.0,
    b: float = 0.0,
    z: float = 0.0,
    counts: bool = True,
) -> Sprite:
    """A camera-facing sprite standing at local ``(a, b, z)``."""
    return Sprite(vec(a, b, z), width, height, texture, counts)


@lru_cache(maxsize=8)
def _shadow_texture(strength_pct: int) -> Texture:
    tex = np.zeros((32, 32, 4), np.uint8)
    cv2.ellipse(tex, (16, 16), (12, 12), 0, 0, 360, (0, 0, 0, 255), -1)
    alpha = cv2.GaussianBlur(tex[:, :, 3], (0, 0), 3.0).astype(np.float32)
    tex[:, :, 3] = (alpha * strength_pct / 100.0).astype(np.uint8)
    tex.setflags(write=False)
    return tex


def shadow(half_a: float, half_b: float, strength: float = 0.45) -> Quad:
    """A soft dark ellipse on the ground under an object (does not count as the object)."""
    tex = _shadow_texture(round(100 * min(max(strength, 0.0), 1.0)))
    return flat(
        (-half_a * 1.3, half_a * 1.3),
        (-half_b * 1.3, half_b * 1.3),
        0.01,
        tex,
        layer=0,
        counts=False,
    )


def prism(
    bottom: tuple[float, float, float, float],
    top: tuple[float, float, float, float],
    z: tuple[float, float],
    color: Color,
    *,
    top_color: Color | None = None,
    side_color: Color | None = None,
) -> list[Facet]:
    """A convex solid between horizontal rectangles ``(a0, a1, b0, b1)`` at ``z0`` and ``z1``."""

    def corners(r: tuple[float, float, float, float], h: float) -> list[FloatArray]:
        return [vec(r[0], r[2], h), vec(r[1], r[2], h), vec(r[1], r[3], h), vec(r[0], r[3], h)]

    c, d = corners(bottom, z[0]), corners(top, z[1])
    centre = np.mean(np.array(c + d), axis=0)
    faces = [
        ([d[0], d[1], d[2], d[3]], top_color or color),
        ([c[0], c[1], d[1], d[0]], color),
        ([c[2], c[3], d[3], d[2]], color),
        ([c[1], c[2], d[2], d[1]], side_color or color),
        ([c[3], c[0], d[0], d[3]], side_color or color),
    ]
    return [Facet(_outward(np.array(p), centre), col) for p, col in faces]
