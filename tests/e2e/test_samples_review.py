"""The samples page in headless Chromium: an operator judges a near-miss sample with the
keyboard, and the tuning page counts it and suggests a lower threshold.

A real server (uvicorn over SQLite); cases and the sample come from the real ingest service.
A screenshot of the samples page is saved under ``test-artifacts/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from support.api_server import serving
from support.browser import ARTIFACTS, chromium
from support.messages import example_device_id
from support.server_harness import ready_context, register, server_config
from support.tuning_world import decided_cases
from support.web_world import PASSWORD, XH1, add_users, ingest_scene, scene_event

from contracts import ViolationEvent
from server.services.samples import SampleFilter, SampleService

pytestmark = pytest.mark.e2e


def test_operator_judges_a_sample_and_tuning_changes(tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    ctx = ready_context(server_config(tmp_path))
    add_users(ctx)
    pole = example_device_id("pole")
    register(ctx, pole)
    decided_cases(ctx, pole, [(0.65, False), (0.7, True), (0.8, True)], threshold=0.6)
    scene = scene_event(pole, XH1, seed=3)
    near_miss = {"type": "sample", "confidence": 0.5, "threshold": 0.6}
    sample = ViolationEvent.model_validate({**scene.model_dump(), **near_miss})
    ingest_scene(ctx, sample, seed=3)

    with serving(ctx) as http, chromium() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 960})
        page.set_default_timeout(10_000)
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(http.base + "/ui/tuning?target=0.6")
        page.fill("input[name=username]", "operator")
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-submit")
        garbage = page.locator("section.tuning-class[data-label=garbage]")
        expect(garbage.locator(".sample-count")).to_have_text("0")
        expect(garbage.locator(".suggested-threshold")).to_have_text("0.65")

        page.click("#nav-samples")
        expect(page).to_have_url(http.base + "/ui/samples")
        row = page.locator(f"tr.qrow[data-event='{sample.event_id}']")
        expect(row).to_have_class("qrow sample sel")
        expect(row.locator(".bbox")).to_be_visible()
        expect(row.locator(".sample-crop")).to_be_visible()
        expect(row.locator(".sample-confidence")).to_have_text("0.50")
        expect(row.locator(".sample-threshold")).to_have_text("0.60")
        page.screenshot(path=str(ARTIFACTS / "web-samples.png"), full_page=True)
        page.keyboard.press("c")  # a real violation
        expect(page.locator("#sample-ok")).to_be_visible()
        expect(page.locator("tr.qrow")).to_have_count(0)
        page.click("#tab-judged")
        expect(row.locator(".sample-verdict")).to_contain_text("user:operator")

        page.goto(http.base + "/ui/tuning?target=0.6")
        expect(garbage.locator(".sample-count")).to_have_text("1")
        expect(garbage.locator(".suggested-threshold")).to_have_text("0.5")
        page.close()
    judged = SampleService(ctx).list(SampleFilter(judged=True)).items
    assert [(s.event.event_id, s.positive) for s in judged] == [(sample.event_id, True)]
    assert requested and all(url.startswith(http.base) for url in requested), requested
    ctx.database.dispose()
