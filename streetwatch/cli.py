"""The ``streetwatch`` console command: one parser, subcommands registered by feature."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from streetwatch import __version__
from streetwatch.commands import (
    bench_cmd,
    config_cmd,
    contract_cmd,
    dataset_cmd,
    demo_cmd,
    edge_cmd,
    model_cmd,
    server_cmd,
    synth_cmd,
    zones_cmd,
)
from streetwatch.errors import UserError

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

COMMANDS: tuple[Register, ...] = (
    config_cmd.register,
    contract_cmd.register,
    dataset_cmd.register,
    edge_cmd.register,
    zones_cmd.register,
    model_cmd.register,
    synth_cmd.register,
    server_cmd.register,
    bench_cmd.register,
    demo_cmd.register,
)
"""Each feature adds its subcommands here; a subcommand exists only once it works."""


def build_parser() -> argparse.ArgumentParser:
    """Return the full argument parser."""
    parser = argparse.ArgumentParser(
        prog="streetwatch",
        description="Edge video inspection for street violations, and its case-creator.",
    )
    parser.add_argument("--version", action="version", version=f"streetwatch {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in COMMANDS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except UserError as exc:
        print(f"streetwatch: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("streetwatch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
