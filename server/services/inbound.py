"""Sorting received MQTT messages by what they are, without touching the database.

Each message becomes an immutable value: an event, an evidence file, a heartbeat, a status,
or a :class:`Refused` message with the reason it goes to the dead-letter table.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from contracts import (
    ContractError,
    EvidenceKind,
    Heartbeat,
    MessageKind,
    Status,
    Topics,
    ViolationEvent,
    decode,
)
from contracts.ids import ULID_PATTERN
from contracts.topics import TopicRef

MAX_EVIDENCE_BYTES = 16 * 1024 * 1024
"""The contract's largest evidence file."""

_ULID_RE = re.compile(ULID_PATTERN)


@dataclass(frozen=True)
class Inbound:
    """One MQTT message as received; ``token`` identifies it to the consumer (its mid)."""

    topic: str
    payload: bytes
    received_at: datetime
    token: int = 0


@dataclass(frozen=True)
class EventIn:
    """A valid event message and its bytes as received."""

    event: ViolationEvent
    received_at: datetime
    raw: bytes = b""


@dataclass(frozen=True)
class EvidenceIn:
    """An evidence file for ``event_id``."""

    device_id: str
    event_id: str
    kind: EvidenceKind
    data: bytes
    received_at: datetime


@dataclass(frozen=True)
class HeartbeatIn:
    """A valid heartbeat."""

    heartbeat: Heartbeat
    received_at: datetime


@dataclass(frozen=True)
class StatusIn:
    """A valid status (online, or the offline last will)."""

    status: Status
    received_at: datetime


@dataclass(frozen=True)
class Refused:
    """A message for the dead-letter table; ``event_id`` when one could be read from it."""

    topic: str
    device_id: str | None
    event_id: str | None
    reason: str
    payload: bytes
    received_at: datetime
    is_event: bool = False


@dataclass(frozen=True)
class Ignored:
    """A message the server does not consume (its own acks and config pushes)."""

    topic: str


Parsed = EventIn | EvidenceIn | HeartbeatIn | StatusIn | Refused | Ignored


def classify(topics: Topics, message: Inbound) -> Parsed:
    """Return what ``message`` is, or why it is refused."""
    try:
        ref = topics.parse(message.topic)
    except ContractError as exc:
        return _refuse(message, None, None, str(exc))
    if ref.kind is MessageKind.EVIDENCE:
        return _evidence(message, ref)
    if ref.kind in (MessageKind.ACKS, MessageKind.CONFIG):
        return Ignored(message.topic)
    return _json_message(message, ref)


def _refuse(message: Inbound, device: str | None, event_id: str | None, reason: str) -> Refused:
    return Refused(
        message.topic,
        device,
        event_id,
        reason,
        message.payload,
        message.received_at,
        is_event=event_id is not None and message.topic.endswith("/events"),
    )


def _evidence(message: Inbound, ref: TopicRef) -> Parsed:
    assert ref.event_id is not None and ref.evidence_kind is not None
    size = len(message.payload)
    if not 0 < size <= MAX_EVIDENCE_BYTES:
        reason = f"evidence is {size} bytes; allowed 1..{MAX_EVIDENCE_BYTES}"
        return _refuse(message, ref.device_id, ref.event_id, reason)
    return EvidenceIn(
        ref.device_id, ref.event_id, ref.evidence_kind, message.payload, message.received_at
    )


def _json_message(message: Inbound, ref: TopicRef) -> Parsed:
    device, at = ref.device_id, message.received_at
    try:
        model: BaseModel = decode(ref.kind, message.payload)
    except ContractError as exc:
        return _refuse(message, device, _event_id_of(ref.kind, message.payload), str(exc))
    payload_device = getattr(model, "device_id", device)
    if payload_device != device:
        reason = f"topic names device {device!r} but the payload says {payload_device!r}"
        return _refuse(message, device, _event_id_of(ref.kind, message.payload), reason)
    if isinstance(model, ViolationEvent):
        return EventIn(model, at, message.payload)
    if isinstance(model, Heartbeat):
        return HeartbeatIn(model, at)
    if isinstance(model, Status):
        return StatusIn(model, at)
    return Ignored(message.topic)  # pragma: no cover - no other kind reaches here


def _event_id_of(kind: MessageKind, payload: bytes) -> str | None:
    """Return the event id of a refused event message, when it has a readable one."""
    if kind is not MessageKind.EVENTS:
        return None
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    value = data.get("event_id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and _ULID_RE.match(value) else None
