"""Render one view of a scene: sky, ground, buildings, then objects back to front.

Returns the image and, for every tracked object that shows, its box (the object's own pixels
before anything nearer is painted over it, clipped to the frame) and its *visible fraction*:
the share of the object's projected area that is inside the frame times the share of its
in-frame pixels that nothing nearer covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
from numpy.typing import NDArray

from training.synth.background import draw_background
from training.synth.builders import build_model
from training.synth.camera import Camera, FloatArray
from training.synth.effects import apply_effects
from training.synth.lod import ModelCache, lod_ppm
from training.synth.look import Look
from training.synth.primitives import Facet, Model, Primitive, Quad, Sprite, to_world
from training.synth.raster import Canvas
from training.synth.scene import Placed, Scene
from training.synth.taxonomy import Kind


@dataclass(frozen=True)
class Seen:
    """A tracked object as it shows in one view.

    Attributes:
        object_id: the object's id in the scene.
        kind: its kind.
        box: ``(x0, y0, x1, y1)`` pixels, inside the frame, ``x1 > x0`` and ``y1 > y0``.
        visible_fraction: 0..1, in-frame share × unoccluded share.
    """

    object_id: int
    kind: Kind
    box: tuple[float, float, float, float]
    visible_fraction: float


@dataclass(frozen=True)
class View:
    """One rendered frame.

    Attributes:
        image: BGR ``uint8`` image.
        seen: every tracked object with at least one pixel in the frame, by id.
    """

    image: NDArray[np.uint8]
    seen: tuple[Seen, ...]


@dataclass
class _Stat:
    area: float = 0.0
    area_in: float = 0.0
    bbox: tuple[int, int, int, int] | None = None
    drawn: int = 0
    box: tuple[float, float, float, float] | None = None


def render_view(
    scene: Scene,
    camera: Camera,
    look: Look,
    time_s: float = 0.0,
    *,
    cache: ModelCache | None = None,
    noise_seed: int = 0,
) -> View:
    """Render ``scene`` at ``time_s`` through ``camera`` with ``look``."""
    cache = cache or ModelCache()
    canvas = Canvas(camera, look.light, need_depth=look.fog_density > 0)
    draw_background(canvas, scene, look, cache)
    stats: dict[int, _Stat] = {}
    for obj in _draw_order(scene, camera, time_s):
        _draw_object(canvas, scene, obj, time_s, cache, stats=stats)
    seen = _seen(canvas, scene, stats)
    image = apply_effects(canvas.image, canvas.depth, look, np.random.default_rng(noise_seed))
    return View(image, seen)


def _draw_order(scene: Scene, camera: Camera, time_s: float) -> list[Placed]:
    active = [o for o in scene.objects if o.active(time_s)]
    if not active:
        return []
    anchors = np.array([o.anchor(scene.street, time_s) for o in active])
    depth = camera.to_camera(anchors)[:, 2]
    order = sorted(range(len(active)), key=lambda k: (not active[k].on_wall, -depth[k]))
    return [active[k] for k in order]


def _draw_object(
    canvas: Canvas,
    scene: Scene,
    obj: Placed,
    time_s: float,
    cache: ModelCache,
    *,
    stats: dict[int, _Stat],
) -> None:
    anchor = obj.anchor(scene.street, time_s)
    cam = canvas.camera.to_camera(anchor[None])[0]
    reach = obj.radius + 8.0 if obj.on_wall else obj.radius + 3.0
    if cam[2] < -reach or not _near_frustum(canvas, cam, reach):
        return
    if cam[2] > 0 and canvas.camera.intrinsics.fx * (obj.radius + 1.0) / cam[2] < 1.5:
        return
    ppm = lod_ppm(canvas.camera.intrinsics.fx, float(cam[2]))
    local = cache.get(
        (obj.object_id, ppm), partial(build_model, obj.kind, obj.style_seed, ppm, obj.mount)
    )
    if ppm <= SHADOWLESS_PPM:
        local = tuple(p for p in local if p.counts)
    prims = _sorted(canvas, to_world(local, anchor, obj.heading_deg))
    owner = obj.object_id if obj.tracked else 0
    stat = _Stat()
    for prim in prims:
        fp = canvas.draw(prim, owner)
        if fp is None or not obj.tracked or not _counts(prim):
            continue
        stat.area += fp.area
        stat.area_in += fp.area_in_frame
        if fp.bbox is not None:
            stat.bbox = fp.bbox if stat.bbox is None else _union(stat.bbox, fp.bbox)
    if obj.tracked and stat.bbox is not None:
        x0, y0, x1, y1 = stat.bbox
        x0, y0 = max(x0 - 1, 0), max(y0 - 1, 0)
        x1, y1 = min(x1 + 1, canvas.width), min(y1 + 1, canvas.height)
        mine = canvas.owner[y0:y1, x0:x1] == obj.object_id
        stat.drawn = int(mine.sum())
        if stat.drawn:
            rows, cols = np.flatnonzero(mine.any(axis=1)), np.flatnonzero(mine.any(axis=0))
            stat.box = (
                float(x0 + cols[0]),
                float(y0 + rows[0]),
                float(x0 + cols[-1] + 1),
                float(y0 + rows[-1] + 1),
            )
        stats[obj.object_id] = stat


SHADOWLESS_PPM = 16.0
"""Objects this far away (few texture pixels per metre) are drawn without their soft shadow."""


def _near_frustum(canvas: Canvas, cam: FloatArray, reach: float) -> bool:
    k = canvas.camera.intrinsics
    z = max(float(cam[2]), 0.0)
    x_lim = z * (k.width / 2) / k.fx + reach * 1.5
    y_lim = z * (k.height / 2) / k.fy + reach * 1.5 + 10.0
    return abs(float(cam[0])) <= x_lim and abs(float(cam[1])) <= y_lim


def _counts(prim: Primitive) -> bool:
    return prim.counts


def _union(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _sorted(canvas: Canvas, prims: Model) -> list[Primitive]:
    cx, cy, cz = canvas.camera.pose.position.tolist()

    def key(p: Primitive) -> tuple[int, float]:
        if isinstance(p, Facet):
            pts = p.points.tolist()
            k = len(pts)
            x, y, z = (sum(q[i] for q in pts) / k for i in range(3))
            layer = p.layer
        elif isinstance(p, Quad):
            x, y, z = (p.origin + (p.u + p.v) / 2).tolist()
            layer = p.layer
        else:
            assert isinstance(p, Sprite)
            x, y, z = p.anchor.tolist()
            z += p.height / 2
            layer = 1
        return layer, -((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2)

    return sorted(prims, key=key)


def _seen(canvas: Canvas, scene: Scene, stats: dict[int, _Stat]) -> tuple[Seen, ...]:
    if not stats:
        return ()
    visible = np.bincount(canvas.owner.ravel(), minlength=max(stats) + 1)
    kinds = {o.object_id: o.kind for o in scene.objects}
    out: list[Seen] = []
    for oid in sorted(stats):
        st = stats[oid]
        kind = kinds[oid]
        if st.box is None or st.drawn == 0 or not isinstance(kind, Kind):
            continue
        in_frame = st.area_in / st.area if st.area > 0 else 0.0
        fraction = min(1.0, in_frame) * min(1.0, float(visible[oid]) / st.drawn)
        out.append(Seen(oid, kind, st.box, round(fraction, 4)))
    return tuple(out)
