"""Write a synthetic clip: an MP4, its per-frame ground truth (JSON) and, when moving, a GPX track.

Files, for ``stem = synth_{kind}_{seed}``::

    OUT/{stem}.mp4          mp4v, constant frame rate
    OUT/{stem}.truth.json   :class:`~training.synth.truth.VideoTruth`
    OUT/{stem}.gpx          GPX 1.1 camera track (moving clips), one point per frame or second

Frame ``i`` is shown at ``round(i · 1000 / fps)`` ms after ``start_utc``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from training.synth.clips import Clip, make_fixed_clip, make_moving_clip
from training.synth.geo import GeoOrigin
from training.synth.gpx import TrackPoint, write_gpx
from training.synth.labels import LabelRule, box_truths, intrinsics_truth, pose_truth
from training.synth.lod import ModelCache
from training.synth.render import render_view
from training.synth.scene import Placed
from training.synth.taxonomy import Kind, class_id, class_name, is_violation
from training.synth.truth import (
    CameraTruth,
    FrameTruth,
    GeoPoint,
    ObjectTruth,
    VideoTruth,
    write_json,
)

DEFAULT_START = datetime(2024, 6, 1, 8, 0, 0, tzinfo=timezone.utc)
"""Default wall-clock time of the first frame."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ClipSpec:
    """What clip to write.

    Attributes:
        out: output folder.
        seed: clip seed.
        kind: ``fixed`` (pole camera) or ``moving`` (patrol e-bike).
        seconds: duration.
        fps: frames per second.
        width: frame width.
        height: frame height.
        passes: passes along the street (moving clips).
        origin: WGS-84 point of the local frame's origin.
        start_utc: time of the first frame.
        gpx_every: ``frame`` or ``second`` — GPX point spacing.
        rule: which boxes count as labelled.
    """

    out: Path
    seed: int
    kind: Literal["fixed", "moving"] = "fixed"
    seconds: float = 10.0
    fps: float = 10.0
    width: int = 640
    height: int = 360
    passes: int = 2
    origin: GeoOrigin = field(default_factory=GeoOrigin)
    start_utc: datetime = DEFAULT_START
    gpx_every: Literal["frame", "second"] = "frame"
    rule: LabelRule = field(default_factory=LabelRule)

    @property
    def stem(self) -> str:
        """Common file stem."""
        return f"synth_{self.kind}_{self.seed}"

    @property
    def frame_count(self) -> int:
        """Number of frames."""
        return max(1, math.floor(self.seconds * self.fps + 1e-9))


@dataclass(frozen=True)
class ClipFiles:
    """Paths written for one clip."""

    video: Path
    truth: Path
    gpx: Path | None


def make_clip(spec: ClipSpec) -> Clip:
    """The clip definition for ``spec``."""
    if spec.kind == "fixed":
        return make_fixed_clip(spec.seed, spec.seconds, spec.width, spec.height)
    return make_moving_clip(spec.seed, spec.seconds, spec.width, spec.height, spec.passes)


def write_clip(spec: ClipSpec, progress: Progress | None = None) -> ClipFiles:
    """Render every frame and write the video, truth and track.

    Raises:
        OSError: the video file cannot be opened for writing.
    """
    if spec.fps <= 0 or spec.seconds <= 0:
        raise ValueError("fps and seconds must be positive")
    clip = make_clip(spec)
    spec.out.mkdir(parents=True, exist_ok=True)
    video = spec.out / f"{spec.stem}.mp4"
    writer = cv2.VideoWriter(
        str(video), cv2.VideoWriter.fourcc(*"mp4v"), spec.fps, (spec.width, spec.height)
    )
    if not writer.isOpened():
        raise OSError(f"cannot open {video} for writing (mp4v)")
    cache = ModelCache()
    frames: list[FrameTruth] = []
    track: list[TrackPoint] = []
    try:
        for i in range(spec.frame_count):
            frame, image = _frame(spec, clip, cache, i)
            writer.write(image)
            frames.append(frame)
            if spec.gpx_every == "frame" or i == 0 or _second_boundary(spec.fps, i):
                track.append(TrackPoint(frame.pose.lat, frame.pose.lon, 4.0, frame.timestamp_ms))
            if progress is not None:
                progress(i + 1, spec.frame_count)
    finally:
        writer.release()
    gpx = None
    if clip.kind == "moving":
        gpx = spec.out / f"{spec.stem}.gpx"
        write_gpx(track, spec.start_utc, spec.stem, gpx)
    truth_path = spec.out / f"{spec.stem}.truth.json"
    write_json(_video_truth(spec, clip, frames, video, gpx), truth_path)
    return ClipFiles(video, truth_path, gpx)


