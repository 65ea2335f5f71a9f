"""Devices, KPIs, dead letters, quarantine and the caller's identity."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from server.api.deps import Admin, ServicesDep, Viewer
from server.domain.roles import Role
from server.services.devices import DeviceSpec, DeviceView
from server.services.reads import Listing
from server.services.stats import KpiQuery, Kpis

router = APIRouter(prefix="/api/v1", tags=["operations"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]


class Me(BaseModel):
    """Who the API thinks you are."""

    name: str
    role: Role
    actor: str


@router.get("/me", response_model=Me)
def me(who: Viewer) -> Me:
    """The caller's name and role."""
    return Me(name=who.name, role=who.role, actor=who.actor)


@router.get("/devices", response_model=list[DeviceView])
def list_devices(found: ServicesDep, _who: Viewer) -> list[DeviceView]:
    """Registered devices and any others heard from: last heartbeat, online, config, outbox."""
    return found.devices.list()


@router.get("/devices/{device_id}", response_model=DeviceView)
def get_device(device_id: str, found: ServicesDep, _who: Viewer) -> DeviceView:
    """One device."""
    view = found.devices.get(device_id)
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no device {device_id!r}")
    return view


@router.put("/devices/{device_id}", response_model=DeviceView)
def put_device(device_id: str, spec: DeviceSpec, found: ServicesDep, _who: Admin) -> DeviceView:
    """Register or update a device (admin)."""
    if spec.device_id != device_id:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "device_id differs from the path"
        )
    return found.devices.register(spec)


@router.get("/stats", response_model=Kpis)
def stats(found: ServicesDep, _who: Viewer, query: Annotated[KpiQuery, Query()]) -> Kpis:
    """KPIs: cases per day by class and grid, 立案率, 处置率, 结案率, medians, false positives."""
    return found.reads.kpis(query)


@router.get("/dead-letters", response_model=Listing)
def dead_letters(
    found: ServicesDep, _who: Viewer, limit: Limit = 50, offset: Offset = 0
) -> Listing:
    """Refused messages with the reason, newest first."""
    return found.reads.dead_letters(limit, offset)


@router.get("/quarantine", response_model=Listing)
def quarantine(found: ServicesDep, _who: Viewer, limit: Limit = 50, offset: Offset = 0) -> Listing:
    """Events kept out of cases (unknown or disabled device, unknown label), newest first."""
    return found.reads.quarantined(limit, offset)
