"""One valid example of every contract message, with fresh ids, for tests of any layer.

Every builder takes the device id (tests use a fresh one so retained messages of one test
never reach another) and fills the optional fields too, so a round trip exercises them.
Evidence is a real JPEG made with OpenCV, listed in the event with its size and SHA-256.

    device = example_device_id()
    event, evidence = example_event_with_evidence(device)
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta, timezone
from functools import cache

import cv2
import numpy as np
from pydantic import BaseModel

from contracts import (
    Ack,
    Box,
    CameraView,
    ClassOverlay,
    ConfigPush,
    DeviceState,
    EventType,
    EvidenceItem,
    EvidenceKind,
    FixMode,
    Heartbeat,
    Location,
    LocationSource,
    MessageKind,
    ModelIdentity,
    Permit,
    Rejection,
    Schedule,
    Status,
    TimeWindow,
    TunableOverlay,
    ViolationEvent,
    Zone,
    new_ulid,
)
from contracts.messages import FrameCounters, GpsState, OutboxState, Reconnects, StageTiming
from contracts.tuning import GeoPoint, ScheduleEffect, ZoneKind

SOFTWARE_VERSION = "0.1.0-test"
IMAGE_SIZES: dict[EvidenceKind, tuple[int, int]] = {
    EvidenceKind.FRAME: (64, 48),
    EvidenceKind.CROP: (24, 16),
}
"""(width, height) of the example image of each evidence kind."""


def now_ms() -> datetime:
    """Return the current UTC time truncated to milliseconds (the wire precision)."""
    now = datetime.now(timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def example_device_id(prefix: str = "test-dev") -> str:
    """Return a device id no other test uses (a valid topic segment)."""
    return f"{prefix}-{new_ulid().lower()}"


@cache
def example_image(kind: EvidenceKind) -> bytes:
    """Return a small, real JPEG for ``kind`` (a gradient; the same bytes on every call)."""
    width, height = IMAGE_SIZES[kind]
    ramp = np.linspace(0, 255, width * height * 3, dtype=np.uint8).reshape(height, width, 3)
    ok, encoded = cv2.imencode(".jpg", ramp)
    assert ok, "OpenCV could not encode the example JPEG"
    return bytes(encoded.tobytes())


def example_evidence(kind: EvidenceKind) -> tuple[EvidenceItem, bytes]:
    """Return the evidence item that lists :func:`example_image` and the image bytes."""
    data = example_image(kind)
    width, height = IMAGE_SIZES[kind]
    item = EvidenceItem(
        kind=kind,
        sha256=hashlib.sha256(data).hexdigest(),
        content_type="image/jpeg",
        bytes=len(data),
        width=width,
        height=height,
    )
    return item, data


def example_event(
    device_id: str,
    *,
    seq: int = 1,
    event_type: EventType = EventType.NEW,
    kinds: tuple[EvidenceKind, ...] = (EvidenceKind.FRAME, EvidenceKind.CROP),
) -> ViolationEvent:
    """Return a vending violation seen by a patrol bike, listing evidence of ``kinds``."""
    seen = now_ms()
    return ViolationEvent(
        event_id=new_ulid(),
        violation_id=new_ulid(),
        device_id=device_id,
        seq=seq,
        type=event_type,
        label="vending",
        taxonomy_code="0301.02",
        confidence=0.83,
        threshold=0.6,
        config_version=2,
        first_seen=seen - timedelta(seconds=12, milliseconds=250),
        last_seen=seen,
        created_at=seen + timedelta(milliseconds=40),
        location=Location(
            lat=31.2304,
            lon=121.4737,
            accuracy_m=4.5,
            fix=FixMode.FIX_3D,
            fix_age_s=0.3,
            heading_deg=87.5,
            speed_mps=3.2,
            source=LocationSource.NMEA,
        ),
        observer=Location(
            lat=31.23035,
            lon=121.47362,
            accuracy_m=3.0,
            fix=FixMode.FIX_3D,
            source=LocationSource.NMEA,
        ),
        camera=CameraView(
            source_id="front",
            frame_width=1280,
            frame_height=720,
            box=Box(x1=100.0, y1=200.5, x2=340.0, y2=610.0),
            zone="sidewalk",
        ),
        track_id=17,
        model=ModelIdentity(name="streetwatch-yolo", version="1.0.0", sha256="ab" * 32),
        evidence=[example_evidence(kind)[0] for kind in kinds],
        evidence_dropped=[],
    )


def example_event_with_evidence(
    device_id: str, *, seq: int = 1
) -> tuple[ViolationEvent, dict[EvidenceKind, bytes]]:
    """Return an event listing a frame and a crop, and the bytes of each."""
    event = example_event(device_id, seq=seq)
    return event, {item.kind: example_image(item.kind) for item in event.evidence}


def example_status(device_id: str, state: DeviceState = DeviceState.ONLINE) -> Status:
    """Return the device's retained status (``OFFLINE`` is its last will)."""
    return Status(
        device_id=device_id, state=state, since=now_ms(), software_version=SOFTWARE_VERSION
    )


