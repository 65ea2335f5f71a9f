"""Operators' verdicts on near-miss ``sample`` events, and the lists they work from.

A sample is an event of type ``sample`` that ingest admitted (registered device, known
label): it makes no case. Operators judge it a real violation or not; judging it again
replaces the verdict. The tuning report (:mod:`server.services.tuning`) counts the verdicts
at the sample's confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from server.domain.roles import Role
from server.services.auth import Principal
from server.services.context import ServerContext
from server.services.ingest_events import SAMPLE
from server.services.review_reads import Sighting, sighting_of
from server.services.views import EventView
from server.store.dialect import upsert
from server.store.tables import EventEvidenceRow, EventRow, SampleVerdictRow, table_of

PAGE_MAX = 200
VERDICT_OF_EVENT = SampleVerdictRow.event_id == EventRow.event_id


class SampleNotFoundError(LookupError):
    """No admitted sample event with that id."""


class NotAllowedError(PermissionError):
    """The principal's role may not judge samples (viewers read only)."""


class SampleFilter(BaseModel):
    """Which samples to list: judged or awaiting a verdict, by label and device, paged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    judged: bool = False
    label: str | None = Field(None, max_length=64)
    device: str | None = Field(None, max_length=64)
    limit: int = Field(50, ge=1, le=PAGE_MAX)
    offset: int = Field(0, ge=0)


@dataclass(frozen=True)
class SampleView:
    """One sample with its evidence, what the camera saw, and its verdict (if judged)."""

    event: EventView
    threshold: float | None
    sighting: Sighting | None
    positive: bool | None = None
    judged_by: str | None = None
    judged_at: datetime | None = None


@dataclass(frozen=True)
class SamplePage:
    """One page of samples, the total matching, and the labels and devices there are."""

    items: list[SampleView]
    total: int
    labels: list[str]
    devices: list[str]


class SampleService:
    """Lists samples and records verdicts on them."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    def list(self, where: SampleFilter) -> SamplePage:
        """Return the samples matching ``where``, newest first."""
        return self.ctx.database.run(lambda session: _page(session, where))

    def judge(self, event_id: str, positive: bool, principal: Principal) -> None:
        """Record ``principal``'s verdict on a sample (replacing an earlier one).

        Raises:
            NotAllowedError: a viewer asked.
            SampleNotFoundError: no admitted sample with that id.
        """
        if not principal.allows(Role.OPERATOR):
            role = principal.role.value
            raise NotAllowedError(f"judging samples needs the operator role; you are {role}")
        now = self.ctx.clock()

        def work(session: Session) -> None:
            found = session.scalar(
                select(EventRow.event_id).where(
                    EventRow.event_id == event_id, EventRow.state == SAMPLE
                )
            )
            if found is None:
                raise SampleNotFoundError(f"no sample event {event_id}")
            row = {
                "event_id": event_id,
                "positive": positive,
                "judged_by": principal.actor,
                "judged_at": now,
            }
            upsert(
                session,
                table_of(SampleVerdictRow),
                [row],
                ["event_id"],
                update=lambda new: {
                    "positive": new.positive,
                    "judged_by": new.judged_by,
                    "judged_at": new.judged_at,
                },
            )

        self.ctx.database.run(work)


def judged_samples(session: Session) -> list[tuple[str, str, float, bool]]:
    """Return (label, device, confidence, verdict) of every judged admitted sample."""
    query = select(
        EventRow.label, EventRow.device_id, EventRow.confidence, SampleVerdictRow.positive
    ).join(SampleVerdictRow, VERDICT_OF_EVENT)
    rows = session.execute(query.where(EventRow.state == SAMPLE)).all()
    return [(label, device, float(score), bool(ok)) for label, device, score, ok in rows]


def _conditions(where: SampleFilter) -> list[ColumnElement[bool]]:
    judged = SampleVerdictRow.id.is_not(None) if where.judged else SampleVerdictRow.id.is_(None)
    found = [EventRow.state == SAMPLE, judged]
    if where.label:
        found.append(EventRow.label == where.label)
    if where.device:
        found.append(EventRow.device_id == where.device)
    return found


def _page(session: Session, where: SampleFilter) -> SamplePage:
    total = (
        session.scalar(
            select(func.count(EventRow.event_id))
            .outerjoin(SampleVerdictRow, VERDICT_OF_EVENT)
            .where(*_conditions(where))
        )
        or 0
    )
    order = (
        (SampleVerdictRow.judged_at.desc(), EventRow.event_id.desc())
        if where.judged
        else (EventRow.last_seen.desc(), EventRow.event_id.desc())
    )
    rows = session.execute(
        select(EventRow, SampleVerdictRow)
        .outerjoin(SampleVerdictRow, VERDICT_OF_EVENT)
        .where(*_conditions(where))
        .order_by(*order)
        .limit(where.limit)
        .offset(where.offset)
    ).all()
    ids = [event.event_id for event, _ in rows]
    evidence: dict[str, list[EventEvidenceRow]] = {event_id: [] for event_id in ids}
    if ids:
        for item in session.scalars(
            select(EventEvidenceRow).where(EventEvidenceRow.event_id.in_(ids))
        ):
            evidence[item.event_id].append(item)
    items = []
    for event, verdict in rows:
        sighting = sighting_of(event.event_id, event.payload)
        items.append(
            SampleView(
                event=EventView.of(event, evidence[event.event_id]),
                threshold=sighting.threshold if sighting else None,
                sighting=sighting,
                positive=verdict.positive if verdict else None,
                judged_by=verdict.judged_by if verdict else None,
                judged_at=verdict.judged_at if verdict else None,
            )
        )
    facets = select(EventRow.label, EventRow.device_id).where(EventRow.state == SAMPLE).distinct()
    pairs = session.execute(facets).all()
    return SamplePage(
        items=items,
        total=int(total),
        labels=sorted({label for label, _ in pairs}),
        devices=sorted({device for _, device in pairs}),
    )
