"""Dataset import: class mapping, the three formats, leakage-free splits, counts."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from streetwatch.cli import main
from streetwatch.errors import UserError
from training.importer import assign_split, group_of, import_datasets
from training.recipe import Recipe, SplitFractions


def _image(path: Path, w: int = 64, h: int = 48) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full((h, w, 3), 90, np.uint8))
    return path


def _yolo_source(root: Path) -> None:
    for split in ("train", "valid", "test"):
        _image(root / split / "images" / f"a_{split}_jpg.rf.0123456789abcdef0123.jpg")
        labels = root / split / "labels"
        labels.mkdir(parents=True)
        (labels / f"a_{split}_jpg.rf.0123456789abcdef0123.txt").write_text(
            "1 0.5 0.5 0.2 0.4\n0 0.1 0.1 0.1 0.1\n1 0.1 0.2 0.3 0.2 0.3 0.5 0.1 0.5\n"
        )


def _recipe(**source: object) -> Recipe:
    return Recipe.model_validate(
        {"version": 1, "kind": "dataset", "sources": [{"name": "src", **source}]}
    )


def test_yolo_import_maps_classes_keeps_splits_and_polygons(tmp_path: Path) -> None:
    _yolo_source(tmp_path / "src")
    recipe = _recipe(format="yolo", path="src", classes={"1": "garbage"})
    report = import_datasets(recipe, tmp_path, tmp_path / "out")
    assert dict(report.images) == {"train": 1, "valid": 1, "test": 1}
    assert report.boxes[("train", "garbage")] == 2 and report.dropped_boxes == 3
    label = tmp_path / "out/labels/test/src-a_test_jpg.rf.0123456789abcdef0123.txt"
    lines = label.read_text().splitlines()
    assert lines[0] == "1 0.500000 0.500000 0.200000 0.400000"
    assert lines[1] == "1 0.200000 0.350000 0.200000 0.300000"  # polygon -> its bounding box
    data = (tmp_path / "out/data.yaml").read_text()
    assert "val: images/valid" in data and "  1: garbage" in data


def test_voc_and_coco_import(tmp_path: Path) -> None:
    voc = tmp_path / "voc"
    _image(voc / "JPEGImages" / "v1.jpg", 100, 50)
    (voc / "Annotations").mkdir(parents=True)
    (voc / "Annotations" / "v1.xml").write_text(
        "<annotation><filename>v1.jpg</filename><size><width>100</width><height>50</height>"
        "</size><object><name>trash</name><bndbox><xmin>10</xmin><ymin>5</ymin><xmax>30</xmax>"
        "<ymax>25</ymax></bndbox></object><object><name>car</name><bndbox><xmin>1</xmin>"
        "<ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>"
    )
    coco = tmp_path / "coco" / "valid"
    _image(coco / "c1.jpg", 200, 100)
    (coco / "_annotations.coco.json").write_text(
        json.dumps(
            {
                "images": [{"id": 7, "file_name": "c1.jpg", "width": 200, "height": 100}],
                "annotations": [{"image_id": 7, "category_id": 3, "bbox": [20, 10, 40, 50]}],
                "categories": [{"id": 3, "name": "banner"}],
            }
        )
    )
    recipe = Recipe.model_validate(
        {
            "version": 1,
            "kind": "dataset",
            "sources": [
                {"name": "v", "format": "voc", "path": "voc", "classes": {"trash": "garbage"}},
                {
                    "name": "c",
                    "format": "coco",
                    "path": "coco",
                    "classes": {"banner": "illegal_signage"},
                },
            ],
        }
    )
    report = import_datasets(recipe, tmp_path, tmp_path / "out")
    assert report.dropped_boxes == 1
    assert report.boxes[("valid", "illegal_signage")] == 1
    assert sum(report.boxes[(s, "garbage")] for s in ("train", "valid", "test")) == 1
    coco_label = (tmp_path / "out/labels/valid/c-c1.txt").read_text().strip()
    assert coco_label == "2 0.200000 0.350000 0.200000 0.500000"


def test_copies_of_one_photo_never_span_two_splits() -> None:
    assert group_of("img12_jpg.rf.d52fe96ed56c00e9f11b840829523c5b") == "img12"
    fractions = SplitFractions(train=0.5, valid=0.25, test=0.25, seed=1)
    splits = [assign_split(f"g{i}", fractions) for i in range(2000)]
    assert splits == [assign_split(f"g{i}", fractions) for i in range(2000)]
    share = {s: splits.count(s) / 2000 for s in ("train", "valid", "test")}
    assert share["train"] == pytest.approx(0.5, abs=0.05)
    assert share["test"] == pytest.approx(0.25, abs=0.05)


def test_assign_policy_splits_by_group(tmp_path: Path) -> None:
    root = tmp_path / "flat"
    for i in range(30):
        for copy in ("0123456789abcdef0001", "0123456789abcdef0002"):
            _image(root / "images" / f"p{i}_jpg.rf.{copy}.jpg", 8, 8)
    recipe = _recipe(format="yolo", path="flat", classes={"1": "garbage"}, splits="assign")
    import_datasets(recipe, tmp_path, tmp_path / "out")
    where: dict[str, set[str]] = {}
    for image in (tmp_path / "out/images").rglob("*.jpg"):
        where.setdefault(group_of(image.stem), set()).add(image.parent.name)
    assert len(where) == 30 and all(len(splits) == 1 for splits in where.values())


def test_bad_input_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        import_datasets(
            _recipe(format="yolo", path="nope", classes={"1": "garbage"}),
            tmp_path,
            tmp_path / "out",
        )
    _image(tmp_path / "bad/images/x.jpg")
    (tmp_path / "bad/labels").mkdir(parents=True)
    (tmp_path / "bad/labels/x.txt").write_text("1 0.5 oops 0.1 0.1\n")
    with pytest.raises(UserError, match=r"x.txt:1: not a YOLO label line"):
        import_datasets(
            _recipe(format="yolo", path="bad", classes={"1": "garbage"}), tmp_path, tmp_path / "out"
        )


def test_recipe_refuses_unknown_target_class() -> None:
    with pytest.raises(ValueError, match="unknown classes"):
        _recipe(format="yolo", path=".", classes={"1": "graffiti"})


def test_cli_prints_the_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _yolo_source(tmp_path / "src")
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(
        "version: 1\nkind: dataset\nsources:\n  - name: src\n    format: yolo\n"
        "    path: src\n    classes: {'1': garbage}\n"
    )
    assert main(["dataset", "import", str(recipe), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "train        1      0                0                2                0" in out


def test_repeat_copies_train_images_only_and_counts_them(tmp_path: Path) -> None:
    _yolo_source(tmp_path / "src")
    recipe = _recipe(format="yolo", path="src", classes={"1": "garbage"}, repeat=3)
    report = import_datasets(recipe, tmp_path, tmp_path / "out")
    assert dict(report.images) == {"train": 3, "valid": 1, "test": 1}
    assert report.boxes[("train", "garbage")] == 6 and report.boxes[("test", "garbage")] == 2
    assert report.repeated == 2 and "extra train copies" in report.table(recipe.names)
    stem = "src-a_train_jpg.rf.0123456789abcdef0123"
    images = sorted(p.name for p in (tmp_path / "out/images/train").iterdir())
    assert images == [f"{stem}.jpg", f"{stem}__r2.jpg", f"{stem}__r3.jpg"]
    labels = [(tmp_path / f"out/labels/train/{stem}{s}.txt").read_text() for s in ("", "__r3")]
    assert labels[0] == labels[1] and labels[0].count("\n") == 2
    for split in ("valid", "test"):
        assert len(list((tmp_path / "out/images" / split).iterdir())) == 1
        assert len(list((tmp_path / "out/labels" / split).iterdir())) == 1


def test_repeat_is_bounded() -> None:
    for bad in (0, 21):
        with pytest.raises(ValueError, match="repeat"):
            _recipe(format="yolo", path=".", classes={"1": "garbage"}, repeat=bad)
    assert _recipe(format="yolo", path=".", classes={"1": "garbage"}).sources[0].repeat == 1
