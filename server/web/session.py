"""Who is logged in to the review UI, and CSRF checks of every form post.

The session cookie (``sw_session``, HttpOnly, SameSite=Lax) holds a random secret; the
server keeps its hash, the user and a CSRF token (see :mod:`server.services.users`). Every
form carries that token in a hidden ``csrf`` field; a post without the right one is refused
with 403. The login form, made before there is a session, uses a double-submit cookie.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response, status

from server.domain.roles import Role
from server.services.users import LoginSession, UserService

SESSION_COOKIE = "sw_session"
LOGIN_CSRF_COOKIE = "sw_login_csrf"
LANG_COOKIE = "sw_lang"


class LoginRequiredError(Exception):
    """No live session: the page answers with a redirect to the login form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def users(request: Request) -> UserService:
    """Return the app's user service."""
    found: UserService = request.app.state.users
    return found


def current_session(request: Request) -> LoginSession | None:
    """Return the live session of the request's cookie, or None."""
    cached: LoginSession | None = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached
    secret = request.cookies.get(SESSION_COOKIE, "")
    found = users(request).resolve(secret) if secret else None
    if found is not None:
        request.state.web_session = found
        request.state.principal = found.principal
    return found


def need(role: Role) -> Callable[[Request], LoginSession]:
    """Return a dependency that admits sessions with at least ``role``.

    No session: :class:`LoginRequiredError` (a redirect to the login page); a lower role: 403.
    """

    def check(request: Request) -> LoginSession:
        found = current_session(request)
        if found is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequiredError(target)
        if not found.principal.allows(role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this needs the {role.value} role; you are {found.principal.role.value}",
            )
        return found

    return check


ViewerSession = Annotated[LoginSession, Depends(need(Role.VIEWER))]
OperatorSession = Annotated[LoginSession, Depends(need(Role.OPERATOR))]


def tokens_match(given: str | None, expected: str) -> bool:
    """Compare a posted CSRF token with the expected one in constant time."""
    return bool(given) and bool(expected) and hmac.compare_digest(str(given), expected)


def require_csrf(given: str | None, login: LoginSession) -> None:
    """Refuse (403) a form post whose CSRF token is not the session's."""
    if not tokens_match(given, login.csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token")


def login_csrf(request: Request) -> str:
    """Return the login form's CSRF token: the cookie's, or a new one."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def set_cookie(
    request: Request, response: Response, name: str, value: str, expires: datetime | None = None
) -> None:
    """Set a cookie HttpOnly, SameSite=Lax, Secure on HTTPS, path /ui."""
    response.set_cookie(
        name,
        value,
        expires=expires,
        path="/ui",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def safe_next(value: str | None, allow_login: bool = False) -> str:
    """Return a local ``/ui`` path to go to after login (never another site).

    The login, logout and language routes are refused (no redirect loops) unless
    ``allow_login`` (the language switch may go back to the login form).
    """
    refused = (
        ("/ui/lang/", "/ui/logout") if allow_login else ("/ui/login", "/ui/logout", "/ui/lang/")
    )
    if not value or not value.startswith("/ui/") or "\\" in value or value.startswith(refused):
        return "/ui/queue"
    return value


def login_url(next_path: str) -> str:
    """Return the login page's URL that comes back to ``next_path``."""
    return "/ui/login?next=" + quote(safe_next(next_path), safe="/")
