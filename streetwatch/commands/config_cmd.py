"""``streetwatch config check``: validate config files."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``config`` command group."""
    del sub  # filled in by the config-check work
