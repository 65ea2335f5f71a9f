"""Shared API dependencies: the services of the running app and who is asking.

Authentication is one seam, :func:`principal`: the API accepts bearer tokens; the review
UI's login sessions (:mod:`server.web.session`) yield the same
:class:`~server.services.auth.Principal`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server.domain.roles import Role
from server.services.auth import Principal, TokenService
from server.services.cases import CaseService
from server.services.context import ServerContext
from server.services.devices import DeviceService
from server.services.open311 import Open311
from server.services.reads import Reads


@dataclass(frozen=True)
class Services:
    """The services one app uses (built once per app)."""

    ctx: ServerContext
    reads: Reads
    cases: CaseService
    devices: DeviceService
    tokens: TokenService
    open311: Open311

    @classmethod
    def of(cls, ctx: ServerContext) -> Services:
        """Build every service over ``ctx``."""
        return cls(
            ctx, Reads(ctx), CaseService(ctx), DeviceService(ctx), TokenService(ctx), Open311(ctx)
        )


def services(request: Request) -> Services:
    """Return the app's services."""
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]

_bearer = HTTPBearer(auto_error=False, description="An API token: streetwatch server token create")


def token_principal(services: Services, secret: str | None) -> Principal | None:
    """Return the principal of a token secret, or None."""
    return services.tokens.authenticate(secret) if secret else None


def principal(
    request: Request,
    found: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Return who makes the request, or answer 401."""
    secret = credentials.credentials if credentials else None
    who = token_principal(found, secret)
    if who is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "an API token is required: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.principal = who
    return who


def require(role: Role) -> Callable[[Principal], Principal]:
    """Return a dependency that admits principals with at least ``role`` (else 403)."""

    def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if not who.allows(role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this needs the {role.value} role; you are {who.role.value}",
            )
        return who

    return check


Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
