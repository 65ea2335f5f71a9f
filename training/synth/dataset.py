"""Write a YOLO image dataset of synthetic stills, with truth and a per-class report.

Layout (relative paths, like ``streetwatch dataset import``)::

    OUT/data.yaml                      names and split folders
    OUT/images/{split}/{stem}.jpg
    OUT/labels/{split}/{stem}.txt      ``class cx cy w h`` per labelled box (empty: background)
    OUT/truth/{split}.jsonl            one ImageTruth per image: every box, labelled or not
    OUT/report.json                    the counts printed at the end

Image ``i`` of seed ``S`` depends only on ``(S, i)``, so any number of worker processes writes
byte-identical labels and identical pixels. The ``images``, ``labels`` and ``truth`` folders of
``OUT`` are replaced. Worker processes are started with ``spawn``: a script calling
:func:`write_dataset` with ``workers > 1`` needs the usual ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from training.synth.clip_stills import clip_still
from training.synth.geo import GeoOrigin
from training.synth.labels import LabelRule, box_truths, intrinsics_truth, pose_truth, yolo_lines
from training.synth.sample import make_image_sample
from training.synth.taxonomy import CLASS_NAMES
from training.synth.truth import CameraTruth, ImageTruth

SPLITS = ("train", "valid", "test")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DatasetSpec:
    """What to generate.

    Attributes:
        out: output folder.
        count: number of images.
        seed: dataset seed.
        width: image width in pixels.
        height: image height in pixels.
        splits: ``(split, fraction)`` pairs adding up to 1.
        rule: which boxes are labelled.
        origin: WGS-84 origin of the local frame (for the truth's camera poses).
        scenes: ``stills`` (street views, :mod:`training.synth.sample`) or ``clips`` (frames
            of generated clips, :mod:`training.synth.clip_stills`).
    """

    out: Path
    count: int
    seed: int
    width: int = 416
    height: int = 416
    splits: tuple[tuple[str, float], ...] = (("train", 0.8), ("valid", 0.1), ("test", 0.1))
    rule: LabelRule = field(default_factory=LabelRule)
    origin: GeoOrigin = field(default_factory=GeoOrigin)
    scenes: Literal["stills", "clips"] = "stills"


@dataclass
class DatasetReport:
    """Counts of what was written."""

    images: Counter[str] = field(default_factory=Counter)
    backgrounds: Counter[str] = field(default_factory=Counter)
    boxes: Counter[tuple[str, str]] = field(default_factory=Counter)
    negatives: Counter[str] = field(default_factory=Counter)

    def add(self, split: str, truth: ImageTruth) -> None:
        """Count one written image."""
        self.images[split] += 1
        labelled = [b for b in truth.boxes if b.labelled and b.class_id is not None]
        self.backgrounds[split] += not labelled
        for b in labelled:
            self.boxes[(split, CLASS_NAMES[b.class_id or 0])] += 1
        self.negatives[split] += sum(1 for b in truth.boxes if b.class_id is None)

    def table(self) -> str:
        """A plain-text table: images, background images and boxes per class, per split."""
        head = f"{'split':<6} {'images':>7} {'empty':>6} " + " ".join(
            f"{n:>16}" for n in CLASS_NAMES
        )
        rows = [head + f" {'negatives':>10}"]
        for split in SPLITS:
            counts = " ".join(f"{self.boxes[(split, n)]:>16}" for n in CLASS_NAMES)
            rows.append(
                f"{split:<6} {self.images[split]:>7} {self.backgrounds[split]:>6} "
                f"{counts} {self.negatives[split]:>10}"
            )
        return "\n".join(rows)

    def as_dict(self) -> dict[str, dict[str, int]]:
        """JSON-ready counts per split."""
        out: dict[str, dict[str, int]] = {}
        for split in SPLITS:
            row = {
                "images": self.images[split],
                "empty": self.backgrounds[split],
                "negative_boxes": self.negatives[split],
            }
            row.update({n: self.boxes[(split, n)] for n in CLASS_NAMES})
            out[split] = row
        return out


def parse_splits(text: str) -> tuple[tuple[str, float], ...]:
    """Parse ``train=0.8,valid=0.1,test=0.1``.

    Raises:
        ValueError: unknown split names, bad numbers, or fractions not adding up to 1.
    """
    pairs: list[tuple[str, float]] = []
    for part in text.split(","):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in SPLITS:
            raise ValueError(
                f"split {part!r} is not NAME=FRACTION with NAME in {', '.join(SPLITS)}"
            )
        fraction = float(value)
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"split fraction {fraction} is outside 0..1")
        pairs.append((name, fraction))
    if abs(sum(f for _, f in pairs) - 1.0) > 1e-6:
        raise ValueError(f"split fractions add up to {sum(f for _, f in pairs):g}, not 1")
    return tuple(pairs)


def assign_splits(count: int, seed: int, splits: tuple[tuple[str, float], ...]) -> list[str]:
    """A split name per image index: exact counts (largest remainder), shuffled by ``seed``."""
    raw = [f * count for _, f in splits]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: count - sum(counts)]:
        counts[i] += 1
    names = [name for (name, _), n in zip(splits, counts, strict=True) for _ in range(n)]
    perm = np.random.default_rng([seed, 0x5B117]).permutation(count)
    return [names[int(p)] for p in perm]


def render_image(spec: DatasetSpec, index: int, split: str) -> tuple[bytes, str, ImageTruth]:
    """JPEG bytes, label text and truth of image ``index``."""
    if spec.scenes == "clips":
        still = clip_still(spec.seed, index, spec.width, spec.height)
        view, cam, look, family = still.view, still.camera, still.look, still.family
    else:
        sample = make_image_sample(spec.seed, index, spec.width, spec.height)
        view, cam, look, family = sample.render(), sample.camera, sample.look, sample.rig.family
    boxes = box_truths(view.seen, spec.rule)
    stem = image_stem(spec.seed, index)
    camera = CameraTruth(
        family=family, intrinsics=intrinsics_truth(cam), fixed_pose=pose_truth(cam, spec.origin)
    )
    truth = ImageTruth(
        image=f"images/{split}/{stem}.jpg",
        split=split,
        seed=spec.seed,
        index=index,
        light=look.light_name,
        camera=camera,
        boxes=boxes,
    )
    ok, jpg = cv2.imencode(".jpg", view.image, [cv2.IMWRITE_JPEG_QUALITY, look.jpeg_quality])
    if not ok:
        raise RuntimeError(f"JPEG encoding failed for image {index}")
    labels = "".join(f"{line}\n" for line in yolo_lines(boxes, spec.width, spec.height))
    return jpg.tobytes(), labels, truth


def image_stem(seed: int, index: int) -> str:
    """File stem of one image."""
    return f"synth_{seed}_{index:06d}"


def _job(args: tuple[DatasetSpec, int, str]) -> tuple[int, str, bytes, str, ImageTruth]:
    spec, index, split = args
    jpg, labels, truth = render_image(spec, index, split)
    return index, split, jpg, labels, truth


def _init_worker() -> None:
    cv2.setNumThreads(1)


def _results(
    spec: DatasetSpec, splits: list[str], workers: int
) -> Iterator[tuple[int, str, bytes, str, ImageTruth]]:
    jobs = [(spec, i, splits[i]) for i in range(spec.count)]
    if workers <= 1:
        yield from map(_job, jobs)
        return
    with ProcessPoolExecutor(
        workers, mp_context=get_context("spawn"), initializer=_init_worker
    ) as pool:
        yield from pool.map(_job, jobs, chunksize=4)


def write_dataset(
    spec: DatasetSpec, workers: int = 1, progress: Progress | None = None
) -> DatasetReport:
    """Render and write the whole dataset; returns the counts."""
    if spec.count < 1:
        raise ValueError("count must be at least 1")
    splits = assign_splits(spec.count, spec.seed, spec.splits)
    for owned in ("images", "labels", "truth"):
        shutil.rmtree(spec.out / owned, ignore_errors=True)
    for split in SPLITS:
        (spec.out / "images" / split).mkdir(parents=True, exist_ok=True)
        (spec.out / "labels" / split).mkdir(parents=True, exist_ok=True)
    (spec.out / "truth").mkdir(parents=True, exist_ok=True)
    report = DatasetReport()
    truths: dict[str, list[str]] = {s: [] for s in SPLITS}
    for done, (index, split, jpg, labels, truth) in enumerate(_results(spec, splits, workers), 1):
        stem = image_stem(spec.seed, index)
        (spec.out / "images" / split / f"{stem}.jpg").write_bytes(jpg)
        (spec.out / "labels" / split / f"{stem}.txt").write_text(labels, encoding="utf-8")
        truths[split].append(truth.model_dump_json())
        report.add(split, truth)
        if progress is not None:
            progress(done, spec.count)
    for split, lines in truths.items():
        (spec.out / "truth" / f"{split}.jsonl").write_text(
            "".join(f"{line}\n" for line in lines), encoding="utf-8"
        )
    write_data_yaml(spec.out)
    (spec.out / "report.json").write_text(
        json.dumps(report.as_dict(), indent=1) + "\n", encoding="utf-8"
    )
    return report


def write_data_yaml(out: Path, command: str = "streetwatch synth images") -> None:
    """Write ``out/data.yaml``: the split folders and the detector's class names."""
    lines = [f"# Written by '{command}'; paths are relative to this file."]
    lines += [
        f"{key}: images/{split}"
        for key, split in (("train", "train"), ("val", "valid"), ("test", "test"))
    ]
    lines.append("names:")
    lines += [f"  {i}: {name}" for i, name in enumerate(CLASS_NAMES)]
    (out / "data.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
