"""A generated patrol for fault tests: violation places seen on two passes, pushed through the
real edge stages after detection (place dedup, evidence, SQLite outbox, MQTT sender).

The truth is ``places`` (class and position, seeded); the ride sees each place a few times on
pass 1 and again on pass 2, each time under a new track id (the tracker would lose it), with a
position jittered by a metre. So every place must become exactly one violation. Frame times
are simulated (``T0`` + ride seconds); the wall-clock pace is ``rate_hz`` sightings a second.

Run in a thread (:class:`PatrolProducer`) or as a process that can be killed with SIGKILL::

    python -m support.patrol_stream CONFIG.yaml --places 12 --rate 25 --wait 20

A restarted producer replays the ride from the start; the outbox's remembered violations keep
the places it already reported under their ids.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from contracts.messages import (
    EventType,
    FixMode,
    FrameCounters,
    Heartbeat,
    Location,
    LocationSource,
    ModelIdentity,
    OutboxState,
    ViolationEvent,
)
from edge.config import EdgeConfig, load_edge_config
from edge.config_patrol import PatrolSettings
from edge.delivery.sender import Sender
from edge.events.factory import EventFactory
from edge.events.writer import EventWriter
from edge.evidence import EvidenceMaker
from edge.frames import Frame
from edge.outbox import Outbox
from edge.patrol.places import PlaceDeduper
from edge.position.fixes import distance_m, moved_by
from edge.telemetry import Telemetry
from edge.violations import Verdict, Violation

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=timezone.utc)
LAT0, LON0 = 31.2286, 121.4753
LABELS = ("street_vending", "garbage", "illegal_signage")
PATROL = PatrolSettings(default_radius_m=6.0, min_passes=2, pass_gap_s=20.0, window_s=3600.0)
SIGHTINGS_PER_PASS = 3
PASS_S = 120.0


@dataclass(frozen=True)
class Place:
    """One true violation: its class and position."""

    label: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Sighting:
    """One confirmed detection of a place on the ride."""

    seconds: float
    place: int
    track_id: int
    lat: float
    lon: float


def places(count: int, seed: int = 4) -> tuple[Place, ...]:
    """Return ``count`` places 25 m apart along a street (far beyond the dedup radius)."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        lat, lon = moved_by(LAT0, LON0, rng.uniform(-4, 4), 25.0 * i)
        out.append(Place(LABELS[i % len(LABELS)], lat, lon))
    return tuple(out)


def ride(truth: tuple[Place, ...], seed: int = 4) -> tuple[Sighting, ...]:
    """Return the sightings of two passes, in time order."""
    rng = random.Random(seed)
    sightings = []
    track = 0
    for n in range(2):
        for i, place in enumerate(truth):
            track += 1
            for k in range(SIGHTINGS_PER_PASS):
                lat, lon = moved_by(place.lat, place.lon, rng.gauss(0, 0.7), rng.gauss(0, 0.7))
                at = n * PASS_S + i * 2.0 + k * 0.3
                sightings.append(Sighting(at, i, track, lat, lon))
    return tuple(sorted(sightings, key=lambda s: s.seconds))


def _frame(at: datetime, seed: int) -> Frame:
    pixels = np.random.default_rng(seed).integers(0, 255, (180, 320, 3), dtype=np.uint8)
    return Frame(pixels, at, seed, "front")


def as_violation(sighting: Sighting, truth: tuple[Place, ...]) -> Violation:
    """Return the geotagged, confirmed violation of a sighting (a noisy 320x180 frame)."""
    at = T0 + timedelta(seconds=sighting.seconds)
    place = Location(
        lat=sighting.lat,
        lon=sighting.lon,
        accuracy_m=3.0,
        fix=FixMode.FIX_3D,
        source=LocationSource.ESTIMATED,
    )
    return Violation(
        frame=_frame(at, sighting.track_id * 10 + int(sighting.seconds)),
        track_id=sighting.track_id,
        class_id=LABELS.index(truth[sighting.place].label),
        label=truth[sighting.place].label,
        box=(100.0, 60.0, 180.0, 150.0),
        score=0.9,
        confidence=0.9,
        threshold=0.5,
        verdict=Verdict.CONFIRMED,
        zone=None,
        zones=(),
        anchor=(0.44, 0.83),
        first_seen=at,
        location=place,
    )


