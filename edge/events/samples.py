"""Near-miss samples: a share of the tracks just below the confirmation score, sent for tuning.

A near miss is a track whose median score lies between its class's ``min_score`` and
``confirm_score`` and that passes every other rule (zones, dwell, schedules, permits). Each
such track is drawn once: with probability ``samples.fraction`` it becomes one ``sample``
event with its own ``violation_id`` (never a case), subject to ``samples.max_per_hour`` in
frame time. A track in the place of a recent sample of its class (IoU >= ``region_iou``
within ``cooldown_s``) is not drawn again, so a flickering track is sampled once. A track not
seen as a near miss for ``cooldown_s`` is forgotten. This memory is not kept across restarts.
Operators' verdicts on samples measure precision below the threshold.
"""

from __future__ import annotations

import random
from collections import deque
from datetime import datetime, timedelta

from contracts.ids import new_ulid
from contracts.messages import EventType
from edge.config_sections import EventSettings
from edge.events.decisions import Decision, Sighting
from edge.events.lifecycle import Region, region_iou, region_of
from edge.violations import Verdict, Violation

HOUR = timedelta(hours=1)


class SampleGate:
    """Chooses which near misses become ``sample`` events.

    Args:
        settings: the event settings (``samples``, ``region_iou``, ``cooldown_s``).
    """

    def __init__(self, settings: EventSettings) -> None:
        self._settings = settings.samples
        self._iou = settings.region_iou
        self._cooldown = timedelta(seconds=settings.cooldown_s)
        self._draw = random.Random(settings.samples.seed)
        self._drawn: dict[int, datetime] = {}
        """Each near-miss track already drawn, with when it was last seen."""
        self._sent: deque[datetime] = deque()
        self._places: list[tuple[str, Region, datetime]] = []

    def update(self, at: datetime, violations: tuple[Violation, ...]) -> tuple[Decision, ...]:
        """Return the sample events to raise among the near misses of one frame."""
        samples = []
        self._drawn = {t: last for t, last in self._drawn.items() if at - last <= self._cooldown}
        for violation in violations:
            if violation.verdict is not Verdict.NEAR_MISS:
                continue
            drawn = violation.track_id in self._drawn
            self._drawn[violation.track_id] = at  # frame times only grow
            if drawn:
                continue
            if self._recent(violation, at):
                continue
            if self._draw.random() >= self._settings.fraction or not self._room(at):
                continue
            self._sent.append(at)
            self._places.append((violation.label, region_of(violation), at))
            samples.append(
                Decision(
                    type=EventType.SAMPLE,
                    violation_id=new_ulid(),
                    first_seen=violation.first_seen,
                    last_seen=at,
                    sighting=Sighting.of(violation),
                    evidence=violation,
                    reason=f"near miss {violation.confidence:.2f} < {violation.threshold:.2f}",
                )
            )
        return tuple(samples)

    def _recent(self, violation: Violation, at: datetime) -> bool:
        self._places = [p for p in self._places if abs(at - p[2]) <= self._cooldown]
        region = region_of(violation)
        return any(
            label == violation.label and region_iou(region, place) >= self._iou
            for label, place, _ in self._places
        )

    def _room(self, at: datetime) -> bool:
        while self._sent and at - self._sent[0] >= HOUR:
            self._sent.popleft()
        return len(self._sent) < self._settings.max_per_hour
