"""``bench detector``: the detector against bare ONNX Runtime (the limit) and ultralytics.

All contenders use the same model file, the same decoded frames and the same thread count:

- ``bare``: ``InferenceSession.run`` on tensors letterboxed beforehand (the limit);
- ``streetwatch``: :meth:`OnnxDetector.detect` on decoded frames (letterbox, run, decode, NMS);
- ``ultralytics``: ``YOLO(model).predict(stream=True)`` on the same frames (needs ``[train]``).

With an int8 model, its bare and pipeline rates are measured in the same run for the
int8/fp32 frame-rate ratio.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from edge.detector import OnnxDetector
from edge.images import Image
from streetwatch.bench.timing import Measured, interleaved
from streetwatch.errors import UserError


@dataclass(frozen=True)
class DetectorBench:
    """What to measure."""

    model: Path
    video: Path
    frames: int = 60
    repeats: int = 5
    threads: int = 2
    int8: Path | None = None
    with_ultralytics: bool = True


def read_frames(video: Path, count: int) -> list[Image]:
    """Decode the first ``count`` frames of ``video``."""
    capture = cv2.VideoCapture(str(video))
    frames: list[Image] = []
    while len(frames) < count:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(np.asarray(frame, dtype=np.uint8))
    capture.release()
    if not frames:
        raise UserError(f"no frame could be decoded from {video}")
    return frames


def _bare(detector: OnnxDetector, frames: list[Image]) -> Callable[[], int]:
    tensors = [detector.prepare(frame)[0] for frame in frames]

    def run() -> int:
        for tensor in tensors:
            detector.infer(tensor)
        return len(tensors)

    return run


def _pipeline(detector: OnnxDetector, frames: list[Image]) -> Callable[[], int]:
    def run() -> int:
        for frame in frames:
            detector.detect(frame)
        return len(frames)

    return run


def _ultralytics(model: Path, frames: list[Image]) -> Callable[[], int]:
    from training.ultra import yolo_class  # noqa: PLC0415 - optional [train] extra

    yolo = yolo_class()(str(model), task="detect")

    def run() -> int:
        done = 0
        for _ in yolo.predict(source=frames, stream=True, verbose=False, conf=0.25, iou=0.7):
            done += 1
        return done

    return run


def run_bench(spec: DetectorBench) -> dict[str, Measured]:
    """Measure every contender; keys: bare, streetwatch, ultralytics, bare_int8, int8."""
    frames = read_frames(spec.video, spec.frames)
    fp32 = OnnxDetector(spec.model, threads=spec.threads)
    contenders = {"bare": _bare(fp32, frames), "streetwatch": _pipeline(fp32, frames)}
    if spec.int8 is not None:
        int8 = OnnxDetector(spec.int8, threads=spec.threads)
        contenders |= {"bare_int8": _bare(int8, frames), "int8": _pipeline(int8, frames)}
    if spec.with_ultralytics:
        contenders["ultralytics"] = _ultralytics(spec.model, frames)
    return interleaved(contenders, spec.repeats)


def report(spec: DetectorBench, results: dict[str, Measured]) -> str:
    """Return the result table and the ratios that matter."""
    lines = [
        f"model {spec.model.name}, {spec.video.name}: {results['bare'].items} frames, "
        f"{spec.threads} threads, median of {spec.repeats} interleaved runs "
        "(ratios: median of each round's ratio)",
        "",
    ]
    lines += [f"{name:<12} {m.per_second:8.1f} frames/s" for name, m in results.items()]
    bare, ours = results["bare"], results["streetwatch"]
    overhead = 1.0 / ours.ratio(bare) - 1.0
    lines += ["", f"pre/post-processing overhead vs bare run: {overhead:+.1%} (limit +5.0%)"]
    if "ultralytics" in results:
        lines.append(
            f"streetwatch / ultralytics predict: {ours.ratio(results['ultralytics']):.2f}x"
        )
    if "int8" in results:
        lines.append(
            f"int8 / fp32 (bare): {results['bare_int8'].ratio(bare):.2f}x; "
            f"(pipeline): {results['int8'].ratio(ours):.2f}x (target 1.8x)"
        )
    return "\n".join(lines)