def example_heartbeat(device_id: str, *, last_seq: int = 1) -> Heartbeat:
    """Return a heartbeat with stage timings, counters, outbox and GPS state filled in."""
    return Heartbeat(
        device_id=device_id,
        sent_at=now_ms(),
        uptime_s=3600.5,
        software_version=SOFTWARE_VERSION,
        config_version=2,
        last_seq=last_seq,
        stages={
            "detect": StageTiming(count=300, mean_ms=41.5, p95_ms=55.0),
            "track": StageTiming(count=300, mean_ms=1.2, p95_ms=2.5),
        },
        frames=FrameCounters(decoded=9000, processed=3000, dropped=12),
        outbox=OutboxState(depth=3, bytes=120_000, oldest_age_s=4.5),
        gps=GpsState(
            fix=FixMode.FIX_3D,
            source=LocationSource.GPSD,
            satellites=9,
            accuracy_m=3.5,
            fix_age_s=0.2,
        ),
        clock_skew_ms=-12.0,
        reconnects=Reconnects(broker=1, source=0),
    )


def example_ack(device_id: str, committed: list[str] | None = None) -> Ack:
    """Return a commit-ack for ``committed`` (default: one fresh id) and one rejection."""
    return Ack(
        device_id=device_id,
        committed=committed if committed is not None else [new_ulid()],
        rejected=[Rejection(event_id=new_ulid(), reason="evidence frame hash does not match")],
        sent_at=now_ms(),
    )


def example_overlay() -> TunableOverlay:
    """Return a config overlay that sets every tunable field: classes, zones, schedules, permits."""
    return TunableOverlay(
        classes={"vending": ClassOverlay(confirm_score=0.65, dwell_s=30.0)},
        zones=[
            Zone(name="sidewalk", polygon=[(0.0, 0.5), (1.0, 0.5), (1.0, 1.0), (0.0, 1.0)]),
            Zone(
                name="bus-stop",
                kind=ZoneKind.EXCLUDE,
                polygon=[(0.1, 0.1), (0.3, 0.1), (0.2, 0.3)],
                classes=["vending"],
            ),
        ],
        schedules=[
            Schedule(
                name="breakfast",
                effect=ScheduleEffect.ALLOW,
                classes=["vending"],
                zones=["sidewalk"],
                windows=[TimeWindow(days=["mon", "tue"], start=time(6, 0), end=time(9, 0))],
            )
        ],
        permits=[
            Permit(
                name="P-2026-001",
                holder="Noodle stall",
                classes=["vending"],
                point=GeoPoint(lat=31.2304, lon=121.4737),
                radius_m=15.0,
                valid_from=date(2026, 1, 1),
                valid_until=date(2026, 12, 31),
            )
        ],
    )


def example_config_push(device_id: str, *, version: int = 1) -> ConfigPush:
    """Return a retained config push of ``version`` carrying :func:`example_overlay`."""
    return ConfigPush(
        device_id=device_id,
        version=version,
        issued_at=now_ms(),
        issued_by="integration-test",
        note="tuned from operator verdicts",
        overlay=example_overlay(),
    )


def example_payloads(device_id: str) -> dict[MessageKind, BaseModel]:
    """Return one example of every JSON message kind (all kinds but evidence)."""
    return {
        MessageKind.EVENTS: example_event(device_id),
        MessageKind.STATUS: example_status(device_id),
        MessageKind.HEARTBEAT: example_heartbeat(device_id),
        MessageKind.ACKS: example_ack(device_id),
        MessageKind.CONFIG: example_config_push(device_id),
    }
