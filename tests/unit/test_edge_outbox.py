"""The SQLite outbox: durable seq and ids, commit-ack deletion, live/backlog selection,
size budget, device ownership and violation state stored with the event."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest
from support.edge_setup import T0, violation

from contracts import decode
from contracts.messages import EventType, EvidenceKind, ModelIdentity, ViolationEvent
from contracts.topics import MessageKind
from edge.config import EvidenceSettings, TaxonomyEntry
from edge.config_sections import EventSettings
from edge.events.factory import EventFactory
from edge.events.lifecycle import Deduper
from edge.evidence import EvidenceMaker
from edge.outbox import NewEvent, Outbox, OutboxError

MODEL = ModelIdentity(name="m", version="1", sha256="0" * 64)
FACTORY = EventFactory("dev-1", {"garbage": TaxonomyEntry(code="0102", name_zh="暴露垃圾")}, MODEL)


def store(outbox: Outbox, with_evidence: bool = True) -> ViolationEvent:
    step = Deduper(EventSettings()).update(T0, (violation(),))
    decision = step.decisions[0]
    files = EvidenceMaker(EvidenceSettings(), "dev-1").make(violation()) if with_evidence else ()

    def make(event_id: str, seq: int, dropped: tuple[EvidenceKind, ...]) -> ViolationEvent:
        return FACTORY.build(
            decision,
            files,
            event_id=event_id,
            seq=seq,
            created_at=T0,
            config_version=0,
            dropped=dropped,
        )

    return outbox.write((NewEvent(make, files),), step.remember)[0]


def test_seq_and_ids_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    first = Outbox(path, "dev-1", 10**9)
    events = [store(first), store(first)]
    first.close()
    again = Outbox(path, "dev-1", 10**9)
    third = store(again)
    assert [e.seq for e in [*events, third]] == [1, 2, 3]
    waiting = again.backlog(10, created_before=time.time() + 1, retry_before=0)
    assert [w.event_id for w in waiting] == [e.event_id for e in [*events, third]]
    assert decode(MessageKind.EVENTS, waiting[0].payload, ViolationEvent) == events[0]
    assert again.last_seq() == 3
    assert len(again.recall()) == 3  # each test event opened its own violation


def test_evidence_is_stored_and_matches_the_event(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", "dev-1", 10**9)
    event = store(outbox)
    entry = outbox.fresh(10, created_since=0)[0]
    assert set(entry.evidence) == {EvidenceKind.FRAME, EvidenceKind.CROP}
    for item in event.evidence:
        assert hashlib.sha256(entry.evidence[item.kind]).hexdigest() == item.sha256


def test_rows_leave_only_on_ack(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", "dev-1", 10**9)
    a, b = store(outbox), store(outbox)
    outbox.mark_attempt(a.event_id, time.time())
    assert outbox.depth().events == 2  # published is not delivered
    assert outbox.delete([a.event_id, "01ARZ3NDEKTSV4RRFFQ69G5FAV"]) == 1
    assert outbox.depth().events == 1
    assert outbox.delete([b.event_id]) == 1
    assert outbox.depth() == outbox.depth().__class__(0, 0, None)


def test_live_backlog_and_retry_selection(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", "dev-1", 10**9)
    old = store(outbox)
    connected = time.time() + 0.001
    time.sleep(0.01)
    live = store(outbox)
    assert [e.event_id for e in outbox.fresh(10, connected)] == [live.event_id]
    assert [e.event_id for e in outbox.backlog(10, connected, retry_before=0)] == [old.event_id]
    outbox.mark_attempt(live.event_id, time.time())
    assert outbox.fresh(10, connected) == []
    retry = outbox.backlog(10, connected, retry_before=time.time() + 1)
    assert [e.event_id for e in retry] == [old.event_id, live.event_id]
    assert retry[1].attempts == 1


def test_over_budget_events_are_kept_without_evidence(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", "dev-1", max_bytes=1)
    event = store(outbox)
    assert event.evidence == []
    assert set(event.evidence_dropped) == {EvidenceKind.FRAME, EvidenceKind.CROP}
    assert outbox.fresh(10, 0)[0].evidence == {}


def test_an_outbox_belongs_to_one_device(tmp_path: Path) -> None:
    Outbox(tmp_path / "o.sqlite3", "dev-1", 10**9).close()
    with pytest.raises(OutboxError, match="belongs to device 'dev-1', not 'dev-2'"):
        Outbox(tmp_path / "o.sqlite3", "dev-2", 10**9)


def test_end_event_from_stored_state(tmp_path: Path) -> None:
    """An end event needs no pixels: it is written from the stored sighting after a restart."""
    outbox = Outbox(tmp_path / "o.sqlite3", "dev-1", 10**9)
    new = store(outbox)
    deduper = Deduper(EventSettings(end_after_s=5, cooldown_s=10), outbox.recall())
    step = deduper.update(new.last_seen.replace(second=new.last_seen.second + 6), ())
    (end,) = step.decisions
    assert (end.type, end.violation_id, end.evidence) == (EventType.END, new.violation_id, None)
    event = FACTORY.build(end, (), event_id=new.event_id, seq=9, created_at=T0, config_version=0)
    assert event.camera == new.camera and event.evidence == []


def tight_outbox(tmp_path: Path) -> Outbox:
    """An outbox whose budget holds two events whole and half a crop more."""
    probe = Outbox(tmp_path / "probe.sqlite3", "dev-1", 10**9)
    store(probe)
    whole, crop = probe.depth().bytes, len(probe.fresh(1, 0)[0].evidence[EvidenceKind.CROP])
    return Outbox(tmp_path / "o.sqlite3", "dev-1", int((2 * whole + crop // 2) / 0.8) + 1)


def as_sent(outbox: Outbox, event_id: str) -> tuple[bytes, dict[EvidenceKind, bytes]]:
    """Return what a publish of ``event_id`` would carry (read aside: nothing is handed out)."""
    with closing(sqlite3.connect(outbox.path)) as db:
        (payload,) = db.execute(
            "SELECT payload FROM events WHERE event_id=?", (event_id,)
        ).fetchone()
        rows = db.execute("SELECT kind, data FROM evidence WHERE event_id=?", (event_id,))
        return payload, {EvidenceKind(kind): data for kind, data in rows}


def test_frames_of_unpublished_events_are_shed_first(tmp_path: Path) -> None:
    outbox = tight_outbox(tmp_path)
    published, waiting = store(outbox), store(outbox)
    outbox.mark_attempt(published.event_id, time.time())
    before = as_sent(outbox, published.event_id)
    new = store(outbox)
    assert new.evidence_dropped == [EvidenceKind.FRAME]  # its crop kept
    assert as_sent(outbox, published.event_id) == before  # a retry repeats the first publish
    payload, evidence = as_sent(outbox, waiting.event_id)
    assert set(evidence) == {EvidenceKind.CROP}
    assert ViolationEvent.model_validate_json(payload).evidence_dropped == [EvidenceKind.FRAME]


def test_published_events_keep_their_evidence_and_the_new_event_loses_its_crop(
    tmp_path: Path,
) -> None:
    outbox = tight_outbox(tmp_path)
    published, sending = store(outbox), store(outbox)
    outbox.mark_attempt(published.event_id, time.time())
    assert [e.event_id for e in outbox.fresh(1, 0)] == [sending.event_id]  # being published
    before = {e.event_id: as_sent(outbox, e.event_id) for e in (published, sending)}
    new = store(outbox)
    assert set(new.evidence_dropped) == {EvidenceKind.FRAME, EvidenceKind.CROP}
    assert {e: as_sent(outbox, e) for e in before} == before
    assert outbox.depth().events == 3
