"""Dwell: a violation counts only after its object has stayed put for ``dwell_s`` seconds.

Time is the frames' time. The clock of a track starts when the rules first admit it and
starts again when the object moves more than ``drift`` box diagonals from where the clock
started (a cart pushed along the pavement never dwells).

A clock outlives a track loss: a fixed camera loses a stall's track whenever a customer hides
it for longer than ``tracking.lost_s``, and the stall comes back under a new track id. A new
track takes over the clock of a vanished track of the same class when that track was last
seen at most ``grace_s`` ago and the new box's centre lies within ``drift`` diagonals of where
the clock started (the nearest such clock, if several). The grace is ``events.end_after_s``:
gone for less, the object has not left as far as its violation's lifecycle is concerned.
"""

from __future__ import annotations

import math
from collections.abc import Set
from dataclasses import dataclass, replace
from datetime import datetime

from edge.config_sections import EventSettings

GRACE_S = EventSettings().end_after_s
"""Default seconds a vanished track's clock waits for a new track to take it over."""


@dataclass(frozen=True)
class _Clock:
    label: str
    since: datetime
    x: float
    y: float
    seen: datetime


class DwellClock:
    """Per-track dwell clocks, carried over to a new track of the same object.

    Args:
        drift: how far, in box diagonals, an object may move and still be dwelling.
        grace_s: how long after its track vanished a clock may be taken over.
    """

    def __init__(self, drift: float, grace_s: float = GRACE_S) -> None:
        self._drift = drift
        self._grace_s = grace_s
        self._clocks: dict[int, _Clock] = {}

    def update(
        self,
        track_id: int,
        label: str,
        box: tuple[float, float, float, float],
        at: datetime,
        present: Set[int] = frozenset(),
    ) -> datetime:
        """Record a sighting of ``track_id``; return when its dwell started.

        ``present`` holds the track ids of the current frame: their clocks are not taken over.
        """
        x, y = (box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0
        reach = self._drift * math.hypot(box[2] - box[0], box[3] - box[1])
        clock = self._clocks.get(track_id) or self._take_over(label, (x, y), reach, at, present)
        if clock is None or math.hypot(x - clock.x, y - clock.y) > reach:
            clock = _Clock(label, at, x, y, at)
        self._clocks[track_id] = replace(clock, seen=at)
        return clock.since

    def _take_over(
        self, label: str, centre: tuple[float, float], reach: float, at: datetime, present: Set[int]
    ) -> _Clock | None:
        """Remove and return the nearest clock that a vanished track of ``label`` left here."""
        left = [
            (math.hypot(centre[0] - clock.x, centre[1] - clock.y), track_id)
            for track_id, clock in self._clocks.items()
            if clock.label == label
            and track_id not in present
            and 0.0 < (at - clock.seen).total_seconds() <= self._grace_s
        ]
        distance, track_id = min(left, default=(math.inf, 0))
        return self._clocks.pop(track_id) if distance <= reach else None

    def forget_before(self, cutoff: datetime) -> None:
        """Drop clocks of tracks last seen before ``cutoff``."""
        self._clocks = {t: c for t, c in self._clocks.items() if c.seen >= cutoff}
