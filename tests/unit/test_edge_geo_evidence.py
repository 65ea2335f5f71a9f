"""Fixed-camera geolocation (homography or the camera's position) and evidence images."""

from __future__ import annotations

import hashlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.edge_setup import violation

from contracts.messages import EvidenceKind, LocationSource
from edge.config import EvidenceSettings, StaticLocation
from edge.config_sections import CalibrationPoint
from edge.evidence import EvidenceMaker
from edge.geotag import CalibrationError, Geotagger, GroundCalibration
from edge.rules.permits import distance_m

LAT0, LON0 = 31.2, 121.4
M_LAT = 1 / 111_195.0  # degrees per metre north
M_LON = M_LAT / np.cos(np.radians(LAT0))


def ground(x: float, y: float) -> tuple[float, float]:
    """A made-up camera: image x maps to 0..20 m east, image y to 40..5 m north (affine)."""
    east, north = 20 * x, 40 - 35 * y
    return LAT0 + north * M_LAT, LON0 + east * M_LON


def calibration(points: list[tuple[float, float]]) -> list[CalibrationPoint]:
    return [CalibrationPoint(pixel=p, lat=ground(*p)[0], lon=ground(*p)[1]) for p in points]


CORNERS = [(0.1, 0.5), (0.9, 0.5), (0.9, 0.95), (0.1, 0.95)]


@pytest.mark.parametrize("point", [(0.5, 0.7), (0.2, 0.9), (0.8, 0.55)])
def test_homography_places_points_on_the_ground(point: tuple[float, float]) -> None:
    located = GroundCalibration(calibration(CORNERS)).locate(point)
    assert located is not None
    assert distance_m(*located, *ground(*point)) < 0.05


def test_degenerate_calibration_is_one_clear_error() -> None:
    on_a_line = [(0.1, 0.5), (0.3, 0.5), (0.6, 0.5), (0.9, 0.5)]
    with pytest.raises(CalibrationError, match="no three of them on one line"):
        GroundCalibration(calibration(on_a_line))


def test_geotagger_with_calibration_gives_each_violation_its_position() -> None:
    settings = StaticLocation(mode="static", lat=LAT0, lon=LON0, calibration=calibration(CORNERS))
    tagged = Geotagger(settings).tag(violation(box=(150.0, 100.0, 170.0, 126.0)))
    assert tagged.location is not None and tagged.observer is not None
    assert tagged.location.source is LocationSource.ESTIMATED
    assert tagged.location.accuracy_m == pytest.approx(0.5)
    assert tagged.observer.lat == LAT0 and tagged.observer.source is LocationSource.STATIC
    expected = ground(*tagged.anchor)
    assert distance_m(tagged.location.lat or 0, tagged.location.lon or 0, *expected) < 0.05


def test_geotagger_without_calibration_says_it_is_the_camera_position() -> None:
    tagged = Geotagger(StaticLocation(mode="static", lat=LAT0, lon=LON0)).tag(violation())
    assert tagged.location is not None
    assert (tagged.location.lat, tagged.location.lon) == (LAT0, LON0)
    assert tagged.location.source is LocationSource.STATIC
    assert tagged.location.accuracy_m is None and tagged.observer is None


def textured() -> np.ndarray:
    rng = np.random.default_rng(3)
    return rng.integers(0, 255, (180, 320, 3), dtype=np.uint8)


@pytest.mark.parametrize(("max_width", "frame_wh"), [(1920, (320, 180)), (160, (160, 90))])
def test_evidence_frame_and_crop_with_hashes(max_width: int, frame_wh: tuple[int, int]) -> None:
    settings = EvidenceSettings(max_width=max_width, crop_padding=0.5, jpeg_quality=80)
    seen = violation(box=(100.0, 130.0, 160.0, 170.0), pixels=textured())  # padding clipped
    files = {f.item.kind: f for f in EvidenceMaker(settings, "dev").make(seen)}
    assert set(files) == {EvidenceKind.FRAME, EvidenceKind.CROP}
    for f in files.values():
        assert f.item.sha256 == hashlib.sha256(f.data).hexdigest()
        assert f.item.bytes == len(f.data) and f.data[:2] == b"\xff\xd8"
        decoded = cv2.imdecode(np.frombuffer(f.data, np.uint8), cv2.IMREAD_COLOR)
        assert decoded is not None
        assert (decoded.shape[1], decoded.shape[0]) == (f.item.width, f.item.height)
    assert (files[EvidenceKind.FRAME].item.width, files[EvidenceKind.FRAME].item.height) == frame_wh
    assert (files[EvidenceKind.CROP].item.width, files[EvidenceKind.CROP].item.height) == (120, 70)


def test_annotated_copy_is_separate_and_never_changes_the_evidence(tmp_path: Path) -> None:
    settings = EvidenceSettings(annotated_dir=tmp_path / "shown")
    seen = violation(pixels=textured())
    maker = EvidenceMaker(settings, "pole-1")
    before = [f.data for f in maker.make(seen)]
    path = maker.annotate(seen, "01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert path is not None and path.is_file()
    assert [f.data for f in maker.make(seen)] == before
    shown = cv2.imread(str(path))
    assert shown is not None
    assert shown.shape == seen.frame.image.shape
    assert not np.array_equal(shown, seen.frame.image)  # box and text drawn on the copy only
    assert EvidenceMaker(EvidenceSettings(), "pole-1").annotate(seen, "x") is None
