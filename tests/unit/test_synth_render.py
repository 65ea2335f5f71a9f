"""The compositor: determinism, boxes inside the frame, visibility and labelling rules."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from training.synth.camera import Camera, Intrinsics, Pose
from training.synth.labels import LabelRule, box_truths, yolo_lines
from training.synth.look import sample_look
from training.synth.render import View, render_view
from training.synth.sample import make_image_sample
from training.synth.scene import Placed, Scene
from training.synth.street import Street, make_street
from training.synth.taxonomy import CLASS_NAMES, KIND_CLASS, Kind, class_id, is_violation

SIZE = 128


def _render(seed: int, index: int) -> View:
    return make_image_sample(seed, index, SIZE, SIZE).render()


def test_same_seed_gives_identical_pixels_and_boxes() -> None:
    a, b = _render(7, 3), _render(7, 3)
    assert np.array_equal(a.image, b.image)
    assert a.seen == b.seen


def test_different_seed_or_index_gives_a_different_image() -> None:
    a = _render(7, 3)
    assert not np.array_equal(a.image, _render(8, 3).image)
    assert not np.array_equal(a.image, _render(7, 4).image)


@pytest.mark.parametrize("index", range(6))
def test_boxes_are_inside_the_frame_and_not_degenerate(index: int) -> None:
    view = _render(11, index)
    assert view.image.shape == (SIZE, SIZE, 3)
    for seen in view.seen:
        x0, y0, x1, y1 = seen.box
        assert 0 <= x0 < x1 <= SIZE
        assert 0 <= y0 < y1 <= SIZE
        assert 0.0 <= seen.visible_fraction <= 1.0


@pytest.mark.parametrize("index", range(6))
def test_only_visible_violations_are_labelled(index: int) -> None:
    sample = make_image_sample(5, index, SIZE, SIZE)
    view = sample.render()
    rule = LabelRule(min_visible=0.35, min_box_px=4)
    boxes = box_truths(view.seen, rule)
    kinds = {o.object_id: o.kind for o in sample.scene.tracked()}
    for box in boxes:
        assert box.kind == kinds[box.object_id].value
        if box.labelled:
            assert is_violation(Kind(box.kind))
            assert box.class_id == KIND_CLASS[Kind(box.kind)]
            assert box.visible_fraction >= 0.35
        if not is_violation(Kind(box.kind)):
            assert not box.labelled and box.class_id is None
    lines = yolo_lines(boxes, SIZE, SIZE)
    assert len(lines) == sum(b.labelled for b in boxes)
    for line in lines:
        cid, *coords = line.split()
        assert 0 <= int(cid) < len(CLASS_NAMES)
        assert all(0.0 <= float(c) <= 1.0 for c in coords)


def test_a_dataset_sample_contains_violations_and_negatives() -> None:
    kinds = [o.kind for i in range(8) for o in make_image_sample(3, i, SIZE, SIZE).scene.tracked()]
    assert any(is_violation(k) for k in kinds)
    assert any(not is_violation(k) for k in kinds)
    assert Kind.SHOP_SIGN in kinds


def test_taxonomy_maps_every_class() -> None:
    assert {class_id(k) for k in KIND_CLASS} == set(range(len(CLASS_NAMES)))
    assert class_id(Kind.CLEAN_BIN) is None
    assert class_id("tree") is None


def _street() -> Street:
    street = make_street(np.random.default_rng(4), -40.0, 200.0, bearing_deg=30.0)
    return replace(street, buildings=(), trees=())


def _camera(street: Street, t: float) -> Camera:
    p = street.world(0.0, t)
    pose = Pose(float(p[0]), float(p[1]), 1.5, street.bearing_deg, 4.0)
    return Camera(Intrinsics.from_hfov(160, 120, 60.0), pose)


def _view(street: Street, camera: Camera, objects: tuple[Placed, ...]) -> View:
    look = replace(
        sample_look(np.random.default_rng(0), moving=False),
        fog_density=0.0,
        rain=0.0,
        motion_px=0.0,
        defocus_sigma=0.0,
        noise_sigma=0.0,
    )
    return render_view(Scene(street, objects, 1), camera, look)


def _bags(street: Street, s: float, t: float) -> Placed:
    return Placed(1, Kind.GARBAGE_BAGS, s, t, street.bearing_deg + 180.0, 42)


def test_an_object_in_the_open_is_fully_visible() -> None:
    street = _street()
    t = -street.road_half + 2.0
    view = _view(street, _camera(street, t), (_bags(street, 10.0, t),))
    (seen,) = view.seen
    assert seen.object_id == 1
    assert seen.visible_fraction > 0.95


def test_an_object_behind_a_car_is_mostly_hidden() -> None:
    street = _street()
    t = -street.road_half + 2.0
    car = Placed(2, Kind.CAR, 6.0, t, street.bearing_deg + 90.0, 7, radius=2.4)
    view = _view(street, _camera(street, t), (_bags(street, 10.0, t), car))
    fractions = {s.object_id: s.visible_fraction for s in view.seen}
    assert fractions[2] > 0.9
    assert fractions.get(1, 0.0) < 0.35
    labelled = [b for b in box_truths(view.seen, LabelRule()) if b.labelled]
    assert not labelled


def test_an_object_half_out_of_the_frame_is_partly_visible() -> None:
    street = _street()
    t = -street.road_half + 2.0
    camera = _camera(street, t)
    hfov_edge = 10.0 * np.tan(np.radians(30.0))
    view = _view(street, camera, (_bags(street, 10.0, t - hfov_edge),))
    (seen,) = view.seen
    assert 0.2 < seen.visible_fraction < 0.8
    assert seen.box[2] == 160.0 or seen.box[0] == 0.0


def test_objects_appear_and_move_with_time() -> None:
    street = _street()
    t = -street.road_half + 2.0
    camera = _camera(street, t)
    late = replace(_bags(street, 10.0, t), appear_s=2.0)
    assert _view(street, camera, (late,)).seen == ()
    walker = Placed(3, Kind.PEDESTRIAN, 8.0, t, 0.0, 5, speed_s=1.0, radius=0.4)
    look = replace(sample_look(np.random.default_rng(0), moving=False), noise_sigma=0.0)
    scene = Scene(street, (walker,), 1)
    near = render_view(scene, camera, look, 0.0).seen[0].box
    far = render_view(scene, camera, look, 5.0).seen[0].box
    assert far[3] - far[1] < near[3] - near[1]
