"""The FastAPI application: API routes, Open311, ``/metrics`` and ``/healthz``.

Public: ``/healthz``, ``/metrics``, Open311 reads and the OpenAPI documents. Everything
else needs a principal: an API token, or (for the review UI under ``/ui``) a login session.
"""

from __future__ import annotations

from fastapi import FastAPI, Response, status
from fastapi.responses import JSONResponse

from server.api import routes_admin, routes_cases, routes_open311
from server.api.deps import Services, ServicesDep
from server.services.context import ServerContext
from server.web.mount import install_web
from streetwatch import __version__

PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def create_app(ctx: ServerContext) -> FastAPI:
    """Return the app over ``ctx`` (the database must be migrated)."""
    app = FastAPI(
        title="streetwatch case-creator API",
        version=__version__,
        description=(
            "Cases built from edge violation events (数字城管 workflow), their evidence, "
            "devices, KPIs and Open311 GeoReport v2. Send 'Authorization: Bearer <token>' "
            "(streetwatch server token create)."
        ),
    )
    app.state.services = Services.of(ctx)
    app.include_router(routes_cases.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_open311.router)
    install_web(app, ctx)

    @app.get("/healthz", tags=["operations"], response_model=None)
    def healthz(found: ServicesDep) -> dict[str, str] | JSONResponse:
        """200 when the database answers, else 503."""
        if found.reads.healthy():
            return {"status": "ok"}
        body = {"status": "unavailable", "detail": "the database does not answer"}
        return JSONResponse(body, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)

    @app.get("/metrics", tags=["operations"], response_class=Response)
    def metrics(found: ServicesDep) -> Response:
        """Prometheus metrics of this process."""
        return Response(found.ctx.metrics.exposition(), media_type=PROMETHEUS_CONTENT_TYPE)

    return app
