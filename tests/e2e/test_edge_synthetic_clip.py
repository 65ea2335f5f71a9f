"""End to end: the shipped model on a generated fixed-camera clip, through a real Mosquitto.

The expected events are worked out here from the generator's ground truth and the scenario's
rules — never copied from a run:

- a violation object of a configured class is **expected** (exactly one ``new`` event) when
  it is clearly visible (the generator labels it for training) for at least the dwell time
  plus a margin for the tracker before the clip ends, its box passes the class's ``min_area``,
  and no permit covers it;
- **forbidden** (no event at all): look-alike negatives (clean bins, shop signs, tricycles,
  pedestrians...), the object covered by the scenario's permit, and violations visible for
  less than the dwell time;
- **borderline**, within a margin of a threshold (dwell, area): at most one ``new`` event.

Every ``new`` event must match a truth object (class and IoU at its last sighting), and every
event's evidence must arrive with the listed hashes.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from support.ack_receiver import AckReceiver
from support.edge_setup import TAXONOMY
from support.messages import example_device_id
from support.model_gate import judge_detections
from support.mosquitto import MosquittoServer

from contracts import EventType, ViolationEvent
from streetwatch.cli import main
from streetwatch.demo.expect import boxes_of, clear_run_s, fixed_expectation
from streetwatch.demo.scenario import MODEL, TRACK_START, classes_block
from training.synth.truth import FrameTruth, ObjectTruth, VideoTruth, load_video_truth

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SECONDS, FPS, SIZE, SEED = 14.0, 10.0, (640, 360), 3
DWELL_S = 3.0
MIN_AREA = 0.0008
CLASSES = ("street_vending", "garbage", "illegal_signage")


def permit_zone(obj: ObjectTruth, truth: VideoTruth) -> list[tuple[float, float]]:
    """A polygon around the object's bottom-centre anchor (normalised)."""
    box = boxes_of(obj, truth)[0].xyxy
    x, y = (box[0] + box[2]) / 2 / truth.width, box[3] / truth.height
    w = max(0.02, (box[2] - box[0]) / truth.width)
    return [
        (max(0.0, x - w), max(0.0, y - 0.05)),
        (min(1.0, x + w), max(0.0, y - 0.05)),
        (min(1.0, x + w), min(1.0, y + 0.05)),
        (max(0.0, x - w), min(1.0, y + 0.05)),
    ]


def choose_permitted(truth: VideoTruth) -> ObjectTruth:
    """A clearly visible street_vending or garbage object whose zone holds no other violation."""
    for obj in truth.objects:
        if obj.class_name in ("street_vending", "garbage") and clear_run_s(obj, truth) > 8:
            return obj
    raise AssertionError("the generated clip has no long-visible object for the permit")


def scenario(tmp: Path, truth: VideoTruth, video: Path, port: int, permitted: ObjectTruth) -> Path:
    zone = ", ".join(f"[{x:.4f}, {y:.4f}]" for x, y in permit_zone(permitted, truth))
    start = truth.start_utc.isoformat()
    classes = classes_block(f", min_area: {MIN_AREA}, dwell_s: {DWELL_S}")
    text = f"""\
version: 1
kind: edge
device: {{id: {example_device_id("e2e")}, name: e2e pole}}
mqtt: {{host: 127.0.0.1, port: {port}}}
source: {{kind: file, path: {video}, start_time: "{start}"}}
model: {{path: {MODEL}, threads: 2}}
detection: {{rate_hz: 5}}
location: {{mode: static, lat: {truth.origin.lat}, lon: {truth.origin.lon}}}
outbox: {{path: {tmp / "outbox.sqlite3"}}}
tracking: {{high_score: {TRACK_START}, low_score: {TRACK_START / 2}}}
events: {{samples: {{fraction: 0}}}}
{TAXONOMY}
rules:
  classes:
{classes}
  zones:
    - name: kiosk
      kind: area
      polygon: [{zone}]
      classes: [{permitted.class_name}]
  permits:
    - name: TEST-1
      classes: [{permitted.class_name}]
      zone: kiosk
      valid_until: 2099-12-31
"""
    path = tmp / "edge.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def _frames_with(object_id: int, truth: VideoTruth) -> list[FrameTruth]:
    return [f for f in truth.frames if any(b.object_id == object_id for b in f.boxes)]


def matched_object(event: ViolationEvent, truth: VideoTruth) -> int | None:
    index = round((event.last_seen - truth.start_utc) / timedelta(seconds=1) * truth.fps)
    frame = truth.frames[min(max(index, 0), len(truth.frames) - 1)]
    box = event.camera.box
    scored = [
        (iou((box.x1, box.y1, box.x2, box.y2), b.xyxy), b.object_id)
        for b in frame.boxes
        if b.class_id is not None and truth.objects[b.object_id - 1].class_name == event.label
    ]
    best = max(scored, default=(0.0, None))
    return best[1] if best[0] >= 0.3 else None


def test_exactly_the_expected_violations(tmp_path: Path, mosquitto: MosquittoServer) -> None:
    if not MODEL.is_file():
        pytest.skip(f"{MODEL} is absent: this checkout has no shipped detector")
    width, height = SIZE
    clip = ["--kind", "fixed", "--seconds", str(SECONDS), "--fps", str(FPS), "--seed", str(SEED)]
    size = ["--size", f"{width}x{height}", "--out", str(tmp_path)]
    assert main(["synth", "video", *clip, *size]) == 0
    video = next(tmp_path.glob("*.mp4"))
    truth = load_video_truth(next(tmp_path.glob("*.truth.json")))
    assert all(o.object_id == n + 1 for n, o in enumerate(truth.objects))
    permitted = choose_permitted(truth)
    groups = fixed_expectation(truth, CLASSES, DWELL_S, MIN_AREA, [permitted.object_id])
    assert groups.expected, "the clip must contain violations to find"
    config = scenario(tmp_path, truth, video, mosquitto.port, permitted)
    with AckReceiver(mosquitto) as receiver:
        assert main(["edge", "run", "-c", str(config), "--once", "--wait", "20"]) == 0
    assert receiver.problems == []
    news = [e for e in receiver.events if e.type is EventType.NEW]
    found: dict[int, list[str]] = {}
    unmatched = []
    for event in news:
        obj = matched_object(event, truth)
        if obj is None:
            unmatched.append(f"{event.label} at {event.camera.box}")
        else:
            found.setdefault(obj, []).append(event.violation_id)
    print(f"[clip e2e] expected {sorted(groups.expected)} found {found} unmatched {unmatched}")
    # The system's guarantees: delivery and evidence (above), the permit, one id per object.
    assert permitted.object_id not in found, "an event for the permitted object"
    assert all(len(ids) == 1 for ids in found.values()), f"duplicates: {found}"
    # None before the dwell time: a new event comes at least dwell_s after the object appeared.
    for event in news:
        obj = matched_object(event, truth)
        if obj is not None:
            appeared = min(f.timestamp_ms for f in _frames_with(obj, truth)) / 1000.0
            raised = (event.last_seen - truth.start_utc).total_seconds()
            assert raised - appeared >= DWELL_S - 1.0 / FPS, f"object {obj} raised before dwell"
    # The detector's accuracy.
    differences = [f"no object under event {u}" for u in unmatched]
    differences += [
        f"event for forbidden object {o}" for o in sorted(set(found) - groups.allowed())
    ]
    differences += [f"missed object {o}" for o in sorted(groups.expected - set(found))]
    judge_detections(differences)
