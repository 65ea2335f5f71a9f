"""``streetwatch edge run``: run an edge node from its config file."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``edge`` command group."""
    edge = sub.add_parser("edge", help="the edge node")
    actions = edge.add_subparsers(dest="action", metavar="ACTION", required=True)
    run = actions.add_parser(
        "run",
        help="run an edge node",
        description="Decode the configured source, detect, track and apply the rules, store "
        "each violation event with its evidence in the outbox and deliver it over MQTT. "
        "Exit codes: 0 done, 2 bad config, model or input, 3 events left undelivered (--once).",
    )
    run.add_argument("-c", "--config", type=Path, required=True, help="edge config file")
    run.add_argument(
        "--once",
        action="store_true",
        help="for a file or image folder: exit when it is done and every event is acknowledged",
    )
    run.add_argument(
        "--wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="with --once: longest wait for the server's commit-acks (default %(default)s)",
    )
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from edge.runner import EdgeNode, RunOptions  # noqa: PLC0415 (onnxruntime loads slowly)

    options = RunOptions(once=args.once, wait_s=max(0.0, args.wait), progress=True)
    return EdgeNode(args.config, options).run()
