"""Hot reload of the tunable rules: from the config file and from the server's config push.

The rules in force are the file's ``rules`` overlaid (``Tunables.overlaid``) with the latest
accepted ``ConfigPush``: the push takes precedence over the same fields of the file. A push is
accepted only with a higher version than the one in force and only if the result validates
and names only classes of the running ``taxonomy`` (an event carries its class's code); an
edited file only if it is a valid edge config — otherwise the problem is logged and the
running rules stay. Changes to any section other than ``rules`` (device, broker, source,
model, taxonomy...) need a restart and are reported as such.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection
from pathlib import Path

from pydantic import ValidationError

from contracts import ConfigPush, Tunables
from edge.config import EdgeConfig, class_references, load_edge_config
from edge.config_sections import track_start_problems
from streetwatch.yamlconf import ConfigError

log = logging.getLogger(__name__)

HOT_SECTIONS = ("rules",)
"""The config file's sections that apply without a restart; every other one needs it."""


class TunablesControl:
    """The rules in force: the file's, overlaid with the accepted config push (thread-safe).

    Args:
        file_rules: the ``rules`` of the config file.
        taxonomy: the classes events can be made of; rules naming another class are refused
            (None: any class).
        high_score: the tracker's ``tracking.high_score``; rules with a ``min_score`` below it
            are refused, since such boxes could never start a track (None: no check).
    """

    def __init__(
        self,
        file_rules: Tunables,
        taxonomy: Collection[str] | None = None,
        high_score: float | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._file = file_rules
        self._taxonomy = frozenset(taxonomy) if taxonomy is not None else None
        self._high_score = high_score
        self._push: ConfigPush | None = None
        self._effective = file_rules
        self._changed = False
        self.refused_pushes = 0

    @property
    def version(self) -> int:
        """The config push version in force (0: the local file only)."""
        with self._lock:
            return self._push.version if self._push else 0

    def offer_push(self, push: ConfigPush) -> bool:
        """Apply ``push`` if it is newer and valid; return True if it was applied."""
        with self._lock:
            if self._push is not None and push.version <= self._push.version:
                log.info(
                    "config push v%d ignored: v%d is in force", push.version, self._push.version
                )
                return False
            try:
                effective = self._file.overlaid(push.overlay)
                problem = self._problem(effective)
            except ValidationError as exc:
                problem = _first(exc)
            if problem is not None:
                self.refused_pushes += 1
                log.error(
                    "config push v%d refused, keeping the running rules: %s", push.version, problem
                )
                return False
            self._push, self._effective, self._changed = push, effective, True
        log.info(
            "config push v%d by %s applied: %s", push.version, push.issued_by, push.note or "-"
        )
        return True

    def offer_file(self, rules: Tunables) -> bool:
        """Apply new file rules (under the push in force); return True if applied."""
        with self._lock:
            overlay = self._push.overlay if self._push else None
            try:
                effective = rules.overlaid(overlay) if overlay else rules
            except ValidationError as exc:
                log.error(
                    "new file rules clash with config push v%d, keeping the running rules: %s",
                    self._push.version if self._push else 0,
                    _first(exc),
                )
                return False
            problem = self._problem(effective)
            if problem is not None:
                log.error("new file rules refused, keeping the running rules: %s", problem)
                return False
            self._file, self._effective, self._changed = rules, effective, True
        return True

    def _problem(self, rules: Tunables) -> str | None:
        """Return why ``rules`` cannot run on this node (where and what), or None."""
        if self._high_score is not None:
            for keys, message in track_start_problems(self._high_score, rules.classes):
                return f"{'.'.join(str(key) for key in keys[1:])}: {message}"
        if self._taxonomy is None:
            return None
        for keys, label in class_references(rules):
            if label not in self._taxonomy:
                where = ".".join(str(key) for key in keys)
                return (
                    f"{where}: class {label!r} is not in this node's taxonomy; "
                    "add it there and restart the node"
                )
        return None

    def take_change(self) -> Tunables | None:
        """Return the rules in force if they changed since the last call, else None."""
        with self._lock:
            if not self._changed:
                return None
            self._changed = False
            return self._effective


def _first(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "rules"
    return f"{where}: {first['msg']}"


class ConfigFileWatcher:
    """Notices when the config file changes and loads it (validated first).

    Args:
        path: the config file.
        running: the config in use.
        interval_s: least seconds between two checks.
    """

    def __init__(self, path: Path, running: EdgeConfig, interval_s: float) -> None:
        self._path = path
        self._running = running
        self._interval_s = interval_s
        self._stamp = self._stat()
        self._checked = time.monotonic()
        self.invalid = 0

    def _stat(self) -> tuple[int, int] | None:
        try:
            stat = self._path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def poll(self) -> Tunables | None:
        """Return the file's new rules if it changed into a valid config, else None."""
        now = time.monotonic()
        if now - self._checked < self._interval_s:
            return None
        self._checked = now
        stamp = self._stat()
        if stamp is None or stamp == self._stamp:
            return None
        self._stamp = stamp
        try:
            config = load_edge_config(self._path)
        except ConfigError as exc:
            self.invalid += 1
            log.error("config file %s is invalid, keeping the running config:\n%s", self._path, exc)
            return None
        changed = [
            name
            for name in type(config).model_fields
            if name not in HOT_SECTIONS and getattr(config, name) != getattr(self._running, name)
        ]
        if changed:
            log.warning(
                "config file %s: changes to %s take effect after a restart",
                self._path,
                ", ".join(changed),
            )
        if config.rules == self._running.rules:
            return None
        self._running = self._running.model_copy(update={"rules": config.rules})
        log.info("config file %s changed: new rules loaded", self._path)
        return config.rules
