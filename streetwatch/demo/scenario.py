"""The demo's world: two generated clips, their truth, and the configs of every process.

The clips are rendered once into the data folder (the generator is deterministic) and reused
on later runs. The fixed camera gets a ground calibration worked out from the generator's
camera, as an installer would survey it, so each violation gets its own position.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from streetwatch.demo.expect import Expectation, fixed_expectation, patrol_expectation
from streetwatch.yamlconf import read_document
from training.synth.camera import Camera, Intrinsics, Pose
from training.synth.geo import GeoOrigin
from training.synth.truth import VideoTruth, load_video_truth, ride_mount
from training.synth.video import ClipSpec, write_clip

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "streetwatch-v1-288x480.int8.onnx"
"""The demo's and end-to-end scenarios' detector: the shipped weights at 288 × 480 (int8), the
size where the 640 × 360 clips' small, distant objects are found best (models/README.md)."""
TAXONOMY = ROOT / "models" / "taxonomy.yaml"
GRIDS = ROOT / "configs" / "grids.geojson"
EXAMPLE_SERVER = ROOT / "configs" / "server.yaml"
"""The dispatch rules come from the example server config."""

CLASSES = ("street_vending", "garbage", "illegal_signage")
THRESHOLDS = {
    "street_vending": (0.26, 0.37),
    "garbage": (0.18, 0.25),
    "illegal_signage": (0.1, 0.15),
}
"""Per class ``(min_score, confirm_score)`` for :data:`MODEL`: its best-F1 confidences on the
synthetic clips' validation split, signage raised to 0.15 (models/README.md, *Thresholds*)."""
TRACK_START = 0.1
"""``tracking.high_score``: at most the lowest ``min_score``."""
FIXED_ID, BIKE_ID = "pole-demo-01", "bike-demo-07"
FIXED_DWELL_S, FIXED_MIN_AREA = 3.0, 0.0008
BIKE_MIN_FRAMES, BIKE_RADIUS_M = 3, 5.0
CASE_RADIUS_M = 4.0
"""Sightings of one class closer than this make one case (small: the clips are dense)."""
FIXED_ACCURACY_M, BIKE_ACCURACY_M = 6.0, 8.0
"""How far a case may lie from the object it reports."""

FIXED_ORIGIN = GeoOrigin(31.19300, 121.43700)  # 徐汇 漕溪北路 (grid XH-CX-01)
BIKE_ORIGIN = GeoOrigin()  # 黄浦 南京东路 (grid HP-NJ-01)
START = datetime(2026, 5, 20, 0, 30, tzinfo=timezone.utc)  # 08:30 in Shanghai

TAXONOMY_BLOCK = """\
taxonomy:
  street_vending: {code: "0501", name_zh: 占道经营}
  garbage: {code: "0102", name_zh: 暴露垃圾}
  illegal_signage: {code: "0203", name_zh: 违规户外广告}
"""


@dataclass(frozen=True)
class Clip:
    """One generated clip, its truth and what it must raise."""

    device_id: str
    kind: str
    video: Path
    truth_path: Path
    gpx: Path | None
    truth: VideoTruth
    expectation: Expectation
    accuracy_m: float


@dataclass(frozen=True)
class Plan:
    """Every file the demo's processes use."""

    data: Path
    port: int
    http_port: int
    fixed: Clip
    bike: Clip
    server_config: Path
    edge_configs: tuple[Path, Path]

    @property
    def clips(self) -> tuple[Clip, Clip]:
        """Both clips."""
        return (self.fixed, self.bike)


def _spec(data: Path, kind: str) -> ClipSpec:
    clips = data / "clips"
    if kind == "fixed":
        return ClipSpec(
            out=clips, seed=1, kind="fixed", seconds=20, fps=10, width=960, height=540,
            origin=FIXED_ORIGIN, start_utc=START,
        )  # fmt: skip
    return ClipSpec(
        out=clips, seed=8, kind="moving", seconds=40, fps=10, width=960, height=540, passes=2,
        origin=BIKE_ORIGIN, start_utc=START, gpx_every="second",
    )  # fmt: skip


