"""The edge pipeline, one frame at a time (see ``docs/edge.md`` for every stage).

    Frame ─▶ detect ─▶ track ─▶ rules ─▶ geotag ─▶ permits ─▶ lifecycle + samples ─▶ outbox

Decoding runs before it in its own thread (:mod:`edge.sources.reader`); publishing after it
in the sender thread (:mod:`edge.delivery.sender`).
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts import ModelIdentity, Tunables, ViolationEvent
from edge.config import EdgeConfig, StaticLocation
from edge.detector import OnnxDetector
from edge.events.factory import EventFactory
from edge.events.lifecycle import Deduper
from edge.events.samples import SampleGate
from edge.events.writer import EventWriter
from edge.evidence import EvidenceMaker
from edge.frames import Frame
from edge.geotag import Geotagger
from edge.outbox import Outbox
from edge.reload import TunablesControl
from edge.rules.engine import Rules
from edge.rules.permits import PermitFilter
from edge.telemetry import Telemetry
from edge.tracking.bytetrack import ByteTracker


@dataclass
class Pipeline:
    """Every per-frame stage, in order."""

    detector: OnnxDetector
    tracker: ByteTracker
    rules: Rules
    geotagger: Geotagger
    permits: PermitFilter
    deduper: Deduper
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
            placed = self.permits.filter(tuple(self.geotagger.tag(v) for v in found))
            step = self.deduper.update(at, placed)
            near = tuple(v for v in placed if not self.deduper.owns(v.track_id))
            samples = self.samples.update(at, near)
        self.processed += 1
        return self.writer.write(step, samples)

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
) -> Pipeline:
    """Build every stage from the config, the opened detector and outbox."""
    if not isinstance(config.location, StaticLocation):
        raise TypeError("the pipeline needs a static location")  # checked by the runner
    info = detector.info
    identity = ModelIdentity(name=info.name[:128], version=info.version[:64], sha256=info.sha256)
    factory = EventFactory(config.device.id, config.taxonomy, identity)
    evidence = EvidenceMaker(config.evidence, config.device.id)
    rules = config.rules
    return Pipeline(
        detector=detector,
        tracker=ByteTracker(config.tracking),
        rules=Rules(rules, info.names, config.timezone, config.tracking.stationary_drift),
        geotagger=Geotagger(config.location),
        permits=PermitFilter(rules.permits, config.timezone),
        deduper=Deduper(config.events, outbox.recall()),
        samples=SampleGate(config.events),
        writer=EventWriter(factory, evidence, outbox, telemetry, lambda: control.version),
        telemetry=telemetry,
        timezone=config.timezone,
    )
