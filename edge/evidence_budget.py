"""The outbox's disk budget: which evidence to drop so that no event ever has to be dropped.

Evidence may fill the budget up to ``1 - EVENT_SHARE`` of it; the rest is kept for event JSON
(about 1.5 kB an event), which is always stored. When a new event's evidence does not fit:

1. its full frame is dropped (the crop kept);
2. if the crop still does not fit, the full frames of stored events that were never
   published are dropped, oldest first, their crops kept — each such event's JSON is
   rewritten to list ``frame`` in ``evidence_dropped`` (same ``event_id``; its first publish
   carries the downgraded form);
3. only if that frees too little is the new event's crop dropped as well.

An event already published (or being published) is never downgraded: the server may hold its
JSON and await every evidence item it lists, so each retry must repeat the first publish
exactly. While only such events hold frames, new events keep no evidence beyond what fits,
until commit-acks free room. A stored event's crop is never dropped, and an event never.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Collection

from contracts.messages import EvidenceKind, ViolationEvent
from edge.evidence import EvidenceFile

log = logging.getLogger(__name__)

EVENT_SHARE = 0.2
"""Share of the budget kept for event JSON alone."""
SHED_BATCH = 32


class EvidenceBudget:
    """Decides, inside the outbox's transaction, what evidence a new event keeps.

    Args:
        max_bytes: the outbox's budget.
    """

    def __init__(self, max_bytes: int) -> None:
        self._limit = int(max_bytes * (1.0 - EVENT_SHARE))
        self._max_bytes = max_bytes
        self._state: tuple[EvidenceKind, ...] = ()
        self.frames_shed = 0

    def fit(
        self,
        db: sqlite3.Connection,
        evidence: tuple[EvidenceFile, ...],
        sending: Collection[str] = (),
    ) -> tuple[EvidenceKind, ...]:
        """Return the kinds of ``evidence`` to drop (shedding stored frames if needed).

        Args:
            db: the outbox, inside its transaction.
            evidence: the new event's evidence.
            sending: events being published whose attempt is not recorded yet (never shed).
        """
        sizes = {f.item.kind: len(f.data) for f in evidence}
        room = self._limit - _used(db)
        dropped: list[EvidenceKind] = []
        if sum(sizes.values()) > room and EvidenceKind.FRAME in sizes:
            del sizes[EvidenceKind.FRAME]
            dropped.append(EvidenceKind.FRAME)
        need = sum(sizes.values()) - room
        if need > 0:
            room += self._shed_frames(db, need, sending)
        if sum(sizes.values()) > room and EvidenceKind.CROP in sizes:
            dropped.append(EvidenceKind.CROP)
        self._report(tuple(dropped))
        return tuple(dropped)

    def _shed_frames(self, db: sqlite3.Connection, need: int, sending: Collection[str]) -> int:
        freed, after = 0, 0
        while freed < need:
            rows = db.execute(
                "SELECT e.event_id, e.seq, e.payload, LENGTH(v.data) FROM events e "
                "JOIN evidence v ON v.event_id = e.event_id AND v.kind = 'frame' "
                "WHERE e.attempts = 0 AND e.seq > ? ORDER BY e.seq LIMIT ?",
                (after, SHED_BATCH),
            ).fetchall()
            if not rows:
                break
            for event_id, seq, payload, size in rows:
                after = seq
                if event_id in sending:
                    continue
                event = ViolationEvent.model_validate_json(payload)
                downgraded = event.model_copy(
                    update={
                        "evidence": [i for i in event.evidence if i.kind is not EvidenceKind.FRAME],
                        "evidence_dropped": [*event.evidence_dropped, EvidenceKind.FRAME],
                    }
                )
                body = downgraded.model_dump_json().encode()
                db.execute("DELETE FROM evidence WHERE event_id=? AND kind='frame'", (event_id,))
                db.execute(
                    "UPDATE events SET payload=?, bytes = bytes - ? + ? WHERE event_id=?",
                    (body, int(size) + len(payload), len(body), event_id),
                )
                freed += int(size) + len(payload) - len(body)
                self.frames_shed += 1
                if freed >= need:
                    break
        return freed

    def _report(self, dropped: tuple[EvidenceKind, ...]) -> None:
        if dropped != self._state:
            kinds = ", ".join(k.value for k in dropped) or "nothing"
            log.warning(
                "outbox at its %d-byte budget: new events now drop %s (stored frames shed: %d)",
                self._max_bytes,
                kinds,
                self.frames_shed,
            )
            self._state = dropped


def _used(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT COALESCE(SUM(bytes), 0) FROM events").fetchone()[0])
