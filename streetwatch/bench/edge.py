"""``bench edge``: the whole edge pipeline against bare ONNX Runtime and ultralytics.

Per clip (a generated fixed-camera clip, and a real one when present), interleaved runs of:

- ``bare MODEL``: ``InferenceSession.run`` on tensors letterboxed beforehand (the limit),
  same model file, input shape and threads as the pipeline;
- ``pipeline MODEL``: the edge pipeline at full detection rate without delivery (decode
  thread -> detect -> track -> rules -> events, evidence and the SQLite outbox), timed from
  the first decoded frame to the last processed (its running rate); the one-off start-up
  (outbox, source, first frame) and shutdown are reported apart;
- ``ultralytics``: ``YOLO(square fp32).predict(CLIP, stream=True)``: the script a user would
  write instead, decoding the clip itself, timed like the pipeline from its first result to
  its last.

Each model variant given (square fp32; rectangular fp32; int8) gets its bare and pipeline
rates. Then the last variant runs once over the whole clip in a process of its own
(:mod:`streetwatch.bench.edge_rss`) for the pipeline's peak RSS and the events it raises.
"""

from __future__ import annotations

import itertools
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from edge.config import EdgeConfig, load_edge_config
from edge.detector import OnnxDetector
from streetwatch.bench.detector import _bare, read_frames
from streetwatch.bench.edge_rss import WholeClip
from streetwatch.bench.edge_run import ClipRun, bench_config, open_detector, run_clip
from streetwatch.bench.timing import Measured, SelfTimed, interleaved
from streetwatch.errors import UserError

TARGET_BARE = 0.90
TARGET_SAME_FILE = 1.05
TARGET_RECT_INT8 = 3.0
TARGET_RSS_MB = 250.0


@dataclass(frozen=True)
class EdgeBench:
    """What to measure.

    Attributes:
        config: the edge config whose rules, tracking, events and evidence apply.
        square: fp32 square ONNX model (the file ultralytics runs too).
        rect: optional fp32 rectangular model of the same weights.
        int8: optional int8 model of the same weights (rectangular or square).
        frames: frames per timed run.
        repeats: interleaved runs; medians.
        threads: ONNX Runtime intra-op threads (all contenders).
        with_ultralytics: measure ultralytics predict.
        work: folder for outboxes.
    """

    config: Path
    square: Path
    work: Path
    rect: Path | None = None
    int8: Path | None = None
    frames: int = 60
    repeats: int = 5
    threads: int = 2
    with_ultralytics: bool = True

    @property
    def models(self) -> list[Path]:
        """The model variants, square fp32 first."""
        return [m for m in (self.square, self.rect, self.int8) if m is not None]


@dataclass(frozen=True)
class ClipResult:
    """The figures of one clip."""

    video: Path
    frames: int
    timings: dict[str, Measured]
    whole: WholeClip
    whole_model: Path
    runs: dict[str, tuple[ClipRun, ...]]


def _pipeline(
    config: EdgeConfig, detector: OnnxDetector, frames: int, done: list[ClipRun]
) -> Callable[[], SelfTimed]:
    runs = itertools.count()
    folder = config.outbox.path

    def run() -> SelfTimed:
        outbox = folder / f"outbox-{next(runs)}.sqlite3"
        where = config.outbox.model_copy(update={"path": outbox})
        clip = run_clip(config.model_copy(update={"outbox": where}), detector, frames)
        done.append(clip)
        return SelfTimed(clip.frames - 1, clip.steady_s)

    return run


def _ultralytics(model: Path, video: Path, frames: int) -> Callable[[], SelfTimed]:
    from training.ultra import yolo_class  # noqa: PLC0415 - optional [train] extra

    yolo = yolo_class()(str(model), task="detect")

    def run() -> SelfTimed:
        results = yolo.predict(source=str(video), stream=True, verbose=False, conf=0.25, iou=0.7)
        done, first, last = 0, 0.0, 0.0
        try:
            for _ in results:
                done += 1
                last = time.perf_counter()
                first = first or last
                if done == frames:
                    break
        finally:
            results.close()
        if done < 2:
            raise UserError(f"ultralytics decoded fewer than 2 frames of {video}")
        return SelfTimed(done - 1, last - first)

    return run


