"""Review-UI users and their login sessions (argon2 password hashes, expiring sessions).

A session is a random secret in a cookie; the database keeps only its SHA-256, the user,
a CSRF token and the expiry. A session yields the same
:class:`~server.services.auth.Principal` as an API token, named ``user:NAME`` in the audit
trail.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from pwdlib import PasswordHash
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.domain.roles import Role
from server.services.auth import Principal
from server.services.context import ServerContext
from server.store.tables import UserRow, WebSessionRow

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD = 10
_HASHER = PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    """A hash to check unknown users against, so they take as long as known ones."""
    return _HASHER.hash("streetwatch-timing-equaliser")


@dataclass(frozen=True)
class LoginSession:
    """A live session: who, the cookie secret (only when new), CSRF token and expiry."""

    principal: Principal
    csrf_token: str
    expires_at: datetime
    secret: str = ""


def session_digest(secret: str) -> str:
    """Return the stored form of a session secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class UserService:
    """Creates users, checks passwords and keeps login sessions."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    @property
    def lifetime(self) -> timedelta:
        """How long a session lasts."""
        return timedelta(hours=self.ctx.config.http.session_hours)

    def create(self, name: str, role: Role, password: str, display_name: str = "") -> None:
        """Create a user, or set the role and password of an existing one.

        Raises:
            ValueError: a bad name or a password shorter than :data:`MIN_PASSWORD`.
        """
        if not NAME_RE.match(name):
            raise ValueError("a user name is 1-64 letters, digits, '.', '-' or '_'")
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"a password has at least {MIN_PASSWORD} characters")
        hashed = _HASHER.hash(password)

        def work(session: Session) -> None:
            row = session.scalar(select(UserRow).where(UserRow.name == name))
            if row is None:
                row = UserRow(name=name, created_at=self.ctx.clock(), enabled=True)
                session.add(row)
            row.role, row.password_hash = role.value, hashed
            row.display_name = display_name or row.display_name or name
            # A new password ends every session of the user.
            if row.id is not None:
                session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == row.id))

        self.ctx.database.run(work)

    def login(self, name: str, password: str) -> LoginSession | None:
        """Check a password; on success open a session and return it (with its secret)."""
        now = self.ctx.clock()

        def work(session: Session) -> LoginSession | None:
            row = session.scalar(select(UserRow).where(UserRow.name == name))
            if row is None or not row.enabled:
                _HASHER.verify(password, _dummy_hash())  # same time as a real check
                return None
            valid, new_hash = _HASHER.verify_and_update(password, row.password_hash)
            if not valid:
                return None
            if new_hash is not None:
                row.password_hash = new_hash
            row.last_login_at = now
            secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            expires = now + self.lifetime
            session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at < now))
            session.add(
                WebSessionRow(
                    id=session_digest(secret),
                    user_id=row.id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=expires,
                )
            )
            return LoginSession(Principal(row.name, Role(row.role), "user"), csrf, expires, secret)

        return self.ctx.database.run(work)

    def resolve(self, secret: str) -> LoginSession | None:
        """Return the live session of a cookie secret, or None (unknown, expired, disabled)."""
        if not secret or len(secret) > 128:
            return None
        now = self.ctx.clock()
        with self.ctx.database.transaction() as session:
            found = session.execute(
                select(WebSessionRow, UserRow)
                .join(UserRow, UserRow.id == WebSessionRow.user_id)
                .where(WebSessionRow.id == session_digest(secret))
            ).first()
            if found is None:
                return None
            live, user = found
            if live.expires_at <= now or not user.enabled:
                return None
            who = Principal(user.name, Role(user.role), "user")
            return LoginSession(who, live.csrf_token, live.expires_at)

    def logout(self, secret: str) -> None:
        """End the session of a cookie secret (nothing if there is none)."""

        def work(session: Session) -> None:
            session.execute(delete(WebSessionRow).where(WebSessionRow.id == session_digest(secret)))

        self.ctx.database.run(work)

    def names(self) -> list[tuple[str, Role, bool]]:
        """Return every user's name, role and whether it is enabled."""
        with self.ctx.database.transaction() as session:
            rows = session.scalars(select(UserRow).order_by(UserRow.name)).all()
            return [(row.name, Role(row.role), row.enabled) for row in rows]
