"""``streetwatch edge run|health``: run an edge node; tell whether a running one is alive."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from edge.config import load_edge_config
from edge.liveness import check_status, status_path

UNHEALTHY_EXIT = 1
"""Exit code of ``edge health`` for a node that is not alive (Docker: unhealthy)."""


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
    health = actions.add_parser(
        "health",
        help="tell whether the edge node of a config is alive",
        description="Read the status file the running node writes beside its outbox. "
        "Exit codes: 0 alive, 1 not reported within --max-age, 2 bad config.",
    )
    health.add_argument("-c", "--config", type=Path, required=True, help="edge config file")
    health.add_argument(
        "--max-age",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="longest time since the node last reported (default %(default)s)",
    )
    health.set_defaults(handler=_health)


def _run(args: argparse.Namespace) -> int:
    from edge.runner import EdgeNode, RunOptions  # noqa: PLC0415 (onnxruntime loads slowly)

    options = RunOptions(once=args.once, wait_s=max(0.0, args.wait), progress=True)
    return EdgeNode(args.config, options).run()


def _health(args: argparse.Namespace) -> int:
    path = status_path(load_edge_config(args.config).outbox.path)
    problem = check_status(path, args.max_age)
    if problem is not None:
        print(f"streetwatch: {problem}", file=sys.stderr)
        return UNHEALTHY_EXIT
    print(f"OK {path}")
    return 0
