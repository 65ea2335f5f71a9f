"""GNSS fixes and the small geodesy the position stage needs (immutable values).

A :class:`Fix` is one epoch of a receiver: GPS time, position (absent without a fix), fix mode,
horizontal accuracy, speed, course and the device clock when it was received (live sources
only, for the clock skew).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime

from contracts.messages import FixMode, LocationSource

EARTH_RADIUS_M = 6_378_137.0
"""Sphere radius of the local equirectangular approximation (WGS-84 semi-major axis)."""


@dataclass(frozen=True)
class Fix:
    """One receiver epoch.

    Attributes:
        time: GPS time of the epoch, timezone-aware UTC.
        lat: WGS-84 latitude, degrees; None without a fix.
        lon: WGS-84 longitude, degrees; None without a fix.
        mode: none, 2d or 3d.
        source: gpsd, nmea or gpx.
        accuracy_m: horizontal accuracy, metres, when known.
        speed_mps: speed over ground, when known.
        heading_deg: course over ground, degrees clockwise from north, when known.
        satellites: satellites used, when known.
        received: device wall clock (POSIX seconds) when the epoch arrived; live sources only.
        course_reported: False when the course was derived from the previous fix (a track
            without courses, e.g. GPX).
    """

    time: datetime
    lat: float | None
    lon: float | None
    mode: FixMode
    source: LocationSource
    accuracy_m: float | None = None
    speed_mps: float | None = None
    heading_deg: float | None = None
    satellites: int | None = None
    received: float | None = None
    course_reported: bool = True

    @property
    def has_position(self) -> bool:
        """True when the epoch carries a usable position."""
        return self.mode is not FixMode.NONE and self.lat is not None and self.lon is not None

    def with_motion(self, previous: Fix | None, min_move_m: float = 1.0) -> Fix:
        """Return this fix with course and speed derived from ``previous`` where missing."""
        if previous is None or not (self.has_position and previous.has_position):
            return self
        dt = (self.time - previous.time).total_seconds()
        assert self.lat is not None and self.lon is not None
        assert previous.lat is not None and previous.lon is not None
        east, north = offset_m(previous.lat, previous.lon, self.lat, self.lon)
        moved = math.hypot(east, north)
        heading = self.heading_deg
        reported = self.course_reported and heading is not None
        if heading is None and moved >= min_move_m:
            heading, reported = bearing_deg(east, north), False
        speed = self.speed_mps
        if speed is None and dt > 0:
            speed = moved / dt
        return replace(self, heading_deg=heading, speed_mps=speed, course_reported=reported)


def offset_m(lat0: float, lon0: float, lat: float, lon: float) -> tuple[float, float]:
    """Return (east, north) metres of ``lat, lon`` from ``lat0, lon0`` (equirectangular)."""
    north = math.radians(lat - lat0) * EARTH_RADIUS_M
    east = math.radians(lon - lon0) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    return east, north


def moved_by(lat0: float, lon0: float, east: float, north: float) -> tuple[float, float]:
    """Return the (lat, lon) ``east``/``north`` metres from ``lat0, lon0``."""
    lat = lat0 + math.degrees(north / EARTH_RADIUS_M)
    lon = lon0 + math.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(lat0))))
    return lat, lon


def distance_m(lat0: float, lon0: float, lat: float, lon: float) -> float:
    """Return the ground distance in metres between two nearby points."""
    return math.hypot(*offset_m(lat0, lon0, lat, lon))


def bearing_deg(east: float, north: float) -> float:
    """Return the compass bearing in [0, 360) of a local direction."""
    return math.degrees(math.atan2(east, north)) % 360.0


def blend_heading(a: float, b: float, w: float) -> float:
    """Return the heading a fraction ``w`` of the way from ``a`` to ``b`` (shortest turn)."""
    turn = (b - a + 180.0) % 360.0 - 180.0
    return (a + w * turn) % 360.0