def heartbeat_of(device: str, outbox: Outbox) -> Heartbeat:
    """Return a minimal heartbeat of the producer."""
    depth = outbox.depth()
    return Heartbeat(
        device_id=device,
        sent_at=datetime.now(timezone.utc),
        uptime_s=0.0,
        software_version="patrol-stream",
        config_version=0,
        last_seq=outbox.last_seq(),
        frames=FrameCounters(decoded=0, processed=0, dropped=0),
        outbox=OutboxState(depth=depth.events, bytes=depth.bytes),
    )


class PatrolProducer:
    """Pushes the generated ride through the real edge stages and delivers it.

    Args:
        config: an edge config (device, broker, outbox, delivery, evidence, taxonomy).
        truth: the places.
        rate_hz: sightings a second of wall time.
    """

    def __init__(self, config: EdgeConfig, truth: tuple[Place, ...], rate_hz: float) -> None:
        self.truth = truth
        self._rate_hz = rate_hz
        device = config.device.id
        self.outbox = Outbox(config.outbox.path, device, config.outbox.max_bytes)
        telemetry = Telemetry()
        identity = ModelIdentity(name="patrol-stream", version="1", sha256="0" * 64)
        self._deduper = PlaceDeduper(config.events, PATROL, self.outbox.recall())
        self._writer = EventWriter(
            EventFactory(device, config.taxonomy, identity),
            EvidenceMaker(config.evidence, device),
            self.outbox,
            telemetry,
            lambda: 0,
        )
        self.sender = Sender(
            config, self.outbox, telemetry, lambda: heartbeat_of(device, self.outbox), print
        )
        self.produced = 0
        self.done = threading.Event()

    def run(self, pause: threading.Event | None = None) -> None:
        """Produce the whole ride (waiting while ``pause`` is set), then set ``done``."""
        for sighting in ride(self.truth):
            while pause is not None and pause.is_set():
                time.sleep(0.02)
            seen = as_violation(sighting, self.truth)
            step = self._deduper.update(seen.seen_at, (seen,))
            if self._writer.write(step, ()):
                self.sender.wake()
            self.produced += 1
            time.sleep(1.0 / self._rate_hz)
        self.done.set()

    def wait_empty(self, timeout_s: float) -> bool:
        """Wait until every event is acknowledged; return True if it was."""
        deadline = time.monotonic() + timeout_s
        while self.outbox.depth().events and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.outbox.depth().events == 0


@dataclass(frozen=True)
class Tally:
    """What arrived against the truth."""

    places: int
    violations: int
    missing: int
    twice: int
    events: int
    last_seq: int
    seq_gaps: int

    def line(self, name: str) -> str:
        """Return the counts as one printable line."""
        return (
            f"[{name}] places {self.places} violations {self.violations} missing {self.missing} "
            f"raised-twice {self.twice} events {self.events} last-seq {self.last_seq} "
            f"seq-gaps {self.seq_gaps}"
        )


def tally(truth: tuple[Place, ...], events: list[ViolationEvent], last_seq: int) -> Tally:
    """Match the received events to the places (nearest place of the class within 6 m)."""
    unique = {e.event_id: e for e in events}.values()
    owners: dict[int, set[str]] = {i: set() for i in range(len(truth))}
    for event in unique:
        if event.type is not EventType.NEW or event.location.lat is None:
            continue
        lat, lon = event.location.lat, event.location.lon or 0.0
        near = [
            (distance_m(p.lat, p.lon, lat, lon), i)
            for i, p in enumerate(truth)
            if p.label == event.label
        ]
        far, index = min(near)
        if far <= PATROL.default_radius_m:
            owners[index].add(event.violation_id)
    seqs = {e.seq for e in unique}
    return Tally(
        places=len(truth),
        violations=len({v for ids in owners.values() for v in ids}),
        missing=sum(1 for ids in owners.values() if not ids),
        twice=sum(1 for ids in owners.values() if len(ids) > 1),
        events=len(seqs),
        last_seq=last_seq,
        seq_gaps=len(set(range(1, last_seq + 1)) - seqs),
    )


def main() -> None:
    """Run the producer as a process (for the kill -9 fault test)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("config", type=Path)
    parser.add_argument("--places", type=int, default=12)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--wait", type=float, default=20.0)
    args = parser.parse_args()
    producer = PatrolProducer(load_edge_config(args.config), places(args.places), args.rate)
    producer.sender.start()
    try:
        producer.run()
        print("produced", producer.produced, flush=True)
        producer.wait_empty(args.wait)
    finally:
        producer.sender.stop()
        producer.outbox.close()


if __name__ == "__main__":
    main()


__all__ = ["PatrolProducer", "Tally", "places", "ride", "tally"]
