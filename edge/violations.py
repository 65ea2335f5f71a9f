"""``Violation``: one tracked object that passed the rules in one frame (immutable)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from contracts.messages import Location
from edge.frames import Frame

BoxXyxy = tuple[float, float, float, float]
"""A box in frame pixels: (x1, y1, x2, y2)."""


class Verdict(str, Enum):
    """How a track stands against its class's confirmation score."""

    CONFIRMED = "confirmed"
    """The track's median score reaches ``confirm_score``: a violation."""
    NEAR_MISS = "near_miss"
    """Between ``min_score`` and ``confirm_score``: a candidate for a tuning sample."""


@dataclass(frozen=True)
class Violation:
    """A tracked object in one frame that every rule admitted.

    Attributes:
        frame: the frame it was seen in (evidence is cut from it).
        track_id: the tracker's id.
        class_id: the model's class index.
        label: the class name.
        box: the box in frame pixels.
        score: this frame's detection score.
        confidence: the track's median score (the confirmation score).
        threshold: the class's ``confirm_score`` in force.
        verdict: confirmed, or a near miss.
        zone: the first include zone that admitted it, if any.
        zones: every zone its anchor point lies in.
        anchor: its anchor point, normalised to 0..1 of the frame.
        first_seen: when its track was first admitted by the rules.
        location: where it is, once the geotagger has run.
        observer: where the camera is, when that differs from ``location``.
    """

    frame: Frame
    track_id: int
    class_id: int
    label: str
    box: BoxXyxy
    score: float
    confidence: float
    threshold: float
    verdict: Verdict
    zone: str | None
    zones: tuple[str, ...]
    anchor: tuple[float, float]
    first_seen: datetime
    location: Location | None = None
    observer: Location | None = None

    @property
    def seen_at(self) -> datetime:
        """The frame's time."""
        return self.frame.timestamp

    @property
    def area_fraction(self) -> float:
        """Box area as a fraction of the frame area."""
        x1, y1, x2, y2 = self.box
        return max(0.0, (x2 - x1) * (y2 - y1)) / float(self.frame.width * self.frame.height)
