"""Building blocks for edge-node tests: a config file, a constant-output ONNX detector, a
video file and hand-made frames, violations and detections.

The detector is a real ONNX file run by the real ONNX Runtime (``constant_head_model``) whose
end-to-end head always reports the same boxes, so a test knows exactly what the rules see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from edge.detections import Detections
from edge.frames import Frame
from edge.violations import Verdict, Violation
from streetwatch.demo.scenario import TAXONOMY_BLOCK
from support.onnx_models import constant_head_model

FRAME_W, FRAME_H = 320, 180
"""Size of the test videos; the constant model's input is the same size (no scaling)."""

T0 = datetime(2024, 5, 20, 0, 0, tzinfo=timezone.utc)
"""Monday 08:00 in Asia/Shanghai."""

TAXONOMY = TAXONOMY_BLOCK


@dataclass(frozen=True)
class Box:
    """One constant detection: pixels of a 320x180 frame, score and class id."""

    x1: float
    y1: float
    x2: float
    y2: float
    score: float
    class_id: int


def constant_model(path: Path, boxes: list[Box]) -> Path:
    """Write a detector that reports ``boxes`` on every frame (end-to-end head)."""
    rows = np.array([[[b.x1, b.y1, b.x2, b.y2, b.score, b.class_id] for b in boxes]], np.float32)
    if not boxes:
        rows = np.zeros((1, 1, 6), np.float32)
    return constant_head_model(path, rows, input_hw=(FRAME_H, FRAME_W))


def noise_video(path: Path, seconds: float = 3.0, fps: float = 10.0) -> Path:
    """Write an MJPG AVI of a static textured street-like picture."""
    rng = np.random.default_rng(7)
    base = rng.integers(0, 255, (FRAME_H, FRAME_W, 3), dtype=np.uint8)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (FRAME_W, FRAME_H))
    for _ in range(round(seconds * fps)):
        writer.write(base)
    writer.release()
    return path


def edge_config(
    tmp: Path,
    *,
    port: int,
    model: Path,
    video: Path,
    device_id: str = "edge-test-1",
    rules: str = "",
    extra: str = "",
) -> Path:
    """Write an edge config for a file source and return its path."""
    text = f"""\
version: 1
kind: edge
device: {{id: {device_id}, name: Test pole}}
mqtt: {{host: 127.0.0.1, port: {port}, keepalive_s: 5}}
source: {{kind: file, path: {video}, start_time: "2024-05-20T08:00:00+08:00"}}
model: {{path: {model}, threads: 1}}
detection: {{rate_hz: 5}}
location: {{mode: static, lat: 31.2, lon: 121.4}}
outbox: {{path: {tmp / "outbox.sqlite3"}}}
heartbeat_s: 1
reload_s: 0.1
delivery: {{ack_timeout_s: 2, backlog_per_s: 50}}
{TAXONOMY}{extra}
rules:
{rules or DEFAULT_RULES}"""
    path = tmp / "edge.yaml"
    path.write_text(text, encoding="utf-8")
    return path


DEFAULT_RULES = """\
  classes:
    street_vending: {min_score: 0.3, confirm_score: 0.5, dwell_s: 1}
    garbage: {min_score: 0.3, confirm_score: 0.5, dwell_s: 1}
    illegal_signage: {min_score: 0.3, confirm_score: 0.5}
"""


def frame(at: datetime = T0, index: int = 0, image: Any = None) -> Frame:
    """Return a grey 320x180 frame at ``at``."""
    pixels = image if image is not None else np.full((FRAME_H, FRAME_W, 3), 90, np.uint8)
    return Frame(pixels, at, index, "cam0")


def detections(*rows: tuple[float, float, float, float, float, int, int]) -> Detections:
    """Return detections from (x1, y1, x2, y2, score, class id, track id) rows."""
    array = np.array(rows, np.float64).reshape(-1, 7)
    return Detections(
        array[:, :4].astype(np.float32),
        array[:, 4].astype(np.float32),
        array[:, 5].astype(np.int64),
        array[:, 6].astype(np.int64),
    )


def violation(
    at: datetime = T0,
    *,
    track_id: int = 1,
    box: tuple[float, float, float, float] = (100.0, 80.0, 160.0, 140.0),
    label: str = "garbage",
    score: float = 0.8,
    verdict: Verdict = Verdict.CONFIRMED,
    first_seen: datetime | None = None,
    pixels: Any = None,
) -> Violation:
    """Return a geotagged violation (camera position) in a grey frame at ``at``."""
    from contracts.messages import FixMode, Location, LocationSource

    return Violation(
        frame=frame(at, image=pixels),
        track_id=track_id,
        class_id=1,
        label=label,
        box=box,
        score=score,
        confidence=score,
        threshold=0.5,
        verdict=verdict,
        zone=None,
        zones=(),
        anchor=((box[0] + box[2]) / 2 / FRAME_W, box[3] / FRAME_H),
        first_seen=first_seen or at,
        location=Location(lat=31.2, lon=121.4, fix=FixMode.STATIC, source=LocationSource.STATIC),
    )


def seconds(value: float) -> timedelta:
    """Return a timedelta of ``value`` seconds."""
    return timedelta(seconds=value)


def store_event(outbox: Any, device_id: str, at: datetime = T0) -> Any:
    """Store one ``new`` garbage event (with evidence) of ``device_id`` in ``outbox``."""
    from contracts.messages import EvidenceKind, ModelIdentity, ViolationEvent
    from edge.config import EvidenceSettings, TaxonomyEntry
    from edge.config_sections import EventSettings
    from edge.events.factory import EventFactory
    from edge.events.lifecycle import Deduper
    from edge.evidence import EvidenceMaker
    from edge.outbox import NewEvent

    seen = violation(at)
    step = Deduper(EventSettings()).update(at, (seen,))
    files = EvidenceMaker(EvidenceSettings(), device_id).make(seen)
    taxonomy = {"garbage": TaxonomyEntry(code="0102", name_zh="暴露垃圾")}
    factory = EventFactory(
        device_id, taxonomy, ModelIdentity(name="m", version="1", sha256="0" * 64)
    )

    def make(event_id: str, seq: int, dropped: tuple[EvidenceKind, ...]) -> ViolationEvent:
        return factory.build(
            step.decisions[0],
            files,
            event_id=event_id,
            seq=seq,
            created_at=at,
            config_version=0,
            dropped=dropped,
        )

    return outbox.write((NewEvent(make, files),), step.remember)[0]
