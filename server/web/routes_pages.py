"""Pages of the review UI: the queue, the case list with filters, devices and evidence.

The case page is in :mod:`server.web.routes_case`, the KPI page in
:mod:`server.web.routes_kpis`. Every page needs a session (viewer or higher).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from server.api.deps import Services
from server.domain.lifecycle import CaseStatus
from server.evidence_files import SHA256_RE
from server.services.case_queries import CaseFilter
from server.services.config_push import ConfigPushService
from server.services.review_reads import QueueOrder, ReviewReads
from server.web.render import render
from server.web.session import ViewerSession

router = APIRouter(prefix="/ui", include_in_schema=False)
PAGE_SIZE = 50


def services_of(request: Request) -> Services:
    """Return the app's services."""
    found: Services = request.app.state.services
    return found


@router.get("", include_in_schema=False)
@router.get("/", include_in_schema=False)
def home(_login: ViewerSession) -> Response:
    """Go to the review queue."""
    return RedirectResponse("/ui/queue", status.HTTP_303_SEE_OTHER)


@router.get("/queue", response_class=HTMLResponse)
def queue(
    request: Request, login: ViewerSession, order: QueueOrder = QueueOrder.NEWEST
) -> Response:
    """Reported and reopened cases waiting for a verdict, with keyboard review."""
    reads = ReviewReads(services_of(request).ctx)
    cases = reads.queue(order)
    thumbs = reads.thumbnails([case.id for case in cases])
    return render(request, "queue.html", login, cases=cases, thumbs=thumbs, order=order.value)


@router.get("/cases", response_class=HTMLResponse)
def case_list(
    request: Request,
    login: ViewerSession,
    *,
    status_: Annotated[list[str], Query(alias="status")] = [],  # noqa: B006
    code: str = "",
    grid: str = "",
    device: str = "",
    q: str = "",
    overdue: str = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """Every case, filtered by status, code, grid, device, overdue or a search term."""
    q = q.strip()
    if q.lstrip("#").isdigit():
        return RedirectResponse(f"/ui/cases/{int(q.lstrip('#'))}", status.HTTP_303_SEE_OTHER)
    fields: dict[str, object] = {
        "status": [s for s in status_ if s in {c.value for c in CaseStatus}],
        "code": [code] if code else [],
        "grid": [grid or q] if (grid or q) and not device else [],
        "device": [device] if device else [],
        "overdue": True if overdue == "1" else None,
        "limit": PAGE_SIZE,
        "offset": (page - 1) * PAGE_SIZE,
    }
    try:
        where = CaseFilter.model_validate(fields)
    except ValidationError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    found = services_of(request).reads.cases(where)
    if q and not grid and found.total == 0:  # the term was not a grid: try it as a device
        where = where.model_copy(update={"grid": [], "device": [q]})
        found = services_of(request).reads.cases(where)
    filters = {
        "status": fields["status"],
        "code": code,
        "grid": grid,
        "device": device,
        "q": q,
        "overdue": overdue,
    }
    pages = max(1, -(-found.total // PAGE_SIZE))
    return render(
        request,
        "cases.html",
        login,
        found=found,
        filters=filters,
        page=page,
        pages=pages,
        statuses=[c.value for c in CaseStatus],
        grids=services_of(request).ctx.grids.ids(),
    )


@router.get("/devices", response_class=HTMLResponse)
def devices(request: Request, login: ViewerSession) -> Response:
    """Every device: online, heartbeat, outbox, config version (running and pushed), software."""
    found = services_of(request)
    pushed = ConfigPushService(found.ctx).pushed_versions()
    return render(request, "devices.html", login, devices=found.devices.list(), pushed=pushed)


@router.get("/evidence/{sha256}", response_class=Response)
def evidence(request: Request, sha256: str, _login: ViewerSession) -> Response:
    """An evidence file by its SHA-256 (64 lowercase hex digits; nothing else is a path)."""
    stored = services_of(request).reads.evidence(sha256) if SHA256_RE.fullmatch(sha256) else None
    if stored is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such evidence")
    data, content_type = stored
    headers = {
        "Cache-Control": "private, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(data, media_type=content_type, headers=headers)
