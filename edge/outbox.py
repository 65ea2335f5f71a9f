"""The durable outbox: events and their evidence wait in SQLite for the server's commit-ack.

Every event is stored before it is published — all events of one frame, their evidence, the
violation state they imply and the node's last frame time in one transaction — and deleted
only when the server's ``Ack`` names it as committed or rejected for good. The per-device
``seq`` and each ``event_id`` are made inside that transaction, so both survive restarts and a
retried event keeps its id.

Over its size budget (``max_bytes``) evidence is downgraded before anything else — full
frames first, crops kept — and no event is ever dropped (:mod:`edge.evidence_budget`). Events
handed to the publisher are never downgraded, so every retry repeats the first publish. The
clock (``clock``, POSIX seconds) can be injected to simulate long outages in a test.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from contracts.ids import new_ulid
from contracts.messages import EvidenceKind, ViolationEvent
from edge.events.lifecycle import Remembered
from edge.evidence import EvidenceFile
from edge.evidence_budget import EvidenceBudget
from streetwatch.errors import UserError

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    violation_id TEXT NOT NULL,
    created REAL NOT NULL,
    payload BLOB NOT NULL,
    bytes INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_attempt REAL
);
CREATE TABLE IF NOT EXISTS evidence (
    event_id TEXT NOT NULL REFERENCES events(event_id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (event_id, kind)
);
CREATE TABLE IF NOT EXISTS violations (violation_id TEXT PRIMARY KEY, record TEXT NOT NULL);
"""

WAL_LIMIT_BYTES = 4 * 1024**2
"""The write-ahead log is truncated to this size after each checkpoint."""

MakeEvent = Callable[[str, int, tuple[EvidenceKind, ...]], ViolationEvent]
"""Builds the event given its new ``event_id``, its ``seq`` and the evidence kinds dropped."""
SENDING_S = 60.0
"""An event handed to the publisher counts as published for this long (monotonic seconds)
even before its attempt is recorded, so its evidence is not shed while it is being sent."""


class OutboxError(UserError):
    """An outbox file that cannot be used."""


@dataclass(frozen=True)
class NewEvent:
    """One event to store: how to build it and its encoded evidence."""

    make: MakeEvent
    evidence: tuple[EvidenceFile, ...]


@dataclass(frozen=True)
class Entry:
    """One stored event with its evidence, as the publisher sends it."""

    event_id: str
    seq: int
    created: float
    attempts: int
    payload: bytes
    evidence: dict[EvidenceKind, bytes]


@dataclass(frozen=True)
class Depth:
    """How much waits in the outbox."""

    events: int
    bytes: int
    oldest_created: float | None


