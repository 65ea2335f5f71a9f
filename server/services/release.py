"""Admitting a device's quarantined events once it is registered and enabled.

Each quarantined event is admitted again as if it had just arrived, in the order of its
per-device ``seq``, through the ingest case builder: it joins or opens a case (its stored
evidence counted on the case), becomes a ``sample``, or stays quarantined with the reason
that still holds (an unknown label, no position). Runs in the caller's transaction after the
registry change; running it again finds nothing left to release.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contracts import ContractError, MessageKind, ViolationEvent, decode
from server.domain.clustering import id_lock_key
from server.services.case_builder import CaseBuilder, Placement
from server.services.ingest_events import (
    ACCEPTED,
    QUARANTINED,
    Admission,
    admit,
    device_lock_key,
    registry_of,
)
from server.services.ingest_evidence import MISMATCH, VERIFIED
from server.store.dialect import lock_keys
from server.store.tables import EventEvidenceRow, EventRow


@dataclass(frozen=True)
class ReleaseResult:
    """What releasing a device's quarantined events did."""

    device_id: str
    cased: int = 0
    """Events that became part of a case."""
    samples: int = 0
    """Events admitted as near-miss samples (no case)."""
    quarantined: int = 0
    """Events still quarantined (for a reason other than the registry)."""
    opened: int = 0
    """Cases opened by the released events."""

    @property
    def released(self) -> int:
        """Events that left the quarantine."""
        return self.cased + self.samples


def quarantined_counts(session: Session) -> dict[str, int]:
    """Return the number of quarantined events per device that has any."""
    rows = session.execute(
        select(EventRow.device_id, func.count())
        .where(EventRow.state == QUARANTINED)
        .group_by(EventRow.device_id)
    ).all()
    return {device_id: int(count) for device_id, count in rows}


def release_quarantined(session: Session, builder: CaseBuilder, device_id: str) -> ReleaseResult:
    """Admit the quarantined events of ``device_id`` again (nothing if it is not enabled)."""
    lock_keys(session, [device_lock_key(device_id)])  # no batch of this device in between
    registry = registry_of(session, [device_id])
    if not registry.get(device_id):
        return ReleaseResult(device_id)
    waiting = session.execute(
        select(EventRow.event_id, EventRow.payload)
        .where(EventRow.device_id == device_id, EventRow.state == QUARANTINED)
        .order_by(EventRow.seq, EventRow.received_at, EventRow.event_id)
    ).all()
    events = [(row.event_id, _decoded(row.payload)) for row in waiting]
    admissions = {
        event_id: admit(event, registry, builder.ctx.taxonomy)
        for event_id, event in events
        if event is not None
    }
    lock_keys(session, _lock_keys(builder, events, admissions))
    rows = _locked_rows(session, [event_id for event_id, _ in events])
    return _Release(session, builder, device_id, rows).run(events, admissions)


def _decoded(payload: str) -> ViolationEvent | None:
    try:
        return decode(MessageKind.EVENTS, payload.encode("utf-8"), ViolationEvent)
    except ContractError:
        return None  # stored by an older contract: it stays quarantined


def _lock_keys(
    builder: CaseBuilder,
    events: list[tuple[str, ViolationEvent | None]],
    admissions: dict[str, Admission],
) -> set[int]:
    keys = {id_lock_key("event", event_id) for event_id, _ in events}
    for event_id, event in events:
        admission = admissions.get(event_id)
        if event is not None and admission is not None and admission.state == ACCEPTED:
            assert admission.code is not None, "accepted events have a code"
            keys |= builder.lock_keys(event, admission.code)
    return keys


def _locked_rows(session: Session, event_ids: list[str]) -> dict[str, EventRow]:
    if not event_ids:
        return {}
    found = session.scalars(
        select(EventRow)
        .where(EventRow.event_id.in_(event_ids))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.event_id: row for row in found}


class _Release:
    """Places one device's quarantined events, as one ingest batch would."""

    def __init__(
        self, session: Session, builder: CaseBuilder, device_id: str, rows: dict[str, EventRow]
    ) -> None:
        self.session, self.builder, self.device_id, self.rows = session, builder, device_id, rows
        self.outcomes: Counter[str] = Counter()

    def run(
        self,
        events: list[tuple[str, ViolationEvent | None]],
        admissions: dict[str, Admission],
    ) -> ReleaseResult:
        accepted = [
            (event_id, event)
            for event_id, event in events
            if event is not None and admissions[event_id].state == ACCEPTED
        ]
        placer = self.builder.placer(self.session, {event.violation_id for _, event in accepted})
        placements: dict[str, Placement] = {}
        with self.session.no_autoflush:
            for event_id, event in events:
                admission = admissions.get(event_id)
                if event is None or admission is None or admission.state != ACCEPTED:
                    self._readmit(event_id, admission)
                    continue
                assert admission.code is not None, "accepted events have a code"
                placements[event_id] = placer.place(event, admission.code)
            placer.finish()
        self.session.flush()  # new cases get their ids
        for event_id, placement in placements.items():
            self._settle(event_id, admissions[event_id], placement)
        self.session.flush()
        return ReleaseResult(
            self.device_id,
            cased=sum(self.outcomes[k] for k in ("opened", "joined", "reopened", "sighting")),
            samples=self.outcomes["sample"],
            quarantined=self.outcomes[QUARANTINED],
            opened=self.outcomes["opened"],
        )

    def _readmit(self, event_id: str, admission: Admission | None) -> None:
        row = self.rows.get(event_id)
        if row is None or admission is None:
            self.outcomes[QUARANTINED] += 1
            return
        row.state, row.code, row.quarantine_reason = (
            admission.state,
            admission.code,
            admission.reason,
        )
        self.outcomes[admission.state] += 1

    def _settle(self, event_id: str, admission: Admission, placement: Placement) -> None:
        row = self.rows[event_id]
        self.outcomes[placement.outcome] += 1
        row.code = admission.code
        if placement.case is None:
            row.quarantine_reason = placement.reason
            return
        row.state, row.quarantine_reason, row.case_id = ACCEPTED, None, placement.case_id
        states = self.session.scalars(
            select(EventEvidenceRow.state).where(EventEvidenceRow.event_id == event_id)
        ).all()
        placement.case.evidence_count += states.count(VERIFIED)
        placement.case.evidence_mismatches += states.count(MISMATCH)
