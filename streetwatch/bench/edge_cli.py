"""``bench edge`` from the command line: make the generated clip, measure each clip, print."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from streetwatch.bench.edge import EdgeBench, bench_clip, report
from streetwatch.commands.synth_cmd import parse_size
from streetwatch.errors import UserError
from training.synth.video import DEFAULT_START, ClipSpec, write_clip


def synth_clip(out: Path, seconds: float, size: str) -> Path:
    """Write a generated fixed-camera clip (10 fps, seed 0) and return its video file."""
    width, height = parse_size(size)
    spec = ClipSpec(
        out=out,
        seed=0,
        kind="fixed",
        seconds=seconds,
        width=width,
        height=height,
        start_utc=DEFAULT_START,
    )
    return write_clip(spec).video


def run_edge_bench(args: argparse.Namespace) -> int:
    """Run ``bench edge`` with the parsed arguments; print the report of every clip."""
    if args.repeat < 1 or args.threads < 1 or args.synth_seconds <= 0:
        raise UserError("--repeat, --threads and --synth-seconds must be positive")
    if args.frames < 2:
        raise UserError("--frames must be at least 2 (rates are timed from the first frame on)")
    for model in (args.model, args.rect, args.int8):
        if model is not None and not model.is_file():
            raise UserError(f"model file {model} does not exist")
    with tempfile.TemporaryDirectory(prefix="streetwatch-bench-edge-") as folder:
        work = Path(folder)
        spec = EdgeBench(
            config=args.config,
            square=args.model,
            work=work,
            rect=args.rect,
            int8=args.int8,
            frames=args.frames,
            repeats=args.repeat,
            threads=args.threads,
            with_ultralytics=not args.no_ultralytics,
        )
        clips = [("synth", synth_clip(work / "synth", args.synth_seconds, args.synth_size))]
        if args.media.is_file():
            clips.append(("media", args.media))
        else:
            print(f"{args.media} is absent: measuring the generated clip only", flush=True)
        for tag, video in clips:
            print("\n".join(report(spec, bench_clip(spec, video, tag))), flush=True)
    return 0
