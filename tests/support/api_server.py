"""The API app served by a real uvicorn on a free loopback port, and a tiny HTTP client."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

from server.api.app import create_app
from server.services.context import ServerContext
from support.services import LOOPBACK, free_port, port_accepts


@dataclass(frozen=True)
class Reply:
    """An HTTP answer."""

    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


class Http:
    """Requests to one base URL, optionally with a bearer token."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base
        self.token = token

    def as_(self, token: str | None) -> Http:
        """The same server with another token."""
        return Http(self.base, token)

    def get(self, path: str) -> Reply:
        """GET ``path``."""
        return self.request("GET", path)

    def post(self, path: str, body: Any = None, form: dict[str, str] | None = None) -> Reply:
        """POST JSON ``body`` or a urlencoded ``form``."""
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            return self.request("POST", path, data, "application/x-www-form-urlencoded")
        return self.request("POST", path, json.dumps(body).encode(), "application/json")

    def put(self, path: str, body: Any) -> Reply:
        """PUT JSON ``body``."""
        return self.request("PUT", path, json.dumps(body).encode(), "application/json")

    def request(
        self, method: str, path: str, data: bytes | None = None, content_type: str | None = None
    ) -> Reply:
        """Send one request and return the answer, whatever its status."""
        headers = {"Content-Type": content_type} if content_type else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return Reply(answer.status, answer.read(), dict(answer.headers))
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read(), dict(error.headers))


@contextmanager
def serving(ctx: ServerContext) -> Iterator[Http]:
    """Serve the API of ``ctx`` for the block; yield a client without a token."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(ctx), host=LOOPBACK, port=port, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not port_accepts(LOOPBACK, port):
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield Http(f"http://{LOOPBACK}:{port}")
    finally:
        server.should_exit = True
        thread.join(10)
