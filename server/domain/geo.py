"""WGS-84 points, great-circle distance and the evidence-weighted case location."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres."""

METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180.0
"""Length of one degree of latitude on the mean sphere, metres."""


@dataclass(frozen=True)
class GeoPoint:
    """A WGS-84 position in degrees."""

    lat: float
    lon: float


@dataclass(frozen=True)
class BoundingBox:
    """A latitude/longitude box (no antimeridian crossing)."""

    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def contains(self, point: GeoPoint) -> bool:
        """Return True if ``point`` lies in the box (edges included)."""
        return (
            self.min_lat <= point.lat <= self.max_lat and self.min_lon <= point.lon <= self.max_lon
        )


def distance_m(a: GeoPoint, b: GeoPoint) -> float:
    """Return the haversine distance between two points, metres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def box_around(point: GeoPoint, radius_m: float) -> BoundingBox:
    """Return a box that contains every point within ``radius_m`` of ``point`` (with margin).

    The longitude span uses the cosine of the box's pole-most latitude, so the box is never
    too small; near the poles it spans every longitude.
    """
    margin = radius_m * 1.01 + 1.0
    dlat = margin / METRES_PER_DEGREE_LAT
    edge_lat = min(89.999, abs(point.lat) + dlat)
    cos_lat = math.cos(math.radians(edge_lat))
    dlon = 180.0 if cos_lat < 1e-6 else min(180.0, dlat / cos_lat)
    return BoundingBox(
        min_lat=max(-90.0, point.lat - dlat),
        min_lon=max(-180.0, point.lon - dlon),
        max_lat=min(90.0, point.lat + dlat),
        max_lon=min(180.0, point.lon + dlon),
    )


@dataclass(frozen=True)
class WeightedCentroid:
    """Running sums of a weighted mean position; :meth:`add` returns a new value.

    A case's location is the mean of its events' positions, each weighted by
    :func:`evidence_weight`.
    """

    weight: float = 0.0
    weighted_lat: float = 0.0
    weighted_lon: float = 0.0

    def add(self, point: GeoPoint, weight: float) -> WeightedCentroid:
        """Return the centroid with ``point`` added at ``weight`` (> 0)."""
        return WeightedCentroid(
            self.weight + weight,
            self.weighted_lat + weight * point.lat,
            self.weighted_lon + weight * point.lon,
        )

    def combine(self, other: WeightedCentroid) -> WeightedCentroid:
        """Return the centroid of both sets of points (used when cases merge)."""
        return WeightedCentroid(
            self.weight + other.weight,
            self.weighted_lat + other.weighted_lat,
            self.weighted_lon + other.weighted_lon,
        )

    @property
    def point(self) -> GeoPoint | None:
        """The weighted mean position, or None before the first point."""
        if self.weight <= 0.0:
            return None
        return GeoPoint(self.weighted_lat / self.weight, self.weighted_lon / self.weight)


def evidence_weight(confidence: float, evidence_items: int, accuracy_m: float | None) -> float:
    """Return the weight of one event's position in its case's location.

    Events with more photo evidence, a higher confidence and a tighter position fix count
    more: ``confidence * (1 + evidence_items) / max(accuracy_m, 1)`` (accuracy unknown:
    10 m). The weight is always positive.
    """
    accuracy = 10.0 if accuracy_m is None else max(accuracy_m, 1.0)
    return max(confidence, 0.01) * (1 + max(evidence_items, 0)) / accuracy
