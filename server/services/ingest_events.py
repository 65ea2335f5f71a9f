"""Admitting and inserting event messages: registry and taxonomy checks, idempotent insert."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts import EventType, ViolationEvent, encode
from server.domain.clustering import id_lock_key
from server.domain.taxonomy import Taxonomy
from server.services.inbound import EventIn
from server.store.dialect import insert_ignore
from server.store.tables import DeviceRow, EventEvidenceRow, EventRow, table_of

ACCEPTED, QUARANTINED, SAMPLE = "accepted", "quarantined", "sample"


@dataclass(frozen=True)
class Admission:
    """Whether an event may become part of a case, and under which code."""

    state: str
    code: str | None
    reason: str | None = None


def device_lock_key(device_id: str) -> int:
    """Return the lock key of a device's registry entry.

    Ingest holds it shared from before it reads the registry until its commit; releasing the
    device's quarantined events holds it exclusively, so no event is quarantined by a batch
    that read the registry before the device was registered and committed after the release.
    """
    return id_lock_key("device", device_id)


def registry_of(session: Session, device_ids: Sequence[str]) -> dict[str, bool]:
    """Return ``enabled`` of each registered device among ``device_ids``."""
    if not device_ids:
        return {}
    rows = session.execute(
        select(DeviceRow.device_id, DeviceRow.enabled).where(
            DeviceRow.device_id.in_(sorted(set(device_ids)))
        )
    ).all()
    return {row.device_id: bool(row.enabled) for row in rows}


def admit(event: ViolationEvent, registry: Mapping[str, bool], taxonomy: Taxonomy) -> Admission:
    """Decide whether ``event`` can make a case (else it is quarantined with a reason)."""
    code = taxonomy.code_for(event.label, event.taxonomy_code)
    enabled = registry.get(event.device_id)
    if enabled is None:
        reason = f"device {event.device_id!r} is not in the device registry"
        return Admission(QUARANTINED, code, reason)
    if not enabled:
        return Admission(QUARANTINED, code, f"device {event.device_id!r} is disabled")
    if code is None:
        reason = (
            f"label {event.label!r} (device code {event.taxonomy_code!r}) is not in "
            f"taxonomy {taxonomy.tag}"
        )
        return Admission(QUARANTINED, None, reason)
    if event.type is EventType.SAMPLE:
        return Admission(SAMPLE, code)
    return Admission(ACCEPTED, code)


def event_values(
    item: EventIn, admission: Admission, worker: str, case_id: int | None
) -> dict[str, object]:
    """Return the ``events`` row of an event message (placed in ``case_id``, if any)."""
    event = item.event
    return {
        "event_id": event.event_id,
        "violation_id": event.violation_id,
        "device_id": event.device_id,
        "seq": event.seq,
        "type": event.type.value,
        "label": event.label,
        "device_code": event.taxonomy_code,
        "code": admission.code,
        "confidence": event.confidence,
        "lat": event.location.lat,
        "lon": event.location.lon,
        "accuracy_m": event.location.accuracy_m,
        "first_seen": event.first_seen,
        "last_seen": event.last_seen,
        "created_at": event.created_at,
        "received_at": item.received_at,
        "state": admission.state,
        "quarantine_reason": admission.reason,
        "case_id": case_id,
        "evidence_pending": len(event.evidence),
        "worker": worker[:128],
        "payload": _text(item),
    }


def _text(item: EventIn) -> str:
    try:
        return item.raw.decode("utf-8") if item.raw else encode(item.event).decode()
    except UnicodeDecodeError:  # JSON may arrive as UTF-16/32; store it as UTF-8
        return encode(item.event).decode()


def existing_ids(session: Session, event_ids: Sequence[str]) -> set[str]:
    """Return the ids among ``event_ids`` that are stored already."""
    if not event_ids:
        return set()
    found = session.scalars(select(EventRow.event_id).where(EventRow.event_id.in_(event_ids)))
    return set(found)


def insert_events(
    session: Session, rows: Sequence[dict[str, object]], events: Sequence[ViolationEvent]
) -> None:
    """Insert new event rows and their listed evidence items (each in one executemany).

    The caller holds the event-id locks and checked :func:`existing_ids`, so these are new;
    a conflict is skipped all the same.
    """
    insert_ignore(session, table_of(EventRow), rows)
    items = [
        {
            "event_id": event.event_id,
            "kind": item.kind.value,
            "sha256": item.sha256,
            "bytes": item.bytes,
            "content_type": item.content_type,
            "width": item.width,
            "height": item.height,
            "state": "pending",
            "received_sha256": None,
            "problem": None,
            "received_at": None,
        }
        for event in events
        for item in event.evidence
    ]
    insert_ignore(session, table_of(EventEvidenceRow), items)
