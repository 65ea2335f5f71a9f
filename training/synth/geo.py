"""Local metres ↔ WGS-84 latitude/longitude (equirectangular approximation).

The synthetic world is a flat local frame around a fixed origin: x = east, y = north, z = up,
all in metres (ENU). Geographic coordinates are derived with the equirectangular
approximation about the origin::

    lat = lat0 + north / R
    lon = lon0 + east / (R · cos(lat0))

with R = 6 378 137 m (the WGS-84 equatorial radius) and angles in radians. Over the few hundred
metres a synthetic street spans, the error against a geodesic computation is far below a
centimetre per kilometre of distance from the origin squared — negligible next to GPS error —
and the mapping is exactly invertible, so a round trip returns the same metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_378_137.0
"""Sphere radius of the approximation: the WGS-84 semi-major axis, metres."""

DEFAULT_ORIGIN_LAT = 31.2286
"""Default origin latitude: a street corner near People's Square, Shanghai."""

DEFAULT_ORIGIN_LON = 121.4753
"""Default origin longitude (see ``DEFAULT_ORIGIN_LAT``)."""


@dataclass(frozen=True)
class GeoOrigin:
    """The WGS-84 point at the origin of the local east/north metre frame.

    Attributes:
        lat: latitude in degrees, north positive.
        lon: longitude in degrees, east positive.
    """

    lat: float = DEFAULT_ORIGIN_LAT
    lon: float = DEFAULT_ORIGIN_LON

    def __post_init__(self) -> None:
        if not -85.0 <= self.lat <= 85.0:
            raise ValueError(f"origin latitude {self.lat} is outside -85..85 degrees")
        if not -180.0 <= self.lon <= 180.0:
            raise ValueError(f"origin longitude {self.lon} is outside -180..180 degrees")

    def to_latlon(self, east: float, north: float) -> tuple[float, float]:
        """Return ``(lat, lon)`` in degrees of a local point given in metres."""
        lat = self.lat + math.degrees(north / EARTH_RADIUS_M)
        lon = self.lon + math.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(self.lat))))
        return lat, lon

    def to_enu(self, lat: float, lon: float) -> tuple[float, float]:
        """Return ``(east, north)`` in metres of a WGS-84 point given in degrees."""
        north = math.radians(lat - self.lat) * EARTH_RADIUS_M
        east = math.radians(lon - self.lon) * EARTH_RADIUS_M * math.cos(math.radians(self.lat))
        return east, north


def parse_origin(text: str) -> GeoOrigin:
    """Parse ``"LAT,LON"`` (degrees) into a :class:`GeoOrigin`.

    Raises:
        ValueError: the text is not two numbers or is out of range.
    """
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        raise ValueError(f"origin {text!r} is not 'LAT,LON'")
    return GeoOrigin(lat=float(parts[0]), lon=float(parts[1]))


def heading_of(east: float, north: float) -> float:
    """Return the compass heading in degrees [0, 360) of a direction in the local frame."""
    return math.degrees(math.atan2(east, north)) % 360.0
