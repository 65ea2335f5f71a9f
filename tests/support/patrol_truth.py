"""Measures the moving camera's ground projection on a generated ride, from the truth.

The truth's *true* boxes of violation objects (labelled, visible, not cut by the frame's
bottom edge) are projected with :class:`edge.patrol.geotag.MovingGeotagger`, from the bike's
position interpolated in the ride's GPX track (no detector involved), and compared with the
objects' true positions. This measures the geometry (GPS track + mount + flat ground), not the
detector.

    python -m support.patrol_truth RIDE.truth.json      # prints median and p95 error, metres
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np

from contracts.messages import LocationSource
from edge.config_patrol import CameraMount, GpsLocation, GpsSettings
from edge.frames import Frame
from edge.patrol.geotag import MovingGeotagger
from edge.position.fixes import distance_m
from edge.position.provider import Positioning
from edge.violations import Verdict, Violation
from training.synth.truth import VideoTruth, load_video_truth, ride_mount


@dataclass(frozen=True)
class ProjectionError:
    """Errors of every projected true box, metres."""

    errors: tuple[float, ...]
    ranges: tuple[float, ...]
    unplaced: int

    def within(self, range_m: float) -> ProjectionError:
        """Return the errors of the points at most ``range_m`` from the camera."""
        pairs = [(e, r) for e, r in zip(self.errors, self.ranges, strict=True) if r <= range_m]
        return ProjectionError(tuple(e for e, _ in pairs), tuple(r for _, r in pairs), 0)

    @property
    def median(self) -> float:
        """Median error."""
        return statistics.median(self.errors)

    @property
    def p95(self) -> float:
        """95th percentile error."""
        return float(np.percentile(self.errors, 95))


def mount_of(truth: VideoTruth, max_range_m: float = 40.0) -> CameraMount:
    """Return the mount a patrol config would give for the generated camera (as if
    calibrated: :func:`training.synth.truth.ride_mount`)."""
    mount = ride_mount(truth)
    return CameraMount(**mount.model_dump(), max_range_m=max_range_m)


def location_of(truth_path: Path, truth: VideoTruth, max_range_m: float = 40.0) -> GpsLocation:
    """Return the ``location`` section of a patrol config riding ``truth``'s GPX track."""
    assert truth.gpx_file is not None
    return GpsLocation(
        mode="gps",
        gps=GpsSettings(
            kind="gpx", path=truth_path.parent / truth.gpx_file, default_accuracy_m=3.0
        ),
        max_fix_age_s=3.0,
        max_gap_s=3.0,
        camera=mount_of(truth, max_range_m),
    )


def measure(truth_path: Path, min_visible: float = 0.5) -> ProjectionError:
    """Project every usable true box of ``truth_path``'s ride; return the errors."""
    truth = load_video_truth(truth_path)
    location = location_of(truth_path, truth)
    tagger = MovingGeotagger(Positioning(location), location.camera, 3.0)
    objects = {o.object_id: o for o in truth.objects if o.is_violation}
    image = np.zeros((truth.height, truth.width, 3), np.uint8)
    errors: list[float] = []
    ranges: list[float] = []
    unplaced = 0
    for frame_truth in truth.frames:
        at = truth.start_utc + timedelta(milliseconds=frame_truth.timestamp_ms)
        frame = Frame(image, at, frame_truth.index, "front")
        for box in frame_truth.boxes:
            target = objects.get(box.object_id)
            cut = box.xyxy[3] >= truth.height - 1
            if target is None or not box.labelled or box.visible_fraction < min_visible or cut:
                continue
            seen = tagger.tag(
                _violation(frame, box.xyxy, target.class_name or "garbage", box.object_id)
            )
            place = seen.location
            if place is None or place.source is not LocationSource.ESTIMATED:
                unplaced += 1
                continue
            assert place.lat is not None and place.lon is not None
            errors.append(distance_m(target.lat, target.lon, place.lat, place.lon))
            observer = seen.observer
            assert observer is not None and observer.lat is not None and observer.lon is not None
            ranges.append(distance_m(observer.lat, observer.lon, place.lat, place.lon))
    return ProjectionError(tuple(errors), tuple(ranges), unplaced)


def _violation(
    frame: Frame, box: tuple[float, float, float, float], label: str, track_id: int
) -> Violation:
    x1, _, x2, y2 = box
    return Violation(
        frame=frame,
        track_id=track_id,
        class_id=0,
        label=label,
        box=box,
        score=0.9,
        confidence=0.9,
        threshold=0.5,
        verdict=Verdict.CONFIRMED,
        zone=None,
        zones=(),
        anchor=((x1 + x2) / 2 / frame.width, y2 / frame.height),
        first_seen=frame.timestamp,
    )


if __name__ == "__main__":
    result = measure(Path(sys.argv[1]))
    for name, part in (("all", result), ("<=20 m", result.within(20.0))):
        print(
            f"{name}: boxes {len(part.errors)} median {part.median:.2f} m p95 {part.p95:.2f} m"
            f" (beyond range or above the horizon: {result.unplaced})"
        )
