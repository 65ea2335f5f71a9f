"""The device registry (who may report) and each device's live state (status, heartbeat)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts.base import DeviceId
from server.services.context import ServerContext
from server.services.views import View
from server.store.tables import DeviceRow, DeviceStatusRow


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


class DeviceService:
    """Registry changes and device listings."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    def register(self, spec: DeviceSpec) -> DeviceView:
        """Add or update a registry entry; return the device."""

        def work(session: Session) -> DeviceView:
            now = self.ctx.clock()
            row = session.get(DeviceRow, spec.device_id, with_for_update=True)
            if row is None:
                row = DeviceRow(device_id=spec.device_id, created_at=now)
                session.add(row)
            for name, value in spec.model_dump().items():
                setattr(row, name, value)
            row.updated_at = now
            session.flush()
            return self._view(session, spec.device_id)

        return self.ctx.database.run(work)

    def set_enabled(self, device_id: str, enabled: bool) -> DeviceView:
        """Enable or disable a registered device.

        Raises:
            DeviceNotFoundError: not in the registry.
        """

        def work(session: Session) -> DeviceView:
            row = session.get(DeviceRow, device_id, with_for_update=True)
            if row is None:
                raise DeviceNotFoundError(f"device {device_id!r} is not in the registry")
            row.enabled, row.updated_at = enabled, self.ctx.clock()
            session.flush()
            return self._view(session, device_id)

        return self.ctx.database.run(work)

    def list(self) -> list[DeviceView]:
        """Return every registered device and every unregistered one that has reported."""
        with self.ctx.database.transaction() as session:
            ids = set(session.scalars(select(DeviceRow.device_id)).all())
            ids |= set(session.scalars(select(DeviceStatusRow.device_id)).all())
            return [self._view(session, device_id) for device_id in sorted(ids)]

    def get(self, device_id: str) -> DeviceView | None:
        """Return one device, or None if it is neither registered nor ever heard from."""
        with self.ctx.database.transaction() as session:
            view = self._view(session, device_id)
        return view if view.registered or view.state or view.last_event_at else None

    def _view(self, session: Session, device_id: str) -> DeviceView:
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
        )
