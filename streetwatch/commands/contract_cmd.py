"""``streetwatch contract schema``: export the wire contract's JSON Schemas."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from contracts.schema import stale_schemas, write_schemas
from streetwatch.errors import UserError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``contract`` command group."""
    contract = sub.add_parser("contract", help="the MQTT wire contract")
    actions = contract.add_subparsers(dest="action", metavar="ACTION", required=True)
    schema = actions.add_parser("schema", help="write the JSON Schema of every payload")
    schema.add_argument("--out", type=Path, default=Path("docs/contract"), help="folder")
    schema.add_argument(
        "--check", action="store_true", help="exit 1 if the files differ instead of writing"
    )
    schema.set_defaults(handler=_schema)


def _schema(args: argparse.Namespace) -> int:
    out: Path = args.out
    if args.check:
        stale = stale_schemas(out)
        for name in stale:
            print(f"stale: {out / name}", file=sys.stderr)
        if stale:
            print("run 'streetwatch contract schema' to refresh them", file=sys.stderr)
            return 1
        print(f"OK {out}")
        return 0
    try:
        written = write_schemas(out)
    except OSError as exc:
        raise UserError(f"cannot write schemas to {out}: {exc.strerror}") from None
    for path in written:
        print(path)
    return 0
