"""GeoJSON geo-fences: where on the map a moving camera's violations count.

A fence is a Polygon or MultiPolygon feature with ``properties``:

- ``name`` (required): reported as the event's ``camera.zone``;
- ``kind``: ``include`` (e.g. a no-vending street: the class counts only inside such fences)
  or ``exclude`` (e.g. an allowed market area: the class never counts inside);
- ``classes``: the classes it applies to (absent: all).

As with image zones, an ``exclude`` fence containing the violation's position removes it; if
any ``include`` fence applies to the class, the position must lie in one of them. A violation
without an own position (``source`` not ``estimated``) cannot be placed and is kept, so that
a lost fix never hides a violation; the server decides.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from shapely.errors import ShapelyError  # type: ignore[import-untyped]
from shapely.geometry import Point, shape  # type: ignore[import-untyped]
from shapely.prepared import prep  # type: ignore[import-untyped]

from contracts.messages import LocationSource
from edge.violations import Violation
from streetwatch.errors import UserError

log = logging.getLogger(__name__)


class FenceError(UserError):
    """A geo-fence file that cannot be used."""


@dataclass(frozen=True)
class Fence:
    """One geo-fence."""

    name: str
    kind: str
    classes: frozenset[str]
    area: Any  # a shapely PreparedGeometry

    def applies_to(self, label: str) -> bool:
        """Return True if the fence concerns ``label``."""
        return not self.classes or label in self.classes


def load_fences(path: Path) -> tuple[Fence, ...]:
    """Read the fences of a GeoJSON FeatureCollection.

    Raises:
        FenceError: the file is missing, not GeoJSON, or a feature is malformed.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FenceError(f"geo-fence file {path} cannot be read: {exc}") from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise FenceError(
            f"geo-fence file {path} is not a GeoJSON FeatureCollection: it needs a 'features' list"
        )
    fences = tuple(
        _fence(feature, f"geo-fence file {path}, feature {index}")
        for index, feature in enumerate(features)
    )
    log.info("geo-fences %s: %d fence(s)", path, len(fences))
    return fences


def _fence(feature: object, where: str) -> Fence:
    """Return one feature as a fence; ``where`` names it in errors."""
    if not isinstance(feature, dict):
        raise FenceError(f"{where}: a feature must be an object, not {_json_type(feature)}")
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise FenceError(f"{where}: 'properties' must be an object, not {_json_type(properties)}")
    name, kind = properties.get("name"), properties.get("kind", "include")
    if not isinstance(name, str) or not 0 < len(name) <= 64:
        raise FenceError(f"{where}: 'name' must be text of 1..64 characters")
    if not isinstance(kind, str) or kind not in {"include", "exclude"}:
        raise FenceError(f"{where}: 'kind' must be 'include' or 'exclude', not {kind!r}")
    classes = properties.get("classes") or []
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
        raise FenceError(f"{where}: 'classes' must be a list of class names")
    geometry = feature.get("geometry")
    kind_of = geometry.get("type") if isinstance(geometry, dict) else None
    if not isinstance(geometry, dict) or kind_of not in ("Polygon", "MultiPolygon"):
        shown = repr(kind_of) if isinstance(geometry, dict) else _json_type(geometry)
        raise FenceError(f"{where}: the geometry must be a Polygon or MultiPolygon, not {shown}")
    if not isinstance(geometry.get("coordinates"), list):
        raise FenceError(f"{where}: the {kind_of} needs a 'coordinates' list")
    try:
        area = shape(geometry)
    except (ValueError, TypeError, IndexError, ShapelyError) as exc:
        why = str(exc).rstrip(".")
        raise FenceError(f"{where}: the {kind_of} coordinates are malformed ({why})") from None
    if area.is_empty or not area.is_valid:
        raise FenceError(f"{where}: the {kind_of} is empty or not valid (crossing edges)")
    return Fence(name, kind, frozenset(classes), prep(area))


def _json_type(value: object) -> str:
    """Return the JSON name of a parsed value's type, for error messages."""
    if value is None:
        return "null"
    names = {bool: "a boolean", str: "text", list: "a list", dict: "an object"}
    return names.get(type(value), "a number")


class FenceFilter:
    """Keeps the violations the geo-fences admit.

    Args:
        fences: the fences (none: every violation is admitted, zones unchanged).
    """

    def __init__(self, fences: tuple[Fence, ...] = ()) -> None:
        self._fences = fences

    def filter(self, violations: tuple[Violation, ...]) -> tuple[Violation, ...]:
        """Return the admitted violations, each with the include fence that admitted it."""
        if not self._fences:
            return violations
        kept = []
        for violation in violations:
            admitted = self._admit(violation)
            if admitted is not None:
                kept.append(admitted)
        return tuple(kept)

    def _admit(self, violation: Violation) -> Violation | None:
        location = violation.location
        if location is None or location.source is not LocationSource.ESTIMATED:
            return violation
        assert location.lat is not None and location.lon is not None
        point = Point(location.lon, location.lat)
        fences = [f for f in self._fences if f.applies_to(violation.label)]
        inside = [f for f in fences if f.area.contains(point)]
        if any(f.kind == "exclude" for f in inside):
            return None
        includes = [f for f in fences if f.kind == "include"]
        if not includes:
            return violation
        zone = next((f.name for f in inside if f.kind == "include"), None)
        return None if zone is None else replace(violation, zone=zone)
