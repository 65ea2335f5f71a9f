"""``streetwatch synth paste``: crops pasted split by split, deterministic, in YOLO form."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.images import read_image
from streetwatch.cli import main
from streetwatch.errors import UserError
from training.synth.paste import Box, PasteStyle, place
from training.synth.paste_dataset import PasteSpec, collect_crops, write_paste_dataset
from training.synth.yolo_folder import read_boxes, split_images

COLOURS = {"train": (0, 0, 230), "valid": (0, 230, 0), "test": (230, 0, 0)}  # BGR
"""Each split's objects have their own colour: red, green, blue."""
FRAME_W, FRAME_H = 160, 120
STALL = "0 0.250000 0.800000 0.300000 0.300000"  # a labelled box on every background's ground


def _write(path: Path, image: np.ndarray, labels: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), image)
    if path.parent.name == "images":  # <split>/images/x.png -> <split>/labels/x.txt
        label = path.parent.parent / "labels" / f"{path.stem}.txt"
    else:  # images/<split>/x.png -> labels/<split>/x.txt
        label = path.parent.parent.parent / "labels" / path.parent.name / f"{path.stem}.txt"
    label.parent.mkdir(parents=True, exist_ok=True)
    label.write_text(labels)


def _objects(root: Path, splits: tuple[str, ...] = ("train", "valid", "test")) -> Path:
    """Roboflow layout (<split>/images): a 40 px square of the split's colour, class 1."""
    for split in splits:
        for i in range(2):
            image = np.full((80, 80, 3), 120, np.uint8)
            image[20:60, 20:60] = COLOURS[split]
            image[2:12, 2:12] = (0, 230, 230)  # class 1 but too small to paste
            image[66:78, 60:78] = (230, 0, 230)  # class 0 (an export artefact): never cut
            labels = "1 0.5 0.5 0.5 0.5\n1 0.0875 0.0875 0.125 0.125\n0 0.8625 0.9 0.225 0.15\n"
            _write(root / split / "images" / f"o{i}.png", image, labels)
    return root


def _backgrounds(root: Path, counts: dict[str, int] | None = None) -> Path:
    """Our layout (images/<split>): grey frames with one labelled box on the ground."""
    for split, n in (counts or {"train": 4, "valid": 1, "test": 1}).items():
        for i in range(n):
            image = np.full((FRAME_H, FRAME_W, 3), 128, np.uint8)
            _write(root / "images" / split / f"b{i}.png", image, STALL + "\n")
    return root


def _spec(tmp_path: Path, out: str = "out", seed: int = 3, count: int = 12) -> PasteSpec:
    return PasteSpec(
        objects=tmp_path / "objects",
        object_class=1,
        onto=tmp_path / "onto",
        target_class=1,
        out=tmp_path / out,
        count=count,
        per_image=3,
        seed=seed,
    )


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    _objects(tmp_path / "objects")
    _backgrounds(tmp_path / "onto")
    return tmp_path


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.parent.parent.name in ("images", "labels")
    }


def test_same_seed_same_bytes(inputs: Path) -> None:
    write_paste_dataset(_spec(inputs, "a"))
    write_paste_dataset(_spec(inputs, "b"))
    write_paste_dataset(_spec(inputs, "c", seed=4))
    a, b, c = (_files(inputs / name) for name in "abc")
    assert len(a) == 24 and a == b
    assert a != c


def _dominant(image: np.ndarray, colour: tuple[int, int, int]) -> int:
    """Pixels whose strongest channels are those of ``colour``, clearly above the rest."""
    img = image.astype(int)
    strong = [c for c in range(3) if colour[c] > 0]
    weak = [c for c in range(3) if colour[c] == 0]
    low = np.min(img[..., strong], axis=-1)
    high = np.max(img[..., weak], axis=-1)
    return int(np.count_nonzero(low > high + 40))


def test_splits_never_leak(inputs: Path) -> None:
    report = write_paste_dataset(_spec(inputs))
    assert [(r.split, r.images) for r in report.splits] == [("train", 8), ("valid", 2), ("test", 2)]
    for split, colour in COLOURS.items():
        images = sorted((inputs / "out/images" / split).glob("*.jpg"))
        assert images
        for path in images:
            image = read_image(path)
            assert _dominant(image, colour) > 0, path
            for other in COLOURS.values():
                if other != colour:
                    assert _dominant(image, other) == 0, (path, other)
    for line in (inputs / "out/sources.jsonl").read_text().splitlines():
        record = json.loads(line)
        split = record["image"].split("/")[1]
        assert all(f"/{split}/images/" in o["image"] for o in record["objects"])


def test_only_large_enough_boxes_of_the_class_are_cut(inputs: Path) -> None:
    crops = collect_crops(_spec(inputs))
    assert {split: len(found) for split, found in crops.items()} == dict.fromkeys(COLOURS, 2)
    assert all(c.box == Box(20, 20, 60, 60) for found in crops.values() for c in found)