def render(data: Path, kind: str) -> tuple[Path, Path, Path | None]:
    """Render the clip of ``kind`` unless it is already there; return video, truth, track."""
    spec = _spec(data, kind)
    video = spec.out / f"{spec.stem}.mp4"
    truth = spec.out / f"{spec.stem}.truth.json"
    gpx = spec.out / f"{spec.stem}.gpx" if kind == "moving" else None
    if not (video.is_file() and truth.is_file() and (gpx is None or gpx.is_file())):
        files = write_clip(spec)
        return files.video, files.truth, files.gpx
    return video, truth, gpx


def load_clip(kind: str, video: Path, truth_path: Path, gpx: Path | None) -> Clip:
    """The clip with its expectation under the demo's rules."""
    truth = load_video_truth(truth_path)
    if kind == "fixed":
        expectation = fixed_expectation(truth, CLASSES, FIXED_DWELL_S, FIXED_MIN_AREA)
        return Clip(FIXED_ID, kind, video, truth_path, gpx, truth, expectation, FIXED_ACCURACY_M)
    expectation = patrol_expectation(truth, CLASSES, BIKE_MIN_FRAMES, BIKE_RADIUS_M)
    return Clip(BIKE_ID, kind, video, truth_path, gpx, truth, expectation, BIKE_ACCURACY_M)


def calibration(truth: VideoTruth) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Pixel (0..1) to (lat, lon) pairs of ground points the fixed camera sees."""
    pose = truth.camera.fixed_pose
    if pose is None:
        raise ValueError("the clip has no fixed camera pose")
    k = truth.camera.intrinsics
    camera = Camera(
        Intrinsics(k.width, k.height, k.fx, k.fy, k.cx, k.cy),
        Pose(pose.east_m, pose.north_m, pose.height_m, pose.heading_deg, pose.pitch_deg),
    )
    origin = GeoOrigin(truth.origin.lat, truth.origin.lon)
    horizon = max(0.0, camera.horizon_row() / k.height)
    inverse = np.linalg.inv(camera.intrinsics.matrix() @ camera.pose.rotation())
    pairs = []
    for v in np.linspace(max(0.05, horizon + 0.1), 0.95, 3):
        for u in (0.1, 0.5, 0.9):
            ray = inverse @ np.array([u * k.width, v * k.height, 1.0])
            if ray[2] >= -1e-6:
                continue  # at or above the horizon: never meets the ground
            east, north, _ = camera.pose.position - ray * (pose.height_m / ray[2])
            lat, lon = origin.to_latlon(float(east), float(north))
            pairs.append(((round(u, 4), round(float(v), 4)), (lat, lon)))
    if len(pairs) < 4:
        raise ValueError("the fixed camera sees fewer than four calibration points")
    return pairs


def classes_block(extra: str = "", indent: int = 4) -> str:
    """The ``rules.classes`` entries of the shipped model's thresholds (plus ``extra`` gates)."""
    pad = " " * indent
    return "\n".join(
        f"{pad}{name}: {{min_score: {low}, confirm_score: {high}{extra}}}"
        for name, (low, high) in THRESHOLDS.items()
    )


def _edge_config(
    clip: Clip, data: Path, port: int, model: Path, *, head: dict[str, str], location: str
) -> str:
    """An edge config: ``head`` names the device and source, ``location`` is its YAML."""
    start = clip.truth.start_utc.isoformat()
    return f"""\
# {head["comment"]} (written by streetwatch demo).
version: 1
kind: edge
device: {{id: {clip.device_id}, name: {head["name"]}}}
mqtt: {{host: 127.0.0.1, port: {port}}}
source: {{kind: file, name: {head["source"]}, path: {clip.video}, start_time: "{start}"}}
model: {{path: {model}, threads: 1}}
detection: {{rate_hz: {head["rate_hz"]}}}
{location}
outbox: {{path: {data / "edge" / clip.device_id / "outbox.sqlite3"}}}
heartbeat_s: 1
tracking: {{high_score: {TRACK_START}, low_score: {TRACK_START / 2}}}
events: {{samples: {{fraction: 0}}}}
{TAXONOMY_BLOCK}
rules:
  classes:
{classes_block(head["gates"])}
"""


