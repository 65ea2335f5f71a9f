"""End to end on a generated patrol ride (moving camera clip + GPX from the generator).

``test_ground_projection_on_a_generated_ride`` measures the geometry only: the truth's *true*
boxes of violations are projected from the bike's GPX position and course and compared with
the objects' true positions (no detector; see :mod:`support.patrol_truth`).

``test_patrol_ride_end_to_end`` runs the shipped model through ``streetwatch edge run`` with
a patrol config and a real Mosquitto. Expected events come from the truth and the patrol
rules, never from a run: a violation of a configured class that is clearly visible (labelled)
in at least ``MIN_FRAMES`` frames on *both* passes must be reported exactly once, within
``ACCURACY_M`` of its true position; one seen on a single pass, and every negative, never;
one visible on both passes but briefly on one is borderline (at most once), as is one closer
than the dedup radius to a better-seen object of its class. It skips while the demo's model
(``streetwatch.demo.scenario.MODEL``) is absent.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from support.ack_receiver import AckReceiver
from support.edge_setup import TAXONOMY
from support.model_gate import judge_detections
from support.mosquitto import MosquittoServer
from support.patrol_truth import measure, mount_of

from contracts import EventType
from edge.position.fixes import distance_m
from streetwatch.cli import main
from streetwatch.demo.expect import patrol_expectation
from streetwatch.demo.scenario import MODEL, TRACK_START, classes_block
from training.synth.truth import VideoTruth, load_video_truth

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CLASSES = ("street_vending", "garbage", "illegal_signage")
MIN_FRAMES, ACCURACY_M, RADIUS_M = 3, 8.0, 8.0


def generate(out: Path, seconds: float, size: str, seed: int) -> Path:
    ride = ["--kind", "moving", "--passes", "2", "--gpx-every", "second", "--seed", str(seed)]
    assert (
        main(
            ["synth", "video", *ride, "--seconds", str(seconds), "--size", size, "--out", str(out)]
        )
        == 0
    )
    return next(out.glob("*.truth.json"))


def test_ground_projection_on_a_generated_ride(tmp_path: Path) -> None:
    result = measure(generate(tmp_path, 20.0, "320x180", 1))
    print(
        f"[ride geometry] {len(result.errors)} true boxes: median {result.median:.2f} m, "
        f"p95 {result.p95:.2f} m, unplaced {result.unplaced}"
    )
    assert len(result.errors) >= 30
    assert result.median <= 3.0 and result.p95 <= 10.0


def patrol_config(tmp: Path, truth_path: Path, truth: VideoTruth, port: int) -> Path:
    mount = mount_of(truth)
    video = truth_path.parent / truth.video_file
    gpx = truth_path.parent / (truth.gpx_file or "")
    classes = classes_block()
    text = f"""\
version: 1
kind: edge
device: {{id: bike-e2e-ride, name: e2e bike}}
mqtt: {{host: 127.0.0.1, port: {port}}}
source: {{kind: file, path: {video}, start_time: "{truth.start_utc.isoformat()}"}}
model: {{path: {MODEL}, threads: 2}}
detection: {{rate_hz: {truth.fps:g}}}
location:
  mode: gps
  gps: {{kind: gpx, path: {gpx}, default_accuracy_m: 3}}
  max_fix_age_s: 3
  camera: {{yaw_deg: {mount.yaw_deg}, pitch_deg: {mount.pitch_deg}, height_m: {mount.height_m}, \
    hfov_deg: {mount.hfov_deg}}}
  patrol: {{default_radius_m: {RADIUS_M}, min_passes: 2, pass_gap_s: 4, window_s: 3600}}
outbox: {{path: {tmp / "outbox.sqlite3"}}}
tracking: {{high_score: {TRACK_START}, low_score: {TRACK_START / 2}}}
events: {{samples: {{fraction: 0}}}}
{TAXONOMY}
rules:
  classes:
{classes}
"""
    path = tmp / "edge.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_patrol_ride_end_to_end(tmp_path: Path, mosquitto: MosquittoServer) -> None:
    if not MODEL.is_file():
        pytest.skip(f"{MODEL} is absent: this checkout has no shipped detector")
    truth_path = generate(tmp_path / "ride", 30.0, "640x360", 5)
    truth = load_video_truth(truth_path)
    groups = patrol_expectation(truth, CLASSES, MIN_FRAMES, RADIUS_M)
    expected, borderline = set(groups.expected), set(groups.borderline)
    assert expected, "the ride must contain violations seen on both passes"
    config = patrol_config(tmp_path, truth_path, truth, mosquitto.port)
    with AckReceiver(mosquitto) as receiver:
        assert main(["edge", "run", "-c", str(config), "--once", "--wait", "30"]) == 0
    assert receiver.problems == []
    found: dict[int, set[str]] = {}
    errors: list[float] = []
    differences = []
    for event in (e for e in receiver.events if e.type is EventType.NEW):
        place = event.location
        assert place.lat is not None and place.lon is not None, f"{event.event_id} has no place"
        near = [
            (distance_m(o.lat, o.lon, place.lat, place.lon), o.object_id)
            for o in truth.objects
            if o.class_name == event.label
        ]
        far, obj = min(near, default=(math.inf, -1))
        if far > ACCURACY_M:
            differences.append(f"{event.label} event {far:.1f} m from the nearest true object")
            continue
        found.setdefault(obj, set()).add(event.violation_id)
        errors.append(far)
    print(f"[ride e2e] expected {sorted(expected)} borderline {sorted(borderline)} found {found}")
    print(f"[ride e2e] position error of placed events (m): {sorted(round(e, 1) for e in errors)}")
    # The system's guarantee: one violation per object across passes and track losses.
    assert all(len(ids) == 1 for ids in found.values()), f"raised twice: {found}"
    # The detector's accuracy.
    differences += [f"missed object {o}" for o in sorted(expected - set(found))]
    differences += [f"event for object {o}" for o in sorted(set(found) - expected - borderline)]
    judge_detections(differences)
