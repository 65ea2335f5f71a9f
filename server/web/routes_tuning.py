"""The tuning page: precision and volume by threshold per class, and applying a suggestion.

Everyone with a session reads it; only an admin applies a threshold, which stores and
publishes a new versioned ``ConfigPush`` to every enabled device
(:mod:`server.services.config_push`).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.domain.roles import Role
from server.ingest.mqtt_client import BrokerUnavailableError
from server.services.config_push import ConfigPushService, ThresholdChange
from server.services.tuning import DEFAULT_TARGET, TuningService
from server.services.users import LoginSession
from server.web.render import render
from server.web.routes_pages import services_of
from server.web.session import ViewerSession, need, require_csrf
from server.web.tuning_chart import tuning_plot

router = APIRouter(prefix="/ui", include_in_schema=False)
AdminSession = Annotated[LoginSession, Depends(need(Role.ADMIN))]
TARGET_RANGE = (0.5, 0.99)


def clamp_target(value: float) -> float:
    """Return a target precision within 0.50–0.99."""
    low, high = TARGET_RANGE
    return round(min(high, max(low, value)), 2)


@router.get("/tuning", response_class=HTMLResponse)
def tuning_page(
    request: Request,
    login: ViewerSession,
    target: float = DEFAULT_TARGET,
    ok: str = "",
    error: str = "",
) -> Response:
    """The report for ``target`` precision, with a plot per class."""
    ctx = services_of(request).ctx
    report = TuningService(ctx).report(clamp_target(target))
    plots = {
        row.label: tuning_plot(
            row.rows,
            row.current_threshold,
            row.suggestion.threshold if row.suggestion else None,
            title=row.label,
        )
        for row in report.classes
    }
    return render(
        request,
        "tuning.html",
        login,
        report=report,
        plots=plots,
        can_apply=login.principal.allows(Role.ADMIN),
        ok=ok[:200],
        error=error[:300],
    )


@router.post("/tuning/apply")
def apply_threshold(
    request: Request,
    *,
    login: AdminSession,
    label: Annotated[str, Form(min_length=1, max_length=64)],
    threshold: Annotated[float, Form(ge=0.0, le=1.0)],
    target: Annotated[float, Form()] = DEFAULT_TARGET,
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Push ``confirm_score`` of ``label`` to every enabled device (a new version each)."""
    require_csrf(csrf, login)
    target = clamp_target(target)
    note = f"{label} confirm_score {threshold:g} (target precision {target:g})"
    change = ThresholdChange(label, threshold, login.principal.actor, note)
    try:
        pushes = ConfigPushService(services_of(request).ctx).apply(change)
        outcome = {"ok": ", ".join(f"{p.device_id} v{p.version}" for p in pushes) or "-"}
    except BrokerUnavailableError as exc:
        outcome = {"error": str(exc)}
    query = urlencode({"target": f"{target:g}", **outcome})
    return RedirectResponse(f"/ui/tuning?{query}", status.HTTP_303_SEE_OTHER)
