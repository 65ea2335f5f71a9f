"""Track-level confirmation: the median score over a track, like Frigate's ``threshold``.

An instant ``min_score`` throws single weak boxes away; the median over the track's admitted
boxes must reach ``confirm_score`` before the track is a violation, so one lucky frame does
not raise an event and one bad frame does not drop a real one.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

import numpy as np

HISTORY = 64
"""Scores kept per track (the most recent ones)."""


class TrackScores:
    """The recent admitted scores of every track."""

    def __init__(self, history: int = HISTORY) -> None:
        self._history = history
        self._scores: dict[int, deque[float]] = {}
        self._seen: dict[int, datetime] = {}

    def __contains__(self, track_id: object) -> bool:
        return track_id in self._scores

    def add(self, track_id: int, score: float, at: datetime) -> float:
        """Record one score of ``track_id``; return the track's median so far."""
        scores = self._scores.setdefault(track_id, deque(maxlen=self._history))
        scores.append(score)
        self._seen[track_id] = at
        return float(np.median(np.fromiter(scores, dtype=np.float64)))

    def forget_before(self, cutoff: datetime) -> None:
        """Drop tracks last seen before ``cutoff``."""
        for track_id in [t for t, seen in self._seen.items() if seen < cutoff]:
            del self._scores[track_id], self._seen[track_id]
