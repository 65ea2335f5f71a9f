"""Ground truth written next to synthetic images and clips (pydantic, frozen, JSON).

A clip's truth (:class:`VideoTruth`) knows every object with its stable id, kind, class, true
WGS-84 position and the time it appears and disappears, and for every frame the camera pose and
the box and visible fraction of each object in view. A still's truth (:class:`ImageTruth`, one
JSON line per image) lists the boxes of every tracked object, labelled or not.
"""

from __future__ import annotations

import itertools
import math
import statistics
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION: Literal[1] = 1
GENERATOR = "streetwatch.training.synth"


class Frozen(BaseModel):
    """Immutable model that rejects unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class GeoPoint(Frozen):
    """A WGS-84 position in degrees."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class IntrinsicsTruth(Frozen):
    """Pinhole intrinsics in pixels (no distortion)."""

    width: int = Field(gt=0)
    height: int = Field(gt=0)
    fx: float
    fy: float
    cx: float
    cy: float
    hfov_deg: float


class PoseTruth(Frozen):
    """Camera pose: WGS-84 and local metres, compass heading, pitch below the horizon."""

    lat: float
    lon: float
    east_m: float
    north_m: float
    height_m: float
    heading_deg: float
    pitch_deg: float


class CameraTruth(Frozen):
    """The camera of a clip or still; ``fixed_pose`` is set for pole cameras and stills."""

    family: Literal["pole", "bike"]
    intrinsics: IntrinsicsTruth
    fixed_pose: PoseTruth | None = None


class ObjectTruth(Frozen):
    """One tracked object over the whole clip."""

    object_id: int = Field(ge=1)
    kind: str = Field(description="Object kind, e.g. 'umbrella_stall' or 'clean_bin'.")
    class_id: int | None = Field(description="Detector class id; null for negatives.")
    class_name: str | None = Field(description="Detector class name; null for negatives.")
    is_violation: bool
    lat: float = Field(description="True ground position when it appears, WGS-84.")
    lon: float
    east_m: float
    north_m: float
    heading_deg: float
    appear_ms: int = Field(ge=0)
    disappear_ms: int | None = Field(description="When it is gone; null if it stays.")
    speed_east_mps: float = 0.0
    speed_north_mps: float = 0.0


class BoxTruth(Frozen):
    """One object as seen in one frame or image."""

    object_id: int
    kind: str
    class_id: int | None
    xyxy: tuple[float, float, float, float] = Field(description="Pixels, clipped to the frame.")
    visible_fraction: float = Field(ge=0, le=1)
    labelled: bool = Field(description="Whether the YOLO labels contain this box.")


class FrameTruth(Frozen):
    """One video frame."""

    index: int = Field(ge=0)
    timestamp_ms: int = Field(ge=0)
    pose: PoseTruth
    boxes: tuple[BoxTruth, ...]


class VideoTruth(Frozen):
    """Everything a synthetic clip contains."""

    schema_version: Literal[1] = SCHEMA_VERSION
    generator: str = GENERATOR
    seed: int
    kind: Literal["fixed", "moving"]
    fps: float
    frame_count: int
    width: int
    height: int
    duration_ms: int
    start_utc: datetime
    origin: GeoPoint
    street_bearing_deg: float
    passes: int
    min_visible: float
    video_file: str
    gpx_file: str | None
    camera: CameraTruth
    objects: tuple[ObjectTruth, ...]
    frames: tuple[FrameTruth, ...]


class ImageTruth(Frozen):
    """Everything one synthetic still contains."""

    schema_version: Literal[1] = SCHEMA_VERSION
    image: str
    split: str
    seed: int
    index: int
    light: str
    camera: CameraTruth
    boxes: tuple[BoxTruth, ...]


def write_json(model: BaseModel, path: Path) -> None:
    """Write a model as indented JSON."""
    path.write_text(model.model_dump_json() + "\n", encoding="utf-8")


def load_video_truth(path: Path) -> VideoTruth:
    """Read a clip's truth file."""
    return VideoTruth.model_validate_json(path.read_text(encoding="utf-8"))


class MountTruth(Frozen):
    """The bike camera's mount as an installer's calibration finds it (medians over the ride).

    Attributes:
        yaw_deg: optical axis relative to the direction of travel, degrees clockwise.
        pitch_deg: degrees below the horizon.
        height_m: lens height above the road.
        hfov_deg: horizontal field of view.
    """

    yaw_deg: float
    pitch_deg: float
    height_m: float
    hfov_deg: float


def ride_mount(truth: VideoTruth) -> MountTruth:
    """Return the mount of a moving clip's camera, as an installer would calibrate it.

    Yaw is the median of the heading against the direction of travel (frames that moved at
    least 0.2 m); pitch and height are medians (the bike pitches and sways as it rides).
    """
    frames = truth.frames
    yaws = []
    for a, b in itertools.pairwise(frames):
        east, north = b.pose.east_m - a.pose.east_m, b.pose.north_m - a.pose.north_m
        if math.hypot(east, north) >= 0.2:
            travel = math.degrees(math.atan2(east, north))
            yaws.append((b.pose.heading_deg - travel + 180.0) % 360.0 - 180.0)
    return MountTruth(
        yaw_deg=round(statistics.median(yaws), 2) if yaws else 0.0,
        pitch_deg=round(statistics.median(f.pose.pitch_deg for f in frames), 2),
        height_m=round(statistics.median(f.pose.height_m for f in frames), 2),
        hfov_deg=round(truth.camera.intrinsics.hfov_deg, 2),
    )
