"""Headless Chromium for browser tests: the Debian binary driven by Playwright.

Never downloads a browser: the test is skipped (or fails under ``CI=true``) when the
``playwright`` package or ``/usr/bin/chromium`` is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from support.services import require_module, require_or_skip

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM_ENV = "STREETWATCH_CHROMIUM"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
"""Screenshots and other files a test leaves for people to look at (ignored by git)."""


def chromium_path() -> str:
    """Return the Chromium binary to drive (``$STREETWATCH_CHROMIUM`` or /usr/bin/chromium)."""
    path = os.environ.get(CHROMIUM_ENV, "/usr/bin/chromium")
    if not Path(path).exists():
        require_or_skip(f"no Chromium at {path}: apt install chromium or set {CHROMIUM_ENV}")
    return path


@contextmanager
def chromium() -> Iterator[Browser]:
    """Yield a headless Chromium, closed at the end."""
    require_module("playwright", "pip install playwright (the browser itself comes from apt)")
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
