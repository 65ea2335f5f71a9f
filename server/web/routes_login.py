"""Login, logout and the language switch of the review UI."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.web.i18n import LANGUAGES
from server.web.render import render
from server.web.session import (
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    current_session,
    login_csrf,
    require_csrf,
    safe_next,
    set_cookie,
    tokens_match,
    users,
)
from server.web.throttle import LoginThrottle

router = APIRouter(prefix="/ui", include_in_schema=False)


def _login_page(request: Request, next_path: str, error: str = "", code: int = 200) -> Response:
    token = login_csrf(request)
    page = render(
        request,
        "login.html",
        None,
        status_code=code,
        login_token=token,
        next_path=safe_next(next_path),
        error=error,
    )
    set_cookie(request, page, LOGIN_CSRF_COOKIE, token)
    return page


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/ui/queue") -> Response:
    """The login form (public)."""
    if current_session(request) is not None:
        return RedirectResponse(safe_next(next), status.HTTP_303_SEE_OTHER)
    return _login_page(request, next)


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=512)] = "/ui/queue",
) -> Response:
    """Check the password; on success set the session cookie and go on."""
    if not tokens_match(csrf, request.cookies.get(LOGIN_CSRF_COOKIE, "")):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token")
    name = username.strip()
    throttle: LoginThrottle = request.app.state.login_throttle
    if throttle.locked(name):
        return _login_page(request, next, "login_locked", status.HTTP_429_TOO_MANY_REQUESTS)
    opened = users(request).login(name, password)
    if opened is None:
        throttle.failed(name)
        return _login_page(request, next, "login_failed", status.HTTP_401_UNAUTHORIZED)
    throttle.succeeded(name)
    answer = RedirectResponse(safe_next(next), status.HTTP_303_SEE_OTHER)
    set_cookie(request, answer, SESSION_COOKIE, opened.secret, opened.expires_at)
    answer.delete_cookie(LOGIN_CSRF_COOKIE, path="/ui")
    return answer


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    """End the session (needs its CSRF token) and show the login form."""
    found = current_session(request)
    if found is not None:
        require_csrf(csrf, found)
        users(request).logout(request.cookies.get(SESSION_COOKIE, ""))
    answer = RedirectResponse("/ui/login", status.HTTP_303_SEE_OTHER)
    answer.delete_cookie(SESSION_COOKIE, path="/ui")
    return answer


@router.get("/lang/{language}")
def switch_language(request: Request, language: str, back: str = "/ui/queue") -> Response:
    """Choose the UI language (zh or en) and go back to the page."""
    if language not in LANGUAGES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no language {language[:8]!r}")
    answer = RedirectResponse(safe_next(back, allow_login=True), status.HTTP_303_SEE_OTHER)
    answer.set_cookie(LANG_COOKIE, language, path="/ui", samesite="lax", max_age=365 * 86400)
    return answer
