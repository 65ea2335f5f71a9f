"""Small geometry for the compositor's hot path, on plain tuples (faster than numpy here)."""

from __future__ import annotations

import math

from training.synth.camera import NEAR_M

Vec = tuple[float, float, float]


def cross(a: Vec, b: Vec) -> Vec:
    """Cross product."""
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def unit(v: Vec) -> Vec | None:
    """``v`` scaled to length 1, or ``None`` for a zero vector."""
    n = math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
    return None if n < 1e-12 else (v[0] / n, v[1] / n, v[2] / n)


def polygon_area(pts: list[tuple[float, float]]) -> float:
    """Unsigned area of a 2-D polygon (shoelace)."""
    n = len(pts)
    if n < 3:
        return 0.0
    acc = 0.0
    for i in range(n):
        x0, y0 = pts[i]
        x1, y1 = pts[(i + 1) % n]
        acc += x0 * y1 - x1 * y0
    return abs(acc) / 2.0


def clip_rect(
    pts: list[tuple[float, float]], width: float, height: float
) -> list[tuple[float, float]]:
    """Clip a convex polygon to ``[0, width] × [0, height]`` (Sutherland–Hodgman)."""
    if all(0 <= x <= width and 0 <= y <= height for x, y in pts):
        return pts
    for axis, bound, below in (
        (0, 0.0, False),
        (0, width, True),
        (1, 0.0, False),
        (1, height, True),
    ):
        out: list[tuple[float, float]] = []
        n = len(pts)
        for i in range(n):
            cur, nxt = pts[i], pts[(i + 1) % n]
            cin = cur[axis] <= bound if below else cur[axis] >= bound
            nin = nxt[axis] <= bound if below else nxt[axis] >= bound
            if cin:
                out.append(cur)
            if cin != nin:
                w = (bound - cur[axis]) / (nxt[axis] - cur[axis])
                out.append((cur[0] + w * (nxt[0] - cur[0]), cur[1] + w * (nxt[1] - cur[1])))
        pts = out
        if len(pts) < 3:
            return []
    return pts


def near_clip(poly: list[Vec], near: float = NEAR_M) -> list[Vec]:
    """:func:`camera.clip_near` on a list of tuples (the per-facet hot path)."""
    if all(p[2] >= near for p in poly):
        return poly
    out: list[Vec] = []
    n = len(poly)
    for i in range(n):
        cur, nxt = poly[i], poly[(i + 1) % n]
        cin, nin = cur[2] >= near, nxt[2] >= near
        if cin:
            out.append(cur)
        if cin != nin:
            w = (near - cur[2]) / (nxt[2] - cur[2])
            out.append(
                (
                    cur[0] + w * (nxt[0] - cur[0]),
                    cur[1] + w * (nxt[1] - cur[1]),
                    near,
                )
            )
    return out
