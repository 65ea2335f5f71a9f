"""Zoomed views of a YOLO dataset: windows around the boxes of one class, scaled back up.

The clip stills show most signs at 20–35 px of a 640 × 360 frame, 10–18 px at a 320 px
training size, while a pole camera close to a sign sees it several times larger (the model
card's *by kind* table). Each output image is a window of ``scale`` × the source frame (same
aspect) holding one box of the chosen class at a random place inside it, resized to the
source size: that box, and every other box the window holds, grows by ``1 / scale``. A box
the window cuts keeps its (clipped) label when at least :data:`MIN_VISIBLE` of it is inside,
else it is dropped with the image redrawn, so no half-object is left unlabelled. Each output
keeps its source's split, so valid and test stay apart from train.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from streetwatch.errors import UserError
from training.synth.dataset import write_data_yaml
from training.synth.yolo_folder import SPLITS, LabelledImage, YoloBox, read_boxes, split_images

MIN_VISIBLE = 0.6
"""Share of a cut box that must lie in the window for it to keep its (clipped) label."""
MAX_TRIES = 8
"""Windows tried per output image before another source is drawn."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ZoomSpec:
    """What to write.

    Attributes:
        source: YOLO dataset to zoom into.
        class_id: class whose boxes the windows hold.
        out: output folder (``images/``, ``labels/``, ``data.yaml``, ``sources.jsonl``).
        count: output images.
        scale: window size as a share of the source frame (0.3..0.9).
        seed: random seed (same seed and inputs: same output).
    """

    source: Path
    class_id: int
    out: Path
    count: int
    scale: float = 0.5
    seed: int = 0


@dataclass(frozen=True)
class Window:
    """A crop of a source image and the labels it keeps, normalised to the crop."""

    x0: int
    y0: int
    width: int
    height: int
    boxes: tuple[YoloBox, ...]


def window_labels(
    boxes: tuple[YoloBox, ...], frame: tuple[int, int], window: tuple[int, int, int, int]
) -> tuple[YoloBox, ...] | None:
    """Return ``boxes`` clipped and normalised to ``window`` (x0, y0, w, h in pixels).

    None when the window cuts a box so that less than :data:`MIN_VISIBLE` of it (but some of
    it) is inside: such a window would leave part of an object unlabelled.
    """
    fw, fh = frame
    x0, y0, w, h = window
    kept: list[YoloBox] = []
    for box in boxes:
        bx1, by1, bx2, by2 = box.xyxy(fw, fh)
        ix1, iy1 = max(bx1, x0), max(by1, y0)
        ix2, iy2 = min(bx2, x0 + w), min(by2, y0 + h)
        inside = max(0.0, ix2 - ix1) * max(0.0, iy2 - iy1)
        area = (bx2 - bx1) * (by2 - by1)
        if inside <= 0.0:
            continue
        if inside < MIN_VISIBLE * area:
            return None
        cx, cy = ((ix1 + ix2) / 2 - x0) / w, ((iy1 + iy2) / 2 - y0) / h
        kept.append(YoloBox(box.class_id, cx, cy, (ix2 - ix1) / w, (iy2 - iy1) / h))
    return tuple(kept)


def pick_window(
    rng: np.random.Generator, boxes: tuple[YoloBox, ...], target: YoloBox, frame: tuple[int, int],
    scale: float,
) -> Window | None:  # fmt: skip
    """A window of ``scale`` × ``frame`` holding ``target`` whole at a random place, or None."""
    fw, fh = frame
    w, h = round(fw * scale), round(fh * scale)
    tx1, ty1, tx2, ty2 = target.xyxy(fw, fh)
    if tx2 - tx1 > w or ty2 - ty1 > h:
        return None  # the box is larger than the window
    for _ in range(MAX_TRIES):
        x_lo, x_hi = max(0.0, tx2 - w), min(tx1, float(fw - w))
        y_lo, y_hi = max(0.0, ty2 - h), min(ty1, float(fh - h))
        if x_hi < x_lo or y_hi < y_lo:
            return None
        x0, y0 = round(rng.uniform(x_lo, x_hi)), round(rng.uniform(y_lo, y_hi))
        kept = window_labels(boxes, frame, (x0, y0, w, h))
        if kept is not None:
            return Window(x0, y0, w, h, kept)
    return None


