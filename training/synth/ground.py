"""The ground plane: road, markings, curbs and sidewalks drawn as top-down texture tiles.

The street is cut into tiles ``TILE_M`` metres long. Each visible tile becomes one textured
:class:`~training.synth.primitives.Quad` on the ground, drawn at a resolution that follows its
distance from the camera (a coarse level of detail standing in for mip-mapping), so near asphalt
has grain and far markings do not alias. Everything drawn is a function of street coordinates,
so neighbouring tiles and successive video frames agree.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from training.synth.drawing import add_grain, scale_color
from training.synth.primitives import Color, Quad, Texture
from training.synth.street import SIDES, Street

TILE_M = 16.0
"""Tile length along the street, metres."""

BASE_RES_M = 0.035
"""Metres per texture pixel at the finest level."""

WHITE: Color = (225, 228, 230)
YELLOW: Color = (40, 170, 220)


def tile_res(level: int) -> float:
    """Metres per pixel at a detail level."""
    return BASE_RES_M * 2.0**level


def ground_tile(street: Street, s0: float, length: float, level: int) -> Quad:
    """The textured ground quad covering ``s0 .. s0 + length`` at detail ``level``."""
    half = street.half_extent
    res = tile_res(level)
    margin = 2 * res  # neighbouring tiles overlap so no seam pixel is left unpainted
    tex = draw_tile(street, s0 - margin, s0 + length + margin, res)
    es, et = street.axes()
    origin = street.world(s0 - margin, half)
    return Quad(origin, es * (length + 2 * margin), -et * (2 * half), tex, two_sided=False, layer=0)


def draw_tile(street: Street, s0: float, s1: float, res: float) -> Texture:
    """Top-down BGR texture of the ground between ``s0`` and ``s1`` (x along s, y = -t)."""
    half = street.half_extent
    w, h = max(2, round((s1 - s0) / res)), max(2, round(2 * half / res))
    tex = np.empty((h, w, 3), np.uint8)
    tex[:] = street.asphalt
    g = _Tile(tex, s0, s1, half, res)
    rng = np.random.default_rng([street.seed, round(s0 * 10) & 0xFFFFFFFF])
    _sidewalks(street, g)
    _bike_lanes(street, g)
    g.add_grain(0.45, int(rng.integers(0, 2**31)))
    _stains(street, g, rng, s0, s1)
    _markings(street, g, s0, s1, rng)
    _paving(street, g, s0, s1)
    _curbs(street, g, s0, s1)
    _pits(street, g, s0, s1)
    tex.setflags(write=False)
    return tex


class _Tile:
    """Street-coordinate drawing helpers on one tile's texture."""

    def __init__(self, tex: np.ndarray, s0: float, s1: float, half: float, res: float) -> None:
        self.tex, self.s0, self.s1, self.half, self.res = tex, s0, s1, half, res

    def xy(self, s: float, t: float) -> tuple[int, int]:
        return round((s - self.s0) / self.res * 16), round((self.half - t) / self.res * 16)

    def rect(self, s0: float, s1: float, t0: float, t1: float, color: Color) -> None:
        a, b = self.xy(s0, max(t0, t1)), self.xy(s1, min(t0, t1))
        pts = np.array([a, (b[0], a[1]), b, (a[0], b[1])], np.int32)
        cv2.fillConvexPoly(self.tex, pts, color, cv2.LINE_AA, shift=4)

    def line_s(self, s0: float, s1: float, t: float, color: Color, width_m: float) -> None:
        px = max(1, round(width_m / self.res))
        if width_m / self.res < 0.7:
            color = _blend(color, self.tex[min(self.tex.shape[0] - 1, self.xy(s0, t)[1] // 16), 0])
        cv2.line(self.tex, self.xy(s0, t), self.xy(s1, t), color, px, cv2.LINE_AA, shift=4)

    def line_t(self, s: float, t0: float, t1: float, color: Color, width_m: float) -> None:
        px = max(1, round(width_m / self.res))
        cv2.line(self.tex, self.xy(s, t0), self.xy(s, t1), color, px, cv2.LINE_AA, shift=4)

    def add_grain(self, strength: float, seed: int) -> None:
        add_grain(self.tex, strength, seed)


def _blend(a: Color, b: np.ndarray) -> Color:
    return (
        int((a[0] + int(b[0])) // 2),
        int((a[1] + int(b[1])) // 2),
        int((a[2] + int(b[2])) // 2),
    )


def _sidewalks(street: Street, g: _Tile) -> None:
    s0, s1 = g.s0 - 1, g.s1 + 1
    for side in SIDES:
        inner = side * street.road_half
        g.rect(s0, s1, inner, side * (g.half + 1), street.pavement)
        g.rect(
            s0, s1, street.facade_t(side), side * (g.half + 1), scale_color(street.pavement, 0.8)
        )


def _bike_lanes(street: Street, g: _Tile) -> None:
    if street.bike_lane <= 0 or street.bike_color == (90, 90, 92):
        return
    s0, s1 = g.s0 - 1, g.s1 + 1
    for side in SIDES:
        t_out = side * street.road_half
        g.rect(s0, s1, t_out, t_out - side * street.bike_lane, street.bike_color)


def _dashes(s0: float, s1: float, on: float, period: float) -> list[tuple[float, float]]:
    first = math.floor(s0 / period)
    return [(k * period, k * period + on) for k in range(first, math.ceil(s1 / period) + 1)]


def _markings(street: Street, g: _Tile, s0: float, s1: float, rng: np.random.Generator) -> None:
    worn = scale_color(WHITE, float(rng.uniform(0.75, 1.0)))
    if street.double_yellow:
        for off in (-0.15, 0.15):
            g.line_s(s0, s1, off, YELLOW, 0.15)
    elif street.lanes > 1 or street.bike_lane > 0:
        for a, b in _dashes(s0, s1, 4.0, 10.0):
            g.line_s(a, b, 0.0, worn, 0.15)
    motor_half = street.road_half - street.bike_lane
    lane_w = motor_half / street.lanes
    for side in SIDES:
        for k in range(1, street.lanes):
            for a, b in _dashes(s0, s1, 4.0, 10.0):
                g.line_s(a, b, side * k * lane_w, worn, 0.15)
        if street.bike_lane > 0:
            g.line_s(s0, s1, side * motor_half, worn, 0.15)
    _crosswalk(street, g, s0, s1, worn)


def _crosswalk(street: Street, g: _Tile, s0: float, s1: float, color: Color) -> None:
    period = 120.0
    start = math.floor(s0 / period) * period + 60.0 + (street.seed % 40)
    if not s0 - 6 <= start <= s1 + 6:
        return
    t = -street.road_half + 0.3
    while t < street.road_half - 0.6:
        g.rect(start, start + 4.0, t, t + 0.45, color)
        t += 0.9
    g.rect(start - 1.6, start - 1.2, -street.road_half, 0.0, color)


def _paving(street: Street, g: _Tile, s0: float, s1: float) -> None:
    joint = scale_color(street.pavement, 0.8)
    spacing = street.tile_m
    if spacing / g.res < 3:
        return
    for side in SIDES:
        inner, outer = side * street.road_half, street.facade_t(side)
        k = math.floor(s0 / spacing)
        while k * spacing <= s1:
            g.line_t(k * spacing, inner, outer, joint, 0.01)
            k += 1
        t = street.road_half
        while t < abs(outer):
            g.line_s(s0, s1, side * t, joint, 0.01)
            t += spacing
        if street.tactile:
            t0 = side * (street.road_half + min(1.0, street.sidewalk(side) * 0.4))
            g.rect(s0, s1, t0, t0 + side * 0.3, (40, 175, 215))


def _curbs(street: Street, g: _Tile, s0: float, s1: float) -> None:
    for side in SIDES:
        t = side * street.road_half
        g.rect(s0, s1, t, t + side * 0.18, (175, 178, 180))
        g.line_s(s0, s1, t - side * 0.04, scale_color(street.asphalt, 0.6), 0.08)
        for a, _ in _dashes(s0, s1, 0.6, 30.0):
            g.rect(a, a + 0.6, t - side * 0.05, t - side * 0.45, (40, 40, 42))


def _pits(street: Street, g: _Tile, s0: float, s1: float) -> None:
    for s, side in street.trees:
        if s0 - 1 <= s <= s1 + 1:
            t = side * (street.road_half + 0.9)
            g.rect(s - 0.6, s + 0.6, t - 0.6, t + 0.6, (150, 150, 150))
            g.rect(s - 0.5, s + 0.5, t - 0.5, t + 0.5, (45, 60, 75))


def _stains(street: Street, g: _Tile, rng: np.random.Generator, s0: float, s1: float) -> None:
    for _ in range(int(rng.integers(0, 5))):
        s = float(rng.uniform(s0, s1))
        t = float(rng.uniform(-street.road_half, street.road_half))
        r = float(rng.uniform(0.3, 1.6))
        c = g.xy(s, t)
        axes = (max(16, round(r / g.res * 16)), max(16, round(r * 0.6 / g.res * 16)))
        cv2.ellipse(
            g.tex,
            c,
            axes,
            float(rng.uniform(0, 180)),
            0,
            360,
            scale_color(street.asphalt, float(rng.uniform(0.75, 1.15))),
            -1,
            cv2.LINE_AA,
            shift=4,
        )
    for _ in range(int(rng.integers(0, 3))):
        s = float(rng.uniform(s0, s1))
        t = float(rng.uniform(-street.road_half + 1, street.road_half - 1))
        cv2.circle(
            g.tex, g.xy(s, t), round(0.35 / g.res * 16), (60, 62, 64), -1, cv2.LINE_AA, shift=4
        )
