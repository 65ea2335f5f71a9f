"""Hand-made GPS fixes of a bike riding north, and a position source holding them."""

from __future__ import annotations

from datetime import timedelta

from contracts.messages import FixMode, LocationSource
from edge.config_patrol import GpsLocation, GpsSettings
from edge.position.fixes import Fix, moved_by
from edge.position.provider import Positioning
from support.edge_setup import T0

LAT0, LON0 = 31.2286, 121.4753


def positioning(*fixes: Fix) -> Positioning:
    """Return a position source (a gpsd kind that is never connected) holding ``fixes``."""
    where = Positioning(
        GpsLocation(mode="gps", gps=GpsSettings(kind="gpsd", uri="127.0.0.1:1"), max_fix_age_s=2.0)
    )
    for fix in fixes:
        where.add(fix)
    return where


def fix(seconds: float, north: float, *, heading: float | None = 0.0, speed: float = 5.0) -> Fix:
    """Return a 3D fix ``seconds`` after T0, ``north`` metres north of (LAT0, LON0)."""
    lat, lon = moved_by(LAT0, LON0, 0.0, north)
    return Fix(
        time=T0 + timedelta(seconds=seconds),
        lat=lat,
        lon=lon,
        mode=FixMode.FIX_3D,
        source=LocationSource.GPSD,
        accuracy_m=2.0,
        heading_deg=heading,
        speed_mps=speed,
    )
