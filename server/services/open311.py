"""Open311 GeoReport v2: the taxonomy as services, cases as service requests.

Mapping: ``service_code`` = case code, ``service_request_id`` = case id, ``status`` is
``open`` for reported/filed/dispatched/handled/reopened and ``closed`` otherwise (the exact
status goes in ``status_notes``), ``agency_responsible`` = the dispatched department.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from server.domain.geo import GeoPoint
from server.domain.lifecycle import OPEN_STATUSES, ZH_NAMES, CaseStatus
from server.services.case_ops import NewCaseSpec
from server.services.cases import CaseService
from server.services.context import ServerContext
from server.store.tables import CaseRow, EventEvidenceRow, EventRow

DEFAULT_WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000


class Open311Error(ValueError):
    """A request the GeoReport API refuses (HTTP 400 with the description)."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


class Open311:
    """GeoReport v2 over the taxonomy and the cases."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    def services(self) -> list[dict[str, Any]]:
        """Return the service list: one service per case code."""
        taxonomy = self.ctx.taxonomy
        return [
            {
                "service_code": code,
                "service_name": entry.name_zh,
                "description": entry.description or entry.name_en,
                "metadata": False,
                "type": "realtime",
                "keywords": ",".join(taxonomy.labels_of(code)),
                "group": entry.category,
            }
            for code, entry in sorted(taxonomy.codes.items())
        ]

    def requests(
        self,
        *,
        ids: list[int] | None = None,
        service_code: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        status: str | None = None,
    ) -> list[dict[str, Any]]:
        """Return service requests, newest first (at most 1000, default the last 90 days)."""
        query = select(CaseRow).where(CaseRow.status != CaseStatus.MERGED.value)
        if ids:
            query = query.where(CaseRow.id.in_(ids))
        else:
            end = end or self.ctx.clock()
            start = start or end - DEFAULT_WINDOW
            query = query.where(CaseRow.reported_at >= start, CaseRow.reported_at <= end)
        if service_code:
            query = query.where(CaseRow.code.in_(service_code.split(",")))
        if status:
            wanted = {part.strip() for part in status.split(",")}
            if not wanted <= {"open", "closed"}:
                raise Open311Error("status must be open, closed or both")
            statuses = [
                s.value
                for s in CaseStatus
                if ("open" if s in OPEN_STATUSES else "closed") in wanted
            ]
            query = query.where(CaseRow.status.in_(statuses))
        query = query.order_by(CaseRow.reported_at.desc()).limit(MAX_REQUESTS)
        with self.ctx.database.transaction() as session:
            cases = session.scalars(query).all()
            media = self._media(session, [case.id for case in cases])
            return [self._request(case, media.get(case.id)) for case in cases]

    def _media(self, session: Any, case_ids: list[int]) -> dict[int, str]:
        rows = session.execute(
            select(EventRow.case_id, EventEvidenceRow.received_sha256)
            .join(EventEvidenceRow, EventEvidenceRow.event_id == EventRow.event_id)
            .where(EventRow.case_id.in_(case_ids), EventEvidenceRow.state == "verified")
            .where(EventEvidenceRow.kind == "frame")
            .order_by(EventRow.event_id)
        ).all()
        media: dict[int, str] = {}
        for case_id, sha in rows:
            media.setdefault(case_id, f"/api/v1/evidence/{sha}")
        return media

    def _request(self, case: CaseRow, media_url: str | None) -> dict[str, Any]:
        status = CaseStatus(case.status)
        entry = self.ctx.taxonomy.codes.get(case.code)
        department = self.ctx.config.dispatch.departments.get(case.department or "")
        return {
            "service_request_id": str(case.id),
            "status": "open" if status in OPEN_STATUSES else "closed",
            "status_notes": f"{status.value} ({ZH_NAMES[status]})",
            "service_name": entry.name_zh if entry else case.code,
            "service_code": case.code,
            "description": case.description or f"{case.label}: {case.sighting_count} sightings",
            "agency_responsible": department.name if department else case.department,
            "service_notice": "",
            "requested_datetime": _iso(case.reported_at),
            "updated_datetime": _iso(case.updated_at),
            "expected_datetime": _iso(case.deadline_at),
            "address": "",
            "address_id": case.grid_id or "",
            "zipcode": None,
            "lat": case.lat,
            "long": case.lon,
            "media_url": media_url,
        }

    def create(self, fields: dict[str, str], actor: str) -> dict[str, Any]:
        """Open a case from a GeoReport POST (service_code, lat, long, description).

        Raises:
            Open311Error: unknown service code, or no usable lat/long.
        """
        code = fields.get("service_code", "")
        if code not in self.ctx.taxonomy.codes:
            raise Open311Error(f"unknown service_code {code!r}; see services.json")
        try:
            point = GeoPoint(float(fields["lat"]), float(fields["long"]))
        except (KeyError, ValueError):
            raise Open311Error("lat and long are required (address is not supported)") from None
        if not (-90 <= point.lat <= 90 and -180 <= point.lon <= 180):
            raise Open311Error("lat/long out of range")
        labels = self.ctx.taxonomy.labels_of(code)
        now = self.ctx.clock()
        spec = NewCaseSpec(
            code=code,
            label=labels[0] if labels else "citizen_report",
            taxonomy="",
            point=point,
            first_seen=now,
            last_seen=now,
            grid_id=None,
            origin="open311",
            description=fields.get("description", "")[:2000],
        )
        case_id = CaseService(self.ctx).report(spec, actor)
        return {"service_request_id": str(case_id), "service_notice": "", "account_id": None}
