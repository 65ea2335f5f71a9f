"""The review UI in headless Chromium: log in, review from the queue, dispatch, reject.

A real server (uvicorn over SQLite) with cases made by the real ingest service; the browser
is the Debian Chromium driven by Playwright. A screenshot of a case page is saved under
``test-artifacts/`` for people to look at.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from support.api_server import serving
from support.browser import ARTIFACTS, chromium
from support.messages import example_device_id
from support.server_harness import ready_context, register, server_config
from support.web_world import (
    HP,
    PASSWORD,
    XH1,
    add_users,
    ingest_heartbeat,
    ingest_scene,
    scene_event,
)

from server.services.case_queries import CaseFilter
from server.services.context import ServerContext
from server.services.reads import Reads
from server.web.gcj02 import wgs84_to_gcj02

pytestmark = pytest.mark.e2e


@dataclass
class Site:
    ctx: ServerContext
    base: str
    page: Page
    devices: tuple[str, str]

    def case_at(self, device_id: str) -> int:
        return Reads(self.ctx).cases(CaseFilter(device=[device_id])).items[0].id

    def log_in(self, name: str) -> None:
        self.page.goto(self.base + "/ui/queue")
        expect(self.page).to_have_url(self.base + "/ui/login?next=/ui/queue")
        self.page.fill("input[name=username]", name)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("#login-submit")
        expect(self.page).to_have_url(self.base + "/ui/queue")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with open_site(tmp_path) as opened:
        yield opened


@contextmanager
def open_site(tmp_path: Path, **http_settings: object) -> Iterator[Site]:
    """Serve a world of two cases and open a browser page on it."""
    ARTIFACTS.mkdir(exist_ok=True)
    ctx = ready_context(server_config(tmp_path, http=http_settings))
    add_users(ctx)
    pole, bike = example_device_id("pole"), example_device_id("bike")
    register(ctx, pole, bike)
    ingest_scene(ctx, scene_event(pole, XH1, seed=1), seed=1)  # garbage in XH-CX-01
    ingest_scene(ctx, scene_event(bike, HP, seed=2), seed=2)  # garbage in HP-NJ-01
    ingest_heartbeat(ctx, pole)
    with serving(ctx) as http, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 960})
        page.set_default_timeout(10_000)
        yield Site(ctx, http.base, page, (pole, bike))
        page.close()
    ctx.database.dispose()


def test_review_confirm_dispatch_and_reject(site: Site) -> None:
    page = site.page
    pole, bike = site.devices
    confirmed, rejected = site.case_at(pole), site.case_at(bike)
    site.log_in("operator")

    # The queue holds both reported cases; j/k move the selection, c confirms (立案).
    rows = page.locator("tr.qrow")
    expect(rows).to_have_count(2)
    page.screenshot(path=str(ARTIFACTS / "web-queue.png"))
    target = rows.nth(0 if rows.nth(0).get_attribute("data-case") == str(confirmed) else 1)
    page.keyboard.press("j")
    page.keyboard.press("k")
    if target.get_attribute("data-case") != rows.nth(0).get_attribute("data-case"):
        page.keyboard.press("j")
    expect(target).to_have_class("qrow sel")
    page.keyboard.press("c")
    expect(page.locator(".flash.ok")).to_contain_text(f"#{confirmed}")
    expect(page.locator("tr.qrow")).to_have_count(1)

    # Filing ran the dispatch rules: garbage in XH-CX-01 goes to the Xuhui sanitation office.
    page.goto(f"{site.base}/ui/cases/{confirmed}")
    expect(page.locator("h1 .badge")).to_have_text("派遣")
    expect(page.locator("#case-department")).to_have_text("徐汇区环卫所 (sanitation)")
    expect(page.locator("#audit")).to_contain_text("user:operator")

    # The other case, opened with o from the queue, is rejected as a false positive.
    page.goto(f"{site.base}/ui/queue")
    page.keyboard.press("o")
    expect(page).to_have_url(f"{site.base}/ui/cases/{rejected}")
    expect(page.locator("#lead-box")).to_be_visible()
    expect(page.locator("#lead-crop")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "web-case-page.png"), full_page=True)
    page.select_option("#reject-reason", "false_positive")
    page.click("#act-reject")
    expect(page.locator("h1 .badge")).to_have_text("注销")
    expect(page.locator("#case-reason")).to_have_text("误报")

    detail = Reads(site.ctx).case(rejected)
    assert detail is not None and detail.reject_reason == "false_positive"
    assert detail.transitions[-1].actor == "user:operator"
    page.goto(f"{site.base}/ui/queue")
    expect(page.locator(".empty")).to_be_visible()


def test_pages_in_english_with_devices_and_kpis(site: Site) -> None:
    page = site.page
    pole, _ = site.devices
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    site.log_in("viewer")
    page.click("#lang-switch")
    expect(page.locator("h1")).to_contain_text("Review queue")
    expect(page.locator("form.act-file")).to_have_count(0)  # a viewer gets no action buttons

    page.goto(f"{site.base}/ui/devices")
    row = page.locator(f"tr[data-device='{pole}']")
    expect(row.locator(".badge")).to_have_text("Online")
    expect(row.locator(".config-version")).to_have_text("3")

    page.goto(f"{site.base}/ui/kpis")
    expect(page.locator("#kpi-tiles")).to_contain_text("Reported")
    expect(page.locator("svg.chart").first).to_be_visible()

    page.screenshot(path=str(ARTIFACTS / "web-kpis.png"), full_page=True)

    page.goto(f"{site.base}/ui/cases?grid=HP-NJ-01")
    expect(page.locator("#case-list tbody tr")).to_have_count(1)
    page.fill("#search", pole)
    page.press("#search", "Enter")
    expect(page.locator("#case-list tbody tr")).to_have_count(1)
    assert requested and all(url.startswith(site.base) for url in requested), requested


def test_case_map_uses_the_configured_tiles_with_local_leaflet(tmp_path: Path) -> None:
    tiles = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"  # nothing listens: tiles fail, points stay
    with open_site(tmp_path, tile_url=tiles, tile_gcj02=True) as site:
        page = site.page
        scripts: list[str] = []
        page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
        site.log_in("viewer")
        page.goto(f"{site.base}/ui/cases/{site.case_at(site.devices[0])}")
        expect(page.locator("#map.leaflet-container")).to_be_visible()
        expect(page.locator("#map path.leaflet-interactive")).to_have_count(2)  # case + sighting
        expect(page.locator("#plain-map")).to_be_hidden()
        plotted = json.loads(page.locator("#map").get_attribute("data-points") or "[]")
        assert plotted[0][:2] == list(wgs84_to_gcj02(*XH1))  # AMap-style tiles: GCJ-02
        assert f"{site.base}/ui/static/vendor/leaflet/leaflet.js" in scripts
        assert all(url.startswith(site.base) for url in scripts)
