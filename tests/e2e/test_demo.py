"""``streetwatch demo --exit-when-done`` from an empty data folder, then the review UI it leaves.

The demo itself compares the server's cases with the clips' truth (see
:mod:`streetwatch.demo.verdict`) and exits 0 only for exactly the expected cases. Asserted
outright: both edge nodes delivered everything, the exit code agrees with the summary, and the
server started again on the demo's database shows every case in the review queue (a
screenshot is saved under ``test-artifacts/``). The comparison with the truth depends on the
detector's accuracy and is judged by :mod:`support.model_gate`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from support.browser import ARTIFACTS, chromium
from support.model_gate import judge_detections
from support.server_process import ServerProcess

from streetwatch.cli import main
from streetwatch.demo.run import DEMO_PASSWORD, DEMO_USER
from streetwatch.demo.scenario import MODEL

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_demo_creates_exactly_the_expected_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not MODEL.is_file():
        pytest.skip(f"{MODEL} is absent: this checkout has no shipped detector")
    data = tmp_path / "demo"
    code = main(["demo", "--data", str(data), "--port", "0", "--exit-when-done"])
    out = capsys.readouterr().out
    print(out)
    assert "edge node pole-demo-01: done" in out and "edge node bike-demo-07: done" in out
    differences = [
        line.strip()
        for line in out.splitlines()
        if line.strip().startswith(("MISSING", "UNEXPECTED", "DUPLICATE"))
    ]
    assert code == (1 if differences else 0), out
    assert ("exactly the expected cases" in out) == (not differences)
    cases = int(out.split("\ncases: ", 1)[1].split()[0])
    assert cases > 0, "the demo found nothing"

    server = ServerProcess(data / "configs" / "server.yaml", "--no-ingest")
    ready = server.start()
    base = ready.rsplit("API on ", 1)[1].strip()
    try:
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(base + "/ui/queue")
            page.fill("input[name=username]", DEMO_USER)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("#login-submit")
            expect(page).to_have_url(base + "/ui/queue")
            expect(page.locator("#queue tbody tr")).to_have_count(cases)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "demo-review-queue.png"), full_page=True)
    finally:
        server.stop()
    judge_detections(differences)
