"""The demo's world: calibration from the generator's camera, expectations and case matching."""

from __future__ import annotations

import statistics
from datetime import datetime, timezone
from pathlib import Path

import pytest

from edge.config_sections import CalibrationPoint
from edge.geotag import GroundCalibration
from edge.position.fixes import distance_m
from server.domain.lifecycle import CaseStatus
from server.services.views import CaseSummary
from streetwatch.cli import main
from streetwatch.demo.expect import boxes_of, fixed_expectation, patrol_expectation
from streetwatch.demo.scenario import CLASSES, Clip, calibration, load_clip
from streetwatch.demo.verdict import compare
from training.synth.video import ClipSpec, write_clip


@pytest.fixture(scope="module")
def fixed_clip(tmp_path_factory: pytest.TempPathFactory) -> Clip:
    out = tmp_path_factory.mktemp("clip")
    files = write_clip(
        ClipSpec(out=out, seed=1, kind="fixed", seconds=12, fps=5, width=480, height=270)
    )
    return load_clip("fixed", files.video, files.truth, files.gpx)


def test_calibration_places_objects_where_they_stand(fixed_clip: Clip) -> None:
    truth = fixed_clip.truth
    points = [CalibrationPoint(pixel=p, lat=lat, lon=lon) for p, (lat, lon) in calibration(truth)]
    ground = GroundCalibration(points)
    errors = []
    for obj in truth.objects:
        if not obj.is_violation or obj.class_name == "illegal_signage":
            continue  # signs hang above the ground: their anchor is not on it
        for box in boxes_of(obj, truth):
            x1, _y1, x2, y2 = box.xyxy
            if y2 >= truth.height - 2:
                continue  # cut by the frame's bottom edge
            placed = ground.locate(((x1 + x2) / 2 / truth.width, y2 / truth.height))
            assert placed is not None
            errors.append(distance_m(obj.lat, obj.lon, *placed))
    assert len(errors) >= 10
    assert statistics.median(errors) < 1.5


def test_expectation_sorts_every_object(fixed_clip: Clip) -> None:
    truth = fixed_clip.truth
    groups = fixed_expectation(truth, CLASSES, dwell_s=3.0, min_area=0.0008)
    ids = {o.object_id for o in truth.objects}
    assert groups.expected | groups.forbidden | groups.borderline == ids
    assert not groups.expected & groups.forbidden
    assert groups.expected, "seed 1 shows violations for longer than the dwell time"
    negatives = {o.object_id for o in truth.objects if not o.is_violation}
    assert negatives <= groups.forbidden


def summary(case_id: int, label: str, lat: float, lon: float) -> CaseSummary:
    now = datetime(2026, 5, 20, tzinfo=timezone.utc)
    return CaseSummary(
        id=case_id, code="0102", label=label, status=CaseStatus.REPORTED, lat=lat, lon=lon,
        grid_id=None, department=None, first_seen=now, last_seen=now, event_count=1,
        sighting_count=1, evidence_count=1, evidence_mismatch=False, reported_at=now,
        deadline_at=None, overdue=False, escalations=0, merged_into=None, origin="edge",
    )  # fmt: skip


def test_compare_finds_missing_unexpected_and_duplicate_cases(fixed_clip: Clip) -> None:
    truth = fixed_clip.truth
    expected = sorted(fixed_clip.expectation.expected)
    objects = {o.object_id: o for o in truth.objects}
    exact = [
        summary(n, objects[i].class_name or "", objects[i].lat, objects[i].lon)
        for n, i in enumerate(expected, 1)
    ]
    assert compare(exact, (fixed_clip,)).exact
    alone = next(
        n
        for n, i in enumerate(expected)
        if all(
            objects[j].class_name != objects[i].class_name
            or distance_m(objects[i].lat, objects[i].lon, objects[j].lat, objects[j].lon)
            > fixed_clip.accuracy_m
            for j in expected
            if j != i
        )
    )
    short = compare(exact[:alone] + exact[alone + 1 :], (fixed_clip,))
    assert short.missing == (("fixed", expected[alone]),)
    twice = compare([*exact, exact[0]], (fixed_clip,))
    assert twice.duplicates == (("fixed", expected[0]),)
    far = summary(99, "garbage", truth.origin.lat + 0.01, truth.origin.lon)
    stray = compare([*exact, far], (fixed_clip,))
    assert [m.case.id for m in stray.unexpected] == [99]
    assert not (short.exact or twice.exact or stray.exact)


def test_demo_without_the_model_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "absent.onnx"
    assert main(["demo", "--data", str(tmp_path), "--model", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "absent.onnx is missing" in err and "Traceback" not in err


def test_a_ride_object_beside_a_better_seen_one_of_its_class_is_borderline(
    tmp_path: Path,
) -> None:
    files = write_clip(
        ClipSpec(
            out=tmp_path, seed=5, kind="moving", seconds=30, fps=5, width=320, height=180, passes=2
        )
    )
    truth = load_clip("moving", files.video, files.truth, files.gpx).truth
    groups = patrol_expectation(truth, CLASSES, min_frames=1)
    assert groups.expected, "the ride must have an object seen on both passes"
    obj = next(o for o in truth.objects if o.object_id in groups.expected)
    twin_id = max(o.object_id for o in truth.objects) + 1
    twin = obj.model_copy(update={"object_id": twin_id, "east_m": obj.east_m + 2.0})
    frames = []
    for frame in truth.frames:  # the twin is labelled in every other frame of the object
        copies = tuple(
            box.model_copy(update={"object_id": twin_id})
            for box in frame.boxes
            if box.object_id == obj.object_id and frame.index % 2 == 0
        )
        frames.append(frame.model_copy(update={"boxes": frame.boxes + copies}))
    pair = truth.model_copy(update={"objects": (*truth.objects, twin), "frames": tuple(frames)})
    apart = patrol_expectation(pair, CLASSES, min_frames=1)
    assert {obj.object_id, twin_id} <= apart.expected  # no radius: two places
    merged = patrol_expectation(pair, CLASSES, min_frames=1, radius_m=5.0)
    assert obj.object_id in merged.expected and twin_id in merged.borderline
