"""Draw a config's image zones and calibration points, labelled, over a camera frame."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from contracts.tuning import Zone, ZoneKind
from edge.config_sections import CalibrationPoint
from streetwatch.zones.frame import Image

COLOURS = {
    ZoneKind.INCLUDE: (60, 200, 60),
    ZoneKind.EXCLUDE: (50, 50, 230),
    ZoneKind.AREA: (230, 160, 40),
}
"""BGR outline colour per zone kind: include green, exclude red, area orange."""
CALIBRATION_COLOUR = (0, 200, 255)
FILL_ALPHA = 0.25


def draw_overlay(
    frame: Image, zones: Sequence[Zone], calibration: Sequence[CalibrationPoint] = ()
) -> Image:
    """Return a copy of ``frame`` with ``zones`` (filled, outlined) and calibration points."""
    height, width = frame.shape[:2]
    scale = max(1.0, width / 640.0)
    out = frame.copy()
    fill = frame.copy()
    polygons = [_pixels(zone.polygon, width, height) for zone in zones]
    for zone, polygon in zip(zones, polygons, strict=True):
        cv2.fillPoly(fill, [polygon], COLOURS[zone.kind])
    cv2.addWeighted(fill, FILL_ALPHA, out, 1.0 - FILL_ALPHA, 0.0, dst=out)
    for zone, polygon in zip(zones, polygons, strict=True):
        cv2.polylines(out, [polygon], True, COLOURS[zone.kind], max(1, round(2 * scale)))
        classes = ", ".join(zone.classes) if zone.classes else "all classes"
        label = f"{zone.name} ({zone.kind.value}: {classes})"
        anchor = polygon.mean(axis=0).astype(int)
        _label(out, label, (int(anchor[0]), int(anchor[1])), COLOURS[zone.kind], scale)
    for number, point in enumerate(calibration, start=1):
        x, y = round(point.pixel[0] * width), round(point.pixel[1] * height)
        cv2.circle(out, (x, y), max(3, round(5 * scale)), CALIBRATION_COLOUR, -1)
        text = f"C{number} {point.lat:.6f},{point.lon:.6f}"
        _label(out, text, (x + round(8 * scale), y), CALIBRATION_COLOUR, scale)
    return np.asarray(out, dtype=np.uint8)


def _pixels(polygon: Sequence[Sequence[float]], width: int, height: int) -> np.ndarray:
    points = [(x * width, y * height) for x, y in polygon]
    return np.round(np.array(points, dtype=np.float64)).astype(np.int32)


def _label(
    image: Image, text: str, at: tuple[int, int], colour: tuple[int, int, int], scale: float
) -> None:
    """Write ``text`` at ``at`` on a dark box, kept inside the image."""
    font, size, thickness = cv2.FONT_HERSHEY_SIMPLEX, 0.45 * scale, max(1, round(scale))
    (w, h), base = cv2.getTextSize(text, font, size, thickness)
    height, width = image.shape[:2]
    x = min(max(0, at[0] - w // 2), max(0, width - w - 2))
    y = min(max(h + 2, at[1]), height - base - 2)
    cv2.rectangle(image, (x - 2, y - h - 2), (x + w + 2, y + base + 2), (20, 20, 20), -1)
    cv2.putText(image, text, (x, y), font, size, colour, thickness, cv2.LINE_AA)
