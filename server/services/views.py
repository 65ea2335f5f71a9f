"""Read models the services return and the API serves (immutable pydantic models)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from server.domain.lifecycle import CaseStatus
from server.store.tables import (
    CaseLinkRow,
    CaseRow,
    EventEvidenceRow,
    EventRow,
    TransitionRow,
)


class View(BaseModel):
    """Frozen base of every read model."""

    model_config = ConfigDict(frozen=True)


class CaseSummary(View):
    """A case in a list."""

    id: int
    code: str
    label: str
    status: CaseStatus
    lat: float
    lon: float
    grid_id: str | None
    department: str | None
    first_seen: datetime
    last_seen: datetime
    event_count: int
    sighting_count: int
    evidence_count: int
    evidence_mismatch: bool = Field(description="Some evidence did not match its event's hash.")
    reported_at: datetime
    deadline_at: datetime | None
    overdue: bool
    escalations: int
    merged_into: int | None
    origin: str

    @classmethod
    def of(cls, case: CaseRow, now: datetime) -> CaseSummary:
        """Return the summary of ``case`` as of ``now``."""
        return cls(
            id=case.id,
            code=case.code,
            label=case.label,
            status=CaseStatus(case.status),
            lat=case.lat,
            lon=case.lon,
            grid_id=case.grid_id,
            department=case.department,
            first_seen=case.first_seen,
            last_seen=case.last_seen,
            event_count=case.event_count,
            sighting_count=case.sighting_count,
            evidence_count=case.evidence_count,
            evidence_mismatch=case.evidence_mismatches > 0,
            reported_at=case.reported_at,
            deadline_at=case.deadline_at,
            overdue=is_overdue(case, now),
            escalations=case.escalations,
            merged_into=case.merged_into,
            origin=case.origin,
        )


def is_overdue(case: CaseRow, now: datetime) -> bool:
    """Return True for a dispatched case past its deadline (处置超时)."""
    return (
        case.status == CaseStatus.DISPATCHED.value
        and case.deadline_at is not None
        and case.deadline_at < now
    )


class EvidenceView(View):
    """An evidence item of an event."""

    kind: str
    sha256: str
    bytes: int
    content_type: str
    width: int
    height: int
    state: str = Field(description="pending, verified or mismatch.")
    problem: str | None
    url: str | None = Field(description="Download path when the file is stored.")

    @classmethod
    def of(cls, row: EventEvidenceRow) -> EvidenceView:
        """Return the view of one listed item."""
        stored = row.received_sha256 if row.state != "pending" else None
        return cls(
            kind=row.kind,
            sha256=row.sha256,
            bytes=row.bytes,
            content_type=row.content_type,
            width=row.width,
            height=row.height,
            state=row.state,
            problem=row.problem,
            url=f"/api/v1/evidence/{stored}" if stored else None,
        )


class EventView(View):
    """An event of a case, with its evidence."""

    event_id: str
    violation_id: str
    device_id: str
    seq: int
    type: str
    label: str
    code: str | None
    confidence: float
    lat: float | None
    lon: float | None
    first_seen: datetime
    last_seen: datetime
    created_at: datetime
    received_at: datetime
    state: str
    quarantine_reason: str | None
    evidence: list[EvidenceView]

    @classmethod
    def of(cls, row: EventRow, evidence: list[EventEvidenceRow]) -> EventView:
        """Return the view of one event row."""
        return cls(
            event_id=row.event_id,
            violation_id=row.violation_id,
            device_id=row.device_id,
            seq=row.seq,
            type=row.type,
            label=row.label,
            code=row.code,
            confidence=row.confidence,
            lat=row.lat,
            lon=row.lon,
            first_seen=row.first_seen,
            last_seen=row.last_seen,
            created_at=row.created_at,
            received_at=row.received_at,
            state=row.state,
            quarantine_reason=row.quarantine_reason,
            evidence=[EvidenceView.of(item) for item in evidence],
        )


class TransitionView(View):
    """One audit row."""

    action: str
    from_status: str | None
    to_status: str
    actor: str
    note: str
    detail: str
    at: datetime

    @classmethod
    def of(cls, row: TransitionRow) -> TransitionView:
        """Return the view of one audit row."""
        return cls(
            action=row.action,
            from_status=row.from_status,
            to_status=row.to_status,
            actor=row.actor,
            note=row.note,
            detail=row.detail,
            at=row.at,
        )


class LinkView(View):
    """A link to another case."""

    kind: str
    case_id: int
    other_case_id: int
    created_at: datetime

    @classmethod
    def of(cls, row: CaseLinkRow) -> LinkView:
        """Return the view of one link row."""
        return cls(
            kind=row.kind,
            case_id=row.case_id,
            other_case_id=row.other_case_id,
            created_at=row.created_at,
        )


class CaseDetail(View):
    """A case with its events, evidence, audit trail and links."""

    case: CaseSummary
    taxonomy: str
    description: str
    filed_at: datetime | None
    dispatched_at: datetime | None
    handled_at: datetime | None
    closed_at: datetime | None
    rejected_at: datetime | None
    reject_reason: str | None
    time_to_dispatch_s: float | None
    time_to_close_s: float | None
    reopen_count: int
    allowed_actions: list[str]
    events: list[EventView]
    transitions: list[TransitionView]
    links: list[LinkView]


class CasePage(View):
    """One page of a case list."""

    total: int
    limit: int
    offset: int
    items: list[CaseSummary]
