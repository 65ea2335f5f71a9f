"""Smoke run of the model lifecycle: train one epoch, export, detect, quantize, evaluate."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import pytest
from support.services import require_module

from edge.detector import OnnxDetector
from edge.images import read_image, resize
from streetwatch.cli import main
from streetwatch.yamlconf import read_document

require_module("ultralytics", "the [train] extra")

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _tiny_dataset(out: Path) -> Path:
    """A few synthetic street scenes, rendered and imported through the real commands."""
    synth = out / "synth"
    render = ["synth", "images", "--out", str(synth), "--count", "24", "--seed", "3"]
    assert main([*render, "--size", "256", "--split", "train=0.5,valid=0.25,test=0.25"]) == 0
    recipe = out / "recipe.yaml"
    recipe.write_text(
        "version: 1\nkind: dataset\nsources:\n  - name: synth\n    format: yolo\n"
        "    path: synth\n    classes: {'0': street_vending, '1': garbage, '2': illegal_signage}\n"
    )
    assert main(["dataset", "import", str(recipe), "--out", str(out / "ds")]) == 0
    return out / "ds" / "data.yaml"


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def test_train_export_detect_quantize_evaluate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ultralytics import YOLO

    data = _tiny_dataset(tmp_path)
    run = tmp_path / "run"
    args = ["--data", str(data), "--out", str(run), "--epochs", "1", "--imgsz", "160"]
    assert main(["model", "train", *args, "--batch", "8"]) == 0
    weights = run / "weights" / "last.pt"
    assert weights.is_file()
    # fine-tuning the checkpoint: no warm-up, an AdamW rate of our own, no mosaic
    tune = ["--data", str(data), "--out", str(tmp_path / "tune"), "--epochs", "1", "--imgsz", "160"]
    tuning = ["--model", str(weights), "--lr0", "0.0005", "--warmup-epochs", "0"]
    assert main(["model", "train", *tune, *tuning, "--close-mosaic", "1", "--batch", "8"]) == 0
    used = read_document(tmp_path / "tune" / "args.yaml").data
    assert (used["optimizer"], used["lr0"], used["warmup_epochs"]) == ("AdamW", 0.0005, 0.0)
    assert used["close_mosaic"] == 1

    fp32 = tmp_path / "smoke.onnx"
    export = [str(weights), "--out", str(fp32), "--imgsz", "160,256", "--version", "smoke"]
    assert main(["model", "export", *export]) == 0
    detector = OnnxDetector(fp32, conf_threshold=0.001)
    assert detector.info.input_hw == (160, 256)
    assert detector.info.names == ("street_vending", "garbage", "illegal_signage")
    assert detector.info.version == "smoke"

    reference = YOLO(str(fp32), task="detect")
    for image_path in sorted((data.parent / "images" / "test").glob("*.jpg"))[:3]:
        frame = resize(read_image(image_path), 640, 360)
        ours = detector.detect(frame)
        theirs = reference.predict(frame, conf=0.001, iou=0.7, verbose=False)[0].boxes
        assert len(ours) == len(theirs) > 0
        for i in range(len(ours)):
            assert _iou(ours.xyxy[i], theirs.xyxy[i].numpy()) >= 0.99
            assert ours.class_id[i] == int(theirs.cls[i])
            assert abs(float(ours.confidence[i]) - float(theirs.conf[i])) <= 1e-3

    int8 = tmp_path / "smoke.int8.onnx"
    calibration = str(data.parent / "images" / "train")
    assert (
        main(
            [
                "model",
                "quantize",
                str(fp32),
                "--out",
                str(int8),
                "--calibration",
                calibration,
                "--limit",
                "8",
            ]
        )
        == 0
    )
    meta = {p.key: p.value for p in onnx.load(str(int8)).metadata_props}
    assert meta["streetwatch_precision"] == "int8" and meta["streetwatch_version"] == "smoke"
    assert "CC BY 4.0" in meta["streetwatch_data_credit"]
    graph = onnx.load(str(int8)).graph
    made_by = {out: node.op_type for node in graph.node for out in node.output}
    convs = [node for node in graph.node if node.op_type == "Conv"]
    conv_weights = [made_by.get(conv.input[1]) for conv in convs]
    assert conv_weights[0] is None  # the stem keeps its float weights
    assert conv_weights[1:].count("DequantizeLinear") >= len(convs) // 2  # the body is int8
    assert str(tmp_path) not in meta["description"]  # no path of the training machine
    assert OnnxDetector(int8).info.names == detector.info.names

    report = tmp_path / "eval" / "int8.json"
    assert main(["model", "eval", str(int8), "--data", str(data), "--report", str(report)]) == 0
    result = json.loads(report.read_text())
    assert set(result["all"]) == {"precision", "recall", "map50", "map50_95"}
    assert 0.0 <= result["all"]["map50"] <= 1.0
    assert result["model"]["sha256"] == OnnxDetector(int8).info.sha256
    assert report.with_suffix(".pr.png").is_file()

    clip = main(
        [
            "synth",
            "video",
            "--out",
            str(tmp_path / "clip"),
            "--kind",
            "fixed",
            "--seconds",
            "1",
            "--fps",
            "5",
            "--size",
            "320x180",
        ]
    )
    assert clip == 0
    video = next((tmp_path / "clip").glob("*.mp4"))
    bench = ["bench", "detector", str(fp32), "--int8", str(int8), "--video", str(video)]
    assert main([*bench, "--frames", "3", "--repeat", "1"]) == 0
    lines = capsys.readouterr().out
    assert "pre/post-processing overhead vs bare run" in lines
    assert "streetwatch / ultralytics predict" in lines and "int8 / fp32 (bare)" in lines


def test_training_without_a_dataset_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["model", "train", "--data", str(tmp_path / "no.yaml"), "--out", str(tmp_path)])
    assert code == 2
    assert (
        capsys.readouterr().err.strip()
        == f"streetwatch: dataset file {tmp_path / 'no.yaml'} does not exist"
    )


def _resumable(path: Path) -> bool:
    import torch

    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except Exception:  # written half-way: try again
        return False
    return state.get("optimizer") is not None and state.get("epoch", -1) >= 0


def _interrupted_run(data: Path, out: Path, saved: Path) -> None:
    """Train 4 epochs in a child process; copy a mid-run checkpoint to ``saved``, kill it."""
    args = ["--data", str(data), "--out", str(out), "--epochs", "4", "--imgsz", "160"]
    child = subprocess.Popen(
        [sys.executable, "-m", "streetwatch", "model", "train", *args, "--batch", "8"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    last = out / "weights" / "last.pt"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and child.poll() is None:
            if last.is_file():
                shutil.copyfile(last, saved)
                if _resumable(saved):
                    return  # what a machine stopped mid-run leaves behind
            time.sleep(0.2)
    finally:
        child.kill()
        child.wait()
    pytest.fail("the training run left no resumable checkpoint while it ran")


def test_an_interrupted_run_resumes_on_another_machine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _tiny_dataset(tmp_path)
    saved = tmp_path / "committed-last.pt"
    _interrupted_run(data, tmp_path / "first", saved)
    shutil.rmtree(tmp_path / "first")  # the other machine has only the committed checkpoint

    again = tmp_path / "again"
    resume = ["--data", str(data), "--out", str(again), "--resume", "--model", str(saved)]
    assert main(["model", "train", *resume, "--workers", "0"]) == 0
    used = read_document(again / "args.yaml").data
    assert Path(used["save_dir"]) == again.resolve()
    assert used["epochs"] == 4 and used["workers"] == 0
    epochs = (again / "results.csv").read_text().strip().splitlines()[1:]
    assert 1 <= len(epochs) <= 3 and epochs[-1].split(",")[0].strip() == "4"

    # the finished run keeps weights only: resuming it again is refused, not restarted
    capsys.readouterr()
    assert main(["model", "train", "--data", str(data), "--out", str(again), "--resume"]) == 2
    assert "is from a finished run (weights only): nothing to resume" in capsys.readouterr().err
