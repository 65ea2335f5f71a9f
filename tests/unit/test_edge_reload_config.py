"""Hot reload (config file and config push) and the edge config's new sections."""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pydantic import BaseModel
from support.edge_setup import edge_config

import edge.config_sections
from contracts import ClassOverlay, ConfigPush, TunableOverlay, Tunables
from contracts.tuning import ClassThresholds, Zone
from edge.config import load_edge_config
from edge.reload import ConfigFileWatcher, TunablesControl
from streetwatch.yamlconf import ConfigError

FILE_RULES = Tunables(classes={"garbage": ClassThresholds(min_score=0.3, confirm_score=0.5)})


def push(version: int, **garbage: float) -> ConfigPush:
    classes = {"garbage": ClassOverlay(**garbage)} if garbage else None
    return ConfigPush(
        device_id="dev-1",
        version=version,
        issued_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
        issued_by="admin",
        overlay=TunableOverlay(classes=classes),
    )


def test_push_takes_precedence_and_versions_only_go_up() -> None:
    control = TunablesControl(FILE_RULES)
    assert control.version == 0 and control.take_change() is None
    assert control.offer_push(push(3, confirm_score=0.7))
    applied = control.take_change()
    assert applied is not None and applied.classes["garbage"].confirm_score == 0.7
    assert applied.classes["garbage"].min_score == 0.3  # the file's value where not pushed
    assert not control.offer_push(push(3, confirm_score=0.9))  # same version: ignored
    assert not control.offer_push(push(2, confirm_score=0.9))  # older: ignored
    assert control.version == 3 and control.take_change() is None


def test_invalid_push_is_refused_and_the_running_rules_stay(
    caplog: pytest.LogCaptureFixture,
) -> None:
    control = TunablesControl(FILE_RULES)
    with caplog.at_level(logging.ERROR):
        assert not control.offer_push(push(1, confirm_score=0.1))  # below min_score 0.3
    assert control.version == 0 and control.take_change() is None
    assert "config push v1 refused, keeping the running rules" in caplog.text
    assert "confirm_score 0.1 is below min_score 0.3" in caplog.text


def test_empty_push_returns_to_the_file_and_file_changes_stay_under_the_push() -> None:
    control = TunablesControl(FILE_RULES)
    control.offer_push(push(1, confirm_score=0.8))
    control.take_change()
    new_file = Tunables(classes={"garbage": ClassThresholds(min_score=0.2, confirm_score=0.4)})
    assert control.offer_file(new_file)
    mixed = control.take_change()
    assert mixed is not None
    assert (mixed.classes["garbage"].min_score, mixed.classes["garbage"].confirm_score) == (
        0.2,
        0.8,
    )
    assert control.offer_push(push(2))
    assert control.take_change() == new_file and control.version == 2


def test_file_watcher_reloads_valid_rules_and_keeps_the_old_on_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = edge_config(tmp_path, port=1883, model=tmp_path / "m.onnx", video=tmp_path / "v.mp4")
    running = load_edge_config(path)
    watcher = ConfigFileWatcher(path, running, interval_s=0.0)
    assert watcher.poll() is None  # unchanged
    original = path.read_text()

    def rewrite(text: str) -> None:
        path.write_text(text)
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))

    rewrite(
        original.replace(
            "confirm_score: 0.5, dwell_s: 1}\n    garbage",
            "confirm_score: 0.6, dwell_s: 1}\n    garbage",
        )
    )
    changed = watcher.poll()
    assert changed is not None and changed.classes["street_vending"].confirm_score == 0.6
    with caplog.at_level(logging.ERROR):
        rewrite(
            original.replace(
                "min_score: 0.3, confirm_score: 0.5, dwell_s: 1}\n    garbage",
                "min_score: 0.9, confirm_score: 0.5, dwell_s: 1}\n    garbage",
            )
        )
        assert watcher.poll() is None
    assert watcher.invalid == 1
    assert f"config file {path} is invalid, keeping the running config" in caplog.text
    assert "rules.classes.street_vending" in caplog.text
    with caplog.at_level(logging.WARNING):
        rewrite(original.replace("keepalive_s: 5", "keepalive_s: 6"))
        assert watcher.poll() is not None  # back to the original rules
    assert "changes to mqtt take effect after a restart" in caplog.text


def test_push_naming_a_class_outside_the_taxonomy_is_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    control = TunablesControl(FILE_RULES, taxonomy={"garbage"})
    parking = push(1).model_copy(
        update={"overlay": TunableOverlay(classes={"parking": ClassOverlay(min_score=0.4)})}
    )
    with caplog.at_level(logging.ERROR):
        assert not control.offer_push(parking)
    assert control.version == 0 and control.take_change() is None
    assert control.refused_pushes == 1
    assert (
        "config push v1 refused, keeping the running rules: classes.parking: class 'parking' "
        "is not in this node's taxonomy; add it there and restart the node"
    ) in caplog.text
    zone = Zone(name="kerb", polygon=[(0, 0), (1, 0), (1, 1)], classes=["garbage", "parking"])
    zoned = push(2).model_copy(update={"overlay": TunableOverlay(zones=[zone])})
    assert not control.offer_push(zoned)
    assert "zones.0.classes.1: class 'parking'" in caplog.text
    assert control.offer_push(push(3, confirm_score=0.7)) and control.version == 3


