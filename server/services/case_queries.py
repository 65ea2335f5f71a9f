"""Finding cases: filters, paging, case detail and the GeoJSON export.

Filters: status, class (label), code, grid, device, time range and bounding box.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from server.domain.geo import BoundingBox
from server.domain.lifecycle import CaseStatus, allowed_actions
from server.services.views import (
    CaseDetail,
    CasePage,
    CaseSummary,
    EventView,
    LinkView,
    TransitionView,
)
from server.store.tables import (
    CaseLinkRow,
    CaseRow,
    EventEvidenceRow,
    EventRow,
    SightingRow,
    TransitionRow,
)

MAX_PAGE = 500


class CaseFilter(BaseModel):
    """Which cases to list; every filter is optional and they combine with AND."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: list[CaseStatus] = Field(default_factory=list, description="Any of these statuses.")
    label: list[str] = Field(default_factory=list, description="Detector class (label).")
    code: list[str] = Field(default_factory=list, description="Case code.")
    grid: list[str] = Field(default_factory=list, description="Grid id.")
    device: list[str] = Field(default_factory=list, description="Seen by this device.")
    since: datetime | None = Field(None, description="Last seen at or after (ISO 8601).")
    until: datetime | None = Field(None, description="First seen before (ISO 8601).")
    bbox: str | None = Field(
        None, description="min_lon,min_lat,max_lon,max_lat (WGS-84, GeoJSON order)."
    )
    overdue: bool | None = Field(None, description="Only overdue (true) or not (false).")
    limit: int = Field(50, ge=1, le=MAX_PAGE, description="Page size.")
    offset: int = Field(0, ge=0, description="Cases to skip.")

    @field_validator("bbox")
    @classmethod
    def _bbox_parses(cls, value: str | None) -> str | None:
        if value is not None:
            parse_bbox(value)
        return value

    def box(self) -> BoundingBox | None:
        """Return the bounding box, if set."""
        return None if self.bbox is None else parse_bbox(self.bbox)


def parse_bbox(text: str) -> BoundingBox:
    """Parse ``min_lon,min_lat,max_lon,max_lat``.

    Raises:
        ValueError: not four numbers in range with min <= max.
    """
    try:
        min_lon, min_lat, max_lon, max_lat = (float(part) for part in text.split(","))
    except ValueError:
        raise ValueError("bbox must be four numbers: min_lon,min_lat,max_lon,max_lat") from None
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValueError("bbox must have min <= max, longitudes in -180..180, latitudes -90..90")
    return BoundingBox(min_lat, min_lon, max_lat, max_lon)


def _filtered(query: Select[Any], where: CaseFilter, now: datetime) -> Select[Any]:
    if where.status:
        query = query.where(CaseRow.status.in_([status.value for status in where.status]))
    if where.label:
        query = query.where(CaseRow.label.in_(where.label))
    if where.code:
        query = query.where(CaseRow.code.in_(where.code))
    if where.grid:
        query = query.where(CaseRow.grid_id.in_(where.grid))
    if where.device:
        seen_by = select(SightingRow.case_id).where(SightingRow.device_id.in_(where.device))
        query = query.where(CaseRow.id.in_(seen_by))
    if where.since is not None:
        query = query.where(CaseRow.last_seen >= where.since)
    if where.until is not None:
        query = query.where(CaseRow.first_seen < where.until)
    box = where.box()
    if box is not None:
        query = query.where(
            CaseRow.lat.between(box.min_lat, box.max_lat),
            CaseRow.lon.between(box.min_lon, box.max_lon),
        )
    if where.overdue is not None:
        late = (CaseRow.status == CaseStatus.DISPATCHED.value) & (CaseRow.deadline_at < now)
        query = query.where(late if where.overdue else ~late)
    return query


def list_cases(session: Session, where: CaseFilter, now: datetime) -> CasePage:
    """Return one page of matching cases, newest report first."""
    total = session.scalar(_filtered(select(func.count(CaseRow.id)), where, now)) or 0
    rows = session.scalars(
        _filtered(select(CaseRow), where, now)
        .order_by(CaseRow.reported_at.desc(), CaseRow.id.desc())
        .limit(where.limit)
        .offset(where.offset)
    ).all()
    items = [CaseSummary.of(row, now) for row in rows]
    return CasePage(total=total, limit=where.limit, offset=where.offset, items=items)


def case_detail(session: Session, case_id: int, now: datetime) -> CaseDetail | None:
    """Return a case with its events, evidence, audit trail and links, or None."""
    case = session.get(CaseRow, case_id)
    if case is None:
        return None
    events = session.scalars(
        select(EventRow).where(EventRow.case_id == case_id).order_by(EventRow.event_id)
    ).all()
    items = session.scalars(
        select(EventEvidenceRow).where(
            EventEvidenceRow.event_id.in_([event.event_id for event in events])
        )
    ).all()
    by_event: dict[str, list[EventEvidenceRow]] = {}
    for item in items:
        by_event.setdefault(item.event_id, []).append(item)
    trail = session.scalars(
        select(TransitionRow).where(TransitionRow.case_id == case_id).order_by(TransitionRow.id)
    ).all()
    links = session.scalars(
        select(CaseLinkRow)
        .where((CaseLinkRow.case_id == case_id) | (CaseLinkRow.other_case_id == case_id))
        .order_by(CaseLinkRow.id)
    ).all()
    return CaseDetail(
        case=CaseSummary.of(case, now),
        taxonomy=case.taxonomy,
        description=case.description,
        filed_at=case.filed_at,
        dispatched_at=case.dispatched_at,
        handled_at=case.handled_at,
        closed_at=case.closed_at,
        rejected_at=case.rejected_at,
        reject_reason=case.reject_reason,
        time_to_dispatch_s=case.time_to_dispatch_s,
        time_to_close_s=case.time_to_close_s,
        reopen_count=case.reopen_count,
        allowed_actions=[action.value for action in allowed_actions(CaseStatus(case.status))],
        events=[EventView.of(event, by_event.get(event.event_id, [])) for event in events],
        transitions=[TransitionView.of(row) for row in trail],
        links=[LinkView.of(row) for row in links],
    )


def cases_geojson(session: Session, where: CaseFilter, now: datetime) -> dict[str, Any]:
    """Return the matching cases (one page) as a GeoJSON FeatureCollection of points."""
    page = list_cases(session, where, now)
    features = [
        {
            "type": "Feature",
            "id": case.id,
            "geometry": {"type": "Point", "coordinates": [case.lon, case.lat]},
            "properties": case.model_dump(mode="json", exclude={"lat", "lon"}),
        }
        for case in page.items
    ]
    return {"type": "FeatureCollection", "features": features, "total": page.total}
