"""The ingest service: one batch of MQTT messages in one transaction (group commit).

:meth:`IngestService.process` sorts the messages (:mod:`server.services.inbound`), writes
evidence files, then in one transaction takes the batch's locks, stores dead letters and
device state, inserts new events idempotently and places them into cases, settles evidence,
and finally reports which event ids are committed with all their listed evidence. The caller
publishes those commit-acks only after this method returns, so an ack never precedes its
commit.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts import Rejection, Topics
from server.domain.clustering import id_lock_key
from server.services.case_builder import CaseBuilder, Placement
from server.services.context import ServerContext
from server.services.inbound import (
    EventIn,
    EvidenceIn,
    HeartbeatIn,
    Inbound,
    Parsed,
    Refused,
    StatusIn,
    classify,
)
from server.services.ingest_events import (
    ACCEPTED,
    QUARANTINED,
    Admission,
    admit,
    device_lock_key,
    event_values,
    existing_ids,
    insert_events,
    registry_of,
)
from server.services.ingest_evidence import Arrival, join_pending, keep_pending, settle
from server.services.ingest_records import (
    record_dead_letters,
    record_heartbeat,
    record_last_events,
    record_status,
)
from server.store.dialect import lock_keys
from server.store.tables import EventEvidenceRow, EventRow, PendingEvidenceRow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AckPlan:
    """The commit-ack due to one device after the batch committed."""

    device_id: str
    committed: tuple[str, ...]
    rejected: tuple[Rejection, ...]


@dataclass(frozen=True)
class BatchResult:
    """What one batch did: the acks to send and a count per outcome."""

    acks: tuple[AckPlan, ...]
    outcomes: dict[str, int] = field(default_factory=dict)


class IngestService:
    """Turns batches of received messages into stored events, evidence and cases.

    Args:
        ctx: the server context.
        worker: name of this worker, stored on each event it inserts.
    """

    def __init__(self, ctx: ServerContext, worker: str = "") -> None:
        self.ctx = ctx
        self.worker = worker
        self.topics = Topics(ctx.config.mqtt.prefix)
        self.builder = CaseBuilder(ctx)

    def process(self, messages: Sequence[Inbound]) -> BatchResult:
        """Store one batch in one transaction; return the acks that are now due."""
        parsed = [classify(self.topics, message) for message in messages]
        arrivals = [self._write_file(item) for item in parsed if isinstance(item, EvidenceIn)]
        retries = self.ctx.config.ingest.commit_retries
        result = self.ctx.database.run(lambda s: _Batch(self, s, parsed, arrivals).run(), retries)
        self._count(parsed, result)
        return result

    def _write_file(self, item: EvidenceIn) -> Arrival:
        digest = hashlib.sha256(item.data).hexdigest()
        self.ctx.evidence.put(item.data)
        return Arrival(
            item.device_id, item.event_id, item.kind, digest, item.data, item.received_at
        )

    def _count(self, parsed: Sequence[Parsed], result: BatchResult) -> None:
        metrics = self.ctx.metrics
        for item in parsed:
            metrics.messages.labels(type(item).__name__.removesuffix("In").lower()).inc()
        for outcome, count in result.outcomes.items():
            if outcome.startswith("evidence_"):
                metrics.evidence.labels(outcome.removeprefix("evidence_")).inc(count)
            elif outcome == "dead_letter":
                metrics.dead_letters.inc(count)
            else:
                metrics.events.labels(outcome).inc(count)
        metrics.cases_opened.inc(result.outcomes.get("opened", 0))
        metrics.acks.inc(sum(len(plan.committed) for plan in result.acks))


class _Batch:
    """The work of one batch inside one transaction (run again from scratch on a retry)."""

    def __init__(
        self,
        service: IngestService,
        session: Session,
        parsed: Sequence[Parsed],
        arrivals: Sequence[Arrival],
    ) -> None:
        self.service, self.ctx, self.session = service, service.ctx, session
        self.events = _unique_events(parsed)
        self.arrivals = arrivals
        self.refused = [item for item in parsed if isinstance(item, Refused)]
        self.parsed = parsed
        self.outcomes: Counter[str] = Counter()
        self.touched: set[str] = set()

    def run(self) -> BatchResult:
        devices = {device_lock_key(item.event.device_id) for item in self.events}
        lock_keys(self.session, devices, shared=True)  # before the registry is read
        admissions = self._admissions()
        lock_keys(self.session, self._lock_keys(admissions))
        record_dead_letters(
            self.session, self.refused, self.ctx.config.ingest.dead_letter_max_bytes
        )
        self.outcomes["dead_letter"] += len(self.refused)
        self._device_state()
        self._insert_and_place(admissions)
        for arrival in self.arrivals:
            self._evidence(arrival)
        return BatchResult(self._acks(), dict(self.outcomes))

    def _admissions(self) -> dict[str, Admission]:
        registry = registry_of(self.session, [item.event.device_id for item in self.events])
        taxonomy = self.ctx.taxonomy
        return {item.event.event_id: admit(item.event, registry, taxonomy) for item in self.events}

    def _lock_keys(self, admissions: dict[str, Admission]) -> set[int]:
        if self.ctx.database.dialect != "postgresql":
            return set()  # SQLite admits one writer at a time: no locks to take
        keys = {id_lock_key("event", arrival.event_id) for arrival in self.arrivals}
        for item in self.events:
            keys.add(id_lock_key("event", item.event.event_id))
            admission = admissions[item.event.event_id]
            if admission.state == ACCEPTED and admission.code is not None:
                keys |= self.service.builder.lock_keys(item.event, admission.code)
        return keys

    def _device_state(self) -> None:
        last_event: dict[str, datetime] = {}
        for item in self.parsed:
            if isinstance(item, HeartbeatIn):
                record_heartbeat(self.session, item)
            elif isinstance(item, StatusIn):
                record_status(self.session, item)
            elif isinstance(item, EventIn):
                device = item.event.device_id
                last_event[device] = max(last_event.get(device, item.received_at), item.received_at)
        record_last_events(self.session, last_event)

    def _insert_and_place(self, admissions: dict[str, Admission]) -> None:
        known = existing_ids(self.session, [item.event.event_id for item in self.events])
        new = [item for item in self.events if item.event.event_id not in known]
        self.outcomes["duplicate"] += len(self.events) - len(new)
        self.touched.update(item.event.event_id for item in self.events)
        with self.session.no_autoflush:
            placements = self._place_all(new, admissions)
        self.session.flush()  # new cases get their ids
        rows = []
        for item in new:
            admission = admissions[item.event.event_id]
            placement = placements.get(item.event.event_id)
            if placement is not None and placement.reason is not None:
                admission = Admission(QUARANTINED, admission.code, placement.reason)
            case_id = placement.case_id if placement else None
            rows.append(event_values(item, admission, self.service.worker, case_id))
        insert_events(self.session, rows, [item.event for item in new])
        self._join_early_evidence([item.event.event_id for item in new])

    def _place_all(
        self, new: Sequence[EventIn], admissions: dict[str, Admission]
    ) -> dict[str, Placement]:
        accepted = {
            item.event.event_id: item.event.violation_id
            for item in new
            if admissions[item.event.event_id].state == ACCEPTED
            and admissions[item.event.event_id].code is not None
        }
        placer = self.service.builder.placer(self.session, accepted.values())
        placements: dict[str, Placement] = {}
        now = self.ctx.clock()
        for item in new:
            admission = admissions[item.event.event_id]
            if item.event.event_id not in accepted or admission.code is None:
                self.outcomes[admission.state] += 1
                continue
            placement = placer.place(item.event, admission.code)
            placements[item.event.event_id] = placement
            self.outcomes[placement.outcome] += 1
            waited = (now - item.received_at).total_seconds()
            self.ctx.metrics.event_to_commit.observe(max(0.0, waited))
        placer.finish()
        return placements

    def _join_early_evidence(self, new_ids: Sequence[str]) -> None:
        if not new_ids:
            return
        early = set(
            self.session.scalars(
                select(PendingEvidenceRow.event_id).where(PendingEvidenceRow.event_id.in_(new_ids))
            )
        )
        for event_id in sorted(early):
            row = self.session.get(EventRow, event_id, with_for_update=True)
            assert row is not None, "inserted in this transaction"
            for outcome in join_pending(self.session, self.ctx.evidence, row):
                self.outcomes[f"evidence_{outcome}"] += 1

    def _evidence(self, arrival: Arrival) -> None:
        session = self.session
        self.ctx.evidence.restore(arrival.sha256, arrival.data)  # pruned since it was written
        event = session.get(EventRow, arrival.event_id, with_for_update=True)
        if event is None:
            keep_pending(session, arrival)
            self.outcomes["evidence_early"] += 1
            return
        item = session.get(EventEvidenceRow, (arrival.event_id, arrival.kind.value))
        problem = None
        if event.device_id != arrival.device_id:
            problem = f"evidence from device {arrival.device_id!r} for {event.device_id!r}'s event"
        elif item is None:
            problem = f"event {arrival.event_id} does not list {arrival.kind.value} evidence"
        if problem is not None or item is None:
            self._refuse_evidence(arrival, problem or "unlisted evidence")
            return
        self.outcomes[f"evidence_{settle(session, event, item, arrival)}"] += 1
        self.touched.add(arrival.event_id)

    def _refuse_evidence(self, arrival: Arrival, reason: str) -> None:
        topic = self.service.topics.evidence(arrival.device_id, arrival.event_id, arrival.kind)
        refused = Refused(
            topic, arrival.device_id, arrival.event_id, reason, arrival.data, arrival.received_at
        )
        record_dead_letters(self.session, [refused], self.ctx.config.ingest.dead_letter_max_bytes)
        self.outcomes["dead_letter"] += 1

    def _acks(self) -> tuple[AckPlan, ...]:
        committed: dict[str, list[str]] = defaultdict(list)
        if self.touched:
            self.session.flush()
            rows = self.session.execute(
                select(EventRow.event_id, EventRow.device_id).where(
                    EventRow.event_id.in_(sorted(self.touched)), EventRow.evidence_pending == 0
                )
            ).all()
            for row in rows:
                committed[row.device_id].append(row.event_id)
        rejected: dict[str, list[Rejection]] = defaultdict(list)
        for item in self.refused:
            if item.is_event and item.device_id and item.event_id:
                rejected[item.device_id].append(
                    Rejection(event_id=item.event_id, reason=item.reason[:500])
                )
        devices = sorted(set(committed) | set(rejected))
        return tuple(
            AckPlan(device, tuple(sorted(committed[device])), tuple(rejected[device]))
            for device in devices
        )


def _unique_events(parsed: Sequence[Parsed]) -> list[EventIn]:
    """Return the batch's events, each event id once (a redelivery in the same batch)."""
    seen: dict[str, EventIn] = {}
    for item in parsed:
        if isinstance(item, EventIn) and item.event.event_id not in seen:
            seen[item.event.event_id] = item
    return list(seen.values())