def test_file_rules_outside_the_running_taxonomy_or_clashing_with_the_push_are_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    control = TunablesControl(FILE_RULES, taxonomy={"garbage"})
    assert control.offer_push(push(1, confirm_score=0.8))
    control.take_change()
    added = Tunables(classes={**FILE_RULES.classes, "parking": ClassThresholds()})
    clash = Tunables(classes={"garbage": ClassThresholds(min_score=0.9, confirm_score=0.9)})
    outcome: list[bool] = []
    worker = threading.Thread(  # a clash once waited forever on the control's own lock
        target=lambda: outcome.extend([control.offer_file(added), control.offer_file(clash)]),
        daemon=True,
    )
    with caplog.at_level(logging.ERROR):
        worker.start()
        worker.join(5.0)
    assert outcome == [False, False] and control.take_change() is None
    assert "new file rules refused, keeping the running rules: classes.parking" in caplog.text
    assert "new file rules clash with config push v1, keeping the running rules" in caplog.text


def test_file_watcher_names_every_changed_section_that_needs_a_restart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = edge_config(tmp_path, port=1883, model=tmp_path / "m.onnx", video=tmp_path / "v.mp4")
    watcher = ConfigFileWatcher(path, load_edge_config(path), interval_s=0.0)
    text = (
        path.read_text()
        .replace("heartbeat_s: 1\n", "heartbeat_s: 2\ntimezone: Asia/Tokyo\n")
        .replace("delivery: {", "events: {end_after_s: 20}\ndelivery: {")
        .replace('code: "0102"', 'code: "0199"')
        .replace("confirm_score: 0.5, dwell_s: 1}\n    garbage", "confirm_score: 0.6}\n    garbage")
    )
    path.write_text(text)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    with caplog.at_level(logging.WARNING):
        rules = watcher.poll()
    assert rules is not None and rules.classes["street_vending"].confirm_score == 0.6
    assert (
        f"config file {path}: changes to timezone, heartbeat_s, events, taxonomy take effect "
        "after a restart"
    ) in caplog.text


# ---------------------------------------------------------------- config sections


def test_every_new_field_has_title_and_description() -> None:
    models = [
        v
        for v in vars(edge.config_sections).values()
        if isinstance(v, type)
        and issubclass(v, BaseModel)
        and v.__module__ == edge.config_sections.__name__
    ]
    assert len(models) >= 5
    for model in models:
        assert model.model_config.get("extra") == "forbid" and model.model_config.get("frozen")
        for name, field in model.model_fields.items():
            assert field.title and field.description, f"{model.__name__}.{name}"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("events: {end_after_s: 60, cooldown_s: 30}\n", "cooldown_s is below end_after_s"),
        ("tracking: {high_score: 0.2, low_score: 0.3}\n", "low_score is above high_score"),
        ("tracking: {lost_s: 0}\n", "tracking.lost_s"),
        ("evidence: {max_width: 10}\n", "evidence.max_width"),
    ],
)
def test_section_errors(tmp_path: Path, extra: str, expected: str) -> None:
    path = edge_config(
        tmp_path, port=1883, model=tmp_path / "m.onnx", video=tmp_path / "v.mp4", extra=extra
    )
    with pytest.raises(ConfigError) as caught:
        load_edge_config(path)
    assert expected in str(caught.value)


CALIBRATION = """\
    calibration:
      - {pixel: [0.1, 0.5], lat: 31.2003, lon: 121.4}
      - {pixel: [0.9, 0.5], lat: 31.2003, lon: 121.4002}
      - {pixel: [0.9, 0.95], lat: 31.2, lon: 121.4002}
"""


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ("      - {pixel: [0.1, 0.95], lat: 31.2, lon: 121.4}\n", None),
        ("", "at least 4"),
        ("      - {pixel: [0.1, 0.5], lat: 31.2, lon: 121.4}\n", "same image point twice"),
    ],
)
def test_calibration_points(tmp_path: Path, points: str, expected: str | None) -> None:
    path = edge_config(tmp_path, port=1883, model=tmp_path / "m.onnx", video=tmp_path / "v.mp4")
    text = path.read_text().replace(
        "location: {mode: static, lat: 31.2, lon: 121.4}\n",
        "location:\n    mode: static\n    lat: 31.2\n    lon: 121.4\n" + CALIBRATION + points,
    )
    path.write_text(text)
    if expected is None:
        location = load_edge_config(path).location
        assert len(getattr(location, "calibration", [])) == 4
        return
    with pytest.raises(ConfigError, match=expected):
        load_edge_config(path)


@pytest.mark.parametrize(
    "source",
    [
        "{kind: rtsp, uri: 'rtsp://u:p@cam/1', transport: udp}",
        "{kind: http, uri: 'http://cam.local:8080/video.ts'}",
        "{kind: camera, device: '0', reconnect_min_s: 0.5}",
    ],
)
def test_live_sources(tmp_path: Path, source: str) -> None:
    path = edge_config(tmp_path, port=1883, model=tmp_path / "m.onnx", video=tmp_path / "v.mp4")
    lines = [
        f"source: {source}" if line.startswith("source:") else line
        for line in path.read_text().splitlines()
    ]
    path.write_text("\n".join(lines) + "\n")
    assert load_edge_config(path).source.kind in {"rtsp", "http", "camera"}


@pytest.mark.parametrize("name", ["edge-fixed.yaml", "edge-bike.yaml"])
def test_example_configs_load(name: str) -> None:
    config = load_edge_config(Path(__file__).resolve().parents[2] / "configs" / name)
    assert config.events.cooldown_s >= config.events.end_after_s


def test_push_lowering_a_min_score_below_the_track_start_is_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    control = TunablesControl(FILE_RULES, taxonomy={"garbage"}, high_score=0.25)
    with caplog.at_level(logging.ERROR):
        assert not control.offer_push(push(1, min_score=0.2))
    assert control.version == 0 and control.refused_pushes == 1
    assert (
        "config push v1 refused, keeping the running rules: classes.garbage.min_score: class "
        "'garbage' min_score 0.2 is below tracking.high_score 0.25"
    ) in caplog.text
    assert control.offer_push(push(2, min_score=0.25)) and control.version == 2