class Outbox:
    """The SQLite outbox of one device (thread-safe: one connection behind a lock).

    Args:
        path: the SQLite file (created with its folder if missing).
        device_id: the device; an outbox of another device is refused.
        max_bytes: size budget; over it, full frames are dropped first, then new crops.
        clock: wall clock, POSIX seconds (injectable for tests).
    """

    def __init__(
        self,
        path: Path,
        device_id: str,
        max_bytes: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self._max_bytes = max_bytes
        self._clock = clock
        self._budget = EvidenceBudget(max_bytes)
        self._lock = threading.RLock()
        self._sending: dict[str, float] = {}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.executescript(SCHEMA)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(f"PRAGMA journal_size_limit={WAL_LIMIT_BYTES}")
            self._db.execute("PRAGMA foreign_keys=ON")
        except (OSError, sqlite3.Error) as exc:
            raise OutboxError(f"outbox {path} cannot be opened: {exc}") from None
        self._claim(device_id)

    def _claim(self, device_id: str) -> None:
        with self._transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key='device_id'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('device_id', ?)", (device_id,))
            elif row[0] != device_id:
                raise OutboxError(
                    f"outbox {self.path} belongs to device {row[0]!r}, not {device_id!r}; "
                    "give this device its own outbox path"
                )

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def write(
        self,
        events: Sequence[NewEvent],
        remember: Iterable[Remembered] = (),
        forget: Iterable[str] = (),
        last_frame_at: datetime | None = None,
    ) -> tuple[ViolationEvent, ...]:
        """Store one frame in one transaction; return its events.

        Args:
            events: the frame's new events, in order (each gets the next ``seq``).
            remember: violation records to store.
            forget: violation ids to drop.
            last_frame_at: the node's last processed frame time, if due to be stored.
        """
        with self._transaction() as db:
            stored = tuple(self._insert(db, event) for event in events)
            self._store(db, remember, forget)
            if last_frame_at is not None:
                db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('last_frame_at', ?)",
                    (last_frame_at.isoformat(),),
                )
        return stored

    def _insert(self, db: sqlite3.Connection, new: NewEvent) -> ViolationEvent:
        seq = self._next_seq(db)
        dropped = self._budget.fit(db, new.evidence, self._published_now())
        event = new.make(new_ulid(), seq, dropped)
        payload = event.model_dump_json().encode()
        kept = [f for f in new.evidence if f.item.kind not in dropped]
        total = len(payload) + sum(len(f.data) for f in kept)
        db.execute(
            "INSERT INTO events (event_id, seq, violation_id, created, payload, bytes) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (event.event_id, seq, event.violation_id, self._clock(), payload, total),
        )
        db.executemany(
            "INSERT INTO evidence VALUES (?, ?, ?)",
            [(event.event_id, f.item.kind.value, f.data) for f in kept],
        )
        db.execute("UPDATE meta SET value=? WHERE key='next_seq'", (str(seq + 1),))
        return event

    def _published_now(self) -> frozenset[str]:
        """Return the events handed to the publisher whose attempt is not recorded yet."""
        since = time.monotonic() - SENDING_S
        self._sending = {e: t for e, t in self._sending.items() if t >= since}
        return frozenset(self._sending)

    @staticmethod
    def _store(
        db: sqlite3.Connection, remember: Iterable[Remembered], forget: Iterable[str]
    ) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO violations VALUES (?, ?)",
            [(r.violation_id, r.model_dump_json()) for r in remember],
        )
        db.executemany("DELETE FROM violations WHERE violation_id=?", [(v,) for v in forget])

    @staticmethod
    def _next_seq(db: sqlite3.Connection) -> int:
        row = db.execute("SELECT value FROM meta WHERE key='next_seq'").fetchone()
        if row is None:
            db.execute("INSERT INTO meta VALUES ('next_seq', '1')")
            return 1
        return int(row[0])

    def recall(self) -> list[Remembered]:
        """Return the stored state of every violation, watched until the last stored frame."""
        with self._lock:
            rows = self._db.execute("SELECT record FROM violations").fetchall()
            last = self._db.execute("SELECT value FROM meta WHERE key='last_frame_at'").fetchone()
        watched = {"watched_until": datetime.fromisoformat(last[0]) if last else None}
        return [Remembered.model_validate_json(r[0]).model_copy(update=watched) for r in rows]

    def last_seq(self) -> int | None:
        """Return the seq of the last event ever stored, if any."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key='next_seq'").fetchone()
        return int(row[0]) - 1 if row else None

    def fresh(self, limit: int, created_since: float) -> list[Entry]:
        """Return up to ``limit`` never-published events created at or after ``created_since``."""
        return self._select("attempts = 0 AND created >= ?", (created_since,), limit)

    def backlog(self, limit: int, created_before: float, retry_before: float) -> list[Entry]:
        """Return up to ``limit`` backlog events, oldest first.

        The backlog: events never published and created before ``created_before`` (while the
        link was down), and events last published before ``retry_before`` (no commit-ack).
        """
        where = "(attempts = 0 AND created < ?) OR (attempts > 0 AND last_attempt < ?)"
        return self._select(where, (created_before, retry_before), limit)

    def _select(self, where: str, args: tuple[float, ...], limit: int) -> list[Entry]:
        query = (
            "SELECT event_id, seq, created, attempts, payload FROM events "
            f"WHERE {where} ORDER BY seq LIMIT ?"
        )
        with self._lock:
            rows = self._db.execute(query, (*args, limit)).fetchall()
            now = time.monotonic()
            self._sending.update((row[0], now) for row in rows)
            return [self._entry(row) for row in rows]

    def _entry(self, row: tuple[str, int, float, int, bytes]) -> Entry:
        files = self._db.execute(
            "SELECT kind, data FROM evidence WHERE event_id=?", (row[0],)
        ).fetchall()
        evidence = {EvidenceKind(kind): bytes(data) for kind, data in files}
        return Entry(row[0], row[1], row[2], row[3], bytes(row[4]), evidence)

    def mark_attempt(self, event_id: str, at: float) -> None:
        """Record that ``event_id`` was published at wall time ``at``."""
        with self._transaction() as db:
            db.execute(
                "UPDATE events SET attempts = attempts + 1, last_attempt=? WHERE event_id=?",
                (at, event_id),
            )
            self._sending.pop(event_id, None)

    def delete(self, event_ids: Iterable[str]) -> int:
        """Delete events (and their evidence); return how many of them were stored."""
        ids = [(event_id,) for event_id in event_ids]
        with self._transaction() as db:
            stored = sum(
                db.execute("SELECT COUNT(*) FROM events WHERE event_id=?", i).fetchone()[0]
                for i in ids
            )
            db.executemany("DELETE FROM events WHERE event_id=?", ids)
            for (event_id,) in ids:
                self._sending.pop(event_id, None)
        return int(stored)

    def depth(self) -> Depth:
        """Return how many events wait, their size and the oldest one's creation time."""
        with self._lock:
            count, size, oldest = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(bytes), 0), MIN(created) FROM events"
            ).fetchone()
        return Depth(int(count), int(size), oldest)
