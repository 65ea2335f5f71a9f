"""The tuning page's access rules: everyone reads, only an admin with the CSRF token applies."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.api_server import serving
from support.messages import example_device_id
from support.server_harness import ready_context, register, server_config
from support.services import free_port
from support.tuning_world import decided_cases
from support.web_world import WebClient, add_users

from server.services.config_push import ConfigPushService

pytestmark = pytest.mark.integration


def test_only_an_admin_applies_and_needs_the_csrf_token(tmp_path: Path) -> None:
    closed = {"host": "127.0.0.1", "port": free_port()}  # nothing listens there
    ctx = ready_context(server_config(tmp_path, mqtt=closed))
    add_users(ctx)
    device = example_device_id("pole")
    register(ctx, device)
    decided_cases(ctx, device, [(0.5, False), (0.7, True)])
    form = {"label": "garbage", "threshold": "0.7", "target": "0.9"}
    with serving(ctx) as http:
        for name in ("viewer", "operator"):
            client = WebClient(http.base)
            assert client.login(name).status == 303
            page = client.get("/ui/tuning?target=0.9")
            assert page.status == 200 and b"suggested-threshold" in page.body
            assert b'button type="submit" class="apply"' not in page.body
            token = client.csrf("/ui/tuning")
            assert client.post("/ui/tuning/apply", {**form, "csrf": token}).status == 403
        admin = WebClient(http.base)
        admin.login("admin")
        assert admin.post("/ui/tuning/apply", {**form, "csrf": "wrong"}).status == 403
        assert ConfigPushService(ctx).pushed_versions() == {}
        token = admin.csrf("/ui/tuning")
        # No broker listens there: the push is stored, the page says why it was not
        # published, and nothing is lost.
        answer = admin.post("/ui/tuning/apply", {**form, "csrf": token})
        assert answer.status == 303 and "error=" in answer.headers["location"]
        assert ConfigPushService(ctx).pushed_versions() == {device: 1}
