"""Early evidence whose event never comes is deleted after ``evidence.early_max_age_h``.

Runs on SQLite and PostgreSQL with real evidence messages and a fixed clock.
"""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from support.messages import example_device_id
from support.server_harness import (
    TOPICS,
    FakeClock,
    event_at,
    fresh_place,
    ready_context,
    register,
    server_config,
    with_evidence,
)

from contracts import EvidenceKind, ViolationEvent, encode
from server.runner import every
from server.services.context import ServerContext
from server.services.evidence_prune import EarlyEvidencePruner
from server.services.inbound import Inbound
from server.services.ingest import IngestService
from server.store.tables import EvidenceBlobRow, PendingEvidenceRow

pytestmark = pytest.mark.integration


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", "postgresql"])
def ctx(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> ServerContext:
    url = request.getfixturevalue("pg_dsn") if request.param == "postgresql" else None
    config = server_config(tmp_path, url, evidence={"dir": str(tmp_path / "ev"), "fsync": False})
    return ready_context(config, clock)


def early(event: ViolationEvent, clock: FakeClock, data: bytes, kind: EvidenceKind) -> Inbound:
    """Evidence of ``event`` received now (by the fixed clock), before the event."""
    return Inbound(TOPICS.evidence(event.device_id, event.event_id, kind), data, clock.now)


def pending(ctx: ServerContext, event: ViolationEvent) -> list[str]:
    with ctx.database.transaction() as session:
        rows = session.scalars(
            select(PendingEvidenceRow.kind).where(PendingEvidenceRow.event_id == event.event_id)
        )
        return sorted(rows)


def blob(ctx: ServerContext, sha256: str) -> bool:
    with ctx.database.transaction() as session:
        return session.get(EvidenceBlobRow, sha256) is not None


def test_old_early_evidence_goes_young_and_shared_files_stay(
    ctx: ServerContext, clock: FakeClock
) -> None:
    ingest = IngestService(ctx, worker="test")
    device = example_device_id()
    register(ctx, device)
    place = fresh_place()
    kept = event_at(device, place=place)
    ingest.process(with_evidence(kept))  # its files are the same bytes as the example images
    orphan, later = event_at(device, place=place), event_at(device, place=place)
    own = b"\xff\xd8\xff" + os.urandom(64)
    shared_with_young = b"\xff\xd8\xff" + os.urandom(64)
    frame = kept.evidence_item(EvidenceKind.FRAME)
    assert frame is not None
    shared = ctx.evidence.read(frame.sha256)
    assert shared is not None
    ingest.process(
        [
            early(orphan, clock, own, EvidenceKind.FRAME),
            early(orphan, clock, shared, EvidenceKind.CROP),  # bytes a verified item names
            early(later, clock, shared_with_young, EvidenceKind.FRAME),
        ]
    )
    clock.advance(timedelta(hours=71))
    young = event_at(device, place=place)
    ingest.process([early(young, clock, shared_with_young, EvidenceKind.FRAME)])
    clock.advance(timedelta(hours=2))  # orphan and later: 73 h old; young: 2 h old
    own_sha, young_sha = (hashlib.sha256(d).hexdigest() for d in (own, shared_with_young))
    before = _counter(ctx, "item")

    result = EarlyEvidencePruner(ctx).prune()

    assert result.items >= 3 and result.files >= 1
    assert _counter(ctx, "item") - before == result.items
    assert pending(ctx, orphan) == pending(ctx, later) == []
    assert pending(ctx, young) == ["frame"]
    assert ctx.evidence.read(own_sha) is None and not blob(ctx, own_sha)
    assert ctx.evidence.read(frame.sha256) == shared and blob(ctx, frame.sha256)
    assert ctx.evidence.read(young_sha) == shared_with_young and blob(ctx, young_sha)
    assert EarlyEvidencePruner(ctx).prune().items == 0  # nothing left that old


def test_an_event_after_its_pruned_evidence_waits_for_it_again(
    ctx: ServerContext, clock: FakeClock
) -> None:
    ingest = IngestService(ctx, worker="test")
    device = example_device_id()
    register(ctx, device)
    event = event_at(device, place=fresh_place(), kinds=(EvidenceKind.FRAME,))
    data = b"\xff\xd8\xff" + os.urandom(64)
    sha = ctx.evidence.put(data)
    ingest.process([early(event, clock, data, EvidenceKind.FRAME)])
    clock.advance(timedelta(hours=80))
    assert EarlyEvidencePruner(ctx).prune().items >= 1
    assert ctx.evidence.read(sha) is None

    arrived = ingest.process([Inbound(TOPICS.events(device), encode(event), clock.now)])
    resent = ingest.process([early(event, clock, data, EvidenceKind.FRAME)])

    assert all(not plan.committed for plan in arrived.acks)  # not acked: the frame is missing
    assert [plan.committed for plan in resent.acks] == [(event.event_id,)]
    assert ctx.evidence.read(sha) == data


def test_every_runs_a_job_until_stopped_and_survives_failures() -> None:
    stop, calls = threading.Event(), []

    def job() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first run fails")
        if len(calls) >= 3:
            stop.set()

    thread = every(stop, "test-job", 0.01, job)
    thread.join(5.0)

    assert not thread.is_alive() and len(calls) == 3


def _counter(ctx: ServerContext, what: str) -> float:
    value = ctx.metrics.registry.get_sample_value(
        "streetwatch_evidence_pruned_total", {"what": what}
    )
    return value or 0.0
