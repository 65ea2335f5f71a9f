"""Smoke run of ``streetwatch bench edge`` on a tiny generated clip with a tiny exported model.

The model is an untrained YOLOv8 (three classes, a narrow width multiplier) saved as a
checkpoint and exported by ``streetwatch model export``, as the shipped model is; only the
report's lines are checked, never a speed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from support.services import require_module

from streetwatch.cli import main

require_module("ultralytics", "the [train] extra")

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NAMES = {0: "street_vending", 1: "garbage", 2: "illegal_signage"}


def _tiny_checkpoint(folder: Path) -> Path:
    """Save an untrained three-class YOLOv8 with a narrow width (fast to export and run)."""
    import ultralytics
    from ultralytics import YOLO

    base = Path(ultralytics.__file__).parent / "cfg" / "models" / "v8" / "yolov8.yaml"
    spec = dict(YAML(typ="safe").load(base.read_text()))
    spec |= {"nc": 3, "scales": {"n": [0.33, 0.125, 256]}}
    model_yaml = folder / "yolov8n.yaml"  # the name tells ultralytics the scale
    model_yaml.write_text(json.dumps(spec))  # JSON is YAML
    model = YOLO(str(model_yaml), task="detect")
    model.model.names = NAMES
    weights = folder / "tiny.pt"
    model.save(str(weights))
    return weights


def test_bench_edge_reports_every_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weights = _tiny_checkpoint(tmp_path)
    onnx = tmp_path / "tiny64.onnx"
    export = [str(weights), "--out", str(onnx), "--imgsz", "64", "--version", "smoke"]
    assert main(["model", "export", *export]) == 0
    capsys.readouterr()

    missing = tmp_path / "no-such-clip.mp4"
    bench = ["bench", "edge", str(onnx), "--media", str(missing), "--frames", "3"]
    assert main([*bench, "--repeat", "1", "--synth-seconds", "1", "--synth-size", "160x96"]) == 0
    out = capsys.readouterr().out
    assert f"{missing} is absent: measuring the generated clip only" in out
    assert "clip synth_fixed_0.mp4: 3 frames per run" in out
    for line in (
        "bare tiny64.onnx",
        "pipeline tiny64.onnx",
        "ultralytics tiny64.onnx",
        "pipeline / bare run (tiny64.onnx): ",
        "pipeline (tiny64.onnx) / ultralytics predict (tiny64.onnx): ",
        "pipeline tiny64.onnx: start-up ",
        "whole clip, pipeline alone (tiny64.onnx): 10 frames",
        "peak RSS of the pipeline: ",
        "violation events raised: ",
    ):
        assert line in out, out
