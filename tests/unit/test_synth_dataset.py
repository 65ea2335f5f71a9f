"""The YOLO dataset writer: layout, counts, determinism and the truth next to it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import cv2
import pytest

from training.synth.dataset import (
    SPLITS,
    DatasetSpec,
    assign_splits,
    parse_splits,
    write_dataset,
)
from training.synth.taxonomy import CLASS_NAMES
from training.synth.truth import ImageTruth

SIZE = 96


def _spec(out: Path, count: int = 8, seed: int = 3) -> DatasetSpec:
    return DatasetSpec(
        out=out,
        count=count,
        seed=seed,
        width=SIZE,
        height=SIZE,
        splits=(("train", 0.5), ("valid", 0.25), ("test", 0.25)),
    )


def _labels(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*.txt"))}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, int]]]:
    out = tmp_path_factory.mktemp("ds")
    report = write_dataset(_spec(out))
    return out, report.as_dict()


def test_files_match_the_report(dataset: tuple[Path, dict[str, dict[str, int]]]) -> None:
    out, report = dataset
    assert json.loads((out / "report.json").read_text()) == report
    for split in SPLITS:
        images = sorted((out / "images" / split).glob("*.jpg"))
        labels = sorted((out / "labels" / split).glob("*.txt"))
        assert [p.stem for p in images] == [p.stem for p in labels]
        assert len(images) == report[split]["images"]
        counts: Counter[str] = Counter()
        empty = 0
        for label in labels:
            lines = label.read_text().splitlines()
            empty += not lines
            counts.update(CLASS_NAMES[int(line.split()[0])] for line in lines)
        assert empty == report[split]["empty"]
        for name in CLASS_NAMES:
            assert counts[name] == report[split][name]
    assert sum(r["images"] for r in report.values()) == 8
    assert [report[s]["images"] for s in SPLITS] == [4, 2, 2]


def test_images_and_labels_are_well_formed(dataset: tuple[Path, dict[str, dict[str, int]]]) -> None:
    out, _ = dataset
    for image in out.rglob("*.jpg"):
        pixels = cv2.imread(str(image))
        assert pixels is not None and pixels.shape == (SIZE, SIZE, 3)
    for label in out.rglob("labels/*/*.txt"):
        for line in label.read_text().splitlines():
            cid, cx, cy, w, h = line.split()
            assert int(cid) in range(len(CLASS_NAMES))
            x0, x1 = float(cx) - float(w) / 2, float(cx) + float(w) / 2
            y0, y1 = float(cy) - float(h) / 2, float(cy) + float(h) / 2
            assert -1e-6 <= x0 < x1 <= 1 + 1e-6 and -1e-6 <= y0 < y1 <= 1 + 1e-6


def test_truth_agrees_with_labels(dataset: tuple[Path, dict[str, dict[str, int]]]) -> None:
    out, _ = dataset
    for split in SPLITS:
        for line in (out / "truth" / f"{split}.jsonl").read_text().splitlines():
            truth = ImageTruth.model_validate_json(line)
            label = out / truth.image.replace("images/", "labels/").replace(".jpg", ".txt")
            assert len(label.read_text().splitlines()) == sum(b.labelled for b in truth.boxes)
            for box in truth.boxes:
                assert not box.labelled or box.class_id is not None
                assert box.class_id is not None or not box.labelled


def test_data_yaml_names_the_classes(dataset: tuple[Path, dict[str, dict[str, int]]]) -> None:
    out, _ = dataset
    text = (out / "data.yaml").read_text()
    assert "train: images/train" in text and "val: images/valid" in text
    for i, name in enumerate(CLASS_NAMES):
        assert f"  {i}: {name}" in text


def test_same_seed_writes_identical_labels_and_pixels(
    dataset: tuple[Path, dict[str, dict[str, int]]], tmp_path: Path
) -> None:
    out, _ = dataset
    write_dataset(_spec(tmp_path / "again"))
    assert _labels(out / "labels") == _labels(tmp_path / "again" / "labels")
    for image in (out / "images").rglob("*.jpg"):
        twin = tmp_path / "again" / image.relative_to(out)
        assert image.read_bytes() == twin.read_bytes()


def test_a_different_seed_writes_different_labels(
    dataset: tuple[Path, dict[str, dict[str, int]]], tmp_path: Path
) -> None:
    out, _ = dataset
    write_dataset(_spec(tmp_path / "other", seed=4))
    assert list(_labels(out / "labels").values()) != list(
        _labels(tmp_path / "other" / "labels").values()
    )


def test_worker_processes_do_not_change_the_output(tmp_path: Path) -> None:
    write_dataset(_spec(tmp_path / "one", count=3))
    write_dataset(_spec(tmp_path / "two", count=3), workers=2)
    assert _labels(tmp_path / "one" / "labels") == _labels(tmp_path / "two" / "labels")
    for image in (tmp_path / "one" / "images").rglob("*.jpg"):
        assert (
            image.read_bytes()
            == (tmp_path / "two" / image.relative_to(tmp_path / "one")).read_bytes()
        )


def test_parse_splits() -> None:
    assert parse_splits("train=0.8,valid=0.1,test=0.1") == (
        ("train", 0.8),
        ("valid", 0.1),
        ("test", 0.1),
    )
    assert parse_splits("train=1") == (("train", 1.0),)
    for bad in ("train=0.8,valid=0.1", "train=0.5,val=0.5", "train", "train=2,test=-1"):
        with pytest.raises(ValueError):
            parse_splits(bad)


@pytest.mark.parametrize("count", [1, 7, 10, 33])
def test_assign_splits_gives_exact_counts(count: int) -> None:
    splits = (("train", 0.8), ("valid", 0.1), ("test", 0.1))
    names = assign_splits(count, 1, splits)
    assert len(names) == count
    expected = {name: round(f * count) for name, f in splits}
    counts = Counter(names)
    assert sum(counts.values()) == count
    assert all(abs(counts[n] - expected[n]) <= 1 for n in expected)
    assert names == assign_splits(count, 1, splits)


def test_rewriting_a_folder_leaves_no_stale_images(tmp_path: Path) -> None:
    write_dataset(_spec(tmp_path, count=4))
    write_dataset(_spec(tmp_path, count=2, seed=9))
    assert len(list(tmp_path.rglob("*.jpg"))) == 2
    assert len(list(tmp_path.rglob("labels/*/*.txt"))) == 2


def test_stills_from_clips_show_pole_and_bike_views_with_labels(tmp_path: Path) -> None:
    spec = DatasetSpec(
        out=tmp_path, count=12, seed=4, width=192, height=108, scenes="clips",
        splits=(("train", 1.0),),
    )  # fmt: skip
    report = write_dataset(spec)
    truths = [
        ImageTruth.model_validate_json(line)
        for line in (tmp_path / "truth" / "train.jsonl").read_text().splitlines()
    ]
    assert {t.camera.family for t in truths} == {"pole", "bike"}
    assert sum(report.as_dict()["train"].get(name, 0) for name in CLASS_NAMES) > 0
    again = write_dataset(DatasetSpec(**{**spec.__dict__, "out": tmp_path / "again"}))
    assert again.as_dict() == report.as_dict()
    assert _labels(tmp_path / "labels") == _labels(tmp_path / "again" / "labels")
