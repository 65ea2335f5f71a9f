"""Open311 GeoReport v2 (JSON): services and requests, GET and POST."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from server.api.deps import Services, ServicesDep, token_principal
from server.domain.roles import Role
from server.services.open311 import Open311Error

router = APIRouter(prefix="/open311/v2", tags=["open311"])


def _error(code: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": code, "description": description}], status_code=code)


@router.get("/services.json")
def services(found: ServicesDep) -> list[dict[str, Any]]:
    """Every service (case code) of the taxonomy."""
    return found.open311.services()


class RequestQuery(BaseModel):
    """GeoReport v2 request filters."""

    model_config = ConfigDict(extra="forbid")

    service_request_id: str | None = Field(None, description="Comma-separated ids.")
    service_code: str | None = Field(None, description="Comma-separated service codes.")
    start_date: datetime | None = Field(None, description="Requested at or after.")
    end_date: datetime | None = Field(None, description="Requested at or before.")
    status: str | None = Field(None, description="open, closed or open,closed.")


@router.get("/requests.json", response_model=None)
def requests(
    found: ServicesDep, query: Annotated[RequestQuery, Query()]
) -> list[dict[str, Any]] | JSONResponse:
    """Service requests (cases), newest first; default the last 90 days."""
    try:
        text = query.service_request_id
        ids = [int(part) for part in text.split(",")] if text else None
        return found.open311.requests(
            ids=ids,
            service_code=query.service_code,
            start=query.start_date,
            end=query.end_date,
            status=query.status,
        )
    except (Open311Error, ValueError) as exc:
        return _error(status.HTTP_400_BAD_REQUEST, str(exc))


@router.get("/requests/{request_id}.json", response_model=None)
def one_request(request_id: int, found: ServicesDep) -> list[dict[str, Any]] | JSONResponse:
    """One service request."""
    found_requests = found.open311.requests(ids=[request_id])
    if not found_requests:
        return _error(status.HTTP_404_NOT_FOUND, f"no service request {request_id}")
    return found_requests


async def _fields(request: Request) -> dict[str, str]:
    body = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        data = json.loads(body or b"{}")
        if not isinstance(data, dict):
            raise ValueError("the JSON body must be an object")
        return {str(k): str(v) for k, v in data.items() if v is not None}
    parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    return {key: values[-1] for key, values in parsed.items()}


@router.post("/requests.json", response_model=None)
async def create_request(
    request: Request, found: ServicesDep
) -> list[dict[str, Any]] | JSONResponse:
    """Report a violation (form or JSON: api_key, service_code, lat, long, description)."""
    try:
        fields = await _fields(request)
    except (ValueError, UnicodeDecodeError) as exc:
        return _error(status.HTTP_400_BAD_REQUEST, f"unreadable body: {exc}")
    bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    secret = fields.get("api_key") or bearer or None
    return await run_in_threadpool(_create, found, fields, secret)


def _create(
    found: Services, fields: dict[str, str], secret: str | None
) -> list[dict[str, Any]] | JSONResponse:
    who = token_principal(found, secret)
    if who is None or not who.allows(Role.OPERATOR):
        return _error(
            status.HTTP_403_FORBIDDEN, "a valid api_key with the operator role is required"
        )
    try:
        return [found.open311.create(fields, f"open311:{who.name}")]
    except Open311Error as exc:
        return _error(status.HTTP_400_BAD_REQUEST, str(exc))
