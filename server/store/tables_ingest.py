"""Tables of what arrives: devices, events, evidence, dead letters, and API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.store.base import Base, UtcDateTime


class DeviceRow(Base):
    """The device registry: who may report violations."""

    __tablename__ = "devices"

    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    location_note: Mapped[str] = mapped_column(String(256), default="")
    credentials_ref: Mapped[str | None] = mapped_column(String(256))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DeviceStatusRow(Base):
    """The latest status and heartbeat of a device (registered or not)."""

    __tablename__ = "device_status"

    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(16))
    state_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    state_received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    software_version: Mapped[str | None] = mapped_column(String(64))
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    config_version: Mapped[int | None] = mapped_column(Integer)
    outbox_depth: Mapped[int | None] = mapped_column(Integer)
    outbox_oldest_age_s: Mapped[float | None] = mapped_column(Float)
    last_seq: Mapped[int | None] = mapped_column(Integer)
    last_event_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class EventRow(Base):
    """One received event message; ``event_id`` makes ingest idempotent."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_device_seq", "device_id", "seq"),)

    event_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    violation_id: Mapped[str] = mapped_column(String(26), index=True)
    device_id: Mapped[str] = mapped_column(String(64), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(64))
    device_code: Mapped[str] = mapped_column(String(32))
    code: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16), index=True)
    quarantine_reason: Mapped[str | None] = mapped_column(String(500))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    evidence_pending: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str] = mapped_column(String(128), default="")
    payload: Mapped[str] = mapped_column(Text)


class EventEvidenceRow(Base):
    """An evidence item an event lists, and whether its bytes arrived and matched."""

    __tablename__ = "event_evidence"

    event_id: Mapped[str] = mapped_column(ForeignKey("events.event_id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    bytes: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    received_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    problem: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EvidenceBlobRow(Base):
    """A stored evidence file, addressed by the SHA-256 of its bytes."""

    __tablename__ = "evidence_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    bytes: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(32))
    stored_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PendingEvidenceRow(Base):
    """Evidence that arrived before its event; joined when the event comes."""

    __tablename__ = "pending_evidence"

    event_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    bytes: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class DeadLetterRow(Base):
    """A message the server refused, with the reason and its raw bytes (size-bounded)."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedup_key: Mapped[str] = mapped_column(String(64), unique=True)
    topic: Mapped[str] = mapped_column(String(512))
    device_id: Mapped[str | None] = mapped_column(String(64), index=True)
    event_id: Mapped[str | None] = mapped_column(String(26))
    reason: Mapped[str] = mapped_column(String(1000))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    payload_bytes: Mapped[int] = mapped_column(Integer)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    first_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    last_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiTokenRow(Base):
    """A bearer token of the API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
