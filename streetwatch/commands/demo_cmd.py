"""``streetwatch demo``: broker, server and two edge nodes on generated clips."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` command."""
    demo = sub.add_parser(
        "demo",
        help="run the whole system on generated clips and open the review UI",
        description=(
            "Start an embedded MQTT broker, the server on SQLite and two edge nodes (a pole "
            "camera and a patrol bike with a GPS track) on generated street clips, then show "
            "the cases and serve the review UI until Ctrl-C."
        ),
    )
    demo.add_argument(
        "--data", type=Path, default=Path("data/demo"), help="data folder (default %(default)s)"
    )
    demo.add_argument(
        "--port", type=int, default=8080, help="UI port; another free one if taken (default 8080)"
    )
    demo.add_argument(
        "--model",
        type=Path,
        help="detector ONNX (default models/streetwatch-v1-288x480.int8.onnx)",
    )
    demo.add_argument(
        "--exit-when-done",
        action="store_true",
        help="exit after the summary: 0 only when exactly the expected cases exist",
    )
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from streetwatch.demo.run import DemoOptions, run_demo  # noqa: PLC0415

    options = DemoOptions(data=args.data, http_port=args.port, exit_when_done=args.exit_when_done)
    return run_demo(options if args.model is None else replace(options, model=args.model))
