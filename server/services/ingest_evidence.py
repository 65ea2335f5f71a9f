"""Evidence against its event: verify size and hash and count it on the case.

Evidence that arrives before its event is kept as pending and joined when the event comes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from contracts import ContractError, EvidenceItem, EvidenceKind, verify_evidence
from server.evidence_files import EvidenceFiles, sniff_content_type
from server.services.case_ops import lock_case
from server.store.dialect import insert_ignore
from server.store.tables import (
    EventEvidenceRow,
    EventRow,
    EvidenceBlobRow,
    PendingEvidenceRow,
    table_of,
)

PENDING, VERIFIED, MISMATCH = "pending", "verified", "mismatch"


@dataclass(frozen=True)
class Arrival:
    """Evidence bytes that arrived for ``event_id`` (already written to the evidence folder)."""

    device_id: str
    event_id: str
    kind: EvidenceKind
    sha256: str
    data: bytes
    received_at: datetime


def record_blob(session: Session, arrival: Arrival, content_type: str | None = None) -> None:
    """Record the stored file (once per distinct content)."""
    insert_ignore(
        session,
        table_of(EvidenceBlobRow),
        [
            {
                "sha256": arrival.sha256,
                "bytes": len(arrival.data),
                "content_type": content_type or sniff_content_type(arrival.data),
                "stored_at": arrival.received_at,
            }
        ],
    )


def keep_pending(session: Session, arrival: Arrival) -> None:
    """Keep evidence whose event has not arrived; the event joins it later."""
    record_blob(session, arrival)
    insert_ignore(
        session,
        table_of(PendingEvidenceRow),
        [
            {
                "event_id": arrival.event_id,
                "kind": arrival.kind.value,
                "device_id": arrival.device_id,
                "sha256": arrival.sha256,
                "bytes": len(arrival.data),
                "received_at": arrival.received_at,
            }
        ],
    )


def listed_item(row: EventEvidenceRow) -> EvidenceItem:
    """Return the evidence item as the event listed it."""
    return EvidenceItem.model_validate(
        {
            "kind": row.kind,
            "sha256": row.sha256,
            "content_type": row.content_type,
            "bytes": row.bytes,
            "width": row.width,
            "height": row.height,
        }
    )


def settle(session: Session, event: EventRow, item: EventEvidenceRow, arrival: Arrival) -> str:
    """Check arrived bytes against the listed item and update the event and its case.

    Returns:
        ``verified``, ``mismatch`` (flagged on the case, with the reason on the item) or
        ``duplicate`` (the item was already verified).
    """
    if item.state == VERIFIED:
        return "duplicate"
    try:
        verify_evidence(listed_item(item), arrival.data)
        problem = None
    except ContractError as exc:
        problem = str(exc)
    if problem is not None and item.state == MISMATCH:
        return "duplicate"  # the same wrong bytes again (or other wrong ones): flagged once
    was_pending = item.state == PENDING
    record_blob(session, arrival, item.content_type if problem is None else None)
    item.received_sha256, item.received_at = arrival.sha256, arrival.received_at
    item.state = MISMATCH if problem else VERIFIED
    if problem:
        item.problem = problem[:500]
    if was_pending:
        event.evidence_pending -= 1
    if event.case_id is not None:
        case = lock_case(session, event.case_id)
        if problem:
            case.evidence_mismatches += 1
        else:
            case.evidence_count += 1
    return item.state


def join_pending(session: Session, files: EvidenceFiles, event: EventRow) -> list[str]:
    """Settle the evidence that arrived before ``event``; return each outcome."""
    pending = session.scalars(
        select(PendingEvidenceRow).where(PendingEvidenceRow.event_id == event.event_id)
    ).all()
    outcomes: list[str] = []
    for early in pending:
        item = session.get(EventEvidenceRow, (event.event_id, early.kind), with_for_update=True)
        data = files.read(early.sha256)
        if item is None or data is None:
            continue  # an unlisted kind, or a file lost from disk: the device sends it again
        arrival = Arrival(
            early.device_id,
            event.event_id,
            EvidenceKind(early.kind),
            early.sha256,
            data,
            early.received_at,
        )
        outcomes.append(settle(session, event, item, arrival))
    if pending:
        session.execute(
            delete(PendingEvidenceRow).where(PendingEvidenceRow.event_id == event.event_id)
        )
    return outcomes
