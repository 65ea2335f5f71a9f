"""``streetwatch config check``: validate config files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import BaseModel

from edge.config import EdgeConfig
from server.config import ServerConfig
from streetwatch.yamlconf import check_file
from training.recipe import Recipe

CONFIG_KINDS: dict[str, type[BaseModel]] = {
    "edge": EdgeConfig,
    "server": ServerConfig,
    "dataset": Recipe,
}
"""The model of each top-level ``kind:`` value."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``config`` command group."""
    config = sub.add_parser("config", help="config files")
    actions = config.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="validate config files",
        description="Validate edge, server and dataset-recipe files; exit 2 on any problem.",
    )
    check.add_argument("files", type=Path, nargs="+", metavar="FILE", help="YAML config file")
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    failed = False
    for path in args.files:
        errors = check_file(path, CONFIG_KINDS)
        for line in errors:
            print(line, file=sys.stderr)
        if not errors:
            print(f"OK {path}")
        failed = failed or bool(errors)
    return 2 if failed else 0
