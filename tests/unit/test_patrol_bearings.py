"""Raised objects (signs on walls, banners) located where their track's bearings cross.

Hand-made rides along a straight street; the generator's camera projects the true sign so the
boxes are what a camera would see.
"""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pytest
from support.edge_setup import FRAME_H, FRAME_W, T0, violation
from support.gps_fixes import LAT0, LON0, fix, positioning

from contracts.messages import LocationSource
from edge.config_patrol import CameraMount, PatrolSettings
from edge.patrol.bearings import Bearing, triangulate
from edge.patrol.geotag import MovingGeotagger
from edge.position.fixes import distance_m, moved_by
from edge.position.provider import Positioning
from edge.violations import Violation
from training.synth.camera import Camera, Intrinsics, Pose

SIGN = (6.0, 25.0)  # east, north of the start, metres


def bearings_to(
    target: tuple[float, float], norths: list[float], noise_deg: float = 0.0, seed: int = 0
) -> list[Bearing]:
    rng = np.random.default_rng(seed)
    out = []
    for north in norths:
        azimuth = math.atan2(target[0], target[1] - north)
        out.append(Bearing(0.0, north, azimuth + math.radians(rng.normal(0.0, noise_deg))))
    return out


def test_bearings_of_a_ride_past_cross_at_the_object() -> None:
    found = triangulate(bearings_to(SIGN, [n * 0.5 for n in range(40)], 1.0), 8.0, 1.0)
    assert found is not None
    assert math.hypot(found.east - SIGN[0], found.north - SIGN[1]) < 1.5
    assert 0.0 < found.variance_m2 < 25.0


def test_bearings_that_barely_turn_or_meet_behind_give_nothing() -> None:
    assert triangulate(bearings_to((0.5, 200.0), [0.0, 1.0, 2.0]), 8.0, 1.0) is None
    behind = [Bearing(0.0, n, math.radians(45.0 - 10.0 * n)) for n in range(4)]  # diverging
    assert triangulate(behind, 8.0, 1.0) is None


def test_a_minority_of_bad_bearings_is_dropped() -> None:
    good = bearings_to(SIGN, [n * 0.5 for n in range(30)])
    bad = [Bearing(b.east, b.north, b.azimuth_rad + math.radians(25.0)) for b in good[:8]]
    found = triangulate(bad + good[8:], 8.0, 1.0)
    assert found is not None
    assert math.hypot(found.east - SIGN[0], found.north - SIGN[1]) < 0.5


def northbound(seconds: float, speed: float = 5.0) -> Positioning:
    return positioning(*(fix(t, t * speed, speed=speed) for t in range(int(seconds) + 2)))


MOUNT = CameraMount(pitch_deg=2.0, height_m=1.2, hfov_deg=90.0)


def sign_seen(at_s: float, speed: float, label: str) -> Violation:
    """The sign's box (2.5 m above the road, 1 m wide and tall) from the bike at ``at_s``."""
    camera = Camera(
        Intrinsics.from_hfov(FRAME_W, FRAME_H, MOUNT.hfov_deg),
        Pose(0.0, at_s * speed, MOUNT.height_m, 0.0, MOUNT.pitch_deg),
    )
    corners = np.array([[SIGN[0], SIGN[1], z] for z in (2.5, 3.5)] + [[SIGN[0] - 1, SIGN[1], 3]])
    pixels, depth = camera.project(corners)
    assert np.all(depth > 0)
    box = (
        float(pixels[:, 0].min()),
        float(pixels[:, 1].min()),
        float(pixels[:, 0].max()),
        float(pixels[:, 1].max()),
    )
    return violation(T0 + timedelta(seconds=at_s), box=box, label=label, track_id=7)


def test_a_sign_on_a_wall_is_held_back_then_placed_where_its_bearings_cross() -> None:
    tagger = MovingGeotagger(northbound(5.0), MOUNT, 3.0, PatrolSettings())
    first = tagger.tag(sign_seen(0.0, 5.0, "illegal_signage"))
    assert first.location is None and first.observer is not None  # not located yet
    placed = [tagger.tag(sign_seen(t / 10, 5.0, "illegal_signage")) for t in range(1, 30)]
    located = [v.location for v in placed if v.location is not None]
    assert located, "the bearings turned by tens of degrees: the sign must be located"
    last = located[-1]
    assert last.source is LocationSource.ESTIMATED and last.lat is not None
    assert last.lon is not None and last.accuracy_m is not None
    true_lat, true_lon = moved_by(LAT0, LON0, *SIGN)
    assert distance_m(true_lat, true_lon, last.lat, last.lon) < 1.0
    assert last.accuracy_m >= 2.0  # never better than the GPS fix
    # the flat-ground projection of the same boxes (a class not raised) cannot place the sign
    # (its bottom edge is above the horizon): the sighting is held back, not misplaced
    ground = MovingGeotagger(northbound(5.0), MOUNT, 3.0, PatrolSettings(raised=()))
    assert ground.tag(sign_seen(2.0, 5.0, "illegal_signage")).location is None


def test_a_far_ground_object_is_held_back_until_it_comes_into_range() -> None:
    tagger = MovingGeotagger(
        northbound(20.0), CameraMount(pitch_deg=2.0, height_m=1.2, max_range_m=15.0), 3.0
    )
    far = (150.0, 88.0, 170.0, 93.0)  # just below the horizon: ~23 m ahead, beyond range
    assert tagger.tag(violation(T0, box=far)).location is None
    near = (140.0, 150.0, 180.0, 170.0)  # the same track seconds later, close
    placed = tagger.tag(violation(T0 + timedelta(seconds=3), box=near)).location
    assert placed is not None and placed.source is LocationSource.ESTIMATED


@pytest.mark.parametrize("wait_s", [2.0, 4.0])
def test_a_sign_whose_bearings_never_turn_falls_back_to_the_bike_after_the_wait(
    wait_s: float,
) -> None:
    tagger = MovingGeotagger(northbound(10.0), MOUNT, 3.0, PatrolSettings(place_wait_s=wait_s))
    box = (150.0, 40.0, 170.0, 60.0)  # straight ahead, far away: the bearing never turns
    seen = [
        tagger.tag(violation(T0 + timedelta(seconds=t / 2), box=box, label="illegal_signage"))
        for t in range(int(wait_s * 2) + 2)
    ]
    assert all(v.location is None for v in seen[: int(wait_s * 2)])
    last = seen[-1].location
    assert last is not None and last.source is LocationSource.GPSD
    assert last.accuracy_m is None  # the bike's position: not the sign's own
