"""API principals, roles and bearer tokens: the auth seam of the API.

A request is made by a :class:`Principal` with a :class:`Role` (viewer < operator < admin).
API principals come from bearer tokens (``streetwatch server token create``); the review
UI's session logins (:mod:`server.services.users`) yield the same :class:`Principal`
(``user:NAME`` in the audit trail).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.roles import Role
from server.services.context import ServerContext
from server.services.views import View
from server.store.tables import ApiTokenRow

TOKEN_PREFIX = "sw_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who makes a request."""

    name: str
    role: Role
    kind: str = "token"

    @property
    def actor(self) -> str:
        """How the audit trail names this principal, e.g. ``token:ops-desk``."""
        return f"{self.kind}:{self.name}"

    def allows(self, needed: Role) -> bool:
        """Return True if this principal's role is at least ``needed``."""
        return self.role.rank >= needed.rank


class TokenView(View):
    """A token without its secret."""

    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def token_digest(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenService:
    """Creates, checks, lists and revokes API tokens."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    def create(self, name: str, role: Role) -> str:
        """Create a token and return its secret (shown once; only its hash is stored).

        Raises:
            ValueError: a token with that name exists, or the name is not allowed.
        """
        if not 1 <= len(name) <= 64 or not name.replace("-", "").replace("_", "").isalnum():
            raise ValueError("a token name is 1-64 letters, digits, '-' or '_'")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)

        def work(session: Session) -> None:
            if session.scalar(select(ApiTokenRow.id).where(ApiTokenRow.name == name)):
                raise ValueError(f"a token named {name!r} exists; pick another name")
            session.add(
                ApiTokenRow(
                    name=name,
                    role=role.value,
                    token_sha256=token_digest(secret),
                    created_at=self.ctx.clock(),
                )
            )

        self.ctx.database.run(work)
        return secret

    def authenticate(self, secret: str) -> Principal | None:
        """Return the principal of a valid, unrevoked token, else None."""
        if not secret.startswith(TOKEN_PREFIX):
            return None
        now = self.ctx.clock()

        def work(session: Session) -> Principal | None:
            row = session.scalar(
                select(ApiTokenRow).where(ApiTokenRow.token_sha256 == token_digest(secret))
            )
            if row is None or row.revoked_at is not None:
                return None
            if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
                row.last_used_at = now
            return Principal(row.name, Role(row.role))

        return self.ctx.database.run(work)

    def revoke(self, name: str) -> bool:
        """Revoke the named token; return False if there is no such active token."""

        def work(session: Session) -> bool:
            row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.name == name))
            if row is None or row.revoked_at is not None:
                return False
            row.revoked_at = self.ctx.clock()
            return True

        return self.ctx.database.run(work)

    def list(self) -> list[TokenView]:
        """Return every token, without secrets."""
        with self.ctx.database.transaction() as session:
            rows = session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.name)).all()
            return [
                TokenView(
                    name=row.name,
                    role=Role(row.role),
                    created_at=row.created_at,
                    revoked_at=row.revoked_at,
                    last_used_at=row.last_used_at,
                )
                for row in rows
            ]
