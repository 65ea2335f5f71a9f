"""Tables of the tuning loop: config pushes sent to each device, verdicts on near-miss samples."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.store.base import Base, UtcDateTime


class ConfigPushRow(Base):
    """One ``ConfigPush`` to one device; ``version`` grows by one per device."""

    __tablename__ = "config_pushes"
    __table_args__ = (UniqueConstraint("device_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    overlay: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str] = mapped_column(String(128))
    note: Mapped[str] = mapped_column(String(1000), default="")
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SampleVerdictRow(Base):
    """An operator's verdict on one ``sample`` event; judging it again replaces the row."""

    __tablename__ = "sample_verdicts"
    __table_args__ = (UniqueConstraint("event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.event_id"))
    positive: Mapped[bool] = mapped_column(Boolean)
    judged_by: Mapped[str] = mapped_column(String(128))
    judged_at: Mapped[datetime] = mapped_column(UtcDateTime)
