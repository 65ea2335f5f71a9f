"""The tuning page in headless Chromium: an admin applies a suggested threshold, the test
device receives the retained push from the real Mosquitto, reports the version in its
heartbeat, and the devices page shows the version it runs next to the version pushed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from support.api_server import serving
from support.browser import ARTIFACTS, chromium
from support.messages import example_device_id
from support.mosquitto import MosquittoServer
from support.mqtt_client import ClientPool
from support.server_harness import ready_context, register, server_config
from support.tuning_world import decided_cases, report_config_version
from support.web_world import PASSWORD, add_users

from contracts import ConfigPush, MessageKind, Topics, decode

pytestmark = pytest.mark.e2e

VERDICTS = [(0.45, False), (0.52, False), (0.6, True), (0.7, True), (0.85, True)]


def test_admin_applies_suggestion_and_devices_page_shows_the_version(
    tmp_path: Path, mosquitto: MosquittoServer, mqtt_client: ClientPool
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    mqtt = {"host": mosquitto.host, "port": mosquitto.port}
    ctx = ready_context(server_config(tmp_path, mqtt=mqtt))
    add_users(ctx)
    device = example_device_id("pole")
    register(ctx, device)
    decided_cases(ctx, device, VERDICTS, threshold=0.4)
    report_config_version(ctx, device, 0)
    topic = Topics(ctx.config.mqtt.prefix).config(device)
    test_device = mqtt_client(mosquitto)
    test_device.subscribe(topic, qos=1)
    test_device.assert_no_message(within_s=0.2)

    with serving(ctx) as http, chromium() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.set_default_timeout(10_000)
        page.goto(http.base + "/ui/tuning")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-submit")
        expect(page).to_have_url(http.base + "/ui/tuning")
        garbage = page.locator("section.tuning-class[data-label=garbage]")
        expect(garbage.locator(".suggested-threshold")).to_have_text("0.6")
        expect(garbage.locator("svg.tuning-plot polyline.precision-line")).to_have_count(1)
        garbage.locator("button.apply").click()
        expect(page.locator("#tuning-ok")).to_contain_text(f"{device} v1")
        page.screenshot(path=str(ARTIFACTS / "tuning-page.png"), full_page=True)

        push = decode(MessageKind.CONFIG, test_device.wait_message().payload, ConfigPush)
        assert push.version == 1 and push.overlay.classes is not None
        assert push.overlay.classes["garbage"].confirm_score == 0.6

        row = page.locator(f"#device-list tr[data-device='{device}']")
        page.goto(http.base + "/ui/devices")
        expect(row.locator(".pushed-version")).to_have_text("1")
        expect(row.locator(".config-version")).to_have_text("0")
        report_config_version(ctx, device, push.version)  # the device runs it now
        page.reload()
        expect(row.locator(".config-version")).to_have_text("1")
        page.close()
