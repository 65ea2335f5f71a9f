"""Building rows: facade textures (shopfronts, windows, AC units), end walls and a far skyline.

Each :class:`~training.synth.street.Building` becomes one textured quad on the building line
plus flat side walls where it stands taller than its neighbour. The sign band over a shopfront
is left plain: the legal shop sign is a separate (negative) object so it has its own truth box.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from training.synth.drawing import Pen, jitter, scale_color
from training.synth.primitives import Color, Facet, Model, Quad, Texture, to_world, vec
from training.synth.shapes import panel
from training.synth.street import Building, Street

WALL_COLORS: tuple[Color, ...] = (
    (190, 200, 210),
    (160, 170, 185),
    (200, 200, 200),
    (140, 150, 170),
    (120, 140, 175),
    (175, 185, 205),
    (110, 115, 120),
    (150, 160, 200),
    (85, 95, 150),
    (200, 190, 175),
)
GLASS: Color = (95, 80, 60)
SHUTTER: Color = (170, 170, 165)


SEAM_M = 0.03
"""Facades overlap their neighbours by this much so no seam shows between them."""


def building_model(b: Building, ppm: float) -> Model:
    """The building's front as a quad in its local frame (origin at the frontage centre)."""
    return (
        panel(
            (-b.width / 2 - SEAM_M, b.width / 2 + SEAM_M),
            (0.0, b.height),
            0.0,
            facade_texture(b, ppm),
            two_sided=False,
        ),
    )


def place_building(street: Street, b: Building, ppm: float) -> Model:
    """The building's front placed in the world."""
    anchor = street.world((b.s0 + b.s1) / 2, street.facade_t(b.side))
    return to_world(building_model(b, ppm), anchor, street.facing_road(b.side))


def end_walls(street: Street, b: Building, neighbours: tuple[float, float]) -> list[Facet]:
    """Side walls above the lower neighbour at each end of the building."""
    color = scale_color(_wall_color(b), 0.85)
    out: list[Facet] = []
    depth = b.side * 12.0
    t_front = street.facade_t(b.side)
    for s, other in ((b.s0, neighbours[0]), (b.s1, neighbours[1])):
        if other >= b.height - 0.2:
            continue
        p = [
            street.world(s, t_front, other),
            street.world(s, t_front + depth, other),
            street.world(s, t_front + depth, b.height),
            street.world(s, t_front, b.height),
        ]
        out.append(Facet(np.array(p), color, two_sided=True))
    return out


def far_building(street: Street, b: Building) -> list[Facet]:
    """A distant building as two flat polygons: wall and shopfront."""
    t = street.facade_t(b.side)
    wall = _wall_color(b)
    out: list[Facet] = []
    for z0, z1, col in (
        (b.ground_floor, b.height, wall),
        (0.0, b.ground_floor, GLASS if b.is_shop else scale_color(wall, 0.8)),
    ):
        pts = [
            street.world(b.s0, t, z0),
            street.world(b.s1, t, z0),
            street.world(b.s1, t, z1),
            street.world(b.s0, t, z1),
        ]
        arr = np.array(pts if b.side < 0 else pts[::-1])
        out.append(Facet(arr, col, two_sided=True))
    return out


@lru_cache(maxsize=4096)
def _wall_color(b: Building) -> Color:
    rng = np.random.default_rng(b.style_seed)
    return jitter(rng, WALL_COLORS[int(rng.integers(len(WALL_COLORS)))], 12)


def facade_texture(b: Building, ppm: float) -> Texture:
    """Front texture of one building (x along the frontage, y down from the roof)."""
    rng = np.random.default_rng(b.style_seed)
    wall = jitter(rng, WALL_COLORS[int(rng.integers(len(WALL_COLORS)))], 12)
    pen = Pen(b.width, b.height, ppm, opaque=True)
    pen.fill(wall)
    top_of_ground = b.height - b.ground_floor
    if ppm <= FAR_PPM:
        return _far_facade(pen, b, top_of_ground, wall)
    pen.grain(0.25, b.style_seed)
    _upper_floors(pen, rng, b, top_of_ground, detail=ppm >= 24)
    pen.rect(0, top_of_ground - 0.12, b.width, top_of_ground, scale_color(wall, 0.7))
    if b.is_shop:
        _shopfront(pen, rng, b, top_of_ground)
    else:
        _plain_ground_floor(pen, rng, b, top_of_ground, wall)
    pen.rect(0, 0, b.width, 0.25, scale_color(wall, 0.8))
    pen.rect(0, 0, 0.12, b.height, scale_color(wall, 0.9))
    return pen.done()


def _far_facade(pen: Pen, b: Building, top_of_ground: float, wall: Color) -> Texture:
    """A distant facade: bands of windows and a dark shopfront, a handful of draw calls."""
    storeys = max(0, round(top_of_ground / 3.1))
    for f in range(storeys):
        y = f * top_of_ground / max(storeys, 1)
        pen.rect(0.3, y + 0.8, b.width - 0.3, y + 2.2, scale_color(wall, 0.55))
    pen.rect(
        0.3,
        top_of_ground + 1.1,
        b.width - 0.3,
        b.height,
        GLASS if b.is_shop else scale_color(wall, 0.8),
    )
    return pen.done()


FAR_PPM = 8.0
"""At or below this many texture pixels per metre a facade is drawn without details."""


