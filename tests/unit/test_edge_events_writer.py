"""One frame's events and the violation state they imply are stored together, and a node that
was down does not count its downtime as the violations' absence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.edge_setup import T0, seconds, violation

from contracts.messages import EventType, ModelIdentity, ViolationEvent
from edge.config import EvidenceSettings, TaxonomyEntry
from edge.config_sections import EventSettings
from edge.events.decisions import Decision
from edge.events.factory import EventFactory
from edge.events.lifecycle import Deduper
from edge.events.writer import EventWriter
from edge.evidence import EvidenceMaker
from edge.outbox import Outbox
from edge.telemetry import Telemetry
from edge.violations import Violation

MODEL = ModelIdentity(name="m", version="1", sha256="0" * 64)
TAXONOMY = {
    "garbage": TaxonomyEntry(code="0102", name_zh="暴露垃圾"),
    "street_vending": TaxonomyEntry(code="0201", name_zh="占道经营"),
}
FIXED = EventSettings(end_after_s=60, cooldown_s=300, region_iou=0.3, update_min_interval_s=30)
ELSEWHERE = (200.0, 20.0, 260.0, 80.0)


class CrashError(Exception):
    """The process dies in the middle of a frame."""


class CrashingFactory(EventFactory):
    """Builds events until the ``crash_at``-th one, which 'kills' the node."""

    def __init__(self, crash_at: int) -> None:
        super().__init__("dev-1", TAXONOMY, MODEL)
        self._left = crash_at

    def build(self, decision: Decision, *args: Any, **kwargs: Any) -> ViolationEvent:
        self._left -= 1
        if self._left == 0:
            raise CrashError
        return super().build(decision, *args, **kwargs)


def writer(outbox: Outbox, factory: EventFactory | None = None) -> EventWriter:
    factory = factory or EventFactory("dev-1", TAXONOMY, MODEL)
    return EventWriter(
        factory, EvidenceMaker(EvidenceSettings(), "dev-1"), outbox, Telemetry(), int
    )


def stored_events(outbox: Outbox) -> list[ViolationEvent]:
    entries = outbox.backlog(100, created_before=float("inf"), retry_before=0)
    return [ViolationEvent.model_validate_json(e.payload) for e in entries]


def seen(second: float, **kwargs: Any) -> Violation:
    found: Violation = violation(T0 + seconds(second), **kwargs)
    return found


def test_a_crash_mid_frame_stores_none_of_its_events_and_none_of_their_state(
    tmp_path: Path,
) -> None:
    path = tmp_path / "o.sqlite3"
    outbox = Outbox(path, "dev-1", 10**9)
    step = Deduper(FIXED).update(T0, (seen(0, track_id=1), seen(0, track_id=2, box=ELSEWHERE)))
    assert [d.type for d in step.decisions] == [EventType.NEW, EventType.NEW]
    with pytest.raises(CrashError):
        writer(outbox, CrashingFactory(crash_at=2)).write(step, ())
    outbox.close()

    again = Outbox(path, "dev-1", 10**9)
    raised = {e.violation_id for e in stored_events(again) if e.type is EventType.NEW}
    remembered = {r.violation_id for r in again.recall()}
    assert remembered <= raised  # no violation counts as raised without its 'new' event
    assert (raised, remembered) == (set(), set())  # the frame is stored whole or not at all


def test_a_frame_with_several_events_stores_them_all_with_their_state(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", "dev-1", 10**9)
    step = Deduper(FIXED).update(T0, (seen(0, track_id=1), seen(0, track_id=2, box=ELSEWHERE)))
    events = writer(outbox).write(step, ())
    assert [e.seq for e in events] == [1, 2]
    assert [e.event_id for e in stored_events(outbox)] == [e.event_id for e in events]
    assert {r.violation_id for r in outbox.recall()} == {e.violation_id for e in events}


def watch(
    outbox: Outbox, deduper: Deduper, script: list[tuple[float, list[Violation]]]
) -> list[tuple[float, EventType, str]]:
    """Run frames through the lifecycle into the outbox; return (second, type, id) per event."""
    out = []
    events = writer(outbox)
    for second, found in script:
        step = deduper.update(T0 + seconds(second), tuple(found))
        out += [(second, e.type, e.violation_id) for e in events.write(step, ())]
    return out


def restart(path: Path) -> tuple[Outbox, Deduper]:
    outbox = Outbox(path, "dev-1", 10**9)
    return outbox, Deduper(FIXED, outbox.recall())


def test_a_long_restart_keeps_the_violation_and_sends_no_end(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    outbox = Outbox(path, "dev-1", 10**9)
    before = watch(outbox, Deduper(FIXED), [(s, [seen(s)]) for s in range(0, 200, 2)])
    assert [(s, t) for s, t, _ in before] == [(0, EventType.NEW)]
    outbox.close()

    outbox, deduper = restart(path)  # down for 10 minutes; the tracker starts again at id 1
    back = 198 + 600
    after = watch(outbox, deduper, [(s, [seen(s, track_id=1)]) for s in range(back, back + 20)])
    assert after == []  # no 'end' for the downtime, no second 'new'
    gone = watch(outbox, deduper, [(s, []) for s in range(back + 20, back + 90)])
    assert [(s, t, v) for s, t, v in gone] == [(back + 19 + 60, EventType.END, before[0][2])]


def test_downtime_is_not_absence_but_absence_after_the_restart_is(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    outbox = Outbox(path, "dev-1", 10**9)
    (new,) = watch(outbox, Deduper(FIXED), [(0, [seen(0)]), (40, [])])  # unseen for 40 s
    outbox.close()

    outbox, deduper = restart(path)
    back = 40 + 600
    events = watch(outbox, deduper, [(s, []) for s in range(back, back + 30)])
    # 40 s of absence before the restart (up to 5 s of it may go unrecorded), 20 s after it
    assert len(events) == 1 and events[0][1:] == (EventType.END, new[2])
    assert back + 20 <= events[0][0] <= back + 25


def test_restarts_add_up(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    outbox = Outbox(path, "dev-1", 10**9)
    watch(outbox, Deduper(FIXED), [(0, [seen(0)]), (10, [])])
    outbox.close()
    outbox, deduper = restart(path)
    assert watch(outbox, deduper, [(1000, []), (1010, [])]) == []  # 20 s absent so far
    outbox.close()
    outbox, deduper = restart(path)
    late = watch(outbox, deduper, [(s, []) for s in range(5000, 5060, 2)])
    assert [t for _, t, _ in late] == [EventType.END]
    assert 5000 + 40 - 5 <= late[0][0] <= 5000 + 40 + 5


def test_a_running_node_still_ends_after_end_after_s(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", "dev-1", 10**9)
    script = [(0.0, [seen(0)]), *[(float(s), []) for s in range(1, 100)]]
    events = watch(outbox, Deduper(FIXED), script)
    assert [(s, t) for s, t, _ in events] == [(0, EventType.NEW), (60, EventType.END)]
