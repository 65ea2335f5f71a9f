"""Security of the review UI and the API on a real uvicorn over SQLite.

Nothing but login, health, metrics, Open311 reads, the OpenAPI documents and the UI's own
static assets answers without a session or token; a viewer cannot change a case or judge a
near-miss sample; CSRF
tokens guard every form post; evidence routes take only a known SHA-256; sessions expire.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount
from support.api_server import Http, serving
from support.messages import example_device_id
from support.server_harness import FakeClock, ready_context, register, server_config
from support.tuning_world import ingest_samples
from support.web_world import XH1, WebClient, add_users, ingest_scene, scene_event, street_scene

from server.api.app import create_app
from server.domain.roles import Role
from server.services.auth import TokenService
from server.services.case_queries import CaseFilter
from server.services.context import ServerContext
from server.services.reads import Reads
from server.services.samples import SampleFilter, SampleService

pytestmark = pytest.mark.integration

PUBLIC_GET = {
    "/healthz",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/open311/v2/services.json",
    "/open311/v2/requests.json",
    "/open311/v2/requests/{request_id}.json",
    "/ui/login",
    "/ui/lang/{language}",
}
"""Routes that answer without credentials (login, health, metrics, Open311 reads, docs)."""
LOGIN_REDIRECT = re.compile(r"^/ui/login\?next=")


@dataclass
class World:
    ctx: ServerContext
    clock: FakeClock
    http: Http
    case_id: int
    frame_sha: str
    sample_id: str


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    clock = FakeClock()
    ctx = ready_context(server_config(tmp_path), clock=clock)
    add_users(ctx)
    device = example_device_id("pole")
    register(ctx, device)
    ingest_scene(ctx, scene_event(device, XH1, seed=5), seed=5)
    case_id = Reads(ctx).cases(CaseFilter()).items[0].id
    frame_sha = hashlib.sha256(street_scene(5)[0]).hexdigest()
    sample_id = ingest_samples(ctx, device, [0.5])[0]
    with serving(ctx) as http:
        yield World(ctx, clock, http, case_id, frame_sha, sample_id)
    ctx.database.dispose()


def _concrete(path: str, world: World) -> str:
    values = {
        "case_id": str(world.case_id),
        "event_id": world.sample_id,
        "sha256": world.frame_sha,
        "device_id": "pole-x",
        "request_id": "1",
        "language": "en",
        "name": "someone",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), path)


def _routes(routes: Sequence[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, descending into included routers (each router carries its own prefix)."""
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI >= 0.165 includes lazily
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield route


def test_nothing_answers_without_a_session_or_token(world: World) -> None:
    app = create_app(world.ctx)
    anonymous = WebClient(world.http.base)
    checked = 0
    for route in _routes(app.routes):
        if isinstance(route, Mount):
            assert route.path == "/ui/static"  # only the UI's CSS, JS and vendored Leaflet
            continue
        path_of = getattr(route, "path", "")
        if not isinstance(route, APIRoute) and path_of not in PUBLIC_GET:
            continue
        methods = getattr(route, "methods", None) or {"GET"}
        for method in sorted(methods - {"HEAD"}):
            path = _concrete(path_of, world)
            reply = anonymous.request(method, path, b"{}")
            checked += 1
            if method == "GET" and path_of in PUBLIC_GET:
                assert reply.status < 400, (method, path, reply.status)
                continue
            if (method, path_of) == ("POST", "/ui/login"):  # the login form itself
                assert reply.status == 422 and "set-cookie" not in reply.headers
                continue
            where = reply.headers.get("location", "")
            refused = reply.status in {401, 403} or (
                reply.status == 303 and (LOGIN_REDIRECT.match(where) or where == "/ui/login")
            )
            assert refused, (method, path, reply.status, reply.body[:200])
    assert checked >= 30


def test_a_page_without_a_session_redirects_to_login_and_back(world: World) -> None:
    client = WebClient(world.http.base)
    page = f"/ui/cases/{world.case_id}"
    reply = client.get(page)
    assert reply.status == 303 and reply.headers["location"] == f"/ui/login?next={page}"
    assert b"garbage" not in reply.body
    token = client.csrf("/ui/login")
    answer = client.post(
        "/ui/login",
        {"username": "viewer", "password": "correct-horse-battery", "csrf": token, "next": page},
    )
    assert answer.status == 303 and answer.headers["location"] == page
    assert client.get(page).status == 200