def _upper_floors(
    pen: Pen, rng: np.random.Generator, b: Building, bottom: float, detail: bool
) -> None:
    storey = 3.1
    n_floors = max(0, round(bottom / storey))
    if n_floors == 0:
        return
    storey = bottom / n_floors
    n_win = max(1, int(b.width // float(rng.uniform(1.8, 3.2))))
    win_w = b.width / n_win * float(rng.uniform(0.45, 0.7))
    frame = (230, 230, 230) if rng.random() < 0.6 else (60, 60, 60)
    balcony = rng.random() < 0.35
    lit = rng.random(n_floors * n_win)
    for f in range(n_floors):
        y0 = f * storey + storey * 0.25
        y1 = y0 + storey * 0.5
        for k in range(n_win):
            cx = (k + 0.5) * b.width / n_win
            glass = (120, 170, 200) if lit[f * n_win + k] < 0.1 else GLASS
            if detail:
                pen.rect(cx - win_w / 2 - 0.06, y0 - 0.06, cx + win_w / 2 + 0.06, y1 + 0.06, frame)
            pen.rect(cx - win_w / 2, y0, cx + win_w / 2, y1, glass)
            if not detail:
                continue
            pen.line((cx, y0), (cx, y1), frame, 0.05)
            if lit[f * n_win + k] > 0.75:
                pen.rect(cx + win_w / 2 + 0.1, y1 - 0.5, cx + win_w / 2 + 0.9, y1, (225, 228, 230))
                pen.rect(
                    cx + win_w / 2 + 0.15,
                    y1 - 0.45,
                    cx + win_w / 2 + 0.85,
                    y1 - 0.1,
                    (190, 192, 195),
                    thickness_m=0.03,
                )
        if balcony and detail:
            pen.rect(0, y1 + 0.1, b.width, y1 + 0.25, (200, 200, 200))
            for x in np.arange(0.1, b.width, 0.25):
                pen.line(
                    (float(x), y1 + 0.25), (float(x), y1 + storey * 0.3), (170, 170, 170), 0.02
                )


def _shopfront(pen: Pen, rng: np.random.Generator, b: Building, top: float) -> None:
    glass_top = top + 1.1
    pillar = 0.3
    if rng.random() < 0.2:
        pen.rect(pillar, glass_top, b.width - pillar, b.height, SHUTTER)
        for y in np.arange(glass_top, b.height, 0.08):
            pen.line((pillar, float(y)), (b.width - pillar, float(y)), (140, 140, 138), 0.015)
        return
    pen.rect(pillar, glass_top, b.width - pillar, b.height, GLASS)
    pen.poly(
        [
            (pillar, glass_top),
            (pillar + 1.2, glass_top),
            (pillar + 0.3, b.height),
            (pillar, b.height),
        ],
        (140, 125, 105),
        alpha=255,
    )
    inside = jitter(rng, (120, 140, 160), 40)
    pen.rect(pillar + 0.4, glass_top + 0.6, b.width - pillar - 0.4, b.height - 0.1, inside)
    for _ in range(int(rng.integers(2, 6))):
        x = float(rng.uniform(pillar + 0.5, b.width - pillar - 0.8))
        pen.rect(x, glass_top + 0.8, x + 0.6, b.height - 0.3, jitter(rng, (150, 150, 150), 80))
    door = float(rng.uniform(pillar + 0.5, max(pillar + 0.6, b.width - pillar - 1.6)))
    pen.rect(door, glass_top + 0.3, door + 1.2, b.height, (70, 60, 50))
    pen.rect(door + 0.05, glass_top + 0.35, door + 1.15, b.height, (110, 95, 80))
    for x in np.arange(pillar, b.width - pillar, float(rng.uniform(1.0, 2.0))):
        pen.line((float(x), glass_top), (float(x), b.height), (180, 180, 180), 0.05)
    pen.rect(pillar, glass_top, b.width - pillar, b.height, (200, 200, 200), thickness_m=0.06)


def _plain_ground_floor(
    pen: Pen, rng: np.random.Generator, b: Building, top: float, wall: Color
) -> None:
    pen.rect(0, top, b.width, b.height, scale_color(wall, 0.9))
    if rng.random() < 0.5:
        gate = float(rng.uniform(0.5, max(0.6, b.width - 3.0)))
        pen.rect(gate, top + 1.2, gate + 2.5, b.height, (60, 70, 80))
        for x in np.arange(gate + 0.1, gate + 2.5, 0.15):
            pen.line((float(x), top + 1.2), (float(x), b.height), (140, 150, 160), 0.03)


def skyline(street: Street, s: float, facing_deg: float, seed: int) -> Model:
    """A wide backdrop of distant buildings across the street's end at ``s``."""
    width, height = 4 * street.half_extent + 60.0, 45.0
    tex = _skyline_texture(round(width), seed)
    model = (
        Quad(
            vec(-width / 2, 0.0, height), vec(width, 0, 0), vec(0, 0, -height), tex, two_sided=True
        ),
    )
    return to_world(model, street.world(s, 0.0), facing_deg)


@lru_cache(maxsize=16)
def _skyline_texture(width_m: int, seed: int) -> Texture:
    rng = np.random.default_rng(seed)
    ppm = 3
    w_px, h_px = width_m * ppm, 45 * ppm
    tex = np.zeros((h_px, w_px, 4), np.uint8)
    x = 0
    while x < w_px:
        w = int(rng.integers(8, 25)) * ppm
        top = h_px - int(rng.integers(10, 45)) * ppm
        col = jitter(rng, (165, 160, 158), 25)
        tex[top:, x : x + w] = (*col, 255)
        rows = np.arange(top + 4, h_px - 3)
        band = rows[(rows - top) % 9 < 4]
        tex[band, x + 3 : x + w - 3, :3] = scale_color(col, 0.8)
        x += w
    tex.setflags(write=False)
    return tex