def _second_boundary(fps: float, i: int) -> bool:
    return math.floor(i / fps) != math.floor((i - 1) / fps)


def timestamp_ms(fps: float, index: int) -> int:
    """Milliseconds from the clip start to frame ``index``."""
    return round(index * 1000.0 / fps)


def _frame(
    spec: ClipSpec, clip: Clip, cache: ModelCache, index: int
) -> tuple[FrameTruth, NDArray[np.uint8]]:
    ms = timestamp_ms(spec.fps, index)
    camera = clip.trajectory.at(ms / 1000.0)
    view = render_view(
        clip.scene,
        camera,
        clip.look,
        ms / 1000.0,
        cache=cache,
        noise_seed=(spec.seed * 1_000_003 + index) & 0x7FFFFFFF,
    )
    frame = FrameTruth(
        index=index,
        timestamp_ms=ms,
        pose=pose_truth(camera, spec.origin),
        boxes=box_truths(view.seen, spec.rule),
    )
    return frame, view.image


def _object_truth(obj: Placed, clip: Clip, origin: GeoOrigin) -> ObjectTruth:
    assert isinstance(obj.kind, Kind)
    street = clip.scene.street
    p = obj.anchor(street, obj.appear_s)
    lat, lon = origin.to_latlon(float(p[0]), float(p[1]))
    es, et = street.axes()
    v = es * obj.speed_s + et * obj.speed_t
    return ObjectTruth(
        object_id=obj.object_id,
        kind=obj.kind.value,
        class_id=class_id(obj.kind),
        class_name=class_name(obj.kind),
        is_violation=is_violation(obj.kind),
        lat=round(lat, 9),
        lon=round(lon, 9),
        east_m=round(float(p[0]), 4),
        north_m=round(float(p[1]), 4),
        heading_deg=round(obj.heading_deg % 360.0, 3),
        appear_ms=round(obj.appear_s * 1000),
        disappear_ms=None if obj.disappear_s is None else round(obj.disappear_s * 1000),
        speed_east_mps=round(float(v[0]), 4),
        speed_north_mps=round(float(v[1]), 4),
    )


def _video_truth(
    spec: ClipSpec, clip: Clip, frames: list[FrameTruth], video: Path, gpx: Path | None
) -> VideoTruth:
    first = clip.trajectory.at(0.0)
    camera = CameraTruth(
        family=clip.rig.family,
        intrinsics=intrinsics_truth(first),
        fixed_pose=pose_truth(first, spec.origin) if clip.kind == "fixed" else None,
    )
    return VideoTruth(
        seed=spec.seed,
        kind=spec.kind,
        fps=spec.fps,
        frame_count=len(frames),
        width=spec.width,
        height=spec.height,
        duration_ms=timestamp_ms(spec.fps, len(frames)),
        start_utc=spec.start_utc,
        origin=GeoPoint(lat=spec.origin.lat, lon=spec.origin.lon),
        street_bearing_deg=round(clip.scene.street.bearing_deg, 4),
        passes=clip.passes,
        min_visible=spec.rule.min_visible,
        video_file=video.name,
        gpx_file=None if gpx is None else gpx.name,
        camera=camera,
        objects=tuple(_object_truth(o, clip, spec.origin) for o in clip.scene.tracked()),
        frames=tuple(frames),
    )