def test_login_refuses_bad_passwords_foreign_redirects_and_missing_csrf(world: World) -> None:
    client = WebClient(world.http.base)
    assert client.login("operator", "wrong-password-123").status == 401
    assert client.login("nobody").status == 401
    assert client.get("/ui/queue").status == 303
    form = {"username": "operator", "password": "correct-horse-battery", "next": "/ui/queue"}
    assert client.post("/ui/login", form).status == 403  # no CSRF token at all
    token = client.csrf("/ui/login")
    evil = {**form, "csrf": token, "next": "https://evil.example/"}
    reply = client.post("/ui/login", evil)
    assert reply.status == 303 and reply.headers["location"] == "/ui/queue"
    cookie = reply.headers.get("set-cookie", "")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_a_viewer_cannot_change_a_case(world: World) -> None:
    client = WebClient(world.http.base)
    assert client.login("viewer").status == 303
    page = client.get(f"/ui/cases/{world.case_id}").body.decode()
    assert 'id="act-file"' not in page
    token = client.csrf(f"/ui/cases/{world.case_id}")
    reply = client.post(f"/ui/cases/{world.case_id}/act", {"action": "file", "csrf": token})
    assert reply.status == 403
    viewer_api = world.http.as_(TokenService(world.ctx).create("wall", Role.VIEWER))
    api = viewer_api.post(f"/api/v1/cases/{world.case_id}/transitions", {"action": "file"})
    assert api.status == 403
    detail = Reads(world.ctx).case(world.case_id)
    assert detail is not None and detail.case.status.value == "reported"
    assert [t.action for t in detail.transitions] == ["report"]


def test_a_viewer_cannot_judge_a_sample(world: World) -> None:
    client = WebClient(world.http.base)
    assert client.login("viewer").status == 303
    page = client.get("/ui/samples").body.decode()
    assert f'data-event="{world.sample_id}"' in page and "judge-true" not in page
    token = client.csrf("/ui/samples")
    url = f"/ui/samples/{world.sample_id}/verdict"
    assert client.post(url, {"verdict": "true", "csrf": token}).status == 403
    anonymous = WebClient(world.http.base).post(url, {"verdict": "true", "csrf": token})
    assert anonymous.status == 303 and LOGIN_REDIRECT.match(anonymous.headers["location"])
    assert SampleService(world.ctx).list(SampleFilter(judged=True)).total == 0


def test_a_form_post_without_the_csrf_token_is_refused(world: World) -> None:
    client = WebClient(world.http.base)
    assert client.login("operator").status == 303
    url = f"/ui/cases/{world.case_id}/act"
    assert client.post(url, {"action": "file"}).status == 403
    assert client.post(url, {"action": "file", "csrf": "forged"}).status == 403
    assert client.post("/ui/logout", {}).status == 403
    detail = Reads(world.ctx).case(world.case_id)
    assert detail is not None and detail.case.status.value == "reported"
    token = client.csrf(f"/ui/cases/{world.case_id}")
    done = client.post(url, {"action": "file", "csrf": token})
    assert done.status == 303 and done.headers["location"].endswith("?ok=file")
    detail = Reads(world.ctx).case(world.case_id)
    assert detail is not None and detail.case.department == "xuhui-sanitation"
    assert any(t.actor == "user:operator" and t.action == "file" for t in detail.transitions)


PATH_TRICKS = [
    "..%2F..%2Fserver.db",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%2Fetc%2Fpasswd",
    "/etc/passwd",
    "../server.db",
    "0" * 64,
    "A" * 64,
    "{sha}%0A",
    "{sha}.jpg",
    "{upper}",
]


def test_evidence_routes_refuse_path_tricks(world: World) -> None:
    client = WebClient(world.http.base)
    assert client.login("viewer").status == 303
    api = world.http.as_(TokenService(world.ctx).create("reader", Role.VIEWER))
    for trick in PATH_TRICKS:
        tail = trick.format(sha=world.frame_sha, upper=world.frame_sha.upper())
        for reply in (client.get("/ui/evidence/" + tail), api.get("/api/v1/evidence/" + tail)):
            assert reply.status == 404, (tail, reply.status)
            assert not reply.body.startswith(b"\xff\xd8")  # never a JPEG
            assert b"root:" not in reply.body and b"SQLite" not in reply.body
    good = client.get(f"/ui/evidence/{world.frame_sha}")
    assert good.status == 200 and good.body == street_scene(5)[0]


def test_sessions_expire_and_logout_ends_them(world: World) -> None:
    client = WebClient(world.http.base)
    assert client.login("operator").status == 303
    assert client.get("/ui/queue").status == 200
    world.clock.advance(timedelta(hours=world.ctx.config.http.session_hours, seconds=1))
    assert client.get("/ui/queue").status == 303
    assert client.login("operator").status == 303
    token = client.csrf("/ui/queue")
    stolen = [(c.name, c.value) for c in client.jar]
    assert client.post("/ui/logout", {"csrf": token}).status == 303
    replay = WebClient(world.http.base)
    replay.opener.addheaders = [("Cookie", "; ".join(f"{n}={v}" for n, v in stolen))]
    assert replay.get("/ui/queue").status == 303


def test_password_guessing_locks_the_name_for_a_while(world: World) -> None:
    client = WebClient(world.http.base)
    for _ in range(5):
        assert client.login("admin", "not-the-password").status == 401
    assert client.login("admin").status == 429  # even the right password, for now
    assert client.login("operator").status == 303  # other names are not affected
    world.clock.advance(timedelta(minutes=16))
    assert WebClient(world.http.base).login("admin").status == 303
