"""Build a ready server (config, context, migrated database) and its messages for tests."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from contracts import EventType, EvidenceKind, Topics, ViolationEvent, encode, new_ulid
from server.config import ServerConfig, load_server_config
from server.services.context import Clock, ServerContext, build_context, utc_now
from server.services.devices import DeviceService, DeviceSpec
from server.services.inbound import Inbound
from server.store.migrate import upgrade
from support.messages import example_event, example_image, now_ms

ROOT = Path(__file__).resolve().parents[2]
TOPICS = Topics()
HUANGPU = (31.230416, 121.473701)
"""Where the example event is: inside grid HP-NJ-01."""


def server_config(tmp_path: Path, database_url: str | None = None, **sections: Any) -> ServerConfig:
    """Return a server config using the shipped taxonomy, grids and dispatch rules.

    Args:
        tmp_path: folder for the SQLite file and evidence.
        database_url: default a new SQLite file in ``tmp_path``.
        sections: top-level keys to override (e.g. ``mqtt={"host": ..., "port": ...}``).
    """
    example = load_server_config(ROOT / "configs" / "server.yaml")
    data: dict[str, Any] = {
        "version": 1,
        "kind": "server",
        "mqtt": {"host": "127.0.0.1", "port": 1883},
        "database": {"url": database_url or f"sqlite:///{tmp_path / 'server.db'}"},
        "evidence": {"dir": str(tmp_path / "evidence"), "fsync": False},
        "data_dir": str(tmp_path),
        "taxonomy": str(ROOT / "models" / "taxonomy.yaml"),
        "grids": str(ROOT / "configs" / "grids.geojson"),
        "cases": example.cases.model_dump(),
        "dispatch": example.dispatch.model_dump(),
        "ingest": {"batch_wait_ms": 2.0},
    }
    data.update(sections)
    return ServerConfig.model_validate(data)


def ready_context(config: ServerConfig, clock: Clock = utc_now) -> ServerContext:
    """Return a context whose database is migrated to the newest revision."""
    ctx = build_context(config, clock=clock)
    upgrade(ctx.database)
    return ctx


def register(ctx: ServerContext, *device_ids: str, enabled: bool = True) -> None:
    """Put devices in the registry."""
    service = DeviceService(ctx)
    for device_id in device_ids:
        service.register(DeviceSpec(device_id=device_id, name=f"test {device_id}", enabled=enabled))


def fresh_place() -> tuple[float, float]:
    """Return a random place near Shanghai, so tests sharing a database never share a case."""
    return (31.0 + random.random() * 0.4, 121.2 + random.random() * 0.4)


def metres_north(lat: float, metres: float) -> float:
    """Return the latitude ``metres`` north of ``lat``."""
    return lat + metres / 111_195.0


def event_at(
    device_id: str,
    *,
    lat: float = HUANGPU[0],
    lon: float = HUANGPU[1],
    place: tuple[float, float] | None = None,
    at: datetime | None = None,
    violation_id: str | None = None,
    label: str = "garbage",
    seq: int = 1,
    event_type: EventType = EventType.NEW,
    kinds: tuple[EvidenceKind, ...] = (EvidenceKind.FRAME, EvidenceKind.CROP),
) -> ViolationEvent:
    """Return a valid event of ``device_id`` at a place and time, listing real JPEG evidence.

    ``place`` (lat, lon) overrides ``lat`` and ``lon``.
    """
    if place is not None:
        lat, lon = place
    base = example_event(device_id, seq=seq, event_type=event_type, kinds=kinds)
    when = at or now_ms()
    data = base.model_dump()
    data.update(
        violation_id=violation_id or new_ulid(),
        label=label,
        first_seen=when - timedelta(seconds=30),
        last_seen=when,
        created_at=when,
    )
    data["location"] = {**data["location"], "lat": lat, "lon": lon}
    return ViolationEvent.model_validate(data)


def inbound_event(event: ViolationEvent) -> Inbound:
    """Return ``event`` as received on its topic."""
    return Inbound(TOPICS.events(event.device_id), encode(event), utc_now())


def inbound_evidence(
    event: ViolationEvent, kind: EvidenceKind, data: bytes | None = None
) -> Inbound:
    """Return evidence of ``event`` as received (default: the real image it lists)."""
    payload = example_image(kind) if data is None else data
    return Inbound(TOPICS.evidence(event.device_id, event.event_id, kind), payload, utc_now())


def inbound_raw(topic: str, payload: bytes) -> Inbound:
    """Return any bytes as received on ``topic``."""
    return Inbound(topic, payload, utc_now())


def with_evidence(event: ViolationEvent) -> list[Inbound]:
    """Return the event and every evidence file it lists, in that order."""
    return [inbound_event(event), *(inbound_evidence(event, item.kind) for item in event.evidence)]


class FakeClock:
    """A clock the test moves by hand (the server's ``now``)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or now_ms()

    def __call__(self) -> datetime:
        """Return the current fake time."""
        return self.now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self.now += delta
