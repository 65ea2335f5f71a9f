"""One valid, fixed example of every message: for the docs and as a base for tests."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from contracts.messages import (
    Ack,
    Box,
    CameraView,
    ConfigPush,
    DeviceState,
    EventType,
    EvidenceItem,
    EvidenceKind,
    FixMode,
    FrameCounters,
    GpsState,
    Heartbeat,
    Location,
    LocationSource,
    ModelIdentity,
    OutboxState,
    Rejection,
    StageTiming,
    Status,
    ViolationEvent,
)
from contracts.tuning import ClassOverlay, TunableOverlay

T0 = datetime(2026, 5, 12, 1, 30, 0, tzinfo=timezone.utc)
"""09:30 in Shanghai on a Tuesday."""

DEVICE_ID = "pole-huangpu-0042"
EVENT_ID = "01JV0K7Q2X8M3N4P5R6S7T8V9W"
VIOLATION_ID = "01JV0K6Z9Y8X7W6V5T4S3R2Q1P"
EXAMPLE_FRAME = b"\xff\xd8\xff\xe0example-frame-bytes\xff\xd9"
EXAMPLE_CROP = b"\xff\xd8\xff\xe0example-crop-bytes\xff\xd9"


def evidence_item(kind: EvidenceKind, data: bytes, width: int, height: int) -> EvidenceItem:
    """Return the evidence item that lists ``data``."""
    return EvidenceItem(
        kind=kind,
        sha256=hashlib.sha256(data).hexdigest(),
        bytes=len(data),
        width=width,
        height=height,
    )


def event() -> ViolationEvent:
    """A new garbage violation seen by a fixed pole camera."""
    return ViolationEvent(
        event_id=EVENT_ID,
        violation_id=VIOLATION_ID,
        device_id=DEVICE_ID,
        seq=1207,
        type=EventType.NEW,
        label="garbage",
        taxonomy_code="0202",
        confidence=0.71,
        threshold=0.5,
        config_version=3,
        first_seen=T0 - timedelta(seconds=42),
        last_seen=T0,
        created_at=T0 + timedelta(milliseconds=120),
        location=Location(
            lat=31.230416,
            lon=121.473701,
            accuracy_m=5.0,
            fix=FixMode.STATIC,
            source=LocationSource.STATIC,
        ),
        camera=CameraView(
            source_id="main",
            frame_width=1920,
            frame_height=1080,
            box=Box(x1=812.0, y1=604.5, x2=1040.0, y2=866.0),
            zone="sidewalk-north",
        ),
        track_id=88,
        model=ModelIdentity(name="streetwatch-yolov8n", version="2026.05", sha256="0" * 64),
        evidence=[
            evidence_item(EvidenceKind.FRAME, EXAMPLE_FRAME, 1920, 1080),
            evidence_item(EvidenceKind.CROP, EXAMPLE_CROP, 320, 300),
        ],
    )


def heartbeat() -> Heartbeat:
    """A patrol bike's heartbeat with a GPS fix."""
    return Heartbeat(
        device_id="bike-07",
        sent_at=T0,
        uptime_s=5421.5,
        software_version="0.1.0",
        config_version=3,
        last_seq=1207,
        stages={
            "decode": StageTiming(count=150, mean_ms=4.1, p95_ms=6.0),
            "detect": StageTiming(count=50, mean_ms=38.2, p95_ms=45.9),
        },
        frames=FrameCounters(decoded=812_000, processed=270_600, dropped=12),
        outbox=OutboxState(depth=4, bytes=381_220, oldest_age_s=12.5),
        gps=GpsState(
            fix=FixMode.FIX_3D,
            source=LocationSource.GPSD,
            satellites=11,
            accuracy_m=3.2,
            fix_age_s=0.4,
        ),
        clock_skew_ms=-35.0,
    )


def status(state: DeviceState = DeviceState.ONLINE) -> Status:
    """The retained status (``offline`` is the last will)."""
    return Status(device_id=DEVICE_ID, state=state, since=T0, software_version="0.1.0")


def ack() -> Ack:
    """A commit-ack for one event, with one dead-lettered event."""
    return Ack(
        device_id=DEVICE_ID,
        committed=[EVENT_ID],
        rejected=[
            Rejection(
                event_id="01JV0K7Q2X8M3N4P5R6S7T8VA0",
                reason="evidence 'crop' hash does not match the event",
            )
        ],
        sent_at=T0 + timedelta(milliseconds=480),
    )


def config_push() -> ConfigPush:
    """A tuned confirmation threshold for garbage, pushed to one device."""
    return ConfigPush(
        device_id=DEVICE_ID,
        version=4,
        issued_at=T0,
        issued_by="admin",
        note="garbage precision 0.93 at 0.55 (target 0.90)",
        overlay=TunableOverlay(classes={"garbage": ClassOverlay(confirm_score=0.55)}),
    )
