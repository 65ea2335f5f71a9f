"""Applies every rule of a class, in order, to each tracked detection of a frame.

Order: class known and configured → instant ``min_score``, area and aspect → zones (anchor
point) → track median (recorded from here on) → dwell (carried over to a new track of the same
object after a track loss, see :mod:`~edge.rules.dwell`) → schedules → confirmation verdict.
Permits need the violation's position, so :class:`~edge.rules.permits.PermitFilter` runs
after the geotagger. A retune (hot reload) keeps the per-track state: scores and dwell clocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.tuning import ClassThresholds, Tunables
from edge.detections import NO_TRACK, Detections
from edge.frames import Frame
from edge.rules.confirm import TrackScores
from edge.rules.dwell import GRACE_S, DwellClock
from edge.rules.schedules import ScheduleBook
from edge.rules.shape import passes_shape
from edge.rules.zones import ZoneMap, anchor_point
from edge.violations import Verdict, Violation

FORGET_AFTER = timedelta(minutes=5)
"""Per-track state is dropped this long after the track was last admitted."""


@dataclass
class RuleState:
    """What the rules remember about tracks between frames."""

    scores: TrackScores
    dwell: DwellClock
    first_seen: dict[int, datetime] = field(default_factory=dict)

    def forget_before(self, cutoff: datetime) -> None:
        """Drop tracks last admitted before ``cutoff``."""
        self.scores.forget_before(cutoff)
        self.dwell.forget_before(cutoff)
        self.first_seen = {t: s for t, s in self.first_seen.items() if t in self.scores}


@dataclass(frozen=True)
class _Row:
    track_id: int
    class_id: int
    label: str
    box: tuple[float, float, float, float]
    score: float


class Rules:
    """Turns tracked detections into violations (confirmed or near misses).

    Args:
        tunables: thresholds per class, zones and schedules in force.
        names: the model's class names (index = class id).
        timezone: IANA zone of the schedules.
        drift: dwell's stationary tolerance, in box diagonals.
        state: per-track state to continue from (a retune passes the old rules' state).
        grace_s: how long a vanished track's dwell clock waits for a new track of the same
            object (``events.end_after_s``).
    """

    def __init__(
        self,
        tunables: Tunables,
        names: tuple[str, ...],
        timezone: str,
        drift: float,
        state: RuleState | None = None,
        *,
        grace_s: float = GRACE_S,
    ) -> None:
        self.tunables = tunables
        self._names = names
        self._timezone = timezone
        self._zone_info = ZoneInfo(timezone)
        self._drift = drift
        self._zones = ZoneMap(tunables.zones)
        self._schedules = ScheduleBook(tunables.schedules)
        self._state = state or RuleState(TrackScores(), DwellClock(drift, grace_s))
        self._grace_s = grace_s
        # a vanished track's state waits for a successor for the grace period at least
        self._forget_after = max(FORGET_AFTER, timedelta(seconds=grace_s))

    def retuned(self, tunables: Tunables) -> Rules:
        """Return rules with new ``tunables`` that continue this one's per-track state."""
        return Rules(
            tunables,
            self._names,
            self._timezone,
            self._drift,
            self._state,
            grace_s=self._grace_s,
        )

    def evaluate(self, frame: Frame, detections: Detections) -> tuple[Violation, ...]:
        """Return the violations among ``detections`` in ``frame``."""
        found = []
        present = frozenset(int(track_id) for track_id in detections.track_id)
        for row in range(len(detections)):
            candidate = self._row(detections, row)
            thresholds = self.tunables.classes.get(candidate.label) if candidate else None
            if candidate is not None and thresholds is not None:
                violation = self._judge(frame, candidate, thresholds, present)
                if violation is not None:
                    found.append(violation)
        self._state.forget_before(frame.timestamp - self._forget_after)
        return tuple(found)

    def _row(self, detections: Detections, row: int) -> _Row | None:
        track_id, class_id = int(detections.track_id[row]), int(detections.class_id[row])
        if track_id == NO_TRACK or not 0 <= class_id < len(self._names):
            return None
        x1, y1, x2, y2 = (float(v) for v in detections.xyxy[row])
        score = float(detections.confidence[row])
        return _Row(track_id, class_id, self._names[class_id], (x1, y1, x2, y2), score)

    def _judge(
        self, frame: Frame, row: _Row, thresholds: ClassThresholds, present: frozenset[int]
    ) -> Violation | None:
        """Return the violation ``row`` is, if any; ``present``: the frame's track ids."""
        size = (frame.width, frame.height)
        if not passes_shape(thresholds, row.score, row.box, size):
            return None
        anchor = anchor_point(row.label, row.box, size)
        placement = self._zones.place(row.label, anchor)
        if not placement.admitted:
            return None
        at = frame.timestamp
        median = self._state.scores.add(row.track_id, row.score, at)
        dwelling_since = self._state.dwell.update(row.track_id, row.label, row.box, at, present)
        # a track that took over a vanished track's clock was first seen with it
        first_seen = self._state.first_seen.setdefault(row.track_id, dwelling_since)
        if (at - dwelling_since).total_seconds() < thresholds.dwell_s:
            return None
        local = at.astimezone(self._zone_info)
        if not self._schedules.reportable(row.label, placement.zones, local):
            return None
        if median < thresholds.min_score:
            return None
        confirmed = median >= thresholds.confirm_score
        return Violation(
            frame=frame,
            track_id=row.track_id,
            class_id=row.class_id,
            label=row.label,
            box=row.box,
            score=row.score,
            confidence=median,
            threshold=thresholds.confirm_score,
            verdict=Verdict.CONFIRMED if confirmed else Verdict.NEAR_MISS,
            zone=placement.zone,
            zones=placement.zones,
            anchor=anchor,
            first_seen=first_seen,
        )
