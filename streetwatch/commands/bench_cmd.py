"""``streetwatch bench``: benchmarks that print ratios measured in one run.

Each benchmark is a subcommand registered by a function in :data:`BENCHMARKS`; add
``bench detector`` or ``bench edge`` by appending its register function there.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

Actions: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(sub: Actions) -> None:
    """Add the ``bench`` command group with every benchmark in :data:`BENCHMARKS`."""
    bench = sub.add_parser("bench", help="benchmarks (ratios measured in one run)")
    actions = bench.add_subparsers(dest="benchmark", metavar="BENCHMARK", required=True)
    for add in BENCHMARKS:
        add(actions)


def _register_server(actions: Actions) -> None:
    server = actions.add_parser(
        "server",
        help="server ingest vs bare MQTT QoS 1; latency at a set rate",
        description="Events/s into committed cases (commit-acks received) divided by a bare "
        "paho -> Mosquitto -> paho QoS 1 rate, both measured now on a private Mosquitto; "
        "p50/p99 event-to-ack latency at --rate events/s. SQLite always; PostgreSQL with "
        "--postgres.",
    )
    server.add_argument(
        "-c",
        "--config",
        type=Path,
        default=Path("configs/server.yaml"),
        help="server config for taxonomy, grids, cases and ingest settings "
        "(broker, database and folders are the benchmark's own)",
    )
    server.add_argument("--events", type=int, default=10000, help="events per throughput run")
    server.add_argument("--repeat", type=int, default=3, help="runs per store; medians reported")
    server.add_argument("--rate", type=float, default=500.0, help="events/s of the latency run")
    server.add_argument("--latency-s", type=float, default=10.0, help="length of the latency run")
    server.add_argument(
        "--postgres",
        metavar="ADMIN_DSN",
        help="also measure PostgreSQL (a server where CREATE DATABASE is allowed)",
    )
    server.set_defaults(handler=_server)


def _server(args: argparse.Namespace) -> int:
    from server.bench.run import BenchSettings, run_bench  # noqa: PLC0415
    from server.bench.workload import Workload  # noqa: PLC0415
    from server.config import load_server_config  # noqa: PLC0415
    from streetwatch.errors import UserError  # noqa: PLC0415

    if args.events < 100 or args.repeat < 1 or args.rate <= 0 or args.latency_s <= 0:
        raise UserError("--events must be >= 100; --repeat, --rate and --latency-s positive")
    settings = BenchSettings(
        base=load_server_config(args.config),
        workload=Workload(args.events),
        repeat=args.repeat,
        latency_rate=args.rate,
        latency_s=args.latency_s,
        postgres_admin_dsn=args.postgres,
    )
    with tempfile.TemporaryDirectory(prefix="streetwatch-bench-") as folder:
        results = run_bench(settings, Path(folder), lambda line: print(line, flush=True))
    print("\nmedians (ratio = server events/s / bare MQTT QoS 1 msg/s):")
    for result in results:
        print(
            f"  {result.store:<10} bare {result.bare_per_s:8,.0f} msg/s   server "
            f"{result.server_per_s:8,.0f} events/s   ratio {result.ratio:.2f}   "
            f"p50 {result.p50_ms:6.1f} ms   p99 {result.p99_ms:6.1f} ms at {args.rate:g}/s"
        )
    sys.stdout.flush()
    return 0


def _register_detector(actions: Actions) -> None:
    detector = actions.add_parser(
        "detector",
        help="detector vs bare ONNX Runtime (the limit) and ultralytics predict",
        description="Frames/s of bare InferenceSession.run on pre-letterboxed tensors (the "
        "limit), of the streetwatch detector on decoded frames and of ultralytics "
        "predict(stream=True) on the same ONNX file and frames; with --int8, the int8 "
        "model's rates too. Interleaved runs, medians.",
    )
    detector.add_argument("model", type=Path, help="fp32 ONNX model")
    detector.add_argument("--video", type=Path, required=True, help="clip to decode frames from")
    detector.add_argument("--int8", type=Path, help="int8 ONNX model of the same weights")
    detector.add_argument("--frames", type=int, default=60, help="frames per run")
    detector.add_argument("--repeat", type=int, default=5, help="interleaved runs; medians")
    detector.add_argument("--threads", type=int, default=2, help="ONNX Runtime intra-op threads")
    detector.add_argument(
        "--no-ultralytics", action="store_true", help="skip ultralytics (no [train] extra)"
    )
    detector.set_defaults(handler=_detector)


def _detector(args: argparse.Namespace) -> int:
    from streetwatch.bench.detector import DetectorBench, report, run_bench  # noqa: PLC0415

    spec = DetectorBench(
        model=args.model,
        video=args.video,
        frames=args.frames,
        repeats=args.repeat,
        threads=args.threads,
        int8=args.int8,
        with_ultralytics=not args.no_ultralytics,
    )
    print(report(spec, run_bench(spec)))
    return 0


def _register_edge(actions: Actions) -> None:
    edge = actions.add_parser(
        "edge",
        help="edge pipeline vs bare ONNX Runtime and ultralytics; peak RSS; events",
        description="On a generated fixed-camera clip and on --media (skipped when absent): "
        "frames/s of the edge pipeline at full detection rate without delivery (decode, "
        "detect, track, rules, events, evidence, outbox) divided by bare "
        "InferenceSession.run on pre-letterboxed tensors (same model, input, threads) and "
        "by ultralytics predict(stream=True) on the square fp32 file; then the pipeline "
        "alone over the whole clip in its own process: peak RSS and events raised. "
        "Interleaved runs, medians.",
    )
    edge.add_argument("model", type=Path, help="fp32 square ONNX model (ultralytics runs it)")
    edge.add_argument("--rect", type=Path, help="fp32 rectangular ONNX model, same weights")
    edge.add_argument("--int8", type=Path, help="int8 ONNX model, same weights")
    edge.add_argument(
        "-c",
        "--config",
        type=Path,
        default=Path("configs/edge-fixed.yaml"),
        help="edge config for rules, tracking, events and evidence (source, model, rate and "
        "outbox are the benchmark's own)",
    )
    edge.add_argument(
        "--media",
        type=Path,
        default=Path("../shared/media/car-detection.mp4"),
        help="a real clip to measure too (skipped when absent)",
    )
    edge.add_argument("--synth-seconds", type=float, default=10.0, help="generated clip length")
    edge.add_argument("--synth-size", default="640x360", help="generated clip WxH")
    edge.add_argument("--frames", type=int, default=60, help="frames per timed run")
    edge.add_argument("--repeat", type=int, default=5, help="interleaved runs; medians")
    edge.add_argument("--threads", type=int, default=2, help="ONNX Runtime intra-op threads")
    edge.add_argument(
        "--no-ultralytics", action="store_true", help="skip ultralytics (no [train] extra)"
    )
    edge.set_defaults(handler=_edge)


def _edge(args: argparse.Namespace) -> int:
    from streetwatch.bench.edge_cli import run_edge_bench  # noqa: PLC0415

    return run_edge_bench(args)


BENCHMARKS: tuple[Callable[[Actions], None], ...] = (
    _register_server,
    _register_detector,
    _register_edge,
)
"""Register functions of the ``bench`` subcommands."""
