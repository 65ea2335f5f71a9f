"""Deleting early evidence whose event never came (``evidence.early_max_age_h``).

Evidence that arrives before its event waits in ``pending_evidence``. Items older than the
configured age are deleted with their files, except a file that another row still names
(files are content-addressed, so two items may share one). The event-id locks that ingest
takes for each event and evidence message are held meanwhile, so an event arriving at that
moment either joins its evidence first or finds it gone (the device then sends it again).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.domain.clustering import id_lock_key
from server.evidence_files import EvidenceFiles
from server.services.context import ServerContext
from server.store.dialect import lock_keys
from server.store.tables import EventEvidenceRow, EvidenceBlobRow, PendingEvidenceRow

PRUNE_BATCH = 500
"""Most events whose early evidence one transaction deletes."""


@dataclass(frozen=True)
class PruneResult:
    """How many early evidence items and files were deleted."""

    items: int = 0
    files: int = 0

    def __add__(self, other: PruneResult) -> PruneResult:
        return PruneResult(self.items + other.items, self.files + other.files)


class EarlyEvidencePruner:
    """Deletes early evidence older than ``evidence.early_max_age_h``."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self.max_age = timedelta(hours=ctx.config.evidence.early_max_age_h)

    def prune(self) -> PruneResult:
        """Delete what is too old, a batch of events per transaction; return the counts."""
        cutoff = self.ctx.clock() - self.max_age
        total = PruneResult()
        retries = self.ctx.config.ingest.commit_retries
        while True:
            done, more = self.ctx.database.run(lambda s: self._batch(s, cutoff), retries)
            total += done
            if not more:
                break
        self.ctx.metrics.evidence_pruned.labels("item").inc(total.items)
        self.ctx.metrics.evidence_pruned.labels("file").inc(total.files)
        return total

    def _batch(self, session: Session, cutoff: datetime) -> tuple[PruneResult, bool]:
        event_ids = list(
            session.scalars(
                select(PendingEvidenceRow.event_id)
                .where(PendingEvidenceRow.received_at < cutoff)
                .group_by(PendingEvidenceRow.event_id)
                .order_by(PendingEvidenceRow.event_id)
                .limit(PRUNE_BATCH)
            )
        )
        if not event_ids:
            return PruneResult(), False
        lock_keys(session, {id_lock_key("event", event_id) for event_id in event_ids})
        old = (
            PendingEvidenceRow.event_id.in_(event_ids),
            PendingEvidenceRow.received_at < cutoff,
        )  # read again under the locks: an event may have joined its evidence meanwhile
        stale = list(session.scalars(select(PendingEvidenceRow.sha256).where(*old)))
        session.execute(delete(PendingEvidenceRow).where(*old))
        files = _drop_unreferenced(session, self.ctx.evidence, set(stale))
        return PruneResult(len(stale), files), len(event_ids) == PRUNE_BATCH


def _drop_unreferenced(session: Session, files: EvidenceFiles, hashes: Collection[str]) -> int:
    """Delete the blob rows and files of ``hashes`` that no row names; return files deleted."""
    if not hashes:
        return 0
    used = set(hashes) & _referenced(session, sorted(hashes))
    unused = sorted(set(hashes) - used)
    if not unused:
        return 0
    session.execute(delete(EvidenceBlobRow).where(EvidenceBlobRow.sha256.in_(unused)))
    session.flush()
    return sum(files.remove(sha256) for sha256 in unused)


def _referenced(session: Session, hashes: list[str]) -> set[str]:
    """Return those of ``hashes`` that an evidence item or another early item names."""
    queries = (
        select(EventEvidenceRow.sha256).where(EventEvidenceRow.sha256.in_(hashes)),
        select(EventEvidenceRow.received_sha256).where(
            EventEvidenceRow.received_sha256.in_(hashes)
        ),
        select(PendingEvidenceRow.sha256).where(PendingEvidenceRow.sha256.in_(hashes)),
    )
    found: set[str] = set()
    for query in queries:
        found |= {value for value in session.scalars(query) if value is not None}
    return found
