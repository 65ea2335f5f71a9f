"""One valid example of every contract message, with fresh ids, for tests of any layer.

Each builder starts from the docs' example in :mod:`contracts.examples`, so field values are
written once, and changes only what a test needs: the device id it is given (tests use a fresh
one so retained messages of one test never reach another), fresh ids, times moved to now, and
the optional fields the docs' examples leave out, so a round trip exercises them too. Evidence
is a real JPEG made with OpenCV, listed in the event with its size and SHA-256.

    device = example_device_id()
    event, evidence = example_event_with_evidence(device)
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from functools import cache
from typing import Any, TypeVar

import cv2
import numpy as np
from pydantic import BaseModel

from contracts import (
    Ack,
    ConfigPush,
    DeviceState,
    EventType,
    EvidenceItem,
    EvidenceKind,
    FixMode,
    Heartbeat,
    LocationSource,
    MessageKind,
    Permit,
    Schedule,
    Status,
    TimeWindow,
    TunableOverlay,
    ViolationEvent,
    Zone,
    examples,
    new_ulid,
)
from contracts.messages import Reconnects
from contracts.tuning import GeoPoint, ScheduleEffect, ZoneKind

M = TypeVar("M", bound=BaseModel)

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


def _with(message: M, **changes: Any) -> M:
    """Return ``message`` with ``changes``, validated like a received message."""
    return type(message).model_validate({**dict(message), **changes})


def _now(message: BaseModel, *fields: str) -> dict[str, datetime]:
    """Return the times ``fields`` of an example, moved together so that ``examples.T0`` is now."""
    shift = now_ms() - examples.T0
    return {name: getattr(message, name) + shift for name in fields}


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
    return examples.evidence_item(kind, data, *IMAGE_SIZES[kind]), data


def example_event(
    device_id: str,
    *,
    seq: int = 1,
    event_type: EventType = EventType.NEW,
    kinds: tuple[EvidenceKind, ...] = (EvidenceKind.FRAME, EvidenceKind.CROP),
) -> ViolationEvent:
    """Return the example event as seen by a patrol bike, listing real evidence of ``kinds``."""
    base = examples.event()
    moving = {"fix": FixMode.FIX_3D, "source": LocationSource.NMEA}
    return _with(
        base,
        **_now(base, "first_seen", "last_seen", "created_at"),
        event_id=new_ulid(),
        violation_id=new_ulid(),
        device_id=device_id,
        seq=seq,
        type=event_type,
        location=_with(base.location, **moving, fix_age_s=0.3, heading_deg=87.5, speed_mps=3.2),
        observer=_with(base.location, **moving, accuracy_m=3.0),
        evidence=[example_evidence(kind)[0] for kind in kinds],
    )


def example_event_with_evidence(
    device_id: str, *, seq: int = 1
) -> tuple[ViolationEvent, dict[EvidenceKind, bytes]]:
    """Return an event listing a frame and a crop, and the bytes of each."""
    event = example_event(device_id, seq=seq)
    return event, {item.kind: example_image(item.kind) for item in event.evidence}


def example_status(device_id: str, state: DeviceState = DeviceState.ONLINE) -> Status:
    """Return the device's retained status (``OFFLINE`` is its last will)."""
    base = examples.status(state)
    return _with(base, **_now(base, "since"), device_id=device_id)


def example_heartbeat(device_id: str, *, last_seq: int = 1) -> Heartbeat:
    """Return a heartbeat with stage timings, counters, outbox, GPS state and reconnects."""
    base = examples.heartbeat()
    return _with(
        base,
        **_now(base, "sent_at"),
        device_id=device_id,
        last_seq=last_seq,
        reconnects=Reconnects(broker=1, source=0),
    )


def example_ack(device_id: str, committed: list[str] | None = None) -> Ack:
    """Return a commit-ack for ``committed`` (default: one fresh id) and one rejection."""
    base = examples.ack()
    return _with(
        base,
        **_now(base, "sent_at"),
        device_id=device_id,
        committed=committed if committed is not None else [new_ulid()],
        rejected=[_with(rejection, event_id=new_ulid()) for rejection in base.rejected],
    )


def example_overlay() -> TunableOverlay:
    """Return a config overlay that sets every tunable field: classes, zones, schedules, permits."""
    event = examples.event()
    label, zone, place = event.label, event.camera.zone, event.location
    assert zone is not None and place.lat is not None and place.lon is not None
    classes = examples.config_push().overlay.classes or {}
    return TunableOverlay(
        classes={name: _with(overlay, dwell_s=30.0) for name, overlay in classes.items()},
        zones=[
            Zone(name=zone, polygon=[(0.0, 0.5), (1.0, 0.5), (1.0, 1.0), (0.0, 1.0)]),
            Zone(
                name="bus-stop",
                kind=ZoneKind.EXCLUDE,
                polygon=[(0.1, 0.1), (0.3, 0.1), (0.2, 0.3)],
                classes=[label],
            ),
        ],
        schedules=[
            Schedule(
                name="breakfast",
                effect=ScheduleEffect.ALLOW,
                classes=[label],
                zones=[zone],
                windows=[TimeWindow(days=["mon", "tue"], start=time(6, 0), end=time(9, 0))],
            )
        ],
        permits=[
            Permit(
                name="P-2026-001",
                holder="Noodle stall",
                classes=[label],
                point=GeoPoint(lat=place.lat, lon=place.lon),
                radius_m=15.0,
                valid_from=date(2026, 1, 1),
                valid_until=date(2026, 12, 31),
            )
        ],
    )


def example_config_push(device_id: str, *, version: int = 1) -> ConfigPush:
    """Return a retained config push of ``version`` carrying :func:`example_overlay`."""
    base = examples.config_push()
    return _with(
        base,
        **_now(base, "issued_at"),
        device_id=device_id,
        version=version,
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
