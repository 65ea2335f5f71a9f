"""Device clock against GPS time: the median of (device clock at receipt − GPS time) per epoch.

The value includes the receiver's output latency (typically 50–300 ms for NMEA over serial),
so a skew within about half a second means the device clock is fine; larger values point at a
clock that is not synchronised. Recorded tracks (GPX, NMEA files) have no receipt time and
give no skew.
"""

from __future__ import annotations

import statistics
import threading
from collections import deque

from edge.position.fixes import Fix

WINDOW = 64
"""Epochs the median runs over."""


class SkewMeter:
    """Measures the device clock's skew against GPS time (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._samples: deque[float] = deque(maxlen=WINDOW)

    def add(self, fix: Fix) -> None:
        """Record one live epoch (ignored without a receipt time)."""
        if fix.received is None:
            return
        with self._lock:
            self._samples.append((fix.received - fix.time.timestamp()) * 1000.0)

    def skew_ms(self) -> float | None:
        """Return the median skew in milliseconds, or None before the first live epoch."""
        with self._lock:
            if not self._samples:
                return None
            return round(statistics.median(self._samples), 1)
