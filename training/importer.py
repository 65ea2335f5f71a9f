"""Read YOLO / VOC / COCO datasets, map their classes, split by group, write one YOLO dataset."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from edge.images import IMAGE_SUFFIXES
from streetwatch.errors import UserError
from training.recipe import Recipe, Source, SourceFormat, SplitFractions, SplitPolicy
from training.synth.yolo_folder import read_boxes

SPLITS = ("train", "valid", "test")
_SPLIT_ALIASES = {"train": "train", "valid": "valid", "val": "valid", "test": "test"}
_AUGMENT_SUFFIX = re.compile(r"(_(jpg|jpeg|png))?\.rf\.[0-9a-f]{16,}$", re.I)


@dataclass(frozen=True)
class LabelBox:
    """A box in normalised YOLO form (centre x, centre y, width, height; all 0..1)."""

    class_name: str
    cx: float
    cy: float
    w: float
    h: float

    def line(self, class_id: int) -> str:
        """Return the YOLO label line for ``class_id``."""
        return f"{class_id} {self.cx:.6f} {self.cy:.6f} {self.w:.6f} {self.h:.6f}"


@dataclass(frozen=True)
class Sample:
    """One image and its mapped boxes; ``group`` keeps copies of one photo in one split."""

    image: Path
    boxes: tuple[LabelBox, ...]
    split: str | None
    group: str


@dataclass
class ImportReport:
    """Counts of what was written: images and boxes per split and class."""

    images: Counter[str] = field(default_factory=Counter)
    backgrounds: Counter[str] = field(default_factory=Counter)
    boxes: Counter[tuple[str, str]] = field(default_factory=Counter)
    dropped_boxes: int = 0
    repeated: int = 0

    def table(self, names: list[str]) -> str:
        """Return a plain-text table of the counts."""
        rows = [f"{'split':<6} {'images':>7} {'empty':>6} " + " ".join(f"{n:>16}" for n in names)]
        for split in SPLITS:
            counts = " ".join(f"{self.boxes[(split, n)]:>16}" for n in names)
            rows.append(f"{split:<6} {self.images[split]:>7} {self.backgrounds[split]:>6} {counts}")
        rows.append(f"dropped boxes of unmapped classes: {self.dropped_boxes}")
        if self.repeated:
            rows.append(f"extra train copies from 'repeat' (counted above): {self.repeated}")
        return "\n".join(rows)


def group_of(stem: str) -> str:
    """Return the original-photo key of an image name (drops Roboflow augmentation suffixes)."""
    return _AUGMENT_SUFFIX.sub("", stem)


def assign_split(group: str, fractions: SplitFractions) -> str:
    """Return a split for ``group`` from a stable hash, so one group never spans two splits."""
    digest = hashlib.sha256(f"{fractions.seed}:{group}".encode()).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    if position < fractions.train:
        return "train"
    return "valid" if position < fractions.train + fractions.valid else "test"


def _clamp_box(name: str, x1: float, y1: float, x2: float, y2: float) -> LabelBox | None:
    x1, y1, x2, y2 = (min(max(v, 0.0), 1.0) for v in (x1, y1, x2, y2))
    if x2 <= x1 or y2 <= y1:
        return None
    return LabelBox(name, (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1)


def _split_from(parts: tuple[str, ...]) -> str | None:
    for part in reversed(parts):
        if part.lower() in _SPLIT_ALIASES:
            return _SPLIT_ALIASES[part.lower()]
    return None


def _yolo_boxes(label: Path, source: Source, report: ImportReport) -> tuple[LabelBox, ...]:
    boxes = []
    for box in read_boxes(label):
        target = source.classes.get(str(box.class_id))
        if target is None:
            report.dropped_boxes += 1
            continue
        boxes.append(LabelBox(target, box.cx, box.cy, box.w, box.h))
    return tuple(boxes)


def read_yolo(root: Path, source: Source, report: ImportReport) -> Iterator[Sample]:
    """Yield samples of a YOLO dataset (``<split>/images`` or ``images/<split>`` layouts)."""
    for image in sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES):
        rel = image.relative_to(root).parts
        if "images" not in rel:
            continue
        at = len(rel) - 1 - rel[::-1].index("images")
        label_rel = (*rel[:at], "labels", *rel[at + 1 :])
        label = (root.joinpath(*label_rel)).with_suffix(".txt")
        yield Sample(
            image, _yolo_boxes(label, source, report), _split_from(rel[:-1]), group_of(image.stem)
        )


def read_voc(root: Path, source: Source, report: ImportReport) -> Iterator[Sample]:
    """Yield samples of a Pascal VOC dataset (XML next to the images or in Annotations/)."""
    for xml in sorted(root.rglob("*.xml")):
        tree = ET.parse(xml).getroot()
        name = tree.findtext("filename") or xml.stem + ".jpg"
        candidates = [xml.with_name(name), root / "JPEGImages" / name, xml.parent.parent / name]
        image = next((c for c in candidates if c.is_file()), None)
        if image is None:
            raise UserError(f"{xml}: image {name!r} not found next to it or in JPEGImages/")
        width = float(tree.findtext("size/width") or 0)
        height = float(tree.findtext("size/height") or 0)
        if width <= 0 or height <= 0:
            raise UserError(f"{xml}: missing <size> width/height")
        boxes = []
        for obj in tree.iter("object"):
            target = source.classes.get(obj.findtext("name") or "")
            if target is None:
                report.dropped_boxes += 1
                continue
            x1, y1, x2, y2 = (float(obj.findtext(f"bndbox/{k}") or 0) for k in _VOC_KEYS)
            box = _clamp_box(target, x1 / width, y1 / height, x2 / width, y2 / height)
            if box is not None:
                boxes.append(box)
        split = _split_from(xml.relative_to(root).parts[:-1])
        yield Sample(image, tuple(boxes), split, group_of(image.stem))


_VOC_KEYS = ("xmin", "ymin", "xmax", "ymax")


def read_coco(root: Path, source: Source, report: ImportReport) -> Iterator[Sample]:
    """Yield samples of COCO JSON files under ``root`` (images beside the file or in images/)."""
    for path in sorted(root.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "images" not in data or "annotations" not in data:
            continue
        categories = {c["id"]: c["name"] for c in data.get("categories", [])}
        by_image: dict[int, list[dict[str, object]]] = {}
        for ann in data["annotations"]:
            by_image.setdefault(ann["image_id"], []).append(ann)
        split = _split_from((*path.relative_to(root).parts[:-1], path.stem.split("_")[-1]))
        for info in data["images"]:
            image = next(
                (
                    p
                    for p in (
                        path.parent / info["file_name"],
                        path.parent / "images" / info["file_name"],
                    )
                    if p.is_file()
                ),
                None,
            )
            if image is None:
                raise UserError(f"{path}: image {info['file_name']!r} not found")
            boxes = []
            for ann in by_image.get(info["id"], []):
                target = source.classes.get(str(categories.get(ann["category_id"], "")))
                if target is None:
                    report.dropped_boxes += 1
                    continue
                x, y, w, h = (float(v) for v in ann["bbox"])  # type: ignore[attr-defined]
                iw, ih = float(info["width"]), float(info["height"])
                box = _clamp_box(target, x / iw, y / ih, (x + w) / iw, (y + h) / ih)
                if box is not None:
                    boxes.append(box)
            yield Sample(image, tuple(boxes), split, group_of(image.stem))


READERS = {SourceFormat.YOLO: read_yolo, SourceFormat.VOC: read_voc, SourceFormat.COCO: read_coco}


def _place(image: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    try:
        os.link(image, target)
    except OSError:
        shutil.copy2(image, target)


def import_datasets(recipe: Recipe, base: Path, out: Path) -> ImportReport:
    """Merge the recipe's sources into a YOLO dataset at ``out``; return the counts.

    A source's train images are written ``repeat`` times (copies named ``<stem>__r2`` ...,
    hard links where the file system allows); its valid and test images once.
    """
    report = ImportReport()
    class_ids = {name: i for i, name in enumerate(recipe.names)}
    if out.exists():
        shutil.rmtree(out)
    for source in recipe.sources:
        root = (base / source.path).resolve()
        if not root.is_dir():
            raise UserError(f"source {source.name!r}: folder {root} does not exist")
        for sample in READERS[source.format](root, source, report):
            split = sample.split
            if source.splits is SplitPolicy.ASSIGN or split is None:
                split = assign_split(f"{source.name}:{sample.group}", recipe.split)
            copies = source.repeat if split == "train" else 1
            for copy in range(1, copies + 1):
                stem = f"{source.name}-{sample.image.stem}" + (f"__r{copy}" if copy > 1 else "")
                _write_sample(sample, split, stem=stem, out=out, class_ids=class_ids, report=report)
            report.repeated += copies - 1
    _write_data_yaml(out, recipe.names)
    return report


def _write_sample(
    sample: Sample,
    split: str,
    *,
    stem: str,
    out: Path,
    class_ids: dict[str, int],
    report: ImportReport,
) -> None:
    _place(sample.image, out / "images" / split / f"{stem}{sample.image.suffix.lower()}")
    label = out / "labels" / split / f"{stem}.txt"
    label.parent.mkdir(parents=True, exist_ok=True)
    lines = [box.line(class_ids[box.class_name]) for box in sample.boxes]
    label.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    report.images[split] += 1
    report.backgrounds[split] += not sample.boxes
    for box in sample.boxes:
        report.boxes[(split, box.class_name)] += 1


def _write_data_yaml(out: Path, names: list[str]) -> None:
    lines = ["# Written by 'streetwatch dataset import'; paths are relative to this file."]
    lines += [
        f"{key}: images/{split}"
        for key, split in (("train", "train"), ("val", "valid"), ("test", "test"))
    ]
    lines.append("names:")
    lines += [f"  {i}: {name}" for i, name in enumerate(names)]
    (out / "data.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
