"""Synthetic clips: the MP4 decodes to as many frames as the truth lists; truth and GPX agree."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cv2
import pytest

from training.synth.geo import GeoOrigin
from training.synth.gpx import GPX_NS
from training.synth.taxonomy import Kind, is_violation
from training.synth.trajectory import TURN_S
from training.synth.truth import VideoTruth, load_video_truth
from training.synth.video import ClipFiles, ClipSpec, write_clip

W, H = 160, 96


def _decoded_frames(path: Path) -> int:
    cap = cv2.VideoCapture(str(path))
    assert cap.isOpened()
    count = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        assert frame.shape == (H, W, 3)
        count += 1
    cap.release()
    return count


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[ClipFiles, VideoTruth]:
    spec = ClipSpec(
        out=tmp_path_factory.mktemp("fixed"),
        seed=5,
        kind="fixed",
        seconds=3.0,
        fps=4.0,
        width=W,
        height=H,
    )
    files = write_clip(spec)
    return files, load_video_truth(files.truth)


@pytest.fixture(scope="module")
def moving(tmp_path_factory: pytest.TempPathFactory) -> tuple[ClipFiles, VideoTruth]:
    spec = ClipSpec(
        out=tmp_path_factory.mktemp("moving"),
        seed=2,
        kind="moving",
        seconds=2 * 9.0 + TURN_S,
        fps=2.0,
        width=W,
        height=H,
        passes=2,
        origin=GeoOrigin(30.5, 114.3),
    )
    files = write_clip(spec)
    return files, load_video_truth(files.truth)


def test_fixed_clip_frame_count_matches_the_video(fixed: tuple[ClipFiles, VideoTruth]) -> None:
    files, truth = fixed
    assert truth.frame_count == len(truth.frames) == 12
    assert _decoded_frames(files.video) == truth.frame_count
    assert files.gpx is None and truth.gpx_file is None
    assert truth.video_file == files.video.name


def test_fixed_clip_truth(fixed: tuple[ClipFiles, VideoTruth]) -> None:
    _, truth = fixed
    assert truth.camera.family == "pole" and truth.camera.fixed_pose is not None
    assert [f.timestamp_ms for f in truth.frames] == [i * 250 for i in range(12)]
    assert all(f.pose == truth.camera.fixed_pose for f in truth.frames)
    origin = GeoOrigin(truth.origin.lat, truth.origin.lon)
    ids = {o.object_id: o for o in truth.objects}
    assert len(ids) == len(truth.objects)
    for obj in truth.objects:
        kind = Kind(obj.kind)
        assert obj.is_violation == is_violation(kind)
        assert (obj.class_id is None) == (not obj.is_violation)
        lat, lon = origin.to_latlon(obj.east_m, obj.north_m)
        assert (obj.lat, obj.lon) == pytest.approx((lat, lon), abs=1e-8)
    for frame in truth.frames:
        for box in frame.boxes:
            obj = ids[box.object_id]
            assert obj.appear_ms <= frame.timestamp_ms
            assert obj.disappear_ms is None or frame.timestamp_ms < obj.disappear_ms
            x0, y0, x1, y1 = box.xyxy
            assert 0 <= x0 < x1 <= W and 0 <= y0 < y1 <= H
            assert not box.labelled or obj.is_violation


def test_fixed_clip_has_violations_that_appear_mid_clip(
    fixed: tuple[ClipFiles, VideoTruth],
) -> None:
    _, truth = fixed
    late = [o for o in truth.objects if o.is_violation and o.appear_ms > 0]
    assert late, "some violations should appear after the start"
    assert any(o.is_violation and o.appear_ms == 0 for o in truth.objects)


def test_moving_clip_frame_count_and_poses(moving: tuple[ClipFiles, VideoTruth]) -> None:
    files, truth = moving
    assert _decoded_frames(files.video) == truth.frame_count == 42
    assert truth.camera.family == "bike" and truth.camera.fixed_pose is None
    headings = [f.pose.heading_deg for f in truth.frames]
    first, last = headings[0], headings[-1]
    assert abs((last - first + 180.0) % 360.0 - 180.0) > 150.0, "second pass rides back"
    assert len({(f.pose.lat, f.pose.lon) for f in truth.frames}) > 20


def test_moving_clip_sees_objects_again_on_the_second_pass(
    moving: tuple[ClipFiles, VideoTruth],
) -> None:
    _, truth = moving
    half = truth.duration_ms / 2
    first = {b.object_id for f in truth.frames if f.timestamp_ms < half for b in f.boxes}
    second = {b.object_id for f in truth.frames if f.timestamp_ms > half for b in f.boxes}
    violations = {o.object_id for o in truth.objects if o.is_violation}
    assert first & second & violations


def test_gpx_parses_with_ordered_times(moving: tuple[ClipFiles, VideoTruth]) -> None:
    files, truth = moving
    assert files.gpx is not None and truth.gpx_file == files.gpx.name
    root = ET.parse(files.gpx).getroot()
    assert root.tag == f"{{{GPX_NS}}}gpx" and root.get("version") == "1.1"
    points = root.findall(f".//{{{GPX_NS}}}trkpt")
    assert len(points) == truth.frame_count
    times = [
        datetime.fromisoformat(p.findtext(f"{{{GPX_NS}}}time", "").replace("Z", "+00:00"))
        for p in points
    ]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert times[0] == truth.start_utc.astimezone(timezone.utc)
    assert times[-1] - times[0] == timedelta(milliseconds=truth.frames[-1].timestamp_ms)
    for p, frame in zip(points, truth.frames, strict=True):
        assert float(p.get("lat", "nan")) == pytest.approx(frame.pose.lat, abs=1e-7)
        assert float(p.get("lon", "nan")) == pytest.approx(frame.pose.lon, abs=1e-7)
    assert abs(float(points[0].get("lat", "0")) - 30.5) < 0.01


def test_gpx_once_per_second(tmp_path: Path) -> None:
    spec = ClipSpec(
        out=tmp_path,
        seed=1,
        kind="moving",
        seconds=2.5,
        fps=4.0,
        width=64,
        height=48,
        passes=1,
        gpx_every="second",
    )
    files = write_clip(spec)
    assert files.gpx is not None
    points = ET.parse(files.gpx).getroot().findall(f".//{{{GPX_NS}}}trkpt")
    assert len(points) == 3


def test_same_seed_gives_the_same_truth(tmp_path: Path) -> None:
    spec = ClipSpec(
        out=tmp_path / "a", seed=9, kind="fixed", seconds=1.0, fps=3.0, width=64, height=48
    )
    a = write_clip(spec)
    b = write_clip(
        ClipSpec(
            out=tmp_path / "b", seed=9, kind="fixed", seconds=1.0, fps=3.0, width=64, height=48
        )
    )
    assert a.truth.read_bytes() == b.truth.read_bytes()


def test_too_short_for_the_passes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="too short"):
        write_clip(
            ClipSpec(
                out=tmp_path,
                seed=1,
                kind="moving",
                seconds=3.0,
                fps=2.0,
                width=64,
                height=48,
                passes=2,
            )
        )
