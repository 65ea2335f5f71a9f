"""A local status file that proves the edge node's main loop is alive.

The runner rewrites ``<outbox folder>/<outbox name>.status.json`` at most every
:data:`WRITE_EVERY_S` seconds from its main loop (while reading frames and while it waits
to deliver); ``streetwatch edge health`` reads it and fails when it is too old. The file is
replaced atomically, so a reader never sees half of it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

WRITE_EVERY_S = 5.0
"""Seconds between two writes of the status file."""


def status_path(outbox_path: Path) -> Path:
    """Return the status file beside the outbox ``outbox_path``."""
    return outbox_path.with_name(outbox_path.stem + ".status.json")


class LivenessFile:
    """Rewrites the status file from the main loop, at most every ``every_s`` seconds.

    Args:
        path: the status file.
        every_s: shortest time between two writes.
        clock: wall clock (seconds since the epoch).
    """

    def __init__(
        self, path: Path, every_s: float = WRITE_EVERY_S, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = path
        self._every_s = every_s
        self._clock = clock
        self._last = float("-inf")

    def beat(self, frames_processed: int) -> None:
        """Record that the main loop ran; write the file if the last write is old enough."""
        now = self._clock()
        if now - self._last < self._every_s:
            return
        self._last = now
        body = {"updated_at": now, "pid": os.getpid(), "frames_processed": frames_processed}
        scratch = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            scratch.write_text(json.dumps(body), encoding="utf-8")
            os.replace(scratch, self.path)
        except OSError as exc:  # a full or read-only disk must not stop detection
            log.warning("cannot write the status file %s: %s", self.path, exc)


def check_status(path: Path, max_age_s: float, now: float | None = None) -> str | None:
    """Return None when ``path`` was written within ``max_age_s`` seconds, else why not."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        updated = float(body["updated_at"])
    except FileNotFoundError:
        return f"no status file {path}: the edge node has not started with this config"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"status file {path} cannot be read: {exc}"
    age = (time.time() if now is None else now) - updated
    if age > max_age_s:
        return (
            f"the edge node last reported {age:.0f} s ago (limit {max_age_s:g} s): "
            "it is stopped or stuck"
        )
    return None
