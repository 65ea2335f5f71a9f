"""Per-stage timings and counters for the heartbeat (thread-safe).

Each stage (``decode``, ``detect``, ``track``, ``rules``, ``evidence``, ``outbox``,
``publish``) records how long one call took; :meth:`Telemetry.take_timings` returns the count,
mean and 95th percentile since the previous heartbeat and starts a new interval.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from contracts.messages import StageTiming

MAX_SAMPLES = 4096
"""Samples kept per stage and interval (the count stays exact beyond it)."""


class Telemetry:
    """Collects stage timings and named counters from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._samples: dict[str, list[float]] = defaultdict(list)
        self._counts: dict[str, int] = defaultdict(int)
        self._counters: dict[str, int] = defaultdict(int)

    def record(self, stage: str, seconds: float) -> None:
        """Add one call of ``stage`` that took ``seconds``."""
        with self._lock:
            self._counts[stage] += 1
            samples = self._samples[stage]
            if len(samples) < MAX_SAMPLES:
                samples.append(seconds)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Time the body of a ``with`` block as one call of ``stage``."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.record(stage, time.perf_counter() - started)

    def count(self, name: str, increment: int = 1) -> None:
        """Add ``increment`` to the counter ``name`` (counters never reset)."""
        with self._lock:
            self._counters[name] += increment

    def counter(self, name: str) -> int:
        """Return the counter ``name``."""
        with self._lock:
            return self._counters[name]

    def take_timings(self) -> dict[str, StageTiming]:
        """Return each stage's timing since the last call and start a new interval."""
        with self._lock:
            samples, counts = dict(self._samples), dict(self._counts)
            self._samples.clear()
            self._counts.clear()
        timings: dict[str, StageTiming] = {}
        for stage, values in samples.items():
            ms = np.asarray(values, dtype=np.float64) * 1000.0
            timings[stage] = StageTiming(
                count=counts[stage],
                mean_ms=round(float(ms.mean()), 3),
                p95_ms=round(float(np.percentile(ms, 95)), 3),
            )
        return timings
