"""``streetwatch model ...`` without the ``[train]`` extra: one sentence, no traceback."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from streetwatch.cli import main


@pytest.mark.parametrize("missing", ["onnx", "ultralytics"])
@pytest.mark.parametrize(
    "command",
    [
        ["model", "train", "--data", "d.yaml", "--out", "run"],
        ["model", "export", "w.pt", "--out", "m.onnx", "--version", "2"],
        ["model", "quantize", "m.onnx", "--out", "q.onnx", "--calibration", "images"],
        ["model", "eval", "m.onnx", "--data", "d.yaml", "--report", "r.json"],
    ],
)
def test_each_model_command_names_the_missing_extra(
    command: list[str],
    missing: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == missing else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.chdir(tmp_path)
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err == "streetwatch: this command needs the training extra: pip install -e '.[train]'\n"
