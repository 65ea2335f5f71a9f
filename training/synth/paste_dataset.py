"""Write a YOLO dataset of street frames with real object crops pasted onto them.

Layout (like ``streetwatch synth images``)::

    OUT/data.yaml                      names and split folders
    OUT/images/{split}/{stem}.jpg      a background with 1..per_image crops pasted
    OUT/labels/{split}/{stem}.txt      the background's labels, then one line per pasted crop
    OUT/sources.jsonl                  per image: its background and the crops pasted
    OUT/report.json                    the counts printed at the end

Splits never mix: an image keeps its background's split, and only crops from the objects'
same split are pasted onto it. Image ``i`` depends only on the seed, ``i`` and the inputs.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from edge.images import read_image
from streetwatch.errors import UserError
from training.synth.dataset import write_data_yaml
from training.synth.paste import Box, Crop, PasteStyle, compose, cut
from training.synth.taxonomy import CLASS_NAMES
from training.synth.yolo_folder import SPLITS, LabelledImage, YoloBox, read_boxes, split_images

Progress = Callable[[int, int], None]
JPEG_QUALITY = 92


@dataclass(frozen=True)
class PasteSpec:
    """What to generate.

    Attributes:
        objects: YOLO dataset whose boxes of ``object_class`` are cut out.
        object_class: class id of the boxes to cut, in ``objects``' labels.
        onto: YOLO dataset of backgrounds (labels in the target class ids).
        target_class: class id that pasted boxes are labelled with.
        out: output folder (its images/ and labels/ are replaced).
        count: number of images.
        per_image: most crops pasted per image (at least one is tried).
        seed: seed.
        min_crop: smallest object side, in pixels of its own image, worth pasting.
        style: placement and blending.
    """

    objects: Path
    object_class: int
    onto: Path
    target_class: int
    out: Path
    count: int
    per_image: int = 2
    seed: int = 0
    min_crop: int = 24
    style: PasteStyle = field(default_factory=PasteStyle)


@dataclass(frozen=True)
class CropSource:
    """One object box to cut: its image and its corners in pixels."""

    image: Path
    box: Box


@dataclass(frozen=True)
class SplitCounts:
    """What one split received: images, pasted boxes, and all boxes per class name."""

    split: str
    images: int
    pasted: int
    boxes: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PasteReport:
    """Counts per split."""

    splits: tuple[SplitCounts, ...]

    def table(self) -> str:
        """A plain-text table: images, pasted boxes and boxes per class, per split."""
        rows = [
            f"{'split':<6} {'images':>7} {'pasted':>7} " + " ".join(f"{n:>16}" for n in CLASS_NAMES)
        ]
        for row in self.splits:
            counts = " ".join(f"{n:>16}" for _, n in row.boxes)
            rows.append(f"{row.split:<6} {row.images:>7} {row.pasted:>7} {counts}")
        return "\n".join(rows)

    def as_dict(self) -> dict[str, dict[str, int]]:
        """JSON-ready counts per split."""
        return {
            r.split: {"images": r.images, "pasted": r.pasted, **dict(r.boxes)} for r in self.splits
        }


def _image_size(path: Path) -> tuple[int, int]:
    height, width = read_image(path).shape[:2]
    return width, height


def _dataset(root: Path, flag: str) -> dict[str, tuple[LabelledImage, ...]]:
    if not root.is_dir():
        raise UserError(f"{flag} folder {root} does not exist")
    found = split_images(root)
    if not any(found.values()):
        raise UserError(
            f"{flag} folder {root} has no images under images/<split>/ or <split>/images/"
        )
    return found


def collect_crops(spec: PasteSpec) -> dict[str, tuple[CropSource, ...]]:
    """The boxes of ``object_class`` at least ``min_crop`` pixels on each side, per split."""
    crops: dict[str, tuple[CropSource, ...]] = {}
    for split, items in _dataset(spec.objects, "--objects").items():
        found: list[CropSource] = []
        for item in items:
            boxes = [b for b in read_boxes(item.label) if b.class_id == spec.object_class]
            if not boxes:
                continue
            width, height = _image_size(item.image)
            for b in boxes:
                box = Box(*b.xyxy(width, height))
                if min(box.w, box.h) >= spec.min_crop:
                    found.append(CropSource(item.image, box))
        crops[split] = tuple(found)
    if not any(crops.values()):
        raise UserError(
            f"--objects folder {spec.objects} has no boxes of class {spec.object_class} "
            f"of at least {spec.min_crop} pixels"
        )
    return crops


def plan_backgrounds(
    spec: PasteSpec, crops: dict[str, tuple[CropSource, ...]]
) -> tuple[LabelledImage, ...]:
    """The background of each output image: a seeded shuffle of those whose split has crops."""
    found = _dataset(spec.onto, "--onto")
    usable = [item for split in SPLITS if crops[split] for item in found[split]]
    if not usable:
        have = ", ".join(s for s in SPLITS if crops[s])
        raise UserError(
            f"--onto folder {spec.onto} has no backgrounds in the splits that have objects ({have})"
        )
    order = np.random.default_rng([spec.seed, 0xBA5E]).permutation(len(usable))
    return tuple(usable[int(order[i % len(usable)])] for i in range(spec.count))


def image_stem(seed: int, index: int) -> str:
    """File stem of one image."""
    return f"paste_{seed}_{index:06d}"


@dataclass(frozen=True)
class Pasted:
    """One output image: its split, stem, JPEG, label text, pasted box count and provenance."""

    split: str
    stem: str
    jpg: bytes
    labels: str
    pasted: int
    record: str


def paste_image(
    spec: PasteSpec,
    index: int,
    background: LabelledImage,
    crops: tuple[CropSource, ...],
) -> Pasted:
    """Image ``index``: ``background`` with 1..``per_image`` of ``crops`` pasted."""
    rng = np.random.default_rng([spec.seed, index, 0xC0B1E])
    frame = read_image(background.image)
    height, width = frame.shape[:2]
    existing = read_boxes(background.label)
    taken = [Box(*b.xyxy(width, height)) for b in existing]
    wanted = int(rng.integers(1, spec.per_image + 1))
    chosen = [crops[int(i)] for i in rng.integers(0, len(crops), wanted)]
    cuts: list[Crop] = [cut(read_image(c.image), c.box, spec.style.margin) for c in chosen]
    image, placed = compose(frame, taken, cuts, rng, spec.style)
    new = [
        YoloBox(
            spec.target_class,
            (b.x1 + b.x2) / 2 / width,
            (b.y1 + b.y2) / 2 / height,
            b.w / width,
            b.h / height,
        )
        for b in placed
    ]
    ok, jpg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise RuntimeError(f"JPEG encoding failed for image {index}")
    stem = image_stem(spec.seed, index)
    record = {
        "image": f"images/{background.split}/{stem}.jpg",
        "background": str(background.image),
        "objects": [{"image": str(c.image), "box": _rounded(c.box)} for c in chosen],
        "pasted": [_rounded(b) for b in placed],
    }
    labels = "".join(f"{b.line()}\n" for b in (*existing, *new))
    return Pasted(background.split, stem, jpg.tobytes(), labels, len(placed), json.dumps(record))


def _rounded(box: Box) -> list[float]:
    return [round(v, 1) for v in (box.x1, box.y1, box.x2, box.y2)]


def _report(results: list[tuple[str, int, str]]) -> PasteReport:
    rows = []
    for split in SPLITS:
        mine = [(n, labels) for s, n, labels in results if s == split]
        ids = [int(line.split()[0]) for _, labels in mine for line in labels.splitlines()]
        boxes = tuple((name, ids.count(i)) for i, name in enumerate(CLASS_NAMES))
        rows.append(SplitCounts(split, len(mine), sum(n for n, _ in mine), boxes))
    return PasteReport(tuple(rows))


def write_paste_dataset(spec: PasteSpec, progress: Progress | None = None) -> PasteReport:
    """Generate and write the dataset; returns the counts.

    Raises:
        UserError: missing folders, no objects of the class, or no backgrounds to paste on.
    """
    if spec.count < 1 or spec.per_image < 1:
        raise ValueError("count and per_image must be at least 1")
    if spec.out.resolve() in (spec.objects.resolve(), spec.onto.resolve()):
        raise UserError(f"--out {spec.out} must differ from --objects and --onto")
    crops = collect_crops(spec)
    backgrounds = plan_backgrounds(spec, crops)
    for owned in ("images", "labels"):
        shutil.rmtree(spec.out / owned, ignore_errors=True)
    for split in SPLITS:
        (spec.out / "images" / split).mkdir(parents=True, exist_ok=True)
        (spec.out / "labels" / split).mkdir(parents=True, exist_ok=True)
    results: list[tuple[str, int, str]] = []
    records: list[str] = []
    for index, background in enumerate(backgrounds):
        done = paste_image(spec, index, background, crops[background.split])
        (spec.out / "images" / done.split / f"{done.stem}.jpg").write_bytes(done.jpg)
        (spec.out / "labels" / done.split / f"{done.stem}.txt").write_text(
            done.labels, encoding="utf-8"
        )
        results.append((done.split, done.pasted, done.labels))
        records.append(done.record)
        if progress is not None:
            progress(index + 1, spec.count)
    report = _report(results)
    (spec.out / "sources.jsonl").write_text("".join(f"{r}\n" for r in records), encoding="utf-8")
    write_data_yaml(spec.out, "streetwatch synth paste")
    (spec.out / "report.json").write_text(
        json.dumps(report.as_dict(), indent=1) + "\n", encoding="utf-8"
    )
    return report
