"""``synth zoom``: windows around one class's boxes, scaled back up, relabelled, split kept."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from streetwatch.cli import main
from streetwatch.errors import UserError
from training.synth.yolo_folder import YoloBox, read_boxes, split_images
from training.synth.zoom import ZoomSpec, window_labels, write_zoom_dataset

FRAME = (640, 360)
SIGN = YoloBox(2, 0.30, 0.40, 0.05, 0.10)  # 32 x 36 px
BAG = YoloBox(1, 0.36, 0.45, 0.04, 0.06)


def _source(root: Path) -> None:
    for split, name, boxes in [
        ("train", "a", (SIGN, BAG)),
        ("train", "b", (BAG,)),  # no sign: never a source
        ("valid", "c", (SIGN,)),
    ]:
        (root / "images" / split).mkdir(parents=True, exist_ok=True)
        (root / "labels" / split).mkdir(parents=True, exist_ok=True)
        image = np.full((FRAME[1], FRAME[0], 3), 90, np.uint8)
        for box in boxes:
            x1, y1, x2, y2 = (round(v) for v in box.xyxy(*FRAME))
            image[y1:y2, x1:x2] = (40, 40, 200) if box.class_id == 2 else (30, 120, 30)
        cv2.imwrite(str(root / "images" / split / f"{name}.jpg"), image)
        lines = "".join(f"{b.line()}\n" for b in boxes)
        (root / "labels" / split / f"{name}.txt").write_text(lines)


def test_windows_double_the_class_and_keep_splits(tmp_path: Path) -> None:
    _source(tmp_path / "src")
    out = tmp_path / "zoom"
    written = write_zoom_dataset(ZoomSpec(tmp_path / "src", 2, out, count=12, scale=0.5, seed=3))
    assert sum(written.values()) == 12 and written["test"] == 0
    items = split_images(out)
    assert {s: len(v) for s, v in items.items()} == written
    for item in items["train"] + items["valid"]:
        image = cv2.imread(str(item.image))
        assert image is not None and (image.shape[1], image.shape[0]) == FRAME
        signs = [b for b in read_boxes(item.label) if b.class_id == 2]
        assert len(signs) == 1
        assert signs[0].w == pytest.approx(2 * SIGN.w, abs=2e-3)
        assert signs[0].h == pytest.approx(2 * SIGN.h, abs=2e-3)
        x1, y1, x2, y2 = (round(v) for v in signs[0].xyxy(*FRAME))
        inner = image[y1 + 4 : y2 - 4, x1 + 4 : x2 - 4].reshape(-1, 3).mean(axis=0)
        assert inner[2] > 150 and inner[1] < 80  # the red sign is where its label says
    again = tmp_path / "again"
    write_zoom_dataset(ZoomSpec(tmp_path / "src", 2, again, count=12, scale=0.5, seed=3))
    first = sorted(p.read_text() for p in (out / "labels").rglob("*.txt"))
    assert first == sorted(p.read_text() for p in (again / "labels").rglob("*.txt"))


def test_a_window_that_cuts_most_of_a_box_is_refused() -> None:
    box = YoloBox(1, 0.5, 0.5, 0.2, 0.2)  # pixels 256..384 x 144..216
    cut = window_labels((box,), FRAME, (0, 0, 300, 360))  # 44 of 128 px wide inside
    assert cut is None
    kept = window_labels((box,), FRAME, (0, 0, 360, 360))  # 104 of 128 px: kept, clipped
    assert kept is not None and len(kept) == 1
    assert kept[0].w == pytest.approx(104 / 360) and kept[0].cx == pytest.approx(308 / 360)
    assert window_labels((box,), FRAME, (0, 0, 200, 100)) == ()  # wholly outside: no label


def test_bad_requests_are_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _source(tmp_path / "src")
    with pytest.raises(UserError, match="has no boxes of class 0 to zoom into"):
        write_zoom_dataset(ZoomSpec(tmp_path / "src", 0, tmp_path / "z", count=2))
    args = ["synth", "zoom", "--source", str(tmp_path / "src"), "--out", str(tmp_path / "z")]
    assert main([*args, "--class-id", "2", "--count", "2", "--scale", "0.95"]) == 2
    assert "--scale 0.95 must be from 0.3 to 0.9" in capsys.readouterr().err
    assert main([*args, "--class-id", "2", "--count", "3"]) == 0
    assert "wrote " in capsys.readouterr().out
