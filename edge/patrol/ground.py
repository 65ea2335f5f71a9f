"""Flat-ground position of an object seen by a moving camera.

The camera is a pinhole with square pixels and the principal point at the frame centre,
focal length from the horizontal field of view. Its optical axis points along the bike's
course plus ``yaw_deg``, ``pitch_deg`` below the horizon, ``height_m`` above a flat road
(roll zero). The ray through the bottom centre of the box (where the object stands) meets
the road at the object's estimated position. A ray at or above the horizon, or a point
beyond ``max_range_m``, has no estimate.

Accuracy (1-sigma-ish, metres) combines the GPS accuracy with the pitch tolerance δ, which
moves the point along the ray by ``δ·(h² + r²)/h`` and sideways (heading noise of the
same size) by ``δ·r``, for range r and height h.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from edge.config_patrol import CameraMount
from edge.position.fixes import moved_by


@dataclass(frozen=True)
class GroundPoint:
    """An estimated ground position.

    Attributes:
        lat: WGS-84 latitude.
        lon: WGS-84 longitude.
        range_m: distance from the camera, metres.
        accuracy_m: estimated horizontal accuracy, metres.
    """

    lat: float
    lon: float
    range_m: float
    accuracy_m: float


class GroundProjector:
    """Projects image points of a moving camera onto the road.

    Args:
        mount: the camera's yaw, pitch, height, field of view and range.
    """

    def __init__(self, mount: CameraMount) -> None:
        self._mount = mount

    def direction(
        self, pixel: tuple[float, float], size: tuple[int, int], heading_deg: float
    ) -> tuple[float, float, float]:
        """Return the (east, north, up) direction of the ray through ``pixel``.

        Args:
            pixel: (u, v) in frame pixels.
            size: frame (width, height).
            heading_deg: the bike's course over ground.
        """
        mount = self._mount
        width, height = size
        focal = (width / 2.0) / math.tan(math.radians(mount.hfov_deg) / 2.0)
        xn = (pixel[0] - width / 2.0) / focal
        yn = (pixel[1] - height / 2.0) / focal
        yaw = math.radians(heading_deg + mount.yaw_deg)
        pitch = math.radians(mount.pitch_deg)
        fwd = (math.sin(yaw) * math.cos(pitch), math.cos(yaw) * math.cos(pitch), -math.sin(pitch))
        right = (math.cos(yaw), -math.sin(yaw), 0.0)
        down = (
            -fwd[2] * right[1],
            fwd[2] * right[0],
            fwd[0] * right[1] - fwd[1] * right[0],
        )
        east, north, up = (xn * right[i] + yn * down[i] + fwd[i] for i in range(3))
        return east, north, up

    def offset(
        self, pixel: tuple[float, float], size: tuple[int, int], heading_deg: float
    ) -> tuple[float, float] | None:
        """Return the (east, north) metres from the camera of the road at ``pixel``.

        Args:
            pixel: (u, v) in frame pixels.
            size: frame (width, height).
            heading_deg: the bike's course over ground.
        """
        ray = self.direction(pixel, size, heading_deg)
        if ray[2] >= -1e-9:
            return None
        scale = self._mount.height_m / -ray[2]
        east, north = scale * ray[0], scale * ray[1]
        if math.hypot(east, north) > self._mount.max_range_m:
            return None
        return east, north

    def locate(
        self,
        camera: tuple[float, float],
        heading_deg: float,
        pixel: tuple[float, float],
        size: tuple[int, int],
        gps_accuracy_m: float,
    ) -> GroundPoint | None:
        """Return the ground point at ``pixel`` seen from ``camera`` (lat, lon), or None."""
        offset = self.offset(pixel, size, heading_deg)
        if offset is None:
            return None
        lat, lon = moved_by(camera[0], camera[1], *offset)
        reach = math.hypot(*offset)
        tol = math.radians(self._mount.pitch_tolerance_deg)
        h = self._mount.height_m
        along = tol * (h * h + reach * reach) / h
        across = tol * reach
        accuracy = math.sqrt(gps_accuracy_m**2 + along**2 + across**2)
        return GroundPoint(lat=lat, lon=lon, range_m=reach, accuracy_m=accuracy)
