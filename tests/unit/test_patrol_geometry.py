"""Flat-ground position of an object from the bike's fix, course and box, and how the moving
geotagger marks missing or stale fixes (hand-made boxes; the generator's camera as reference)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from support.edge_setup import T0, violation
from support.gps_fixes import LAT0, LON0, fix, positioning

from contracts.messages import FixMode, LocationSource
from edge.config_patrol import CameraMount
from edge.patrol.geotag import MovingGeotagger
from edge.patrol.ground import GroundProjector
from edge.position.fixes import distance_m
from training.synth.camera import Camera, Intrinsics, Pose


@pytest.mark.parametrize(
    ("heading", "yaw", "pitch", "ground"),
    [
        (0.0, 0.0, 2.0, (1.5, 12.0)),
        (90.0, 0.0, 5.0, (8.0, -2.0)),
        (241.5, 0.0, 1.0, (-20.0, -9.0)),
        (350.0, -30.0, 10.0, (-6.0, 4.0)),
    ],
)
def test_projection_recovers_the_ground_point_the_generator_camera_saw(
    heading: float, yaw: float, pitch: float, ground: tuple[float, float]
) -> None:
    size = (640, 360)
    camera = Camera(Intrinsics.from_hfov(*size, 97.0), Pose(0.0, 0.0, 1.2, heading + yaw, pitch))
    pixels, depth = camera.project(np.array([[ground[0], ground[1], 0.0]]))
    assert depth[0] > 0
    mount = CameraMount(yaw_deg=yaw, pitch_deg=pitch, height_m=1.2, hfov_deg=97.0)
    offset = GroundProjector(mount).offset((pixels[0, 0], pixels[0, 1]), size, heading)
    assert offset is not None
    assert offset == pytest.approx(ground, abs=1e-6)


def test_above_the_horizon_or_beyond_range_has_no_estimate() -> None:
    projector = GroundProjector(CameraMount(pitch_deg=2.0, height_m=1.2, max_range_m=30.0))
    assert projector.offset((320.0, 100.0), (640, 360), 0.0) is None  # above the horizon
    assert projector.offset((320.0, 181.0), (640, 360), 0.0) is None  # ~60 m: beyond range
    near = projector.locate((LAT0, LON0), 0.0, (320.0, 300.0), (640, 360), 3.0)
    assert near is not None and near.range_m < 10.0
    assert 3.0 < near.accuracy_m < 4.0  # GPS 3 m plus the pitch tolerance at short range


MOUNT = CameraMount(pitch_deg=10.0, height_m=1.2, hfov_deg=90.0)


def test_moving_geotagger_projects_from_the_interpolated_fix() -> None:
    tagger = MovingGeotagger(positioning(fix(0, 0.0), fix(2, 10.0)), MOUNT, 5.0)
    # a box whose bottom centre is on the optical axis' row below the centre: straight ahead
    seen = tagger.tag(violation(T0 + timedelta(seconds=1), box=(150.0, 100.0, 170.0, 150.0)))
    assert seen.observer is not None and seen.location is not None
    assert seen.observer.lat is not None and seen.location.lat is not None
    assert distance_m(LAT0, LON0, seen.observer.lat, LON0) == pytest.approx(5.0, abs=0.01)
    assert seen.location.source is LocationSource.ESTIMATED
    assert seen.location.lat > seen.observer.lat  # ahead of a northbound bike
    assert seen.location.accuracy_m is not None and seen.location.accuracy_m >= 2.0


def test_missing_and_stale_fixes_mark_the_event_and_invent_nothing() -> None:
    box = (150.0, 100.0, 170.0, 150.0)
    none = MovingGeotagger(positioning(), MOUNT, 5.0).tag(violation(T0, box=box))
    assert none.location is not None and none.location.fix is FixMode.NONE
    assert none.location.lat is None and none.observer == none.location
    stale = MovingGeotagger(positioning(fix(0, 0.0)), MOUNT, 5.0).tag(
        violation(T0 + timedelta(seconds=10), box=box)
    )
    assert stale.location is not None and stale.location.stale
    assert stale.location.source is LocationSource.GPSD and stale.location.accuracy_m is None
    still = MovingGeotagger(positioning(fix(0, 0.0, heading=None)), MOUNT, 5.0).tag(
        violation(T0, box=box)
    )
    assert still.location is not None and still.location.source is LocationSource.GPSD
    assert still.location.accuracy_m is None  # the bike's position: not the object's own
