"""The case page and the operator actions on it (立案, 注销, merge, dispatch, handle, close).

Actions are form posts with the session's CSRF token; they call
:meth:`server.services.cases.CaseService.act` (the same service as the API), then redirect
back with the outcome in the query string.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.domain.lifecycle import OPEN_STATUSES, Action, IllegalTransitionError, RejectReason
from server.services.case_ops import CaseNotFoundError, TransitionRequest
from server.services.case_queries import CaseFilter
from server.services.review_reads import ReviewReads
from server.web.case_view import build_case_view
from server.web.gcj02 import wgs84_to_gcj02
from server.web.render import render
from server.web.routes_pages import services_of
from server.web.session import OperatorSession, ViewerSession, require_csrf

router = APIRouter(prefix="/ui", include_in_schema=False)
UI_ACTIONS = {
    Action.FILE,
    Action.REJECT,
    Action.DISPATCH,
    Action.HANDLE,
    Action.CLOSE,
    Action.MERGE,
}


def tile_points(
    points: list[tuple[float, float, str]], gcj02: bool
) -> list[tuple[float, float, str]]:
    """Return the map's points in the tiles' datum (WGS-84, or GCJ-02 for Chinese tiles)."""
    if not gcj02:
        return points
    return [(*wgs84_to_gcj02(lat, lon), kind) for lat, lon, kind in points]


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: int, login: ViewerSession, ok: str = "", error: str = ""
) -> Response:
    """One case: evidence with its box, crop, timeline, map, identity and actions."""
    found = services_of(request)
    detail = found.reads.case(case_id)
    if detail is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no case {case_id}")
    sightings = ReviewReads(found.ctx).sightings(case_id)
    view = build_case_view(detail, sightings, found.devices.list())
    merge_into = found.reads.cases(
        CaseFilter(code=[detail.case.code], status=sorted(OPEN_STATUSES), limit=30)
    )
    candidates = [case for case in merge_into.items if case.id != case_id]
    return render(
        request,
        "case.html",
        login,
        d=detail,
        v=view,
        candidates=candidates,
        reasons=[reason.value for reason in RejectReason],
        tile_url=found.ctx.config.http.tile_url,
        tile_points=tile_points(view.points, found.ctx.config.http.tile_gcj02),
        ok=ok[:40],
        error=error[:300],
    )


@router.post("/cases/{case_id}/act")
def act(
    request: Request,
    case_id: int,
    *,
    login: OperatorSession,
    action: Annotated[str, Form(max_length=16)],
    csrf: Annotated[str, Form(max_length=128)] = "",
    reason: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    department: Annotated[str, Form(max_length=64)] = "",
    merge_into: Annotated[str, Form(max_length=12)] = "",
    back: Annotated[str, Form(max_length=16)] = "case",
) -> Response:
    """Apply one action as the logged-in operator and go back to the case or the queue."""
    require_csrf(csrf, login)
    try:
        chosen = Action(action)
        if chosen not in UI_ACTIONS:
            raise ValueError(f"{action} is not an operator action")
        request_ = TransitionRequest(
            action=chosen,
            actor=login.principal.actor,
            note=note.strip(),
            reason=RejectReason(reason) if reason else None,
            department=department or None,
            merge_into=int(merge_into) if merge_into.strip() else None,
        )
        services_of(request).cases.act(case_id, request_)
        outcome = {"ok": chosen.value}
    except (CaseNotFoundError, IllegalTransitionError, ValueError) as exc:
        # A missing merge target is the operator's typo: show it on the page. A missing
        # case itself then answers 404 on the page the redirect leads to.
        outcome = {"error": str(exc)}
    target = "/ui/queue" if back == "queue" else f"/ui/cases/{case_id}"
    if back == "queue" and "ok" in outcome:
        outcome["case"] = str(case_id)
    return RedirectResponse(f"{target}?{urlencode(outcome)}", status.HTTP_303_SEE_OTHER)