def _whole_clip(spec: EdgeBench, model: Path, video: Path, outbox: Path) -> WholeClip:
    command = [sys.executable, "-m", "streetwatch.bench.edge_rss", str(spec.config), str(model)]
    command += [str(video), str(spec.threads), str(outbox)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise UserError(
            f"the pipeline process failed on {video.name}: {done.stderr.strip()[-500:]}"
        )
    return WholeClip(**json.loads(done.stdout.strip().splitlines()[-1]))


def bench_clip(spec: EdgeBench, video: Path, tag: str) -> ClipResult:
    """Measure every contender on ``video``; then the whole clip in its own process."""
    base = load_edge_config(spec.config)
    frames = read_frames(video, spec.frames)
    contenders: dict[str, Callable[[], int | SelfTimed]] = {}
    runs: dict[str, list[ClipRun]] = {}
    for model in spec.models:
        work = spec.work / f"{tag}-{model.stem}"
        work.mkdir(parents=True, exist_ok=True)
        config = bench_config(base, model, video, spec.threads, work)
        detector = open_detector(config)
        contenders[f"bare {model.name}"] = _bare(detector, frames)
        name = f"pipeline {model.name}"
        contenders[name] = _pipeline(config, detector, len(frames), runs.setdefault(name, []))
    if spec.with_ultralytics:
        contenders[f"ultralytics {spec.square.name}"] = _ultralytics(
            spec.square, video, len(frames)
        )
    timings = interleaved(contenders, spec.repeats)
    last = spec.models[-1]
    whole = _whole_clip(spec, last, video, spec.work / f"{tag}-whole.sqlite3")
    kept = {name: tuple(done[-spec.repeats :]) for name, done in runs.items()}  # not warm-up
    return ClipResult(video, len(frames), timings, whole, last, kept)


def report(spec: EdgeBench, result: ClipResult) -> list[str]:
    """Return the result lines of one clip: rates, ratios against the targets, RSS, events."""
    t = result.timings
    lines = [
        f"clip {result.video.name}: {result.frames} frames per run, {spec.threads} threads, "
        f"median of {spec.repeats} interleaved runs (ratios: median of each round's ratio)",
    ]
    lines += [f"  {name:<34} {m.per_second:8.1f} frames/s" for name, m in t.items()]
    for name, done in result.runs.items():
        startup = statistics.median(run.startup_s for run in done) * 1000
        shutdown = statistics.median(run.shutdown_s for run in done) * 1000
        lines.append(
            f"  {name}: start-up {startup:.0f} ms, shutdown {shutdown:.0f} ms "
            "(once per run of a node; not in its rate)"
        )
    ultra = t.get(f"ultralytics {spec.square.name}")
    for model in spec.models:
        ours = t[f"pipeline {model.name}"]
        bare = ours.ratio(t[f"bare {model.name}"])
        lines.append(
            f"  pipeline / bare run ({model.name}): {bare:.2f} (target >= {TARGET_BARE:.2f})"
        )
        if ultra is not None:
            target = {spec.square: TARGET_SAME_FILE, spec.int8: TARGET_RECT_INT8}.get(model)
            wanted = f" (target >= {target:.2f})" if target else ""
            lines.append(
                f"  pipeline ({model.name}) / ultralytics predict ({spec.square.name}): "
                f"{ours.ratio(ultra):.2f}x{wanted}"
            )
    whole = result.whole
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(whole.events.items())) or "none"
    lines += [
        f"  whole clip, pipeline alone ({result.whole_model.name}): {whole.frames} frames, "
        f"{whole.frames / whole.seconds:.1f} frames/s",
        f"  peak RSS of the pipeline: {whole.peak_rss_mb:.0f} MB "
        f"(target <= {TARGET_RSS_MB:.0f} MB)",
        f"  violation events raised: {whole.violations} (by type: {kinds})",
    ]
    return lines
