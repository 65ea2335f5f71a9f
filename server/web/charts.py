"""Charts drawn on the server as inline SVG: horizontal bars and a plain point map.

No script and no chart library: the KPI page and the case map work with JavaScript off and
without any asset from the network.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BAR_HEIGHT = 22
LABEL_WIDTH = 190
BAR_WIDTH = 360


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value and the text shown after it."""

    label: str
    value: float
    text: str


def bars(items: Sequence[Bar], scale: float | None = None, title: str = "") -> Markup:
    """Return a horizontal bar chart; bars are scaled to ``scale`` (default: the largest)."""
    if not items:
        return Markup("")
    top = scale or max((item.value for item in items), default=0.0) or 1.0
    height = BAR_HEIGHT * len(items) + 6
    width = LABEL_WIDTH + BAR_WIDTH + 70
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">'
    ]
    for row, item in enumerate(items):
        y = 3 + row * BAR_HEIGHT
        length = max(0.0, min(1.0, item.value / top)) * BAR_WIDTH
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end" class="chart-label">'
            f"{escape(item.label)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{BAR_WIDTH}" height="{BAR_HEIGHT - 8}" '
            f'class="chart-track" rx="3"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{BAR_HEIGHT - 8}" '
            f'class="chart-bar" rx="3"/>'
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 15}" class="chart-value">'
            f"{escape(item.text)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Point:
    """A point to plot: WGS-84 position, a CSS class and a tooltip."""

    lat: float
    lon: float
    kind: str
    title: str


def point_map(points: Sequence[Point], size: int = 320, pad_m: float = 40.0) -> Markup:
    """Return the points on a plain metric grid (north up), with a scale note.

    Used when no map tiles are configured: the case centre and each sighting are still
    shown in their true relative positions, with 10 m grid lines.
    """
    if not points:
        return Markup("")
    lat0 = sum(p.lat for p in points) / len(points)
    lon0 = sum(p.lon for p in points) / len(points)
    metres_per_deg_lat = 111_195.0
    metres_per_deg_lon = metres_per_deg_lat * _cos_deg(lat0)
    offsets = [
        ((p.lon - lon0) * metres_per_deg_lon, (p.lat - lat0) * metres_per_deg_lat) for p in points
    ]
    half = max(pad_m, *(max(abs(x), abs(y)) + pad_m / 2 for x, y in offsets))
    step = _grid_step(half)
    scale = (size / 2) / half
    parts = [
        f'<svg class="pointmap" viewBox="0 0 {size} {size}" width="100%" role="img" '
        f'aria-label="map">'
        f'<rect width="{size}" height="{size}" class="pm-bg"/>'
    ]
    lines = int(half // step)
    for k in range(-lines, lines + 1):
        at = size / 2 + k * step * scale
        parts.append(
            f'<line x1="{at:.1f}" y1="0" x2="{at:.1f}" y2="{size}" class="pm-grid"/>'
            f'<line x1="0" y1="{at:.1f}" x2="{size}" y2="{at:.1f}" class="pm-grid"/>'
        )
    for point, (x, y) in zip(points, offsets, strict=True):
        cx, cy = size / 2 + x * scale, size / 2 - y * scale
        radius = 9 if point.kind == "case" else 5
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" class="pm-{escape(point.kind)}">'
            f"<title>{escape(point.title)}</title></circle>"
        )
    parts.append(
        f'<text x="8" y="{size - 8}" class="pm-note">▦ {step:g} m · N↑ · '
        f"{lat0:.5f}, {lon0:.5f}</text></svg>"
    )
    return Markup("".join(parts))


def _cos_deg(degrees: float) -> float:
    return math.cos(math.radians(degrees))


def _grid_step(half: float) -> float:
    for step in (5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0):
        if half / step <= 6:
            return step
    return 5000.0
