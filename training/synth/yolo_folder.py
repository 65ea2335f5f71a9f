"""Read a YOLO dataset folder: its images per split and their boxes.

Both common layouts are read: ``images/<split>/`` with ``labels/<split>/`` (what
``streetwatch synth images`` and ``dataset import`` write) and ``<split>/images/`` with
``<split>/labels/`` (Roboflow exports). ``val`` is read as ``valid``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edge.images import IMAGE_SUFFIXES
from streetwatch.errors import UserError

SPLITS = ("train", "valid", "test")
_SPLIT_NAMES = {"train": ("train",), "valid": ("valid", "val"), "test": ("test",)}


@dataclass(frozen=True)
class YoloBox:
    """A labelled box, normalised to the image (centre x, centre y, width, height)."""

    class_id: int
    cx: float
    cy: float
    w: float
    h: float

    def xyxy(self, width: int, height: int) -> tuple[float, float, float, float]:
        """Corners in pixels of a ``width`` × ``height`` image."""
        return (
            (self.cx - self.w / 2) * width,
            (self.cy - self.h / 2) * height,
            (self.cx + self.w / 2) * width,
            (self.cy + self.h / 2) * height,
        )

    def line(self) -> str:
        """The YOLO label line."""
        return f"{self.class_id} {self.cx:.6f} {self.cy:.6f} {self.w:.6f} {self.h:.6f}"


@dataclass(frozen=True)
class LabelledImage:
    """An image file, its label file (which may be missing: no boxes) and its split."""

    image: Path
    label: Path
    split: str


def split_images(root: Path) -> dict[str, tuple[LabelledImage, ...]]:
    """Images of each split, sorted by path (an empty tuple for a split that is absent)."""
    found: dict[str, tuple[LabelledImage, ...]] = {}
    for split in SPLITS:
        items: list[LabelledImage] = []
        for name in _SPLIT_NAMES[split]:
            for images, labels in (
                (root / "images" / name, root / "labels" / name),
                (root / name / "images", root / name / "labels"),
            ):
                if images.is_dir():
                    items += [
                        LabelledImage(p, labels / f"{p.stem}.txt", split)
                        for p in sorted(images.iterdir())
                        if p.suffix.lower() in IMAGE_SUFFIXES
                    ]
        found[split] = tuple(items)
    return found


def read_boxes(label: Path) -> tuple[YoloBox, ...]:
    """Boxes of a label file (polygons become their bounding box; a missing file: none).

    Raises:
        UserError: a line that is neither ``class cx cy w h`` nor a polygon.
    """
    if not label.is_file():
        return ()
    boxes: list[YoloBox] = []
    for number, line in enumerate(label.read_text(encoding="utf-8").splitlines(), start=1):
        values = line.split()
        if not values:
            continue
        try:
            class_id, coords = int(values[0]), [float(v) for v in values[1:]]
        except ValueError:
            raise UserError(f"{label}:{number}: not a YOLO label line: {line!r}") from None
        if len(coords) == 4:
            cx, cy, w, h = coords
            x1, y1, x2, y2 = cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
        elif len(coords) >= 6 and len(coords) % 2 == 0:
            xs, ys = coords[0::2], coords[1::2]
            x1, y1, x2, y2 = min(xs), min(ys), max(xs), max(ys)
        else:
            raise UserError(f"{label}:{number}: expected 4 box values or a polygon: {line!r}")
        x1, y1, x2, y2 = (min(max(v, 0.0), 1.0) for v in (x1, y1, x2, y2))
        if x2 > x1 and y2 > y1:
            boxes.append(YoloBox(class_id, (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1))
    return tuple(boxes)
