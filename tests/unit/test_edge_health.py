"""``streetwatch edge health``: the status file the runner writes, and what the check says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.edge_setup import Box, constant_model, edge_config, noise_video

from edge.liveness import LivenessFile, check_status, status_path
from streetwatch.cli import main


def test_status_file_sits_beside_the_outbox() -> None:
    assert status_path(Path("/var/lib/x/outbox.sqlite3")) == Path("/var/lib/x/outbox.status.json")


def test_beats_are_written_at_most_every_interval(tmp_path: Path) -> None:
    now = [1000.0]
    path = tmp_path / "deep" / "o.status.json"
    live = LivenessFile(path, every_s=5.0, clock=lambda: now[0])
    live.beat(1)
    now[0] += 2.0
    live.beat(2)
    assert json.loads(path.read_text())["frames_processed"] == 1
    now[0] += 4.0
    live.beat(3)
    body = json.loads(path.read_text())
    assert body["frames_processed"] == 3 and body["updated_at"] == 1006.0


@pytest.mark.parametrize(
    ("content", "age", "problem"),
    [
        ('{"updated_at": 100}', 10.0, None),
        ('{"updated_at": 100}', 90.0, "the edge node last reported 90 s ago (limit 60 s)"),
        (None, 0.0, "no status file"),
        ("[1, 2]", 0.0, "cannot be read"),
    ],
)
def test_check_status(tmp_path: Path, content: str | None, age: float, problem: str | None) -> None:
    path = tmp_path / "o.status.json"
    if content is not None:
        path.write_text(content)
    found = check_status(path, 60.0, now=100.0 + age)
    assert found is None if problem is None else problem in (found or "")


def test_run_writes_the_file_and_health_reads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = constant_model(tmp_path / "m.onnx", [Box(10, 10, 50, 50, 0.9, 1)])
    config = edge_config(tmp_path, port=1, model=model, video=noise_video(tmp_path / "v.avi", 0.5))
    assert main(["edge", "health", "-c", str(config)]) == 1
    assert "no status file" in capsys.readouterr().err
    main(["edge", "run", "-c", str(config), "--once", "--wait", "0"])  # no broker: exit 3
    assert (tmp_path / "outbox.status.json").is_file()
    capsys.readouterr()
    assert main(["edge", "health", "-c", str(config), "--max-age", "60"]) == 0
    assert capsys.readouterr().out.startswith("OK ")
    assert main(["edge", "health", "-c", str(config), "--max-age", "0"]) == 1
    assert "it is stopped or stuck" in capsys.readouterr().err
