"""Image zones: include, exclude and area polygons tested at a per-class anchor point.

A box stands where its anchor is: the bottom centre for objects on the ground (a stall, a
garbage pile), the centre for signage (a sign hangs on a wall or a pole). A zone applies to
the classes it lists (all when it lists none).

- An **exclude** zone containing the anchor removes the detection.
- If any **include** zone applies to the class, the anchor must lie in one of them.
- Otherwise the whole frame counts.
- An **area** zone admits and removes nothing: it names a place for schedules and permits.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from contracts.tuning import Zone, ZoneKind

CENTRE_ANCHORED = frozenset({"illegal_signage"})
"""Classes anchored at the box centre; every other class at the bottom centre."""


def anchor_point(
    label: str, box: tuple[float, float, float, float], frame_wh: tuple[int, int]
) -> tuple[float, float]:
    """Return the anchor of a box, normalised to 0..1 of the frame."""
    x = (box[0] + box[2]) / 2.0
    y = (box[1] + box[3]) / 2.0 if label in CENTRE_ANCHORED else box[3]
    return x / frame_wh[0], y / frame_wh[1]


@dataclass(frozen=True)
class Placement:
    """Where an anchor falls.

    Attributes:
        admitted: True if the zones let the detection through.
        zone: the first include zone (config order) containing it, if any.
        zones: every zone containing it, include and exclude.
    """

    admitted: bool
    zone: str | None
    zones: tuple[str, ...]


def _applies(zone: Zone, label: str) -> bool:
    return not zone.classes or label in zone.classes


class ZoneMap:
    """The zones of a device, ready for point tests."""

    def __init__(self, zones: list[Zone]) -> None:
        self._zones = list(zones)
        self._polygons: dict[str, npt.NDArray[np.float32]] = {
            zone.name: np.asarray(zone.polygon, np.float32).reshape(-1, 1, 2) for zone in zones
        }

    def contains(self, zone: Zone, point: tuple[float, float]) -> bool:
        """Return True if ``point`` (normalised) lies inside ``zone`` or on its edge."""
        return cv2.pointPolygonTest(self._polygons[zone.name], point, False) >= 0

    def place(self, label: str, anchor: tuple[float, float]) -> Placement:
        """Return how the zones treat a detection of ``label`` anchored at ``anchor``."""
        inside = [zone for zone in self._zones if self.contains(zone, anchor)]
        names = tuple(zone.name for zone in inside)
        if any(z.kind is ZoneKind.EXCLUDE and _applies(z, label) for z in inside):
            return Placement(False, None, names)
        includes = [z for z in inside if z.kind is ZoneKind.INCLUDE and _applies(z, label)]
        if includes:
            return Placement(True, includes[0].name, names)
        needs_include = any(z.kind is ZoneKind.INCLUDE and _applies(z, label) for z in self._zones)
        return Placement(not needs_include, None, names)
