"""Detection by object kind on generated clips: which kinds of each class a model misses.

Each clip is rendered from its seed (as ``synth video`` does) and read back from its video
file, so the model sees the same compressed frames an edge node would. Every labelled box of
every frame is matched with the model's detections of its class (IoU >= ``iou``); per kind
the table gives the objects, those found (matched at or above the class's score in some
frame), the share of object-frames found and the median box height. mAP on stills says how
good a model is; this says what it misses, and so what the next training run should show it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from edge.detections import Detections
from edge.detector import OnnxDetector
from edge.nms import iou_one_to_many
from streetwatch.errors import UserError
from training.synth.taxonomy import CLASS_NAMES
from training.synth.truth import FrameTruth, load_video_truth
from training.synth.video import ClipSpec, write_clip

MATCH_IOU = 0.3
"""A detection of the right class overlapping a true box this much finds it."""
UNMATCHED = -1.0
"""The score of a box no detection matched: below every score, 0 included."""


@dataclass(frozen=True)
class KindRecall:
    """How a model does on one kind of object.

    Attributes:
        label: the detector class.
        kind: the generator's object kind, e.g. ``cloth_banner``.
        objects: labelled objects of this kind over the clips.
        found: objects matched at or above the class's score in at least one frame.
        frames: object-frames (labelled boxes).
        frames_found: object-frames matched at or above the class's score.
        median_height_px: median labelled box height.
    """

    label: str
    kind: str
    objects: int
    found: int
    frames: int
    frames_found: int
    median_height_px: float


@dataclass
class _Tally:
    """One kind's best scores, per object (clip, id) and per box (:data:`UNMATCHED`: none)."""

    best: dict[tuple[int, int], float] = field(default_factory=dict)
    box_scores: list[float] = field(default_factory=list)
    heights: list[float] = field(default_factory=list)


def kind_recall(
    model: Path,
    clips: Iterable[ClipSpec],
    scores: Mapping[str, float],
    *,
    iou: float = MATCH_IOU,
    progress: Callable[[str], None] | None = None,
) -> list[KindRecall]:
    """Render ``clips``, run ``model`` on every frame and tally each labelled kind.

    Args:
        model: the ONNX detector.
        clips: what to render (their seeds and sizes).
        scores: per class, the score a match must reach (a class not listed: never found).
        iou: the overlap a match needs.
        progress: called with one line per clip.
    """
    detector = OnnxDetector(model, conf_threshold=min(scores.values(), default=0.01))
    missing = [name for name in CLASS_NAMES if name not in detector.info.names]
    if missing:
        raise UserError(f"model {model} has no class {', '.join(missing)}: it cannot be scored")
    model_ids = tuple(detector.info.names.index(name) for name in CLASS_NAMES)
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    for clip_index, spec in enumerate(clips):
        files = write_clip(spec)
        truth = load_video_truth(files.truth)
        capture = cv2.VideoCapture(str(files.video))
        try:
            for frame_truth in truth.frames:
                ok, image = capture.read()
                if not ok:
                    break
                found = detector.detect(np.asarray(image, dtype=np.uint8))
                _tally_frame(model_ids, found, frame_truth, clip_index, iou=iou, tallies=tallies)
        finally:
            capture.release()
        if progress is not None:
            progress(f"{files.video.name}: {len(truth.frames)} frames")
    return [
        _row(label, kind, tally, scores.get(label, float("inf")))
        for (label, kind), tally in sorted(tallies.items())
    ]


def _tally_frame(
    model_ids: tuple[int, ...],
    found: Detections,
    truth: FrameTruth,
    clip_index: int,
    *,
    iou: float,
    tallies: dict[tuple[str, str], _Tally],
) -> None:
    for box in truth.boxes:
        if box.class_id is None or not box.labelled:
            continue
        same = found.class_id == model_ids[box.class_id]
        overlaps = iou_one_to_many(np.asarray(box.xyxy, np.float32), found.xyxy[same])
        matched = found.confidence[same][overlaps >= iou]
        best = float(matched.max()) if matched.size else UNMATCHED
        tally = tallies[(CLASS_NAMES[box.class_id], box.kind)]
        key = (clip_index, box.object_id)
        tally.best[key] = max(tally.best.get(key, UNMATCHED), best)
        tally.box_scores.append(best)
        tally.heights.append(box.xyxy[3] - box.xyxy[1])


def _row(label: str, kind: str, tally: _Tally, score: float) -> KindRecall:
    return KindRecall(
        label=label,
        kind=kind,
        objects=len(tally.best),
        found=sum(best >= score for best in tally.best.values()),
        frames=len(tally.box_scores),
        frames_found=sum(best >= score for best in tally.box_scores),
        median_height_px=float(statistics.median(tally.heights)),
    )


def report_lines(rows: Iterable[KindRecall]) -> list[str]:
    """Return the table: class, kind, objects found, object-frames found, median height."""
    lines = [
        f"{'class':<16} {'kind':<20} {'objects found':>13} {'frames found':>13} {'median h':>9}"
    ]
    for row in rows:
        share = row.frames_found / row.frames if row.frames else 0.0
        lines.append(
            f"{row.label:<16} {row.kind:<20} {f'{row.found} of {row.objects}':>13} "
            f"{share:>12.0%} {row.median_height_px:>7.0f}px"
        )
    return lines
