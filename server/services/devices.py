"""The device registry (who may report) and each device's live state (status, heartbeat).

Registering or enabling a device releases its quarantined events in the same transaction
(:mod:`server.services.release`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contracts.base import DeviceId
from server.services.case_builder import CaseBuilder
from server.services.context import ServerContext
from server.services.ingest_events import QUARANTINED, device_lock_key
from server.services.release import ReleaseResult, quarantined_counts, release_quarantined
from server.services.views import View
from server.store.dialect import lock_keys
from server.store.tables import DeviceRow, DeviceStatusRow, EventRow


class DeviceNotFoundError(LookupError):
    """No device with that id in the registry."""


class DeviceSpec(BaseModel):
    """A registry entry as an admin writes it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    device_id: DeviceId
    name: str = Field(min_length=1, max_length=128, description="Display name.")
    lat: float | None = Field(None, ge=-90, le=90, description="Installed position (WGS-84).")
    lon: float | None = Field(None, ge=-180, le=180, description="Installed position (WGS-84).")
    location_note: str = Field("", max_length=256, description="Where it is, in words.")
    credentials_ref: str | None = Field(
        None, max_length=256, description="Where its broker credentials live (never the secret)."
    )
    enabled: bool = Field(True, description="False quarantines its events.")


class DeviceView(View):
    """A device: registry entry (if registered) and live state."""

    device_id: str
    registered: bool
    name: str | None
    lat: float | None
    lon: float | None
    location_note: str | None
    credentials_ref: str | None
    enabled: bool | None
    online: bool
    state: str | None
    software_version: str | None
    last_heartbeat_at: datetime | None
    config_version: int | None
    outbox_depth: int | None
    outbox_oldest_age_s: float | None
    last_seq: int | None
    last_event_at: datetime | None
    quarantined_events: int = 0


class DeviceDisabledError(ValueError):
    """The device is registered but disabled: its events stay quarantined."""


@dataclass(frozen=True)
class DeviceChange:
    """A registry change and the quarantined events it released."""

    view: DeviceView
    release: ReleaseResult


class DeviceService:
    """Registry changes and device listings."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self.builder = CaseBuilder(ctx)

    def register(self, spec: DeviceSpec) -> DeviceView:
        """Add or update a registry entry (releasing its quarantined events); return it."""
        return self.save(spec).view

    def save(self, spec: DeviceSpec) -> DeviceChange:
        """Add or update a registry entry; an enabled device's quarantined events are released."""

        def work(session: Session) -> DeviceChange:
            lock_keys(session, [device_lock_key(spec.device_id)])  # ingest waits for the commit
            now = self.ctx.clock()
            row = session.get(DeviceRow, spec.device_id, with_for_update=True)
            if row is None:
                row = DeviceRow(device_id=spec.device_id, created_at=now)
                session.add(row)
            for name, value in spec.model_dump().items():
                setattr(row, name, value)
            row.updated_at = now
            session.flush()
            return self._change(session, spec.device_id)

        change = self.ctx.database.run(work)
        self._count(change.release)
        return change

    def set_enabled(self, device_id: str, enabled: bool) -> DeviceView:
        """Enable (releasing its quarantined events) or disable a registered device.

        Raises:
            DeviceNotFoundError: not in the registry.
        """
        return self.switch(device_id, enabled).view

    def switch(self, device_id: str, enabled: bool) -> DeviceChange:
        """Enable or disable a registered device; enabling releases its quarantined events.

        Raises:
            DeviceNotFoundError: not in the registry.
        """

        def work(session: Session) -> DeviceChange:
            lock_keys(session, [device_lock_key(device_id)])
            row = session.get(DeviceRow, device_id, with_for_update=True)
            if row is None:
                raise DeviceNotFoundError(f"device {device_id!r} is not in the registry")
            row.enabled, row.updated_at = enabled, self.ctx.clock()
            session.flush()
            return self._change(session, device_id)

        change = self.ctx.database.run(work)
        self._count(change.release)
        return change

    def release(self, device_id: str) -> ReleaseResult:
        """Admit the quarantined events of a registered, enabled device again.

        Raises:
            DeviceNotFoundError: not in the registry.
            DeviceDisabledError: the device is disabled.
        """

        def work(session: Session) -> ReleaseResult:
            row = session.get(DeviceRow, device_id)
            if row is None:
                raise DeviceNotFoundError(f"device {device_id!r} is not in the registry")
            if not row.enabled:
                raise DeviceDisabledError(f"device {device_id!r} is disabled; enable it instead")
            return release_quarantined(session, self.builder, device_id)

        release = self.ctx.database.run(work)
        self._count(release)
        return release

    def _count(self, release: ReleaseResult) -> None:
        counter = self.ctx.metrics.released_events
        counter.labels("cased").inc(release.cased)
        counter.labels("sample").inc(release.samples)
        self.ctx.metrics.cases_opened.inc(release.opened)

    def _change(self, session: Session, device_id: str) -> DeviceChange:
        release = release_quarantined(session, self.builder, device_id)
        return DeviceChange(self._view(session, device_id), release)

    def list(self) -> list[DeviceView]:
        """Return every registered device and every unregistered one that has reported."""
        with self.ctx.database.transaction() as session:
            ids = set(session.scalars(select(DeviceRow.device_id)).all())
            ids |= set(session.scalars(select(DeviceStatusRow.device_id)).all())
            counts = quarantined_counts(session)
            return [
                self._view(session, device_id, counts.get(device_id, 0))
                for device_id in sorted(ids)
            ]

    def get(self, device_id: str) -> DeviceView | None:
        """Return one device, or None if it is neither registered nor ever heard from."""
        with self.ctx.database.transaction() as session:
            view = self._view(session, device_id)
        return view if view.registered or view.state or view.last_event_at else None

    def _view(self, session: Session, device_id: str, quarantined: int | None = None) -> DeviceView:
        if quarantined is None:
            quarantined = int(
                session.scalar(
                    select(func.count()).where(
                        EventRow.device_id == device_id, EventRow.state == QUARANTINED
                    )
                )
                or 0
            )
        row = session.get(DeviceRow, device_id)
        live = session.get(DeviceStatusRow, device_id)
        limit = self.ctx.config.ingest.offline_after_s
        now = self.ctx.clock()
        fresh = (
            live is not None
            and live.last_heartbeat_at is not None
            and (now - live.last_heartbeat_at).total_seconds() <= limit
        )
        online = (
            live is not None
            and live.state == "online"
            and (fresh or live.last_heartbeat_at is None)
        )
        return DeviceView(
            device_id=device_id,
            registered=row is not None,
            name=row.name if row else None,
            lat=row.lat if row else None,
            lon=row.lon if row else None,
            location_note=row.location_note if row else None,
            credentials_ref=row.credentials_ref if row else None,
            enabled=row.enabled if row else None,
            online=online,
            state=live.state if live else None,
            software_version=live.software_version if live else None,
            last_heartbeat_at=live.last_heartbeat_at if live else None,
            config_version=live.config_version if live else None,
            outbox_depth=live.outbox_depth if live else None,
            outbox_oldest_age_s=live.outbox_oldest_age_s if live else None,
            last_seq=live.last_seq if live else None,
            last_event_at=live.last_event_at if live else None,
            quarantined_events=quarantined,
        )
