"""Pinhole camera: intrinsics, pose in the local ENU frame, projection and near-plane clipping.

Conventions: the world is ENU metres (x east, y north, z up). A pose is a position plus a compass
heading (degrees clockwise from north) and a pitch (degrees *down* from the horizon); roll is
zero. Camera coordinates are x right, y down, z forward (OpenCV), so a world point on the
optical axis projects to the principal point ``(cx, cy)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from training.synth.geo import GeoOrigin

FloatArray = NDArray[np.float64]

NEAR_M = 0.15
"""Near clipping distance in metres along the optical axis."""


@dataclass(frozen=True)
class Intrinsics:
    """Pinhole intrinsics of an undistorted camera, in pixels.

    Attributes:
        width: image width.
        height: image height.
        fx: focal length along x.
        fy: focal length along y.
        cx: principal point x.
        cy: principal point y.
    """

    width: int
    height: int
    fx: float
    fy: float
    cx: float
    cy: float

    @classmethod
    def from_hfov(cls, width: int, height: int, hfov_deg: float) -> Intrinsics:
        """Square-pixel intrinsics with the principal point at the image centre."""
        if not 5.0 <= hfov_deg <= 170.0:
            raise ValueError(f"horizontal field of view {hfov_deg} is outside 5..170 degrees")
        f = (width / 2.0) / math.tan(math.radians(hfov_deg) / 2.0)
        return cls(width, height, f, f, width / 2.0, height / 2.0)

    @property
    def hfov_deg(self) -> float:
        """Horizontal field of view in degrees."""
        return math.degrees(2.0 * math.atan(self.width / (2.0 * self.fx)))

    def matrix(self) -> FloatArray:
        """The 3×3 camera matrix K."""
        return self._matrix

    @cached_property
    def _matrix(self) -> FloatArray:
        k = np.array([[self.fx, 0.0, self.cx], [0.0, self.fy, self.cy], [0.0, 0.0, 1.0]])
        k.setflags(write=False)
        return k


@dataclass(frozen=True)
class Pose:
    """Camera position and orientation in the local ENU frame.

    Attributes:
        east: metres east of the origin.
        north: metres north of the origin.
        height: metres above the ground plane.
        heading_deg: compass heading of the optical axis, clockwise from north.
        pitch_deg: angle of the optical axis below the horizon (positive looks down).
    """

    east: float
    north: float
    height: float
    heading_deg: float
    pitch_deg: float

    @cached_property
    def position(self) -> FloatArray:
        """The camera centre as an ``(3,)`` array."""
        pos = np.array([self.east, self.north, self.height])
        pos.setflags(write=False)
        return pos

    def rotation(self) -> FloatArray:
        """World→camera rotation: rows are the camera's right, down and forward axes."""
        return self._rotation

    @cached_property
    def _rotation(self) -> FloatArray:
        yaw = math.radians(self.heading_deg)
        pitch = math.radians(self.pitch_deg)
        forward = np.array(
            [math.sin(yaw) * math.cos(pitch), math.cos(yaw) * math.cos(pitch), -math.sin(pitch)]
        )
        right = np.array([math.cos(yaw), -math.sin(yaw), 0.0])
        down = np.cross(forward, right)
        rot = np.stack([right, down, forward])
        rot.setflags(write=False)
        return rot

    def latlon(self, origin: GeoOrigin) -> tuple[float, float]:
        """The camera's WGS-84 ``(lat, lon)``."""
        return origin.to_latlon(self.east, self.north)


@dataclass(frozen=True)
class Camera:
    """A posed pinhole camera; the projection maths of the compositor.

    Attributes:
        intrinsics: pixel geometry.
        pose: position and orientation.
    """

    intrinsics: Intrinsics
    pose: Pose

    def to_camera(self, points: FloatArray) -> FloatArray:
        """World points ``(N, 3)`` → camera coordinates ``(N, 3)`` (z = depth)."""
        rot = self.pose.rotation()
        out: FloatArray = (np.asarray(points, dtype=np.float64) - self.pose.position) @ rot.T
        return out

    def project_camera(self, cam: FloatArray) -> FloatArray:
        """Camera coordinates ``(N, 3)`` with z > 0 → pixel coordinates ``(N, 2)``."""
        k = self.intrinsics
        z = cam[:, 2]
        return np.stack([k.fx * cam[:, 0] / z + k.cx, k.fy * cam[:, 1] / z + k.cy], axis=1)

    def project(self, points: FloatArray) -> tuple[FloatArray, FloatArray]:
        """World points → ``(pixels (N, 2), depth (N,))``; pixels mean nothing where depth ≤ 0."""
        cam = self.to_camera(points)
        depth = cam[:, 2].copy()
        safe = cam.copy()
        safe[:, 2] = np.where(depth > 1e-9, depth, 1e-9)
        return self.project_camera(safe), depth

    def plane_homography(self, origin: FloatArray, u: FloatArray, v: FloatArray) -> FloatArray:
        """Homography from plane coordinates ``(a, b)`` (point = origin + a·u + b·v) to pixels."""
        basis = np.stack([u, v, np.asarray(origin) - self.pose.position], axis=1)
        hom: FloatArray = self._krot @ basis
        return hom

    @cached_property
    def _krot(self) -> FloatArray:
        return self.intrinsics.matrix() @ self.pose.rotation()

    def horizon_row(self) -> float:
        """Image row of the horizon (the camera has no roll, so the horizon is a row)."""
        k = self.intrinsics
        return k.cy - k.fy * math.tan(math.radians(self.pose.pitch_deg))

    def ground_depth_rows(self) -> FloatArray:
        """Depth along the optical axis of the ground plane seen on each image row (inf above)."""
        k = self.intrinsics
        rot = self.pose.rotation()
        y = (np.arange(k.height, dtype=np.float64) + 0.5 - k.cy) / k.fy
        dz = rot[1, 2] * y + rot[2, 2]
        with np.errstate(divide="ignore"):
            depth = np.where(dz < -1e-9, -self.pose.height / np.minimum(dz, -1e-9), np.inf)
        return depth


def clip_near(cam_poly: FloatArray, near: float = NEAR_M) -> FloatArray:
    """Clip a convex polygon in camera coordinates to ``z >= near`` (Sutherland–Hodgman).

    Returns:
        The clipped polygon ``(M, 3)``; ``M < 3`` means nothing is in front of the camera.
    """
    z = cam_poly[:, 2]
    if bool(np.all(z >= near)):
        return cam_poly
    if bool(np.all(z < near)):
        return cam_poly[:0]
    out: list[FloatArray] = []
    n = len(cam_poly)
    for i in range(n):
        cur, nxt = cam_poly[i], cam_poly[(i + 1) % n]
        cur_in, nxt_in = cur[2] >= near, nxt[2] >= near
        if cur_in:
            out.append(cur)
        if cur_in != nxt_in:
            w = (near - cur[2]) / (nxt[2] - cur[2])
            out.append(cur + w * (nxt - cur))
    return np.array(out) if out else cam_poly[:0]
