"""Recorded rides as GPX tracks (``gpxpy``): every track point with a time is a fix.

A point's ``<fix>`` (``none``/``2d``/``3d``/``dgps``/``pps``) sets the mode (3d when absent);
its ``<hdop>`` times ``uere_m`` gives the accuracy, else ``default_accuracy_m``.
"""

from __future__ import annotations

import logging
from datetime import timezone
from pathlib import Path

import gpxpy
import gpxpy.gpx

from contracts.messages import FixMode, LocationSource
from edge.position.fixes import Fix
from streetwatch.errors import UserError

log = logging.getLogger(__name__)

_MODES = {"none": FixMode.NONE, "2d": FixMode.FIX_2D}


class GpxError(UserError):
    """A GPX file that cannot be read."""


def read_gpx(path: Path, uere_m: float, default_accuracy_m: float) -> list[Fix]:
    """Return the timed track points of ``path`` as fixes, in time order.

    Raises:
        GpxError: the file is missing, not GPX, or has no timed point.
    """
    try:
        with path.open(encoding="utf-8") as handle:
            document = gpxpy.parse(handle)
    except (OSError, gpxpy.gpx.GPXException) as exc:
        raise GpxError(f"GPX track {path} cannot be read: {exc}") from None
    fixes = []
    for track in document.tracks:
        for segment in track.segments:
            for point in segment.points:
                if point.time is None:
                    continue
                when = point.time.astimezone(timezone.utc)
                mode = _MODES.get(point.type_of_gpx_fix or "", FixMode.FIX_3D)
                hdop = point.horizontal_dilution
                accuracy = hdop * uere_m if hdop else default_accuracy_m
                has = mode is not FixMode.NONE
                fixes.append(
                    Fix(
                        time=when,
                        lat=point.latitude if has else None,
                        lon=point.longitude if has else None,
                        mode=mode,
                        source=LocationSource.GPX,
                        accuracy_m=accuracy if has else None,
                        speed_mps=point.speed,
                        satellites=None if point.satellites is None else int(point.satellites),
                    )
                )
    if not fixes:
        raise GpxError(f"GPX track {path} has no track point with a time")
    fixes.sort(key=lambda f: f.time)
    log.info("GPX track %s: %d fixes, %s .. %s", path, len(fixes), fixes[0].time, fixes[-1].time)
    return fixes
