"""Row-level case operations inside a transaction: lock, transition with audit, new case.

Callers lock a case with :func:`lock_case` before changing it, so concurrent workers and API
requests never lose each other's updates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from server.domain.geo import GeoPoint, WeightedCentroid
from server.domain.lifecycle import Action, CaseStatus, RejectReason, next_status
from server.store.tables import CaseRow, TransitionRow


class CaseNotFoundError(LookupError):
    """No case with that id."""


@dataclass(frozen=True)
class TransitionRequest:
    """What an actor asks to do to a case.

    Attributes:
        action: the lifecycle action.
        actor: who asks: ``token:NAME``, ``user:NAME`` or ``system:...``.
        note: free text for the audit trail.
        reason: required by ``reject``.
        department: for ``dispatch``; None lets the dispatch rules choose.
        merge_into: for ``merge``: the case that takes this one's events.
    """

    action: Action
    actor: str
    note: str = ""
    reason: RejectReason | None = None
    department: str | None = None
    merge_into: int | None = None


def lock_case(session: Session, case_id: int) -> CaseRow:
    """Return the case row locked for update (fresh from the database).

    Raises:
        CaseNotFoundError: no such case.
    """
    case = session.get(CaseRow, case_id, with_for_update=True, populate_existing=True)
    if case is None:
        raise CaseNotFoundError(f"no case {case_id}")
    return case


def audit(
    session: Session,
    case: CaseRow,
    action: str,
    *,
    before: str | None,
    actor: str,
    at: datetime,
    note: str = "",
    detail: str = "",
) -> None:
    """Add one audit row for ``case`` (its current status is the result)."""
    session.add(
        TransitionRow(
            case=case,
            action=action,
            from_status=before,
            to_status=case.status,
            actor=actor[:128],
            note=note[:2000],
            detail=detail[:500],
            at=at,
        )
    )


def transition(
    session: Session,
    case: CaseRow,
    request: TransitionRequest,
    at: datetime,
    *,
    deadline: timedelta | None = None,
    detail: str = "",
) -> None:
    """Apply ``request`` to a locked case, set its timestamps and write the audit row.

    Raises:
        server.domain.lifecycle.IllegalTransitionError: not allowed from the case's status.
        ValueError: a reject without reason, or a dispatch without department or deadline.
    """
    before = CaseStatus(case.status)
    after = next_status(before, request.action)
    _apply(case, request, at, deadline)
    case.status = after.value
    case.updated_at = at
    audit(
        session,
        case,
        request.action.value,
        before=before.value,
        actor=request.actor,
        at=at,
        note=request.note,
        detail=detail,
    )


def _apply(
    case: CaseRow, request: TransitionRequest, at: datetime, deadline: timedelta | None
) -> None:
    action = request.action
    if action is Action.FILE:
        case.filed_at = at
    elif action is Action.REJECT:
        if request.reason is None:
            raise ValueError("a rejection needs a reason: false_positive, permitted or other")
        case.rejected_at, case.reject_reason = at, request.reason.value
    elif action is Action.DISPATCH:
        if request.department is None or deadline is None:
            raise ValueError("a dispatch needs a department and a deadline")
        case.department, case.dispatched_at = request.department, at
        case.deadline_at, case.escalated_at = at + deadline, None
        if case.time_to_dispatch_s is None:
            case.time_to_dispatch_s = max(0.0, (at - case.cycle_started_at).total_seconds())
    elif action is Action.HANDLE:
        case.handled_at = at
    elif action is Action.CLOSE:
        case.closed_at, case.deadline_at = at, None
        case.time_to_close_s = max(0.0, (at - case.cycle_started_at).total_seconds())
    elif action is Action.REOPEN:
        case.reopen_count += 1
        case.cycle_started_at, case.deadline_at, case.escalated_at = at, None, None
        case.time_to_dispatch_s, case.time_to_close_s = None, None
    elif action is Action.MERGE:
        case.merged_into, case.deadline_at = request.merge_into, None


@dataclass(frozen=True)
class NewCaseSpec:
    """What a new case starts from."""

    code: str
    label: str
    taxonomy: str
    point: GeoPoint
    first_seen: datetime
    last_seen: datetime
    grid_id: str | None
    origin: str = "edge"
    description: str = ""


def new_case(
    session: Session, spec: NewCaseSpec, actor: str, at: datetime, note: str = ""
) -> CaseRow:
    """Add a ``reported`` case with an audit row; return it.

    Nothing is flushed: the case gets its id at the session's next flush.
    """
    values = {
        "code": spec.code,
        "label": spec.label,
        "taxonomy": spec.taxonomy,
        "status": CaseStatus.REPORTED.value,
        "origin": spec.origin,
        "description": spec.description,
        "lat": spec.point.lat,
        "lon": spec.point.lon,
        "weight": 0.0,
        "weighted_lat": 0.0,
        "weighted_lon": 0.0,
        "grid_id": spec.grid_id,
        "first_seen": spec.first_seen,
        "last_seen": spec.last_seen,
        "event_count": 0,
        "sighting_count": 0,
        "evidence_count": 0,
        "evidence_mismatches": 0,
        "reported_at": at,
        "cycle_started_at": spec.first_seen,
        "escalations": 0,
        "reopen_count": 0,
        "updated_at": at,
    }
    case = CaseRow(**values)
    session.add(case)
    audit(session, case, "report", before=None, actor=actor, at=at, note=note)
    return case


def centroid_of(case: CaseRow) -> WeightedCentroid:
    """Return the case's running location sums."""
    return WeightedCentroid(case.weight, case.weighted_lat, case.weighted_lon)


def set_centroid(case: CaseRow, centroid: WeightedCentroid) -> None:
    """Store the running sums and the location they give."""
    case.weight, case.weighted_lat, case.weighted_lon = (
        centroid.weight,
        centroid.weighted_lat,
        centroid.weighted_lon,
    )
    point = centroid.point
    if point is not None:
        case.lat, case.lon = point.lat, point.lon
