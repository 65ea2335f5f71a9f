"""Where a fixed camera's violation is: its own position if calibrated, else the camera's.

A calibration lists four or more image points (normalised 0..1) with the WGS-84 position each
shows on the ground. They give a homography (``cv2.findHomography``) from the image to local
east/north metres around the points, which maps each violation's anchor point to the ground.
Its accuracy is the calibration's root-mean-square residual (at least
:data:`MIN_ACCURACY_M`). Without a calibration, or for a point the homography puts beyond
:data:`MAX_RANGE_M` (at or above the horizon), the event carries the camera's surveyed
position with source ``static`` and no accuracy — the sign that it is not the object's own.
"""

from __future__ import annotations

import math
from dataclasses import replace

import cv2
import numpy as np

from contracts.messages import FixMode, Location, LocationSource
from edge.config import StaticLocation
from edge.config_sections import CalibrationPoint
from edge.rules.permits import EARTH_RADIUS_M
from edge.violations import Violation
from streetwatch.errors import UserError

MIN_ACCURACY_M = 0.5
MAX_RANGE_M = 1000.0


class CalibrationError(UserError):
    """A ground calibration whose points do not define a homography."""


class GroundCalibration:
    """A homography from normalised image points to WGS-84 positions on the ground."""

    def __init__(self, points: list[CalibrationPoint]) -> None:
        self._lat0 = float(np.mean([p.lat for p in points]))
        self._lon0 = float(np.mean([p.lon for p in points]))
        pixels = np.array([p.pixel for p in points], np.float64)
        metres = np.array([self._to_metres(p.lat, p.lon) for p in points], np.float64)
        homography, _ = cv2.findHomography(pixels, metres, 0)
        if homography is None or abs(np.linalg.det(homography)) < 1e-12:
            raise CalibrationError(
                "the ground calibration points do not define a homography: use four or more "
                "points, no three of them on one line"
            )
        self._h = homography
        residuals = [math.dist(self._project(px), m) for px, m in zip(pixels, metres, strict=True)]
        self.accuracy_m = max(MIN_ACCURACY_M, float(np.sqrt(np.mean(np.square(residuals)))))

    def _to_metres(self, lat: float, lon: float) -> tuple[float, float]:
        scale = math.pi / 180.0 * EARTH_RADIUS_M
        return (lon - self._lon0) * scale * math.cos(math.radians(self._lat0)), (
            lat - self._lat0
        ) * scale

    def _project(self, pixel: np.ndarray) -> tuple[float, float]:
        x, y, w = self._h @ np.array([pixel[0], pixel[1], 1.0])
        if w <= 1e-12:
            return math.inf, math.inf
        return float(x / w), float(y / w)

    def locate(self, point: tuple[float, float]) -> tuple[float, float] | None:
        """Return the (lat, lon) an image point shows, or None if it is off the ground."""
        east, north = self._project(np.array(point, np.float64))
        if not math.isfinite(east) or math.hypot(east, north) > MAX_RANGE_M:
            return None
        scale = math.pi / 180.0 * EARTH_RADIUS_M
        lat = self._lat0 + north / scale
        lon = self._lon0 + east / (scale * math.cos(math.radians(self._lat0)))
        return lat, lon


class Geotagger:
    """Gives each violation of a fixed camera its location (and the camera's as observer).

    Args:
        settings: the camera's surveyed position and optional calibration.
    """

    def __init__(self, settings: StaticLocation) -> None:
        self.camera = Location(
            lat=settings.lat, lon=settings.lon, fix=FixMode.STATIC, source=LocationSource.STATIC
        )
        self._calibration = (
            GroundCalibration(settings.calibration) if settings.calibration else None
        )

    def tag(self, violation: Violation) -> Violation:
        """Return ``violation`` with ``location`` (and ``observer`` when calibrated) set."""
        spot = self._calibration.locate(violation.anchor) if self._calibration else None
        if spot is None or self._calibration is None:
            return replace(violation, location=self.camera, observer=None)
        place = Location(
            lat=spot[0],
            lon=spot[1],
            accuracy_m=round(self._calibration.accuracy_m, 2),
            fix=FixMode.STATIC,
            source=LocationSource.ESTIMATED,
        )
        return replace(violation, location=place, observer=self.camera)
