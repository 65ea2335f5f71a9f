"""Permits: an image zone or a place (point + radius) where some classes are allowed.

A permit counts on the local days from ``valid_from`` (if given) to ``valid_until``, both
included, in the device's time zone. A zone permit covers a violation whose anchor lies in the
zone; a place permit covers one whose position is within ``radius_m`` of the point (the
violation's own position with a ground calibration, else the camera's).
"""

from __future__ import annotations

import logging
import math
from datetime import date
from zoneinfo import ZoneInfo

from contracts.tuning import Permit
from edge.violations import Violation

log = logging.getLogger(__name__)

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle (haversine) distance between two WGS-84 points, metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def permit_valid(permit: Permit, day: date) -> bool:
    """Return True if ``permit`` counts on the local ``day``."""
    starts_ok = permit.valid_from is None or permit.valid_from <= day
    return starts_ok and day <= permit.valid_until


def permit_covers(permit: Permit, violation: Violation, day: date) -> bool:
    """Return True if ``permit`` allows ``violation`` on the local ``day``."""
    if violation.label not in permit.classes or not permit_valid(permit, day):
        return False
    if permit.zone is not None:
        return permit.zone in violation.zones
    place = violation.location
    if permit.point is None or place is None or place.lat is None or place.lon is None:
        return False
    return distance_m(place.lat, place.lon, permit.point.lat, permit.point.lon) <= permit.radius_m


class PermitFilter:
    """Removes the violations a valid permit covers.

    Args:
        permits: the device's permits.
        timezone: IANA zone in which permit days are counted.
    """

    def __init__(self, permits: list[Permit], timezone: str) -> None:
        self._permits = list(permits)
        self._zone = ZoneInfo(timezone)

    def filter(self, violations: tuple[Violation, ...]) -> tuple[Violation, ...]:
        """Return the violations no permit covers."""
        kept: list[Violation] = []
        for violation in violations:
            day = violation.seen_at.astimezone(self._zone).date()
            permit = next((p for p in self._permits if permit_covers(p, violation, day)), None)
            if permit is None:
                kept.append(violation)
            else:
                log.debug(
                    "track %d %s covered by permit %s",
                    violation.track_id,
                    violation.label,
                    permit.name,
                )
        return tuple(kept)
