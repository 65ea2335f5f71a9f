"""``streetwatch edge run``: failures while running end with one sentence, or are skipped."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest
from support.edge_setup import Box, constant_model, edge_config, noise_video

import edge.runner
from contracts import ClassOverlay, ConfigPush, TunableOverlay, ViolationEvent
from edge.events.writer import EventWriter
from edge.frames import Frame
from edge.pipeline import Pipeline
from edge.runner import EdgeNode, RunOptions
from edge.sources import SourceError
from streetwatch.cli import main

SIGN = [Box(260, 20, 300, 60, 0.9, 2)]  # illegal_signage: no dwell, an event at once
Process = Callable[[Pipeline, Frame], tuple[ViolationEvent, ...]]


@pytest.fixture(autouse=True)
def no_broker_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edge.runner, "STARTUP_WAIT_S", 0.05)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    model = constant_model(tmp_path / "m.onnx", SIGN)
    video = noise_video(tmp_path / "v.avi", seconds=1.0)
    return edge_config(tmp_path, port=1, model=model, video=video)


def run(config: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["edge", "run", "-c", str(config), *extra])
    return code, capsys.readouterr().err.strip().splitlines()[-1]


def failing(monkeypatch: pytest.MonkeyPatch, fail: Callable[[int], BaseException | None]) -> None:
    """Make the ``n``-th processed frame raise ``fail(n)`` (None: process it normally)."""
    original: Process = Pipeline.process
    calls = [0]

    def process(self: Pipeline, frame: Frame) -> tuple[ViolationEvent, ...]:
        calls[0] += 1
        error = fail(calls[0])
        if error is not None:
            raise error
        return original(self, frame)

    monkeypatch.setattr(Pipeline, "process", process)


def test_outbox_write_failure_stops_with_one_sentence(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    failing(
        monkeypatch,
        lambda n: sqlite3.OperationalError("database or disk is full") if n > 1 else None,
    )
    outbox = config.parent / "outbox.sqlite3"
    code, err = run(config, capsys, "--once", "--wait", "0")
    assert code == 1
    assert err.startswith(f"streetwatch: the outbox {outbox} cannot store the events of frame ")
    assert err.endswith(
        " (database or disk is full); the node stopped, and the events already in the outbox "
        "are kept"
    )


def test_a_frame_whose_events_cannot_be_stored_stops_the_node(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the lifecycle already counts the frame's decisions as raised: skipping it would lose them
    def write(*_args: object) -> tuple[ViolationEvent, ...]:
        raise ValueError("cannot encode the JPEG")

    monkeypatch.setattr(EventWriter, "write", write)
    code, err = run(config, capsys, "--once", "--wait", "0")
    assert code == 1
    assert "cannot store the events of frame 0 (ValueError: cannot encode the JPEG)" in err


def test_a_failing_frame_is_logged_counted_and_skipped(
    config: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    failing(monkeypatch, lambda n: RuntimeError("ONNX Runtime error\nline two") if n <= 3 else None)
    seen: list[int] = []
    original = EdgeNode._finish

    def finish(self: EdgeNode, error: SourceError | None) -> int:
        seen.append(self.telemetry.counter("frame_errors"))
        return original(self, error)

    monkeypatch.setattr(EdgeNode, "_finish", finish)
    with caplog.at_level(logging.ERROR):
        code, err = run(config, capsys, "--once", "--wait", "0")
    assert code == 3 and "event(s) wait in the outbox" in err  # the later frames made events
    assert seen == [3]
    assert caplog.text.count("frame 0 skipped: RuntimeError: ONNX Runtime error") == 1
    assert "line two" not in caplog.text


def test_every_frame_failing_stops_the_node(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(edge.runner, "MAX_FAILED_FRAMES", 3)
    failing(monkeypatch, lambda _n: ValueError("cannot encode the JPEG"))
    assert run(config, capsys, "--once", "--wait", "0") == (
        1,
        "streetwatch: 3 frames in a row failed, the last with ValueError: cannot encode the "
        "JPEG; the node stopped",
    )


@pytest.fixture
def damaged(config: Path) -> Path:
    video = config.parent / "v.avi"
    whole = noise_video(config.parent / "long.avi", seconds=3.0)
    video.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return video


def test_damaged_video_is_reported_before_the_endless_delivery_wait(
    config: Path, damaged: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    original = EdgeNode._reload

    def reload(self: EdgeNode) -> None:  # stop the node once it waits for deliveries
        if "still delivering" in caplog.text:
            raise KeyboardInterrupt
        original(self)

    monkeypatch.setattr(EdgeNode, "_reload", reload)
    with caplog.at_level(logging.INFO):
        assert main(["edge", "run", "-c", str(config)]) == 130
    before, _, _ = caplog.text.partition("still delivering")
    assert f"video file {damaged} is damaged or truncated: decoding stopped after" in before


def test_damaged_video_under_once_tells_both_problems(
    config: Path,
    damaged: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        code, err = run(config, capsys, "--once", "--wait", "0")
    assert code == 2
    assert f"video file {damaged} is damaged or truncated: decoding stopped after" in caplog.text
    assert err.startswith("streetwatch: ") and "event(s) wait in the outbox" in err


def test_the_node_refuses_a_push_naming_a_class_outside_its_taxonomy(config: Path) -> None:
    node = EdgeNode(config, RunOptions(once=True))
    try:
        push = ConfigPush(
            device_id="edge-test-1",
            version=1,
            issued_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
            issued_by="admin",
            overlay=TunableOverlay(classes={"parking": ClassOverlay(min_score=0.3)}),
        )
        assert not node.control.offer_push(push)
        assert node.control.refused_pushes == 1 and node.control.version == 0
    finally:
        node.outbox.close()


def test_an_outbox_budget_beyond_the_free_disk_is_warned(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = tmp_path / "outbox.sqlite3"
    outbox.write_bytes(b"x" * 1024)
    free = shutil.disk_usage(tmp_path).free
    with caplog.at_level(logging.WARNING):
        assert not edge.runner.warn_if_disk_is_short(outbox, 1024)
        assert edge.runner.warn_if_disk_is_short(outbox, free + 10 * 2**30)
    assert "lower outbox.max_bytes" in caplog.text