def write_zoom_dataset(spec: ZoomSpec, progress: Progress | None = None) -> dict[str, int]:
    """Write the zoomed dataset; return the images written per split.

    Raises:
        UserError: the source has no boxes of the class, or the scale is out of range.
    """
    _check(spec)
    candidates = _candidates(spec)
    for owned in ("images", "labels"):
        shutil.rmtree(spec.out / owned, ignore_errors=True)
    for split in SPLITS:
        (spec.out / "images" / split).mkdir(parents=True, exist_ok=True)
        (spec.out / "labels" / split).mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([spec.seed, 31])
    written = dict.fromkeys(SPLITS, 0)
    records: list[str] = []
    attempts = 0
    while sum(written.values()) < spec.count:
        attempts += 1
        if attempts > 20 * spec.count:
            raise UserError(
                f"only {sum(written.values())} of {spec.count} windows fit: the boxes of class "
                f"{spec.class_id} are too large for --scale {spec.scale} or too crowded"
            )
        item, boxes = candidates[int(rng.integers(len(candidates)))]
        record = _zoom_one(spec, rng, item, boxes, len(records))
        if record is None:
            continue
        written[item.split] += 1
        records.append(record)
        if progress is not None:
            progress(len(records), spec.count)
    (spec.out / "sources.jsonl").write_text("".join(f"{r}\n" for r in records), encoding="utf-8")
    write_data_yaml(spec.out, "streetwatch synth zoom")
    return written


def _check(spec: ZoomSpec) -> None:
    if not 0.3 <= spec.scale <= 0.9:
        raise UserError(f"--scale {spec.scale} must be from 0.3 to 0.9")
    if spec.count < 1:
        raise UserError("--count must be at least 1")
    if spec.out.resolve() == spec.source.resolve():
        raise UserError(f"--out {spec.out} must differ from --source")


def _candidates(spec: ZoomSpec) -> list[tuple[LabelledImage, tuple[YoloBox, ...]]]:
    """The source images holding a box of the class, with all their boxes."""
    found: list[tuple[LabelledImage, tuple[YoloBox, ...]]] = []
    for items in split_images(spec.source).values():
        for item in items:
            boxes = read_boxes(item.label)
            if any(b.class_id == spec.class_id for b in boxes):
                found.append((item, boxes))
    if not found:
        raise UserError(f"{spec.source} has no boxes of class {spec.class_id} to zoom into")
    return found


def _zoom_one(
    spec: ZoomSpec,
    rng: np.random.Generator,
    item: LabelledImage,
    boxes: tuple[YoloBox, ...],
    index: int,
) -> str | None:
    """Write one zoomed view of ``item``; return its ``sources.jsonl`` record (None: no fit)."""
    image = cv2.imread(str(item.image), cv2.IMREAD_COLOR)
    if image is None:
        raise UserError(f"image {item.image} cannot be read")
    frame = (image.shape[1], image.shape[0])
    targets = [b for b in boxes if b.class_id == spec.class_id]
    target = targets[int(rng.integers(len(targets)))]
    window = pick_window(rng, boxes, target, frame, spec.scale)
    if window is None:
        return None
    crop = image[window.y0 : window.y0 + window.height, window.x0 : window.x0 + window.width]
    zoomed = cv2.resize(crop, frame, interpolation=cv2.INTER_LINEAR)
    stem = f"zoom_{spec.seed}_{index:06d}"
    ok, jpg = cv2.imencode(".jpg", zoomed, [cv2.IMWRITE_JPEG_QUALITY, 92])
    if not ok:
        raise UserError(f"a zoomed view of {item.image} could not be encoded")
    (spec.out / "images" / item.split / f"{stem}.jpg").write_bytes(jpg.tobytes())
    labels = "".join(f"{b.line()}\n" for b in window.boxes)
    (spec.out / "labels" / item.split / f"{stem}.txt").write_text(labels, encoding="utf-8")
    return json.dumps(
        {
            "image": f"images/{item.split}/{stem}.jpg",
            "source": str(item.image),
            "window": [window.x0, window.y0, window.width, window.height],
        }
    )
