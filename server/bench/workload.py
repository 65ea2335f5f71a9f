"""The benchmark's events: a fleet of devices reporting violations at many places.

Each violation is seen by one device as ``new`` followed by ``update`` messages; several
violations share a place (other devices, later passes), so most events join a case and some
open one — the shape of a city's traffic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from contracts import EventType, ViolationEvent, examples, new_ulid

LABELS = ("garbage", "street_vending", "illegal_signage")


@dataclass(frozen=True)
class Workload:
    """How many events, devices, places and messages per violation."""

    events: int
    devices: int = 20
    places: int = 400
    messages_per_violation: int = 4
    seed: int = 1


def device_ids(count: int, run: str) -> list[str]:
    """Return the benchmark's device ids."""
    return [f"bench-{run}-{index:03d}" for index in range(count)]


def build_events(
    work: Workload, devices: list[str], start: datetime | None = None
) -> list[ViolationEvent]:
    """Return ``work.events`` valid events, in the order a fleet would send them."""
    rng = random.Random(work.seed)
    base = examples.event().model_dump()
    when = start or datetime.now(timezone.utc)
    places = [
        (31.10 + rng.random() * 0.2, 121.35 + rng.random() * 0.2, LABELS[i % len(LABELS)])
        for i in range(work.places)
    ]
    seqs = dict.fromkeys(devices, 0)
    events: list[ViolationEvent] = []
    while len(events) < work.events:
        lat, lon, label = places[rng.randrange(len(places))]
        device = devices[rng.randrange(len(devices))]
        violation = new_ulid()
        for step in range(min(work.messages_per_violation, work.events - len(events))):
            seqs[device] += 1
            seen = when + timedelta(seconds=len(events))
            data = {
                **base,
                "event_id": new_ulid(),
                "violation_id": violation,
                "device_id": device,
                "seq": seqs[device],
                "type": EventType.NEW if step == 0 else EventType.UPDATE,
                "label": label,
                "first_seen": seen - timedelta(seconds=30),
                "last_seen": seen,
                "created_at": seen,
                "location": {**base["location"], "lat": lat + rng.gauss(0, 3e-5), "lon": lon},
                "evidence": [],
            }
            events.append(ViolationEvent.model_validate(data))
    return events
