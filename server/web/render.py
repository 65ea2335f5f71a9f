"""Rendering pages: the Jinja2 environment, the language of a request and format helpers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from server.services.users import LoginSession
from server.web.i18n import Texts, pick_language
from server.web.session import LANG_COOKIE

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=str(WEB_DIR / "templates"))


def language_of(request: Request) -> str:
    """Return the language chosen by the request's cookie (default zh)."""
    return pick_language(request.cookies.get(LANG_COOKIE))


def local_time(zone: ZoneInfo) -> Any:
    """Return a template filter that shows a UTC time in the bureau's zone."""

    def show(value: datetime | None, pattern: str = "%Y-%m-%d %H:%M:%S") -> str:
        return value.astimezone(zone).strftime(pattern) if value else "—"

    return show


def duration(seconds: float | None) -> str:
    """Return seconds as a short duration, e.g. ``1 h 05 min``."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min" if minutes else f"{seconds:.0f} s"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min"


def percent(value: float | None) -> str:
    """Return a rate as a percentage, or a dash."""
    return "—" if value is None else f"{100 * value:.1f}%"


def render(
    request: Request,
    template: str,
    login: LoginSession | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` with the common context (texts, user, CSRF token, helpers)."""
    ctx = request.app.state.services.ctx
    zone = ZoneInfo(ctx.config.timezone)
    common = {
        "request": request,
        "t": Texts(language_of(request)),
        "lang": language_of(request),
        "user": login.principal if login else None,
        "csrf": login.csrf_token if login else "",
        "when": local_time(zone),
        "duration": duration,
        "percent": percent,
        "taxonomy": ctx.taxonomy,
        "departments": ctx.config.dispatch.departments,
        "path": request.url.path,
    }
    return TEMPLATES.TemplateResponse(
        request, template, {**common, **context}, status_code=status_code
    )
