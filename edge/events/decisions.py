"""Values the lifecycle stage hands on: a frame-free ``Sighting`` and a ``Decision``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import AwareDatetime

from contracts.base import Frozen
from contracts.messages import Box, EventType, Location
from edge.violations import Violation


class Sighting(Frozen):
    """What an event says about where and how a violation was seen (no pixels).

    It is stored with the violation, so an ``end`` event can be written even after a restart.
    """

    label: str
    class_id: int
    track_id: int
    source_id: str
    frame_width: int
    frame_height: int
    box: Box
    zone: str | None
    confidence: float
    threshold: float
    location: Location
    observer: Location | None
    seen_at: AwareDatetime

    @classmethod
    def of(cls, violation: Violation) -> Sighting:
        """Return the sighting of a geotagged violation."""
        if violation.location is None:
            raise ValueError("a violation needs a location before it becomes an event")
        x1, y1, x2, y2 = violation.box
        return cls(
            label=violation.label,
            class_id=violation.class_id,
            track_id=violation.track_id,
            source_id=violation.frame.source_id,
            frame_width=violation.frame.width,
            frame_height=violation.frame.height,
            box=Box(x1=x1, y1=y1, x2=max(x2, x1 + 0.01), y2=max(y2, y1 + 0.01)),
            zone=violation.zone,
            confidence=round(violation.confidence, 4),
            threshold=violation.threshold,
            location=violation.location,
            observer=violation.observer,
            seen_at=violation.seen_at,
        )


@dataclass(frozen=True)
class Decision:
    """One event to raise.

    Attributes:
        type: new, update, end or sample.
        violation_id: the lifecycle it belongs to.
        first_seen: when the violation was first seen.
        last_seen: when it was last seen.
        sighting: what the event reports.
        evidence: the sighting to cut evidence from (None for ``end``).
        reason: why the event is raised, for the log.
    """

    type: EventType
    violation_id: str
    first_seen: datetime
    last_seen: datetime
    sighting: Sighting
    evidence: Violation | None
    reason: str
