"""``streetwatch server export-dataset``: decided evidence as a labelled YOLO dataset."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.messages import example_device_id
from support.server_harness import ready_context, register, server_config
from support.server_process import write_config
from support.tuning_world import decided_cases

from streetwatch.cli import main

pytestmark = pytest.mark.integration


def test_confirmed_get_boxes_and_rejected_are_background(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = server_config(tmp_path)
    config = write_config(
        tmp_path / "server.yaml", settings.model_dump(mode="json", exclude_none=True)
    )
    ctx = ready_context(settings)
    device = example_device_id("pole")
    register(ctx, device)
    decided_cases(ctx, device, [(0.8, True), (0.5, False), (0.9, True)])
    out = tmp_path / "dataset"

    assert main(["server", "export-dataset", "-c", str(config), "--out", str(out)]) == 0

    assert "2 confirmed and 1 background" in capsys.readouterr().out
    labels = {path.stem: path.read_text() for path in (out / "labels").glob("*.txt")}
    images = {path.stem for path in (out / "images").glob("*.jpg")}
    assert images == set(labels) and len(images) == 3
    lines = sorted(text for text in labels.values())
    assert lines[0] == ""  # the false positive: a background image
    names = sorted(ctx.taxonomy.labels)
    for line in lines[1:]:
        index, *box = line.split()
        assert names[int(index)] == "garbage"
        assert len(box) == 4 and all(0.0 < float(v) <= 1.0 for v in box)
    assert (out / "images" / f"{min(images)}.jpg").read_bytes()[:2] == b"\xff\xd8"
    assert "garbage" in (out / "data.yaml").read_text()
