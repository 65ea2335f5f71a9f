"""Shared rules for fixtures that need a real service: skip-or-fail, free ports, readiness."""

from __future__ import annotations

import importlib
import os
import socket
import time
from collections.abc import Callable
from typing import NoReturn

import pytest

LOOPBACK = "127.0.0.1"


def running_in_ci() -> bool:
    """Return True when the environment variable ``CI`` is ``true`` (any case)."""
    return os.environ.get("CI", "").strip().lower() == "true"


def require_or_skip(reason: str) -> NoReturn:
    """Skip the test because a service is missing, or fail it when running under ``CI=true``.

    On a developer machine a missing Mosquitto or PostgreSQL skips the tests that need it; in
    CI the same gap must not pass unnoticed as a green run of skips.
    """
    if running_in_ci():
        pytest.fail(f"{reason} (CI=true: a missing service fails instead of skipping)")
    pytest.skip(reason, allow_module_level=True)


def require_module(name: str, install_hint: str) -> None:
    """Skip (or under ``CI=true`` fail) the calling test module if ``name`` cannot be imported.

    Call it at module level before importing an optional dependency, like
    ``pytest.importorskip`` but following :func:`require_or_skip`.
    """
    try:
        importlib.import_module(name)
    except ImportError as exc:
        require_or_skip(f"{name} is not installed ({install_hint}): {exc}")


def free_port(host: str = LOOPBACK) -> int:
    """Return a TCP port that was free on ``host`` a moment ago (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def port_accepts(host: str, port: int, timeout_s: float = 0.2) -> bool:
    """Return True if a TCP connection to ``host:port`` succeeds right now."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def wait_until(condition: Callable[[], bool], timeout_s: float, interval_s: float = 0.02) -> bool:
    """Poll ``condition`` until it is true or ``timeout_s`` passes; return its last value.

    For waiting on *external processes* (a port opening or closing); never use it to wait
    for MQTT messages, which the test client signals through a queue.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval_s)
