"""Tables of cases: the case, its sightings, links and the audit trail of transitions.

The ``case`` relationships let a batch add a new case and its sightings, links and audit rows
together; the unit of work inserts them in one flush and fills in the foreign keys.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.store.base import Base, UtcDateTime


class CaseRow(Base):
    """A case: one violation at one place, built from one or more sightings."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_code_status", "code", "status"),
        Index("ix_cases_code_lat", "code", "lat"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(64), index=True)
    taxonomy: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), index=True)
    origin: Mapped[str] = mapped_column(String(16), default="edge")
    description: Mapped[str] = mapped_column(String(2000), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float, default=0.0)
    weighted_lat: Mapped[float] = mapped_column(Float, default=0.0)
    weighted_lon: Mapped[float] = mapped_column(Float, default=0.0)
    grid_id: Mapped[str | None] = mapped_column(String(64), index=True)
    department: Mapped[str | None] = mapped_column(String(64), index=True)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    sighting_count: Mapped[int] = mapped_column(Integer, default=0)
    evidence_count: Mapped[int] = mapped_column(Integer, default=0)
    evidence_mismatches: Mapped[int] = mapped_column(Integer, default=0)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    cycle_started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    filed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rejected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reject_reason: Mapped[str | None] = mapped_column(String(32))
    deadline_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    time_to_dispatch_s: Mapped[float | None] = mapped_column(Float)
    time_to_close_s: Mapped[float | None] = mapped_column(Float)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SightingRow(Base):
    """One physical violation as seen by one device (one ``violation_id``)."""

    __tablename__ = "sightings"

    violation_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    case: Mapped[CaseRow] = relationship(lazy="raise")
    device_id: Mapped[str] = mapped_column(String(64), index=True)
    label: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    event_count: Mapped[int] = mapped_column(Integer, default=0)


class CaseLinkRow(Base):
    """A link between cases: a recurrence of a closed case, or a merge."""

    __tablename__ = "case_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    other_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    case: Mapped[CaseRow] = relationship(foreign_keys=[case_id], lazy="raise")
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TransitionRow(Base):
    """The audit trail: every transition and escalation of a case (who, when, note)."""

    __tablename__ = "case_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    case: Mapped[CaseRow] = relationship(lazy="raise")
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(128))
    note: Mapped[str] = mapped_column(String(2000), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
