"""Slow down password guessing: too many failed logins of one name lock it for a while.

Kept in memory per process (a restart forgets it); counted per user name, so a guesser
cannot try many passwords for one account, whatever address they come from.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


class LoginThrottle:
    """Counts failed logins per name within :data:`WINDOW`."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self._failures: dict[str, list[datetime]] = {}
        self._lock = threading.Lock()

    def _recent(self, name: str, now: datetime) -> list[datetime]:
        kept = [at for at in self._failures.get(name, []) if now - at < WINDOW]
        if kept:
            self._failures[name] = kept
        else:
            self._failures.pop(name, None)
        return kept

    def locked(self, name: str) -> bool:
        """Return True if ``name`` has failed :data:`MAX_FAILURES` times within the window."""
        with self._lock:
            return len(self._recent(name.lower(), self.clock())) >= MAX_FAILURES

    def failed(self, name: str) -> None:
        """Record a failed login of ``name``."""
        now = self.clock()
        with self._lock:
            self._failures[name.lower()] = [*self._recent(name.lower(), now), now]

    def succeeded(self, name: str) -> None:
        """Forget the failures of ``name`` after a good login."""
        with self._lock:
            self._failures.pop(name.lower(), None)
