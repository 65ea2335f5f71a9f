"""Read-only queries for the API, each in its own short transaction."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from server.services.case_queries import CaseFilter, case_detail, cases_geojson, list_cases
from server.services.context import ServerContext
from server.services.stats import KpiQuery, Kpis, kpis
from server.services.views import CaseDetail, CasePage, EventView, View
from server.store.tables import DeadLetterRow, EventEvidenceRow, EventRow, EvidenceBlobRow

PREVIEW_BYTES = 512


class DeadLetterView(View):
    """A refused message (a preview of its raw bytes, base64)."""

    id: int
    topic: str
    device_id: str | None
    event_id: str | None
    reason: str
    payload_bytes: int
    payload_preview_b64: str
    occurrences: int
    first_at: datetime
    last_at: datetime


class Listing(View):
    """A page of anything."""

    total: int
    items: list[Any]


class Reads:
    """Case lists and details, KPIs, dead letters, quarantined events and evidence files."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    def cases(self, where: CaseFilter) -> CasePage:
        """Return one page of cases."""
        with self.ctx.database.transaction() as session:
            return list_cases(session, where, self.ctx.clock())

    def geojson(self, where: CaseFilter) -> dict[str, Any]:
        """Return one page of cases as GeoJSON."""
        with self.ctx.database.transaction() as session:
            return cases_geojson(session, where, self.ctx.clock())

    def case(self, case_id: int) -> CaseDetail | None:
        """Return one case in full, or None."""
        with self.ctx.database.transaction() as session:
            return case_detail(session, case_id, self.ctx.clock())

    def kpis(self, query: KpiQuery) -> Kpis:
        """Return the KPIs of a period."""
        zone = ZoneInfo(self.ctx.config.timezone)
        with self.ctx.database.transaction() as session:
            return kpis(session, query, self.ctx.clock(), zone)

    def dead_letters(self, limit: int, offset: int) -> Listing:
        """Return refused messages, newest first."""
        with self.ctx.database.transaction() as session:
            total = session.scalar(select(func.count(DeadLetterRow.id))) or 0
            rows = session.scalars(
                select(DeadLetterRow).order_by(DeadLetterRow.id.desc()).limit(limit).offset(offset)
            ).all()
            items = [
                DeadLetterView(
                    id=row.id,
                    topic=row.topic,
                    device_id=row.device_id,
                    event_id=row.event_id,
                    reason=row.reason,
                    payload_bytes=row.payload_bytes,
                    payload_preview_b64=base64.b64encode(row.payload[:PREVIEW_BYTES]).decode(),
                    occurrences=row.occurrences,
                    first_at=row.first_at,
                    last_at=row.last_at,
                )
                for row in rows
            ]
        return Listing(total=total, items=items)

    def quarantined(self, limit: int, offset: int) -> Listing:
        """Return quarantined events (with the reason), newest first."""
        with self.ctx.database.transaction() as session:
            where = EventRow.state == "quarantined"
            total = session.scalar(select(func.count(EventRow.event_id)).where(where)) or 0
            rows = session.scalars(
                select(EventRow)
                .where(where)
                .order_by(EventRow.received_at.desc())
                .limit(limit)
                .offset(offset)
            ).all()
            evidence = session.scalars(
                select(EventEvidenceRow).where(
                    EventEvidenceRow.event_id.in_([row.event_id for row in rows])
                )
            ).all()
            items = [
                EventView.of(row, [e for e in evidence if e.event_id == row.event_id])
                for row in rows
            ]
        return Listing(total=total, items=items)

    def evidence(self, sha256: str) -> tuple[bytes, str] | None:
        """Return a stored evidence file and its content type, or None."""
        with self.ctx.database.transaction() as session:
            blob = session.get(EvidenceBlobRow, sha256)
        if blob is None:
            return None
        data = self.ctx.evidence.read(sha256)
        return None if data is None else (data, blob.content_type)

    def healthy(self) -> bool:
        """Return True if the database answers."""
        try:
            self.ctx.database.check()
        except Exception:
            return False
        return True
