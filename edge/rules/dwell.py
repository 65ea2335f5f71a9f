"""Dwell: a violation counts only after its object has stayed put for ``dwell_s`` seconds.

Time is the frames' time. The clock of a track starts when the rules first admit it and
starts again when the object moves more than ``drift`` box diagonals from where the clock
started (a cart pushed along the pavement never dwells).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class _Clock:
    since: datetime
    x: float
    y: float
    seen: datetime


class DwellClock:
    """Per-track dwell clocks.

    Args:
        drift: how far, in box diagonals, an object may move and still be dwelling.
    """

    def __init__(self, drift: float) -> None:
        self._drift = drift
        self._clocks: dict[int, _Clock] = {}

    def update(
        self, track_id: int, box: tuple[float, float, float, float], at: datetime
    ) -> datetime:
        """Record a sighting of ``track_id``; return when its dwell started."""
        x, y = (box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0
        diagonal = math.hypot(box[2] - box[0], box[3] - box[1])
        clock = self._clocks.get(track_id)
        if clock is None or math.hypot(x - clock.x, y - clock.y) > self._drift * diagonal:
            clock = _Clock(at, x, y, at)
        self._clocks[track_id] = _Clock(clock.since, clock.x, clock.y, at)
        return clock.since

    def forget_before(self, cutoff: datetime) -> None:
        """Drop clocks of tracks last seen before ``cutoff``."""
        self._clocks = {t: c for t, c in self._clocks.items() if c.seen >= cutoff}
