"""Where a moving camera's violation is: projected from the bike's fix, never invented.

Each violation's ``observer`` is the bike's position at frame time (interpolated between fixes,
:mod:`edge.position.track`). With a fresh fix that has a course, the object's position is the
flat-ground projection of its box's bottom centre (:mod:`edge.patrol.ground`), with source
``estimated``; for a *raised* class (signs on walls, banners: ``patrol.raised``) it is where the
bearings of its track cross (:mod:`edge.patrol.bearings`).

With a good fix, a sighting that cannot be placed *yet* — a raised object whose bearings have
not crossed, a point beyond ``max_range_m`` or above the horizon (the bike is still far
away) — has no location at all: the pipeline holds it back, for at most ``place_wait_s`` of
its track; after that it is reported at the bike's position. Otherwise the event says why it
has no own position:

- no fix: ``location`` and ``observer`` are ``fix: none`` without lat/lon;
- a stale fix: ``location`` is the bike's last known position, marked ``stale``, no accuracy;
- no course yet (the bike stands), or the wait is over: ``location`` is the bike's position
  without accuracy (the sign that it is not the object's own).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from contracts.messages import FixMode, Location, LocationSource
from edge.config_patrol import CameraMount, PatrolSettings
from edge.patrol.bearings import BearingTracker
from edge.patrol.ground import GroundPoint, GroundProjector
from edge.position.fixes import bearing_deg
from edge.position.provider import Positioning
from edge.violations import Violation

log = logging.getLogger(__name__)

MAX_TURN_DEG_S = 5.0
"""A course turning faster than this (degrees per second) gives no bearings."""


class MovingGeotagger:
    """Gives each violation of a moving camera its location and observer.

    Args:
        positioning: the position source.
        mount: the camera mount.
        default_accuracy_m: GPS accuracy when the fix has none.
        patrol: which classes are raised, and how their bearings are crossed.
    """

    def __init__(
        self,
        positioning: Positioning,
        mount: CameraMount,
        default_accuracy_m: float,
        patrol: PatrolSettings | None = None,
    ) -> None:
        patrol = patrol or PatrolSettings()
        self._positioning = positioning
        self._projector = GroundProjector(mount)
        self._default_accuracy_m = default_accuracy_m
        self._raised = frozenset(patrol.raised)
        keep_s = max(patrol.pass_gap_s, patrol.place_wait_s)
        self._waits = TrackWaits(patrol.place_wait_s, keep_s)
        self._bearings = BearingTracker(
            patrol.bearing_spread_deg, patrol.bearing_tolerance_deg, mount.max_range_m, keep_s
        )

    def tag(self, violation: Violation) -> Violation:
        """Return ``violation`` with ``location`` and ``observer`` set."""
        observer = self._positioning.at(violation.seen_at)
        if observer.fix is FixMode.NONE:
            return replace(violation, location=observer, observer=observer)
        if observer.stale or observer.heading_deg is None:
            return replace(
                violation,
                location=observer.model_copy(update={"accuracy_m": None}),
                observer=observer,
            )
        assert observer.lat is not None and observer.lon is not None
        accuracy = (
            observer.accuracy_m if observer.accuracy_m is not None else self._default_accuracy_m
        )
        camera, size = (observer.lat, observer.lon), (violation.frame.width, violation.frame.height)
        x1, y1, x2, y2 = violation.box
        if violation.label in self._raised:
            ray = self._projector.direction(
                ((x1 + x2) / 2.0, (y1 + y2) / 2.0), size, observer.heading_deg
            )
            steady = not self._turning(violation.seen_at, observer.heading_deg)
            point = self._bearings.add(
                violation.track_id,
                violation.seen_at,
                camera,
                bearing_deg(ray[0], ray[1]) if steady else None,
                accuracy,
            )
        else:
            point = self._projector.locate(
                camera, observer.heading_deg, ((x1 + x2) / 2.0, y2), size, accuracy
            )
        if point is None and self._waits.holds(violation.track_id, violation.seen_at):
            return replace(violation, location=None, observer=observer)
        if point is None:
            return replace(
                violation,
                location=observer.model_copy(update={"accuracy_m": None}),
                observer=observer,
            )
        return replace(violation, location=_estimated(point, observer), observer=observer)

    def _turning(self, at: datetime, heading_deg: float) -> bool:
        """Return True when the course turned faster than :data:`MAX_TURN_DEG_S` last second.

        The course of a turning bike lags its camera, so its bearings are off.
        """
        before = self._positioning.at(at - timedelta(seconds=1.0)).heading_deg
        if before is None:
            return False
        return abs((heading_deg - before + 180.0) % 360.0 - 180.0) > MAX_TURN_DEG_S


class TrackWaits:
    """How long each track has waited to be placed (mutable, private to this stage).

    Args:
        wait_s: how long a track is held back.
        keep_s: a track unseen this long is forgotten.
    """

    def __init__(self, wait_s: float, keep_s: float) -> None:
        self._wait_s = wait_s
        self._keep_s = keep_s
        self._first: dict[int, datetime] = {}
        self._last: dict[int, datetime] = {}

    def holds(self, track_id: int, at: datetime) -> bool:
        """Record an unplaced sighting; return True while its track is still held back."""
        self._last = {
            t: last for t, last in self._last.items() if (at - last).total_seconds() <= self._keep_s
        }
        self._first = {t: first for t, first in self._first.items() if t in self._last}
        first = self._first.setdefault(track_id, at)
        self._last[track_id] = max(at, self._last.get(track_id, at))
        return (at - first).total_seconds() < self._wait_s


def _estimated(point: GroundPoint, observer: Location) -> Location:
    return Location(
        lat=point.lat,
        lon=point.lon,
        accuracy_m=round(point.accuracy_m, 2),
        fix=observer.fix,
        fix_age_s=observer.fix_age_s,
        source=LocationSource.ESTIMATED,
    )
