"""The samples page: operators judge near-miss ``sample`` events for the tuning loop.

Everyone with a session reads it; operators and admins post a verdict (real violation or
not) with the session's CSRF token through :class:`server.services.samples.SampleService`,
then come back to the same list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.domain.roles import Role
from server.services.samples import (
    NotAllowedError,
    SampleFilter,
    SampleNotFoundError,
    SampleService,
    SampleView,
)
from server.web.case_view import EvidenceImage, evidence_image
from server.web.render import render
from server.web.routes_pages import services_of
from server.web.session import OperatorSession, ViewerSession, require_csrf

router = APIRouter(prefix="/ui", include_in_schema=False)
PAGE_SIZE = 20
VERDICTS = {"true": True, "false": False}
LIST_KEYS = ("judged", "label", "device", "page")
"""Query keys of the list a verdict post returns to."""


@dataclass(frozen=True)
class SampleCard:
    """One sample as the page shows it: the frame with its box, the crop, the verdict."""

    sample: SampleView
    frame: EvidenceImage | None
    crop: EvidenceImage | None


def card_of(sample: SampleView) -> SampleCard:
    """Return the page's card of a sample."""
    return SampleCard(
        sample=sample,
        frame=evidence_image(sample.event, "frame", sample.sighting, boxed=True),
        crop=evidence_image(sample.event, "crop", None, boxed=False),
    )


def _query(judged: bool, label: str, device: str, page: int) -> str:
    fields = {"judged": "1" if judged else "", "label": label, "device": device}
    if page > 1:
        fields["page"] = str(page)
    return urlencode({key: value for key, value in fields.items() if value})


@router.get("/samples", response_class=HTMLResponse)
def samples_page(
    request: Request,
    login: ViewerSession,
    *,
    judged: str = "",
    label: Annotated[str, Query(max_length=64)] = "",
    device: Annotated[str, Query(max_length=64)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    ok: str = "",
    error: str = "",
) -> Response:
    """Samples awaiting a verdict (or judged ones, ``?judged=1``), newest first."""
    shown = judged == "1"
    where = SampleFilter(
        judged=shown,
        label=label or None,
        device=device or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    found = SampleService(services_of(request).ctx).list(where)
    return render(
        request,
        "samples.html",
        login,
        cards=[card_of(sample) for sample in found.items],
        found=found,
        judged=shown,
        filters={"label": label, "device": device},
        page=page,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        back=_query(shown, label, device, page),
        can_judge=login.principal.allows(Role.OPERATOR),
        ok=ok if ok in VERDICTS else "",
        error=error[:300],
    )


@router.post("/samples/{event_id}/verdict")
def judge_sample(
    request: Request,
    event_id: str,
    *,
    login: OperatorSession,
    verdict: Annotated[str, Form(max_length=8)],
    csrf: Annotated[str, Form(max_length=128)] = "",
    back: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Record the operator's verdict on one sample and go back to the list."""
    require_csrf(csrf, login)
    if verdict not in VERDICTS:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "verdict is true or false")
    service = SampleService(services_of(request).ctx)
    try:
        service.judge(event_id, VERDICTS[verdict], login.principal)
        outcome = {"ok": verdict}
    except SampleNotFoundError as exc:
        outcome = {"error": str(exc)}
    except NotAllowedError as exc:  # the session check already refused viewers
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None
    kept = [(key, value) for key, value in parse_qsl(back) if key in LIST_KEYS]
    query = urlencode(kept + list(outcome.items()))
    return RedirectResponse(f"/ui/samples?{query}", status.HTTP_303_SEE_OTHER)
