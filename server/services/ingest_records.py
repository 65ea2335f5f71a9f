"""Ingest writes that need no case logic: dead letters and device status/heartbeats."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from server.services.inbound import HeartbeatIn, Refused, StatusIn
from server.store.dialect import upsert
from server.store.tables import DeadLetterRow, DeviceStatusRow, table_of

MAX_TOPIC_CHARS = 512
MAX_REASON_CHARS = 1000


def dead_letter_key(topic: str, payload: bytes) -> str:
    """Return the dedup key of a refused message: the same bytes on the same topic count once."""
    digest = hashlib.sha256(topic.encode("utf-8", "replace"))
    digest.update(b"\0")
    digest.update(payload)
    return digest.hexdigest()


def record_dead_letters(session: Session, refused: Iterable[Refused], max_bytes: int) -> None:
    """Store refused messages; a repeat of the same message increments ``occurrences``."""
    table = table_of(DeadLetterRow)
    rows = [
        {
            "dedup_key": dead_letter_key(item.topic, item.payload),
            "topic": item.topic[:MAX_TOPIC_CHARS],
            "device_id": item.device_id,
            "event_id": item.event_id,
            "reason": item.reason[:MAX_REASON_CHARS],
            "payload": item.payload[:max_bytes],
            "payload_bytes": len(item.payload),
            "occurrences": 1,
            "first_at": item.received_at,
            "last_at": item.received_at,
        }
        for item in refused
    ]
    by_key = {row["dedup_key"]: row for row in rows}  # one statement may not hit a row twice
    repeats = len(rows) - len(by_key)
    upsert(
        session,
        table,
        list(by_key.values()),
        ["dedup_key"],
        update=lambda new: {"occurrences": table.c.occurrences + 1, "last_at": new.last_at},
    )
    if repeats:
        _count_repeats(session, rows)


def _count_repeats(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add the repeats of a message within one batch to its ``occurrences``."""
    seen: dict[str, int] = {}
    for row in rows:
        seen[row["dedup_key"]] = seen.get(row["dedup_key"], 0) + 1
    for key, times in seen.items():
        if times > 1:
            session.execute(
                update(DeadLetterRow)
                .where(DeadLetterRow.dedup_key == key)
                .values(occurrences=DeadLetterRow.occurrences + times - 1)
            )


def _status_row(device_id: str, at: datetime) -> dict[str, object]:
    return {"device_id": device_id, "updated_at": at}


def record_heartbeat(session: Session, item: HeartbeatIn) -> None:
    """Keep the newest heartbeat of a device: config version, outbox depth, last seq."""
    beat, at = item.heartbeat, item.received_at
    table = table_of(DeviceStatusRow)
    values = {
        **_status_row(beat.device_id, at),
        "last_heartbeat_at": at,
        "software_version": beat.software_version,
        "config_version": beat.config_version,
        "outbox_depth": beat.outbox.depth,
        "outbox_oldest_age_s": beat.outbox.oldest_age_s,
        "last_seq": beat.last_seq,
    }
    keep = ("last_heartbeat_at", "software_version", "config_version", "outbox_depth")
    upsert(
        session,
        table,
        [values],
        ["device_id"],
        update=lambda new: {
            **{name: getattr(new, name) for name in keep},
            "outbox_oldest_age_s": new.outbox_oldest_age_s,
            "last_seq": new.last_seq,
            "updated_at": new.updated_at,
        },
        where=lambda new: (
            (table.c.last_heartbeat_at.is_(None))
            | (table.c.last_heartbeat_at < new.last_heartbeat_at)
        ),
    )


def record_status(session: Session, item: StatusIn) -> None:
    """Keep the newest status (online, or the offline last will) of a device."""
    status, at = item.status, item.received_at
    table = table_of(DeviceStatusRow)
    values = {
        **_status_row(status.device_id, at),
        "state": status.state.value,
        "state_since": status.since,
        "state_received_at": at,
        "software_version": status.software_version,
    }
    upsert(
        session,
        table,
        [values],
        ["device_id"],
        update=lambda new: {
            "state": new.state,
            "state_since": new.state_since,
            "state_received_at": new.state_received_at,
            "software_version": new.software_version,
            "updated_at": new.updated_at,
        },
        where=lambda new: (
            (table.c.state_received_at.is_(None))
            | (table.c.state_received_at <= new.state_received_at)
        ),
    )


def record_last_events(session: Session, last_event: dict[str, datetime]) -> None:
    """Note when each device's latest event arrived."""
    rows = [
        {**_status_row(device_id, at), "last_event_at": at}
        for device_id, at in sorted(last_event.items())
    ]
    upsert(
        session,
        table_of(DeviceStatusRow),
        rows,
        ["device_id"],
        update=lambda new: {"last_event_at": new.last_event_at, "updated_at": new.updated_at},
    )
