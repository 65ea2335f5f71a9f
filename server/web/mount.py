"""Install the review UI on the API's FastAPI app: routes, static files, login redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.services.context import ServerContext
from server.services.users import UserService
from server.web import (
    routes_case,
    routes_kpis,
    routes_login,
    routes_pages,
    routes_samples,
    routes_tuning,
)
from server.web.render import WEB_DIR, render
from server.web.session import LoginRequiredError, current_session, login_url
from server.web.throttle import LoginThrottle

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def content_policy(tile_url: str | None) -> str:
    """Return the pages' Content-Security-Policy: own scripts only, images also from tiles."""
    images = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        if parts.scheme in {"http", "https"} and parts.netloc:
            host = parts.netloc.replace("a.", "*.", 1) if "{s}" in tile_url else parts.netloc
            images += f" {parts.scheme}://{host}"
    return (
        f"default-src 'self'; img-src {images}; script-src 'self'; "
        "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'; "
        "base-uri 'none'; object-src 'none'"
    )


def install_web(app: FastAPI, ctx: ServerContext) -> None:
    """Add the review UI under ``/ui`` (static assets under ``/ui/static``)."""
    app.state.users = UserService(ctx)
    app.state.login_throttle = LoginThrottle(ctx.clock)
    headers = {
        **SECURITY_HEADERS,
        "Content-Security-Policy": content_policy(ctx.config.http.tile_url),
    }
    app.include_router(routes_login.router)
    app.include_router(routes_pages.router)
    app.include_router(routes_case.router)
    app.include_router(routes_kpis.router)
    app.include_router(routes_tuning.router)
    app.include_router(routes_samples.router)
    app.mount("/ui/static", StaticFiles(directory=str(WEB_DIR / "static")), name="ui-static")

    @app.exception_handler(StarletteHTTPException)
    async def _html_errors(request: Request, exc: StarletteHTTPException) -> Response:
        path = request.url.path
        if not path.startswith("/ui/") or path.startswith(("/ui/evidence/", "/ui/static/")):
            return await http_exception_handler(request, exc)
        login = current_session(request)
        return render(
            request, "error.html", login, exc.status_code, code=exc.status_code, message=exc.detail
        )

    @app.exception_handler(LoginRequiredError)
    def _to_login(_request: Request, exc: LoginRequiredError) -> Response:
        return RedirectResponse(login_url(exc.next_path), status.HTTP_303_SEE_OTHER)

    @app.middleware("http")
    async def _ui_headers(request: Request, call_next: object) -> Response:
        answer: Response = await call_next(request)  # type: ignore[operator]
        if request.url.path.startswith("/ui"):
            for name, value in headers.items():
                answer.headers.setdefault(name, value)
            if not request.url.path.startswith("/ui/static"):
                answer.headers.setdefault("Cache-Control", "no-store")
        return answer
