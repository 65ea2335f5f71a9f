"""Where a moving camera's violation is: projected from the bike's fix, never invented.

Each violation's ``observer`` is the bike's position at frame time (interpolated between fixes,
:mod:`edge.position.track`). With a fresh fix that has a course, the object's position is the
flat-ground projection of its box's bottom centre (:mod:`edge.patrol.ground`), with source
``estimated``. Otherwise the event says why it has no own position:

- no fix: ``location`` and ``observer`` are ``fix: none`` without lat/lon;
- a stale fix: ``location`` is the bike's last known position, marked ``stale``, no accuracy;
- no course yet, or the point is beyond range: ``location`` is the bike's position
  without accuracy (the sign that it is not the object's own).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from contracts.messages import FixMode, Location, LocationSource
from edge.config_patrol import CameraMount
from edge.patrol.ground import GroundProjector
from edge.position.provider import Positioning
from edge.violations import Violation

log = logging.getLogger(__name__)


class MovingGeotagger:
    """Gives each violation of a moving camera its location and observer.

    Args:
        positioning: the position source.
        mount: the camera mount.
        default_accuracy_m: GPS accuracy when the fix has none.
    """

    def __init__(
        self, positioning: Positioning, mount: CameraMount, default_accuracy_m: float
    ) -> None:
        self._positioning = positioning
        self._projector = GroundProjector(mount)
        self._default_accuracy_m = default_accuracy_m

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
        x1, _, x2, y2 = violation.box
        point = self._projector.locate(
            (observer.lat, observer.lon),
            observer.heading_deg,
            ((x1 + x2) / 2.0, y2),
            (violation.frame.width, violation.frame.height),
            observer.accuracy_m if observer.accuracy_m is not None else self._default_accuracy_m,
        )
        if point is None:
            return replace(
                violation,
                location=observer.model_copy(update={"accuracy_m": None}),
                observer=observer,
            )
        place = Location(
            lat=point.lat,
            lon=point.lon,
            accuracy_m=round(point.accuracy_m, 2),
            fix=observer.fix,
            fix_age_s=observer.fix_age_s,
            source=LocationSource.ESTIMATED,
        )
        return replace(violation, location=place, observer=observer)
