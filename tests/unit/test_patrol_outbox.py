"""Over its disk budget the outbox downgrades evidence first — the full frame, then the crop —
records it in the event, and never drops an event; its clock can be injected."""

from __future__ import annotations

from pathlib import Path

from support.edge_setup import edge_config
from support.outage import OutageRide, SimClock

from contracts.messages import EvidenceKind
from edge.config import load_edge_config
from edge.outbox import Outbox


def test_frame_goes_first_then_the_crop_and_every_event_is_kept(tmp_path: Path) -> None:
    config = load_edge_config(
        edge_config(tmp_path, port=1, model=tmp_path / "m.onnx", video=tmp_path / "v.avi")
    )
    clock = SimClock(1_000_000.0)
    budget = 2 * 1024**2
    outbox = Outbox(tmp_path / "o.sqlite3", config.device.id, budget, clock)
    events = OutageRide(config, outbox).store(200, 60.0, clock)
    drops = [tuple(e.evidence_dropped) for e in events]
    assert len(events) == 200 and outbox.depth().events == 200 and outbox.last_seq() == 200
    assert drops[0] == ()
    assert (EvidenceKind.FRAME,) in drops  # downgraded: frame dropped, crop kept
    first_frame_drop = drops.index((EvidenceKind.FRAME,))
    assert all(EvidenceKind.FRAME in d for d in drops[first_frame_drop:])  # frames first ...
    assert all(d in {(), (EvidenceKind.FRAME,)} for d in drops[: first_frame_drop + 1])
    kept = next(e for e in events if e.evidence_dropped == [EvidenceKind.FRAME])
    assert [item.kind for item in kept.evidence] == [EvidenceKind.CROP]
    assert outbox.depth().bytes <= budget
    assert outbox.depth().oldest_created == 1_000_000.0 + 60.0  # the injected clock
