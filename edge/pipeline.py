"""The edge pipeline, one frame at a time (see ``docs/edge.md`` for every stage).

    Frame ─▶ detect ─▶ track ─▶ rules ─▶ geotag ─▶ fences ─▶ permits ─▶ lifecycle + samples
          ─▶ outbox

A fixed camera (``location.mode: static``) geotags by its calibration and keeps one lifecycle
per image region (:class:`~edge.events.lifecycle.Deduper`); a moving camera
(``location.mode: gps``) projects each box from the bike's interpolated fix
(:class:`~edge.patrol.geotag.MovingGeotagger`), keeps the violations inside its geo-fences and
one lifecycle per class and place (:class:`~edge.patrol.places.PlaceDeduper`).

Decoding runs before it in its own thread (:mod:`edge.sources.reader`); publishing after it
in the sender thread (:mod:`edge.delivery.sender`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from contracts import ModelIdentity, Tunables, ViolationEvent
from edge.config import EdgeConfig, StaticLocation
from edge.config_patrol import GpsLocation
from edge.detector import OnnxDetector
from edge.events.factory import EventFactory
from edge.events.lifecycle import Deduper, LifecycleStep
from edge.events.samples import SampleGate
from edge.events.writer import EventWriter
from edge.evidence import EvidenceMaker
from edge.frames import Frame
from edge.geotag import Geotagger
from edge.outbox import Outbox
from edge.patrol.fences import FenceFilter, load_fences
from edge.patrol.geotag import MovingGeotagger
from edge.patrol.places import PlaceDeduper
from edge.position.provider import Positioning
from edge.reload import TunablesControl
from edge.rules.engine import Rules
from edge.rules.permits import PermitFilter
from edge.telemetry import Telemetry
from edge.tracking.bytetrack import ByteTracker
from edge.violations import Violation


class StoreError(Exception):
    """A frame's decisions could not be stored: the lifecycle already counts them as raised.

    Skipping such a frame would leave a violation opened in memory without its ``new`` in the
    outbox, so the node must stop (a restart recalls the stored state).
    """


class Tagger(Protocol):
    """The geotag stage."""

    def tag(self, violation: Violation) -> Violation:
        """Return ``violation`` with its location (and observer) set."""
        ...


class Lifecycle(Protocol):
    """The dedup/lifecycle stage."""

    def owns(self, track_id: int) -> bool:
        """Return True if ``track_id`` belongs to a violation."""
        ...

    def update(self, at: datetime, violations: tuple[Violation, ...]) -> LifecycleStep:
        """Return the events and state changes of one frame."""
        ...


@dataclass
class Pipeline:
    """Every per-frame stage, in order."""

    detector: OnnxDetector
    tracker: ByteTracker
    rules: Rules
    geotagger: Tagger
    fences: FenceFilter
    permits: PermitFilter
    deduper: Lifecycle
    samples: SampleGate
    writer: EventWriter
    telemetry: Telemetry
    timezone: str
    processed: int = 0

    def process(self, frame: Frame) -> tuple[ViolationEvent, ...]:
        """Run one frame through every stage; return the events it raised (already stored)."""
        timed, at = self.telemetry.timed, frame.timestamp
        with timed("detect"):
            detections = self.detector.detect(frame.image)
        with timed("track"):
            tracked = self.tracker.update(detections, at)
        with timed("rules"):
            found = self.rules.evaluate(frame, tracked)
            tagged = tuple(self.geotagger.tag(v) for v in found)
            # a raised object's track may still be being located: held back until it is
            tagged = self.fences.filter(at, tuple(v for v in tagged if v.location is not None))
            placed = self.permits.filter(tagged)
            step = self.deduper.update(at, placed)
            near = tuple(v for v in placed if not self.deduper.owns(v.track_id))
            samples = self.samples.update(at, near)
        self.processed += 1
        try:
            return self.writer.write(step, samples)
        except Exception as exc:
            raise StoreError(f"{type(exc).__name__}: {exc}") from exc

    def retune(self, tunables: Tunables) -> None:
        """Use new thresholds, zones, schedules and permits from the next frame on."""
        self.rules = self.rules.retuned(tunables)
        self.permits = PermitFilter(tunables.permits, self.timezone)


def build_pipeline(
    config: EdgeConfig,
    detector: OnnxDetector,
    outbox: Outbox,
    control: TunablesControl,
    telemetry: Telemetry,
    *,
    positioning: Positioning | None = None,
) -> Pipeline:
    """Build every stage from the config, the opened detector and outbox.

    Args:
        config: the edge config.
        detector: the opened detector.
        outbox: the opened outbox (its violation state is recalled).
        control: the rules in force.
        telemetry: stage timings.
        positioning: the position source; required for a moving camera.
    """
    geotagger, fences, deduper = _placement(config, outbox, positioning)
    info = detector.info
    identity = ModelIdentity(name=info.name[:128], version=info.version[:64], sha256=info.sha256)
    factory = EventFactory(config.device.id, config.taxonomy, identity)
    evidence = EvidenceMaker(config.evidence, config.device.id)
    rules = config.rules
    return Pipeline(
        detector=detector,
        tracker=ByteTracker(config.tracking),
        rules=Rules(
            rules,
            info.names,
            config.timezone,
            config.tracking.stationary_drift,
            grace_s=config.events.end_after_s,
        ),
        geotagger=geotagger,
        fences=fences,
        permits=PermitFilter(rules.permits, config.timezone),
        deduper=deduper,
        samples=SampleGate(config.events),
        writer=EventWriter(factory, evidence, outbox, telemetry, lambda: control.version),
        telemetry=telemetry,
        timezone=config.timezone,
    )


def _placement(
    config: EdgeConfig, outbox: Outbox, positioning: Positioning | None
) -> tuple[Tagger, FenceFilter, Lifecycle]:
    location = config.location
    if isinstance(location, StaticLocation):
        return Geotagger(location), FenceFilter(), Deduper(config.events, outbox.recall())
    assert isinstance(location, GpsLocation)
    if positioning is None:
        raise ValueError("a moving camera needs its position source")
    patrol = location.patrol
    tagger = MovingGeotagger(positioning, location.camera, location.gps.default_accuracy_m, patrol)
    fences = FenceFilter(load_fences(patrol.fences) if patrol.fences else (), config.timezone)
    return tagger, fences, PlaceDeduper(config.events, patrol, outbox.recall())
