"""Projection maths of the synthetic camera and the ENU ↔ WGS-84 conversion."""

from __future__ import annotations

import math

import numpy as np
import pytest

from training.synth.camera import Camera, Intrinsics, Pose, clip_near
from training.synth.geo import EARTH_RADIUS_M, GeoOrigin, heading_of, parse_origin

POSES = [
    Pose(0.0, 0.0, 6.0, 0.0, 30.0),
    Pose(12.5, -40.0, 1.2, 135.0, 2.0),
    Pose(-300.0, 250.0, 9.5, 271.0, 44.0),
    Pose(5.0, 5.0, 1.0, 359.0, -3.0),
]


def _camera(pose: Pose, width: int = 416, height: int = 320, hfov: float = 70.0) -> Camera:
    return Camera(Intrinsics.from_hfov(width, height, hfov), pose)


def _forward(pose: Pose) -> np.ndarray:
    forward: np.ndarray = pose.rotation()[2]
    return forward


@pytest.mark.parametrize("pose", POSES)
def test_point_on_the_optical_axis_projects_to_the_principal_point(pose: Pose) -> None:
    cam = _camera(pose)
    point = pose.position + 17.0 * _forward(pose)
    uv, depth = cam.project(point[None])
    assert uv[0] == pytest.approx([cam.intrinsics.cx, cam.intrinsics.cy], abs=1e-9)
    assert depth[0] == pytest.approx(17.0)


@pytest.mark.parametrize("pose", POSES)
def test_rotation_is_orthonormal_and_right_handed(pose: Pose) -> None:
    rot = pose.rotation()
    assert rot @ rot.T == pytest.approx(np.eye(3), abs=1e-12)
    assert np.linalg.det(rot) == pytest.approx(1.0)


def test_heading_and_pitch_conventions() -> None:
    cam = _camera(Pose(0.0, 0.0, 5.0, 90.0, 0.0))
    uv, depth = cam.project(np.array([[10.0, 0.0, 5.0], [10.0, 1.0, 5.0], [10.0, 0.0, 4.0]]))
    assert depth[0] == pytest.approx(10.0)
    assert uv[1][0] < uv[0][0], "north is to the left when looking east"
    assert uv[2][1] > uv[0][1], "lower points are lower in the image"


def test_horizontal_fov_spans_the_image_width() -> None:
    cam = _camera(Pose(0.0, 0.0, 2.0, 0.0, 0.0), hfov=90.0)
    uv, _ = cam.project(np.array([[10.0, 10.0, 2.0], [-10.0, 10.0, 2.0]]))
    assert uv[:, 0] == pytest.approx([cam.intrinsics.width, 0.0])
    assert cam.intrinsics.hfov_deg == pytest.approx(90.0)


@pytest.mark.parametrize("pose", POSES[:3])
def test_far_ground_points_approach_the_horizon_row(pose: Pose) -> None:
    cam = _camera(pose)
    far = pose.position + 1e6 * np.array([*_forward(pose)[:2], 0.0]) / np.linalg.norm(
        _forward(pose)[:2]
    )
    far[2] = 0.0
    uv, _ = cam.project(far[None])
    assert uv[0][1] == pytest.approx(cam.horizon_row(), abs=0.05)


def test_ground_depth_rows_match_projected_ground_points() -> None:
    pose = Pose(3.0, -2.0, 7.0, 20.0, 35.0)
    cam = _camera(pose)
    rows = cam.ground_depth_rows()
    ahead = np.array([math.sin(math.radians(20.0)), math.cos(math.radians(20.0)), 0.0])
    for dist in (8.0, 15.0, 40.0):
        point = np.array([3.0, -2.0, 0.0]) + dist * ahead
        uv, depth = cam.project(point[None])
        row = int(uv[0][1])
        assert rows[row] == pytest.approx(depth[0], rel=0.05)
    assert np.isinf(cam.ground_depth_rows()[0]) or cam.horizon_row() < 0


def test_plane_homography_agrees_with_projection() -> None:
    cam = _camera(Pose(1.0, 2.0, 4.0, 60.0, 20.0))
    origin, u, v = np.array([10.0, 12.0, 3.0]), np.array([2.0, -1.0, 0.0]), np.array([0, 0, -3.0])
    hom = cam.plane_homography(origin, u, v)
    for a, b in ((0.0, 0.0), (0.5, 0.25), (1.0, 1.0)):
        p = hom @ np.array([a, b, 1.0])
        uv, _ = cam.project((origin + a * u + b * v)[None])
        assert p[:2] / p[2] == pytest.approx(uv[0])


def test_clip_near_keeps_the_front_part() -> None:
    poly = np.array([[-1.0, 0.0, -1.0], [1.0, 0.0, -1.0], [1.0, 0.0, 3.0], [-1.0, 0.0, 3.0]])
    clipped = clip_near(poly, near=1.0)
    assert clipped[:, 2].min() == pytest.approx(1.0)
    assert len(clipped) == 4
    assert len(clip_near(poly[:, :] * [1, 1, 0] - [0, 0, 5], near=1.0)) == 0


@pytest.mark.parametrize(
    ("east", "north"), [(0.0, 0.0), (0.3, -0.7), (123.4, 56.7), (-2500.0, 1800.0), (9000, -9000)]
)
def test_enu_latlon_round_trip_is_within_a_centimetre(east: float, north: float) -> None:
    origin = GeoOrigin()
    lat, lon = origin.to_latlon(east, north)
    back = origin.to_enu(lat, lon)
    assert math.hypot(back[0] - east, back[1] - north) < 0.01


def test_equirectangular_scale() -> None:
    origin = GeoOrigin(lat=31.2, lon=121.5)
    lat, lon = origin.to_latlon(0.0, 1000.0)
    assert (lat - 31.2) * math.pi / 180 * EARTH_RADIUS_M == pytest.approx(1000.0)
    lat, lon = origin.to_latlon(1000.0, 0.0)
    assert lon - 121.5 == pytest.approx(
        math.degrees(1000.0 / (EARTH_RADIUS_M * math.cos(math.radians(31.2))))
    )


def test_parse_origin_and_heading() -> None:
    assert parse_origin("31.23, 121.47") == GeoOrigin(31.23, 121.47)
    with pytest.raises(ValueError, match="LAT,LON"):
        parse_origin("31.23")
    with pytest.raises(ValueError, match="latitude"):
        parse_origin("95,10")
    assert heading_of(1.0, 0.0) == pytest.approx(90.0)
    assert heading_of(0.0, -1.0) == pytest.approx(180.0)
