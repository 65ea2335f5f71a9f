"""Responsibility grids (网格) from GeoJSON, and which grid a point lies in.

Each feature of a ``FeatureCollection`` is one grid: a ``Polygon`` or ``MultiPolygon`` with a
``grid_id`` property (and optionally ``name`` and ``district``). Where grids overlap, the
smallest one that covers the point wins.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely  # type: ignore[import-untyped]
from shapely.geometry import shape  # type: ignore[import-untyped]

from server.domain.geo import GeoPoint
from streetwatch.errors import UserError

MAX_GRID_FILE_BYTES = 64 * 1024 * 1024


class GridFileError(UserError):
    """A grid file that cannot be used; the message names the file and the feature."""


@dataclass(frozen=True)
class Grid:
    """One responsibility grid."""

    grid_id: str
    name: str
    district: str
    geometry: Any  # shapely Polygon or MultiPolygon


class GridIndex:
    """Finds the grid of a point (shapely STRtree, point-in-polygon with edges included).

    Args:
        grids: the grids; ids must be unique.
    """

    def __init__(self, grids: Sequence[Grid]) -> None:
        self.grids: tuple[Grid, ...] = tuple(grids)
        self._tree = shapely.STRtree([grid.geometry for grid in self.grids])

    def locate(self, point: GeoPoint) -> Grid | None:
        """Return the smallest grid covering ``point``, or None outside every grid."""
        if not self.grids:
            return None
        where = shapely.Point(point.lon, point.lat)
        hits = self._tree.query(where, predicate="intersects")
        found = [self.grids[int(index)] for index in hits]
        if not found:
            return None
        return min(found, key=lambda grid: (grid.geometry.area, grid.grid_id))

    def ids(self) -> list[str]:
        """Return every grid id, sorted."""
        return sorted(grid.grid_id for grid in self.grids)


EMPTY_GRIDS = GridIndex([])
"""No grids configured: every point is outside."""


def parse_grids(data: Any, source: str) -> GridIndex:
    """Return the grids of a parsed GeoJSON ``FeatureCollection``.

    Raises:
        GridFileError: not a feature collection, or a feature without a usable polygon or id.
    """
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GridFileError(f"{source}: not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise GridFileError(f"{source}: 'features' must be a list")
    grids = [_grid(item, f"{source}: features[{index}]") for index, item in enumerate(features)]
    seen: set[str] = set()
    for index, grid in enumerate(grids):
        if grid.grid_id in seen:
            raise GridFileError(f"{source}: features[{index}]: grid_id {grid.grid_id!r} repeats")
        seen.add(grid.grid_id)
    return GridIndex(grids)


def _grid(feature: Any, where: str) -> Grid:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise GridFileError(f"{where}: not a GeoJSON Feature")
    props = feature.get("properties") or {}
    grid_id = props.get("grid_id") if isinstance(props, dict) else None
    if not isinstance(grid_id, str) or not grid_id or len(grid_id) > 64:
        raise GridFileError(f"{where}: needs a 'grid_id' property (text, 1-64 characters)")
    geometry = feature.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        raise GridFileError(f"{where}: geometry must be a Polygon or MultiPolygon, not {kind}")
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise GridFileError(f"{where}: bad {kind} coordinates: {exc}") from None
    if polygon.is_empty or not polygon.is_valid:
        raise GridFileError(f"{where}: the {kind} of grid {grid_id!r} is empty or self-crossing")
    name = props.get("name", grid_id)
    district = props.get("district", "")
    return Grid(grid_id, str(name), str(district), polygon)


def load_grids(path: Path) -> GridIndex:
    """Load a GeoJSON grid file.

    Raises:
        GridFileError: missing, unreadable, too large, not JSON or not valid grids.
    """
    try:
        if path.stat().st_size > MAX_GRID_FILE_BYTES:
            raise GridFileError(f"{path}: larger than {MAX_GRID_FILE_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GridFileError(f"{path}: no such grid file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GridFileError(f"{path}: cannot read the grid file: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GridFileError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    return parse_grids(data, str(path))
