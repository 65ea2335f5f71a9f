"""GeoJSON geo-fences: where on the map a moving camera's violations count.

A fence is a Polygon or MultiPolygon feature with ``properties``:

- ``name`` (required): reported as the event's ``camera.zone``;
- ``kind``: ``include`` (e.g. a no-vending street: the class counts only inside such fences)
  or ``exclude`` (e.g. an allowed market area: the class never counts inside);
- ``classes``: the classes it applies to (absent: all);
- ``windows``: weekly local-time windows when it is in force, each ``{"days": ["fri",
  "sat"], "start": "17:00", "end": "23:00"}`` as in the rules' schedules (``days`` absent:
  every day; an end at or before the start wraps past midnight); absent: always;
- ``valid_from`` / ``valid_until``: first and last local day it is in force (``YYYY-MM-DD``),
  e.g. a district's licence for a market area.

As with image zones, an ``exclude`` fence in force containing the violation's position removes
it; if any ``include`` fence within its dates applies to the class, the position must lie in
one in force (out of its hours a no-vending street admits nothing; before ``valid_from`` or
after ``valid_until`` it is as if absent). A window belongs to the day it starts on. A
violation without an own position (``source`` not ``estimated``) cannot be placed and is kept,
so that a lost fix never hides a violation; the server decides.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter, ValidationError
from shapely.errors import ShapelyError  # type: ignore[import-untyped]
from shapely.geometry import Point, shape  # type: ignore[import-untyped]
from shapely.prepared import prep  # type: ignore[import-untyped]

from contracts.messages import LocationSource
from contracts.tuning import TimeWindow
from edge.rules.schedules import open_since
from edge.violations import Violation
from streetwatch.errors import UserError

log = logging.getLogger(__name__)

_WINDOWS = TypeAdapter(tuple[TimeWindow, ...])


class FenceError(UserError):
    """A geo-fence file that cannot be used."""


@dataclass(frozen=True)
class Fence:
    """One geo-fence."""

    name: str
    kind: str
    classes: frozenset[str]
    area: Any  # a shapely PreparedGeometry
    windows: tuple[TimeWindow, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None

    def applies_to(self, label: str) -> bool:
        """Return True if the fence concerns ``label``."""
        return not self.classes or label in self.classes

    def valid_on(self, day: date) -> bool:
        """Return True if ``day`` lies within ``valid_from``..``valid_until``."""
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_until is None or day <= self.valid_until
        )

    def exists(self, local: datetime) -> bool:
        """Return True if the fence is in its dates (or a window of its last day runs on)."""
        return self.valid_on(local.date()) or self.in_force(local)

    def in_force(self, local: datetime) -> bool:
        """Return True if the fence holds at ``local`` (a wall-clock time in the device's zone).

        A window belongs to the day it starts on: the last night of a licence ending on a
        Saturday runs to Sunday 01:00, and the first one starts at 17:00, not at midnight.
        """
        if not self.windows:
            return self.valid_on(local.date())
        started = (open_since(window, local) for window in self.windows)
        return any(day is not None and self.valid_on(day) for day in started)


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
    valid_from = _day(properties, "valid_from", where)
    valid_until = _day(properties, "valid_until", where)
    if valid_from is not None and valid_until is not None and valid_from > valid_until:
        raise FenceError(f"{where}: 'valid_from' {valid_from} is after 'valid_until' {valid_until}")
    windows = _windows(properties.get("windows"), where)
    return Fence(name, kind, frozenset(classes), prep(area), windows, valid_from, valid_until)


def _day(properties: dict[str, Any], key: str, where: str) -> date | None:
    value = properties.get(key)
    if value is None:
        return None
    problem = FenceError(f"{where}: {key!r} must be a date YYYY-MM-DD, not {value!r}")
    if not isinstance(value, str):
        raise problem
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise problem from None


def _windows(value: object, where: str) -> tuple[TimeWindow, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        raise FenceError(f"{where}: 'windows' must be a non-empty list of time windows")
    try:
        return _WINDOWS.validate_python(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        at = ".".join(str(part) for part in error["loc"])
        raise FenceError(f"{where}: 'windows' entry {at}: {error['msg']}") from None


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
        timezone: IANA zone of the fences' windows and days.
    """

    def __init__(self, fences: tuple[Fence, ...] = (), timezone: str = "Asia/Shanghai") -> None:
        self._fences = fences
        self._zone = ZoneInfo(timezone)

    def filter(self, at: datetime, violations: tuple[Violation, ...]) -> tuple[Violation, ...]:
        """Return the violations admitted at ``at``, each with the include fence admitting it."""
        if not self._fences:
            return violations
        local = at.astimezone(self._zone)
        kept = []
        for violation in violations:
            admitted = self._admit(violation, local)
            if admitted is not None:
                kept.append(admitted)
        return tuple(kept)

    def _admit(self, violation: Violation, local: datetime) -> Violation | None:
        location = violation.location
        if location is None or location.source is not LocationSource.ESTIMATED:
            return violation
        assert location.lat is not None and location.lon is not None
        point = Point(location.lon, location.lat)
        fences = [f for f in self._fences if f.applies_to(violation.label) and f.exists(local)]
        inside = [f for f in fences if f.in_force(local) and f.area.contains(point)]
        if any(f.kind == "exclude" for f in inside):
            return None
        if not any(f.kind == "include" for f in fences):
            return violation
        zone = next((f.name for f in inside if f.kind == "include"), None)
        return None if zone is None else replace(violation, zone=zone)
