"""What is drawn before any object: sky, far skyline, ground tiles and building facades.

Backgrounds never own pixels (they write no object id), so objects drawn later occlude them and
they occlude nothing that comes after.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from training.synth.camera import NEAR_M, FloatArray, clip_near
from training.synth.facades import building_model, end_walls, far_building, skyline
from training.synth.ground import BASE_RES_M, TILE_M, ground_tile
from training.synth.lod import ModelCache, lod_ppm
from training.synth.look import Look
from training.synth.polygons import clip_rect, polygon_area
from training.synth.primitives import Model, Primitive, to_world
from training.synth.raster import Canvas
from training.synth.scene import Scene
from training.synth.street import Street


def draw_background(canvas: Canvas, scene: Scene, look: Look, cache: ModelCache) -> None:
    """Sky, skyline, ground and buildings, back to front."""
    _sky(canvas, look, scene.street.asphalt)
    _backdrop(canvas, scene, cache)
    _ground(canvas, scene, cache)
    _buildings(canvas, scene, cache)


def _sky(canvas: Canvas, look: Look, ground: tuple[int, int, int]) -> None:
    h = canvas.height
    horizon = canvas.camera.horizon_row()
    rows = np.arange(h, dtype=np.float32)
    span = max(h * 0.8, 1.0)
    w = np.clip((rows - (horizon - span)) / span, 0.0, 1.0)[:, None]
    top, bottom = np.array(look.sky_top, np.float32), np.array(look.sky_horizon, np.float32)
    colors = top + (bottom - top) * w
    below = rows > horizon
    colors[below] = np.array(ground, np.float32)
    canvas.fill_rows(0, h, colors.astype(np.uint8))


def _backdrop(canvas: Canvas, scene: Scene, cache: ModelCache) -> None:
    st = scene.street
    for s, heading in ((st.s_max, st.bearing_deg + 180.0), (st.s_min, st.bearing_deg)):
        key = ("sky", s)
        model = cache.get(key, partial(skyline, st, s, heading, scene.seed))
        for prim in model:
            canvas.draw(prim, 0, background=True)


def _ground(canvas: Canvas, scene: Scene, cache: ModelCache) -> None:
    st = scene.street
    fx = canvas.camera.intrinsics.fx
    block = TILE_M * TILES_PER_BLOCK
    tiles: list[tuple[float, float, float, int]] = []
    for k in range(math.floor(st.s_min / block), math.ceil(st.s_max / block)):
        depth = _in_view(canvas, _ground_corners(st, k * block, block))
        if depth is None:
            continue
        level = _ground_level(depth, fx)
        if level >= COARSE_LEVEL:
            tiles.append((depth, k * block, block, level))
            continue
        for j in range(TILES_PER_BLOCK):
            s0 = k * block + j * TILE_M
            sub = _in_view(canvas, _ground_corners(st, s0, TILE_M))
            if sub is not None:
                tiles.append((sub, s0, TILE_M, _ground_level(sub, fx)))
    for _, s0, length, level in sorted(tiles, reverse=True):
        quad = cache.get(("ground", s0, length, level), partial(_tile, st, s0, length, level))
        canvas.draw(quad[0], 0, background=True)


def _tile(street: Street, s0: float, length: float, level: int) -> Model:
    return (ground_tile(street, s0, length, level),)


TILES_PER_BLOCK = 4


COARSE_LEVEL = 3
"""Ground farther than this level of detail is drawn in blocks of four tiles."""


def _ground_level(depth: float, fx: float) -> int:
    return int(np.clip(math.floor(math.log2(max(depth, 0.5) / fx * 2.0 / BASE_RES_M)), 0, 5))


def _ground_corners(st: Street, s0: float, length: float) -> FloatArray:
    half = st.half_extent
    return np.array(
        [
            st.world(s0, half),
            st.world(s0 + length, half),
            st.world(s0 + length, -half),
            st.world(s0, -half),
        ]
    )


def _in_view(canvas: Canvas, corners: FloatArray) -> float | None:
    """Nearest depth of a planar polygon if any of it is in the frame, else ``None``."""
    cam = clip_near(canvas.camera.to_camera(corners))
    if len(cam) < 3:
        return None
    pix = [(float(x), float(y)) for x, y in canvas.camera.project_camera(cam)]
    if polygon_area(clip_rect(pix, canvas.width, canvas.height)) <= 0:
        return None
    return float(np.linalg.norm(cam, axis=1).min())


def _building_corners(st: Street) -> FloatArray:
    """``(N, 4, 3)`` ENU corners of every building front (all buildings in one array op)."""
    es, et = st.axes()
    rows = np.array([(b.s0, b.s1, st.facade_t(b.side), b.height) for b in st.buildings])
    base = np.array([st.east, st.north, 0.0])
    s = rows[:, [0, 1, 1, 0]]
    z = np.stack([np.zeros(len(rows)), np.zeros(len(rows)), rows[:, 3], rows[:, 3]], axis=1)
    out: FloatArray = (
        base + s[..., None] * es + rows[:, 2, None, None] * et + z[..., None] * [0.0, 0.0, 1.0]
    )
    return out


def _buildings(canvas: Canvas, scene: Scene, cache: ModelCache) -> None:
    st = scene.street
    fx = canvas.camera.intrinsics.fx
    if not st.buildings:
        return
    corners = _building_corners(st)
    depth_all = canvas.camera.to_camera(corners.reshape(-1, 3)).reshape(-1, 4, 3)[:, :, 2]
    jobs: list[tuple[float, int]] = []
    for i in np.flatnonzero(depth_all.max(axis=1) > NEAR_M).tolist():
        depth = _in_view(canvas, corners[i])
        if depth is not None:
            jobs.append((depth, i))
    ends = {(b.side, round(b.s1, 6)): b.height for b in st.buildings}
    starts = {(b.side, round(b.s0, 6)): b.height for b in st.buildings}
    for depth, i in sorted(jobs, reverse=True):
        b = st.buildings[i]
        ppm = lod_ppm(fx, depth, hi=128)
        prims: list[Primitive]
        if ppm <= FAR_FACET_PPM:
            prims = list(far_building(st, b))
        else:
            local = cache.get(("building", i, ppm), partial(building_model, b, ppm))
            anchor = st.world((b.s0 + b.s1) / 2, st.facade_t(b.side))
            prev = ends.get((b.side, round(b.s0, 6)), 0.0)
            nxt = starts.get((b.side, round(b.s1, 6)), 0.0)
            prims = [
                *end_walls(st, b, (prev, nxt)),
                *to_world(local, anchor, st.facing_road(b.side)),
            ]
        for prim in prims:
            canvas.draw(prim, 0, background=True)


FAR_FACET_PPM = 4.0
"""Buildings needing this few texture pixels per metre are drawn as flat polygons."""