def test_labels_are_yolo_boxes_in_the_frame(inputs: Path) -> None:
    report = write_paste_dataset(_spec(inputs))
    pasted = 0
    stall = Box(0.1 * FRAME_W, 0.65 * FRAME_H, 0.4 * FRAME_W, 0.95 * FRAME_H)
    for label in (inputs / "out/labels").rglob("*.txt"):
        lines = label.read_text().splitlines()
        assert lines[0] == STALL and 2 <= len(lines) <= 4
        for line in lines[1:]:
            values = line.split()
            assert len(values) == 5 and values[0] == "1"
            cx, cy, w, h = (float(v) for v in values[1:])
            assert 0 <= cx - w / 2 < cx + w / 2 <= 1
            assert 0 <= cy - h / 2 < cy + h / 2 <= 1
            assert 0.06 - 1e-6 <= h <= 0.30 + 1e-6
            assert cy + h / 2 >= PasteStyle().ground_top
            box = Box(
                (cx - w / 2) * FRAME_W,
                (cy - h / 2) * FRAME_H,
                (cx + w / 2) * FRAME_W,
                (cy + h / 2) * FRAME_H,
            )
            assert box.overlap(stall) <= PasteStyle().max_overlap + 1e-6
            pasted += 1
    assert pasted == sum(r.pasted for r in report.splits) >= 12
    garbage = sum(dict(r.boxes)["garbage"] for r in report.splits)
    assert garbage == pasted and sum(dict(r.boxes)["street_vending"] for r in report.splits) == 12
    data = (inputs / "out/data.yaml").read_text()
    assert "synth paste" in data and "val: images/valid" in data and "  1: garbage" in data


def test_nearer_the_top_of_the_ground_is_smaller() -> None:
    style = PasteStyle(jitter=0.0)
    rng = np.random.default_rng(0)
    boxes = [place(rng, Box(0, 0, 50, 50), 640, 360, taken=(), style=style) for _ in range(50)]
    placed = sorted((b.y2, b.h) for b in boxes if b is not None)
    heights = [h for _, h in placed]
    assert len(placed) == 50 and heights == sorted(heights)
    assert 0.06 * 360 - 1e-6 <= heights[0] < heights[-1] <= 0.30 * 360 + 1e-6


def test_reads_both_layouts_and_polygons(tmp_path: Path) -> None:
    image = np.zeros((8, 8, 3), np.uint8)
    _write(tmp_path / "a/val/images/x.png", image, "1 0.1 0.2 0.3 0.2 0.3 0.5 0.1 0.5\n")
    _write(tmp_path / "b/images/valid/x.png", image, "")
    for root in ("a", "b"):
        found = split_images(tmp_path / root)
        assert [len(found[s]) for s in ("train", "valid", "test")] == [0, 1, 0]
    (box,) = read_boxes(split_images(tmp_path / "a")["valid"][0].label)
    assert box.line() == "1 0.200000 0.350000 0.200000 0.300000"


def _cli(tmp_path: Path, *extra: str) -> int:
    return main(
        [
            "synth",
            "paste",
            "--objects",
            str(tmp_path / "objects"),
            "--onto",
            str(tmp_path / "onto"),
            "--out",
            str(tmp_path / "out"),
            "--target-class",
            "1",
            "--count",
            "3",
            *extra,
        ]
    )


def test_cli_prints_counts(inputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(inputs, "--object-class", "1", "--seed", "5") == 0
    out = capsys.readouterr().out
    assert "pasted" in out and "garbage" in out and "data.yaml" in out
    assert len(list((inputs / "out/images").rglob("*.jpg"))) == 3


@pytest.mark.parametrize(
    ("change", "extra", "message"),
    [
        ("no-objects", ("--object-class", "1"), "--objects folder .* does not exist"),
        ("", ("--object-class", "2"), "no boxes of class 2"),
        ("no-backgrounds", ("--object-class", "1"), "--onto folder .* has no images"),
        ("only-test", ("--object-class", "1"), "no backgrounds in the splits .*test"),
        ("", ("--object-class", "1", "--per-image", "0"), "--per-image"),
        ("", ("--object-class", "1", "--target-class", "7"), "--target-class"),
    ],
)
def test_errors_are_one_sentence(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: str,
    extra: tuple[str, ...],
    message: str,
) -> None:
    if change != "no-objects":
        _objects(tmp_path / "objects", ("test",) if change == "only-test" else tuple(COLOURS))
    if change == "no-backgrounds":
        (tmp_path / "onto/images/train").mkdir(parents=True)
    else:
        _backgrounds(tmp_path / "onto", {"train": 1} if change == "only-test" else None)
    assert _cli(tmp_path, *extra) == 2
    err = capsys.readouterr().err
    assert err.startswith("streetwatch: ") and err.count("\n") == 1
    assert re.search(message, err), err


def test_out_must_not_be_an_input(inputs: Path) -> None:
    with pytest.raises(UserError, match="must differ"):
        write_paste_dataset(replace(_spec(inputs), out=inputs / "onto"))
