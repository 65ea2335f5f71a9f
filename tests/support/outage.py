"""An outage simulated in seconds: a settable clock and a ride of distinct violations whose
events go through the real place dedup, evidence maker and outbox (no broker needed).

    clock = SimClock(time.time() - 8 * 3600)
    outbox = Outbox(path, device, budget, clock)
    ride = OutageRide(config, outbox)
    ride.store(count=480, every_s=60.0, clock=clock)   # eight hours, one event a minute
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from contracts.messages import ModelIdentity, ViolationEvent
from edge.config import EdgeConfig
from edge.events.factory import EventFactory
from edge.events.writer import EventWriter
from edge.evidence import EvidenceMaker
from edge.frames import Frame
from edge.outbox import Outbox
from edge.patrol.places import PlaceDeduper
from edge.telemetry import Telemetry
from support.patrol_stream import PATROL, Sighting, as_violation, places


@dataclass
class SimClock:
    """A wall clock (POSIX seconds) that a test moves by hand; ``live`` follows the real one."""

    now: float
    live: bool = False

    def __call__(self) -> float:
        """Return the clock's time."""
        if self.live:
            import time

            return time.time()
        return self.now


class OutageRide:
    """Stores one ``new`` event per distinct place (each with frame and crop evidence).

    Args:
        config: an edge config (device, evidence, taxonomy, events).
        outbox: the outbox to store into (with its clock).
        frames: pictures to cut the evidence from (default: noise, 320x180).
    """

    def __init__(
        self, config: EdgeConfig, outbox: Outbox, frames: list[Frame] | None = None
    ) -> None:
        self._frames = frames or []
        device = config.device.id
        identity = ModelIdentity(name="outage", version="1", sha256="0" * 64)
        self._deduper = PlaceDeduper(config.events, PATROL.model_copy(update={"min_passes": 1}))
        self._writer = EventWriter(
            EventFactory(device, config.taxonomy, identity),
            EvidenceMaker(config.evidence, device),
            outbox,
            Telemetry(),
            lambda: 0,
        )
        self._truth = places(2000)
        self._next = 0

    def store(
        self, count: int, every_s: float, clock: SimClock | None = None
    ) -> list[ViolationEvent]:
        """Store ``count`` events, moving ``clock`` on by ``every_s`` before each."""
        stored: list[ViolationEvent] = []
        for _ in range(count):
            if clock is not None:
                clock.now += every_s
            i = self._next
            self._next += 1
            place = self._truth[i]
            seen = as_violation(Sighting(i * every_s, i, i + 1, place.lat, place.lon), self._truth)
            if self._frames:
                frame = replace(self._frames[i % len(self._frames)], timestamp=seen.seen_at)
                seen = replace(seen, frame=frame, box=(200.0, 150.0, 330.0, 300.0))
            step = self._deduper.update(seen.seen_at, (seen,))
            stored.extend(self._writer.write(step, ()))
        return stored