def fixed_config(clip: Clip, data: Path, port: int, model: Path) -> str:
    """The pole camera's edge config, with a ground calibration worked out from the truth."""
    pose = clip.truth.camera.fixed_pose
    assert pose is not None  # checked by calibration()
    points = "\n".join(
        f"    - {{pixel: [{u}, {v}], lat: {lat:.7f}, lon: {lon:.7f}}}"
        for (u, v), (lat, lon) in calibration(clip.truth)
    )
    location = f"""\
location:
  mode: static
  lat: {pose.lat:.7f}
  lon: {pose.lon:.7f}
  calibration:
{points}"""
    head = {
        "comment": "Demo pole camera",
        "name": "演示 漕溪北路 1 号杆 (demo pole 1)",
        "source": "cam0",
        "rate_hz": "5",
        "gates": f", min_area: {FIXED_MIN_AREA}, dwell_s: {FIXED_DWELL_S}",
    }
    return _edge_config(clip, data, port, model, head=head, location=location)


def bike_config(clip: Clip, data: Path, port: int, model: Path) -> str:
    """The patrol bike's edge config (GPS from the ride's GPX track)."""
    m = ride_mount(clip.truth)
    location = f"""\
location:
  mode: gps
  gps: {{kind: gpx, path: {clip.gpx}, default_accuracy_m: 3}}
  max_fix_age_s: 3
  camera: {{yaw_deg: {m.yaw_deg}, pitch_deg: {m.pitch_deg}, height_m: {m.height_m},
    hfov_deg: {m.hfov_deg}}}
  patrol: {{default_radius_m: {BIKE_RADIUS_M}, min_passes: 2, pass_gap_s: 4, window_s: 3600}}"""
    head = {
        "comment": "Demo patrol e-bike",
        "name": "演示 7 号智巡车 (demo patrol bike 7)",
        "source": "front",
        "rate_hz": f"{clip.truth.fps:g}",
        "gates": "",
    }
    return _edge_config(clip, data, port, model, head=head, location=location)


def server_config(data: Path, port: int, http_port: int) -> str:
    """The case-creator's config: SQLite in the data folder, small case radius."""
    radius = json.dumps({"radius_m": CASE_RADIUS_M, "window_h": 24})
    dispatch = json.dumps(read_document(EXAMPLE_SERVER).data["dispatch"], ensure_ascii=False)
    return f"""\
# Demo case-creator (written by streetwatch demo).
version: 1
kind: server
mqtt: {{host: 127.0.0.1, port: {port}}}
database: {{url: "sqlite:///{data / "streetwatch.db"}"}}
http: {{host: 127.0.0.1, port: {http_port}}}
evidence: {{dir: {data / "evidence"}}}
data_dir: {data}
cases:
  default: {radius}
taxonomy: {TAXONOMY}
grids: {GRIDS}
dispatch: {dispatch}
"""


def prepare(data: Path, port: int, http_port: int, model: Path = MODEL) -> Plan:
    """Render the clips (once) and write every config into ``data``."""
    data = data.resolve()
    fixed = load_clip("fixed", *render(data, "fixed"))
    bike = load_clip("moving", *render(data, "moving"))
    configs = data / "configs"
    configs.mkdir(parents=True, exist_ok=True)
    files = {
        "server.yaml": server_config(data, port, http_port),
        "edge-fixed.yaml": fixed_config(fixed, data, port, model.resolve()),
        "edge-bike.yaml": bike_config(bike, data, port, model.resolve()),
    }
    for name, text in files.items():
        (configs / name).write_text(text, encoding="utf-8")
    return Plan(
        data=data,
        port=port,
        http_port=http_port,
        fixed=fixed,
        bike=bike,
        server_config=configs / "server.yaml",
        edge_configs=(configs / "edge-fixed.yaml", configs / "edge-bike.yaml"),
    )
