"""The compositor's canvas: draws world primitives through the camera, back to front.

Besides the colour image it keeps an *owner* buffer (which tracked object a pixel shows; 0 for
scenery) so that occlusion is measured exactly: what is left of an object's pixels after
everything nearer has been painted over it is its visible part. Optional per-pixel depth feeds
the fog effect. Coordinates follow the pixel-area convention (pixel ``i`` spans ``[i, i+1)``).

Hot paths call OpenCV on views of the buffers and keep per-primitive Python work small: a
still has hundreds of primitives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from training.synth.camera import NEAR_M, Camera, FloatArray, clip_near
from training.synth.look import Light
from training.synth.polygons import Vec, clip_rect, cross, near_clip, polygon_area, unit
from training.synth.primitives import Facet, Primitive, Quad, Sprite, Texture


@dataclass(frozen=True)
class Footprint:
    """What one primitive left on the canvas.

    Attributes:
        area: projected area in pixels (near-clipped, before clipping to the frame).
        area_in_frame: the part of ``area`` inside the frame.
        bbox: ``(x0, y0, x1, y1)`` integer pixel window that was touched, or ``None``.
    """

    area: float
    area_in_frame: float
    bbox: tuple[int, int, int, int] | None


class Canvas:
    """Mutable working buffers of one render; lives only inside :func:`render.render_view`."""

    def __init__(self, camera: Camera, light: Light, need_depth: bool) -> None:
        k = camera.intrinsics
        self.camera = camera
        self.light = light
        self.width, self.height = k.width, k.height
        self.image: NDArray[np.uint8] = np.zeros((k.height, k.width, 3), np.uint8)
        self.owner: NDArray[np.int32] = np.zeros((k.height, k.width), np.int32)
        self.depth: NDArray[np.float32] | None = None
        if need_depth:
            rows = camera.ground_depth_rows().astype(np.float32)
            self.depth = np.repeat(rows[:, None], k.width, axis=1)
        self._rot = camera.pose.rotation()
        self._pos = camera.pose.position
        self._p = (float(self._pos[0]), float(self._pos[1]), float(self._pos[2]))
        self._k = (k.fx, k.fy, k.cx, k.cy)
        self._r = tuple(float(x) for x in self._rot.ravel())

    def draw(self, prim: Primitive, owner_id: int, background: bool = False) -> Footprint | None:
        """Paint one world-space primitive.

        Args:
            prim: the primitive.
            owner_id: tracked object id, or 0 for scenery.
            background: ground/buildings, painted before any object (no owner writes).
        """
        if isinstance(prim, Facet):
            return self._facet(prim, owner_id, background)
        if isinstance(prim, Sprite):
            return self._quad(self.billboard(prim), owner_id, background)
        return self._quad(prim, owner_id, background)

    def billboard(self, s: Sprite) -> Quad:
        """The quad of a sprite turned towards this camera."""
        dx, dy = self._p[0] - float(s.anchor[0]), self._p[1] - float(s.anchor[1])
        norm = math.hypot(dx, dy)
        if norm < 1e-6:
            dx, dy, norm = -float(self._rot[2, 0]), -float(self._rot[2, 1]), 1.0
        right = np.array([-dy / norm, dx / norm, 0.0])
        origin = s.anchor - right * (s.width / 2) + np.array([0.0, 0.0, s.height])
        return Quad(
            origin,
            right * s.width,
            np.array([0.0, 0.0, -s.height]),
            s.texture,
            True,
            None,
            1,
            s.counts,
            s.emissive,
        )

    def _project(self, cam: FloatArray) -> list[tuple[float, float]]:
        fx, fy, cx, cy = self._k
        return [(fx * x / z + cx, fy * y / z + cy) for x, y, z in cam.tolist()]

    def _window(
        self, pix: list[tuple[float, float]]
    ) -> tuple[float, float, tuple[int, int, int, int] | None]:
        area = polygon_area(pix)
        inside = clip_rect(pix, self.width, self.height)
        area_in = polygon_area(inside)
        if area_in <= 0:
            return area, 0.0, None
        xs = [p[0] for p in inside]
        ys = [p[1] for p in inside]
        x0, y0 = max(math.floor(min(xs)), 0), max(math.floor(min(ys)), 0)
        x1, y1 = min(math.ceil(max(xs)), self.width), min(math.ceil(max(ys)), self.height)
        if x1 <= x0 or y1 <= y0:
            return area, area_in, None
        return area, area_in, (x0, y0, x1, y1)

    def _facet(self, f: Facet, owner_id: int, background: bool) -> Footprint | None:
        pts = f.points.tolist()
        p0, p1, p2 = pts[0], pts[1], pts[2]
        normal = unit(
            cross(
                (p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]),
                (p2[0] - p0[0], p2[1] - p0[1], p2[2] - p0[2]),
            )
        )
        if normal is None:
            return None
        to_cam = (self._p[0] - p0[0], self._p[1] - p0[1], self._p[2] - p0[2])
        facing = normal[0] * to_cam[0] + normal[1] * to_cam[1] + normal[2] * to_cam[2] > 0
        if not facing:
            if not f.two_sided:
                return None
            normal = (-normal[0], -normal[1], -normal[2])
        shade = (
            self.light.glow if f.emissive else self.light.shade(normal) * (1.0 if facing else 0.8)
        )
        cam = near_clip([self._to_cam(p) for p in pts])
        if len(cam) < 3:
            return None
        fx, fy, cx, cy = self._k
        pix = [(fx * x / z + cx, fy * y / z + cy) for x, y, z in cam]
        area, area_in, box = self._window(pix)
        if box is None:
            return Footprint(area, area_in, None)
        poly = np.array([(round(x * 16 - 8), round(y * 16 - 8)) for x, y in pix], np.int32)
        color = tuple(min(255.0, c * shade) for c in f.color)
        cv2.fillConvexPoly(self.image, poly, color, cv2.LINE_AA, shift=4)
        if f.counts and not background:
            cv2.fillConvexPoly(self.owner, poly, owner_id, cv2.LINE_8, shift=4)
        if self.depth is not None and (f.counts or background):
            z_mean = sum(c[2] for c in cam) / len(cam)
            cv2.fillConvexPoly(self.depth, poly, z_mean, cv2.LINE_8, shift=4)
        return Footprint(area, area_in, box)

    def _to_cam(self, p: list[float]) -> Vec:
        r = self._r
        x, y, z = p[0] - self._p[0], p[1] - self._p[1], p[2] - self._p[2]
        return (
            r[0] * x + r[1] * y + r[2] * z,
            r[3] * x + r[4] * y + r[5] * z,
            r[6] * x + r[7] * y + r[8] * z,
        )

    def _quad(self, q: Quad, owner_id: int, background: bool) -> Footprint | None:
        o, u, v = q.origin.tolist(), q.u.tolist(), q.v.tolist()
        front = unit(cross(v, u))
        if front is None:
            return None
        centre = [o[i] + (u[i] + v[i]) / 2 for i in range(3)]
        to_cam = [self._p[i] - centre[i] for i in range(3)]
        facing = sum(front[i] * to_cam[i] for i in range(3)) > 0
        tex: Texture | None = q.texture
        if not facing:
            tex = q.back[:, ::-1] if q.back is not None else (q.texture if q.two_sided else None)
            front = (-front[0], -front[1], -front[2])
        if tex is None:
            return None
        corners = np.array([q.origin, q.origin + q.u, q.origin + q.u + q.v, q.origin + q.v])
        cam_all = (corners - self._pos) @ self._rot.T
        cam = clip_near(cam_all)
        if len(cam) < 3:
            return None
        pix = self._project(cam)
        area, area_in, box = self._window(pix)
        if box is None:
            return Footprint(area, area_in, None)
        shade = self.light.glow if q.emissive else self.light.shade(front)
        clipped = bool((cam_all[:, 2] < NEAR_M).any())
        self._warp(
            q,
            tex,
            pix,
            box,
            shade,
            clipped=clipped,
            owner_id=-1 if (background or not q.counts) else owner_id,
            cam=cam if self.depth is not None and (q.counts or background) else None,
        )
        return Footprint(area, area_in, box)

    def _warp(
        self,
        q: Quad,
        tex: Texture,
        pix: list[tuple[float, float]],
        box: tuple[int, ...],
        shade: float,
        *,
        clipped: bool,
        owner_id: int,
        cam: FloatArray | None,
    ) -> None:
        x0, y0, x1, y1 = box
        h, w = tex.shape[:2]
        hom = self.camera.plane_homography(q.origin, q.u / w, q.v / h)
        shift = np.array([[1.0, 0.0, -x0 - 0.5], [0.0, 1.0, -y0 - 0.5], [0.0, 0.0, 1.0]])
        hom = shift @ hom @ np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.0, 0.0, 1.0]])
        size = (x1 - x0, y1 - y0)
        region = self.image[y0:y1, x0:x1]
        poly = np.array(
            [(round((x - x0) * 16 - 8), round((y - y0) * 16 - 8)) for x, y in pix], np.int32
        )
        if tex.shape[2] == 3:
            src = tex if abs(shade - 1.0) < 1e-3 else cv2.convertScaleAbs(tex, alpha=shade)
            if clipped:
                tmp = cv2.warpPerspective(
                    src, hom, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
                )
                keep = np.zeros((size[1], size[0]), np.uint8)
                cv2.fillConvexPoly(keep, poly, 255, cv2.LINE_8, shift=4)
                cv2.copyTo(tmp, keep, region)
            else:
                cv2.warpPerspective(
                    src,
                    hom,
                    size,
                    dst=region,
                    flags=cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_TRANSPARENT,
                )
            if owner_id >= 0:
                cv2.fillConvexPoly(self.owner[y0:y1, x0:x1], poly, owner_id, cv2.LINE_8, shift=4)
            solid: NDArray[np.bool_] | None = None
        else:
            warped = cv2.warpPerspective(
                tex,
                hom,
                size,
                flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=(0, 0, 0, 0),
            )
            alpha = warped[:, :, 3]
            if clipped:
                keep = np.zeros((size[1], size[0]), np.uint8)
                cv2.fillConvexPoly(keep, poly, 255, cv2.LINE_8, shift=4)
                alpha = np.minimum(alpha, keep)
            rgb = warped[:, :, :3]
            if abs(shade - 1.0) >= 1e-3:
                rgb = cv2.convertScaleAbs(rgb, alpha=shade)
            a = alpha.astype(np.float32) * np.float32(1.0 / 255.0)
            region[:] = cv2.blendLinear(region, np.ascontiguousarray(rgb), 1.0 - a, a)
            solid = alpha > 127
            if owner_id >= 0:
                self.owner[y0:y1, x0:x1][solid] = owner_id
        if cam is not None and self.depth is not None:
            depth = self._plane_depth(cam, x0, y0, (size[1], size[0]))
            dview = self.depth[y0:y1, x0:x1]
            if solid is None:
                keep = np.zeros((size[1], size[0]), np.uint8)
                cv2.fillConvexPoly(keep, poly, 255, cv2.LINE_8, shift=4)
                solid = keep > 0
            dview[solid] = depth[solid]

    def _plane_depth(
        self, cam: FloatArray, x0: int, y0: int, shape: tuple[int, int]
    ) -> NDArray[np.float32]:
        fx, fy, cx, cy = self._k
        c = cam.tolist()
        n = cross(
            (c[1][0] - c[0][0], c[1][1] - c[0][1], c[1][2] - c[0][2]),
            (c[2][0] - c[0][0], c[2][1] - c[0][1], c[2][2] - c[0][2]),
        )
        d = n[0] * c[0][0] + n[1] * c[0][1] + n[2] * c[0][2]
        xs = (np.arange(x0, x0 + shape[1], dtype=np.float32) + 0.5 - cx) * np.float32(n[0] / fx)
        ys = (np.arange(y0, y0 + shape[0], dtype=np.float32) + 0.5 - cy) * np.float32(n[1] / fy)
        den = xs[None, :] + ys[:, None] + np.float32(n[2])
        with np.errstate(divide="ignore", invalid="ignore"):
            depth = np.float32(d) / den
        out: NDArray[np.float32] = np.where(
            np.isfinite(depth), np.abs(depth), np.float32(np.inf)
        ).astype(np.float32)
        return out

    def fill_rows(self, top: int, bottom: int, colors: NDArray[np.uint8]) -> None:
        """Fill image rows ``top..bottom`` with one colour per row (``colors`` is ``(rows, 3)``)."""
        self.image[top:bottom] = colors[:, None, :]
