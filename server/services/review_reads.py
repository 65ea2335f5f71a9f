"""Reads the review UI needs beyond the API's: the review queue and what each event saw.

The queue lists ``reported`` and ``reopened`` cases, newest or most-sighted first. The
camera box, frame size and model identity of an event come from its stored payload, so the
evidence files stay exactly as the device sent them.
"""

from __future__ import annotations

import json
from enum import Enum

from sqlalchemy import select

from server.domain.lifecycle import CaseStatus
from server.services.context import ServerContext
from server.services.views import CaseSummary, View
from server.store.tables import CaseRow, EventEvidenceRow, EventRow

QUEUE_STATUSES = (CaseStatus.REPORTED, CaseStatus.REOPENED)
QUEUE_MAX = 200


class QueueOrder(str, Enum):
    """How the review queue is sorted."""

    NEWEST = "newest"
    MOST_SIGHTED = "sighted"


class Sighting(View):
    """What one event of a case saw: camera, box, model and where the camera was."""

    event_id: str
    source_id: str
    frame_width: int
    frame_height: int
    box: tuple[float, float, float, float]
    zone: str | None
    model_name: str
    model_version: str
    model_sha256: str
    threshold: float
    config_version: int
    accuracy_m: float | None

    def box_percent(self) -> tuple[float, float, float, float]:
        """Return the box as (left, top, width, height) in percent of the frame."""
        x1, y1, x2, y2 = self.box
        w, h = self.frame_width, self.frame_height
        return (100 * x1 / w, 100 * y1 / h, 100 * (x2 - x1) / w, 100 * (y2 - y1) / h)


def sighting_of(event_id: str, payload: str) -> Sighting | None:
    """Return the sighting recorded in an event's stored payload, or None if unreadable."""
    try:
        data = json.loads(payload)
        camera, box, model = data["camera"], data["camera"]["box"], data["model"]
        return Sighting(
            event_id=event_id,
            source_id=str(camera["source_id"]),
            frame_width=int(camera["frame_width"]),
            frame_height=int(camera["frame_height"]),
            box=(float(box["x1"]), float(box["y1"]), float(box["x2"]), float(box["y2"])),
            zone=camera.get("zone"),
            model_name=str(model["name"]),
            model_version=str(model["version"]),
            model_sha256=str(model["sha256"]),
            threshold=float(data["threshold"]),
            config_version=int(data["config_version"]),
            accuracy_m=(data.get("location") or {}).get("accuracy_m"),
        )
    except (ValueError, KeyError, TypeError, ZeroDivisionError):
        return None


class ReviewReads:
    """The review queue and the sightings of a case."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    def queue(self, order: QueueOrder, limit: int = QUEUE_MAX) -> list[CaseSummary]:
        """Return the cases waiting for a verdict."""
        keys = (
            (CaseRow.reported_at.desc(), CaseRow.id.desc())
            if order is QueueOrder.NEWEST
            else (CaseRow.sighting_count.desc(), CaseRow.last_seen.desc(), CaseRow.id.desc())
        )
        now = self.ctx.clock()
        with self.ctx.database.transaction() as session:
            rows = session.scalars(
                select(CaseRow)
                .where(CaseRow.status.in_([status.value for status in QUEUE_STATUSES]))
                .order_by(*keys)
                .limit(limit)
            ).all()
            return [CaseSummary.of(row, now) for row in rows]

    def thumbnails(self, case_ids: list[int], kind: str = "crop") -> dict[int, str]:
        """Return, per case, the SHA-256 of a stored evidence file of ``kind`` (the newest)."""
        if not case_ids:
            return {}
        with self.ctx.database.transaction() as session:
            rows = session.execute(
                select(EventRow.case_id, EventEvidenceRow.received_sha256)
                .join(EventEvidenceRow, EventEvidenceRow.event_id == EventRow.event_id)
                .where(
                    EventRow.case_id.in_(case_ids),
                    EventEvidenceRow.kind == kind,
                    EventEvidenceRow.state != "pending",
                    EventEvidenceRow.received_sha256.is_not(None),
                )
                .order_by(EventRow.last_seen)
            ).all()
        return {case_id: sha for case_id, sha in rows if case_id is not None and sha}

    def sightings(self, case_id: int) -> dict[str, Sighting]:
        """Return each event's sighting of a case, by event id."""
        with self.ctx.database.transaction() as session:
            rows = session.execute(
                select(EventRow.event_id, EventRow.payload).where(EventRow.case_id == case_id)
            ).all()
        found = {event_id: sighting_of(event_id, payload) for event_id, payload in rows}
        return {key: value for key, value in found.items() if value is not None}
