"""Evaluate an ONNX (fp32 or int8) or PyTorch detector on a dataset split: JSON report + PR plot."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from edge.detector import OnnxDetector
from streetwatch.errors import UserError
from training.ultra import yolo_class


def _per_class(metrics: Any, names: dict[int, str]) -> dict[str, dict[str, float | int]]:
    box = metrics.box
    counts = getattr(metrics, "nt_per_class", None)
    out: dict[str, dict[str, float | int]] = {}
    for row, class_index in enumerate(box.ap_class_index):
        index = int(class_index)
        out[names[index]] = {
            "precision": round(float(box.p[row]), 4),
            "recall": round(float(box.r[row]), 4),
            "map50": round(float(box.ap50[row]), 4),
            "map50_95": round(float(box.ap[row]), 4),
            "instances": int(counts[index]) if counts is not None else -1,
            **_best_f1(box, row),
        }
    return out


def _best_f1(box: Any, row: int) -> dict[str, float]:
    """The confidence with the best F1 of one class: a starting point for its thresholds."""
    curve = np.asarray(getattr(box, "f1_curve", []))
    if curve.ndim != 2 or row >= len(curve) or curve.shape[1] == 0:
        return {}
    confidences = np.asarray(getattr(box, "px", np.linspace(0.0, 1.0, curve.shape[1])))
    best = int(np.argmax(curve[row]))
    return {
        "best_f1": round(float(curve[row, best]), 4),
        "best_f1_conf": round(float(confidences[best]), 3),
    }


def evaluate(model: Path, data: Path, split: str, report: Path) -> dict[str, Any]:
    """Validate ``model`` on a split of ``data``; write ``report`` (JSON) and a PR plot."""
    if not model.is_file():
        raise UserError(f"model {model} does not exist")
    if not data.is_file():
        raise UserError(f"dataset file {data} does not exist")
    identity: dict[str, Any] = {"path": str(model)}
    if model.suffix == ".onnx":
        info = OnnxDetector(model, threads=2).info
        identity |= {
            "name": info.name,
            "version": info.version,
            "sha256": info.sha256,
            "input_hw": list(info.input_hw),
        }
    with tempfile.TemporaryDirectory() as tmp:
        metrics = yolo_class()(str(model), task="detect").val(
            data=str(data.resolve()),
            split=split,
            batch=1,
            device="cpu",
            plots=True,
            project=tmp,
            name="val",
            exist_ok=True,
            verbose=False,
        )
        names = {int(k): str(v) for k, v in metrics.names.items()}
        result = {
            "model": identity,
            "data": str(data),
            "split": split,
            "evaluated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "all": {
                "precision": round(float(metrics.box.mp), 4),
                "recall": round(float(metrics.box.mr), 4),
                "map50": round(float(metrics.box.map50), 4),
                "map50_95": round(float(metrics.box.map), 4),
            },
            "classes": _per_class(metrics, names),
            "speed_ms_per_image": {k: round(float(v), 2) for k, v in metrics.speed.items()},
        }
        report.parent.mkdir(parents=True, exist_ok=True)
        curve = Path(tmp) / "val" / "BoxPR_curve.png"
        if curve.is_file():
            shutil.copy(curve, report.with_suffix(".pr.png"))
    report.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result
