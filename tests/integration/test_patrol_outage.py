"""Store-and-forward through an 8-hour outage, simulated in seconds with an injected clock:
no event lost, the disk budget kept (frames dropped first, crops kept), and after the
reconnection the backlog drains at its bounded rate while live events go first (a real
Mosquitto, the real sender, a hash-verifying commit-ack receiver)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.ack_receiver import AckReceiver
from support.edge_setup import edge_config
from support.mosquitto import MosquittoServer
from support.outage import OutageRide, SimClock
from support.patrol_stream import heartbeat_of

from contracts.messages import EvidenceKind
from edge.config import load_edge_config
from edge.delivery.sender import Sender
from edge.outbox import WAL_LIMIT_BYTES, Outbox
from edge.telemetry import Telemetry

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HOURS, EVERY_S = 8, 60.0
BACKLOG = int(HOURS * 3600 / EVERY_S)  # 480 events, one a minute
BUDGET = 8 * 1024**2
RATE, LIVE = 200.0, 8
DELIVERY = f"delivery: {{ack_timeout_s: 30, backlog_per_s: {RATE:g}, max_inflight: 100}}\n"


def test_eight_hour_outage_loses_nothing_keeps_the_budget_and_drains_behind_live(
    tmp_path: Path, mosquitto: MosquittoServer
) -> None:
    path = edge_config(
        tmp_path,
        port=mosquitto.port,
        model=tmp_path / "unused.onnx",
        video=tmp_path / "unused.avi",
        device_id="bike-outage-8h",
    )
    path.write_text(
        path.read_text().replace("delivery: {ack_timeout_s: 2, backlog_per_s: 50}\n", DELIVERY)
    )
    config = load_edge_config(path)
    clock = SimClock(time.time() - HOURS * 3600 - 600)
    outbox = Outbox(config.outbox.path, config.device.id, BUDGET, clock)
    ride = OutageRide(config, outbox)

    backlog = ride.store(BACKLOG, EVERY_S, clock)  # the dead zone: eight hours in seconds

    assert outbox.depth().events == BACKLOG and outbox.last_seq() == BACKLOG
    assert outbox.depth().bytes <= BUDGET
    files = {p.name: p.stat().st_size for p in tmp_path.glob("outbox.sqlite3*")}
    assert files["outbox.sqlite3"] <= 1.25 * BUDGET
    assert files.get("outbox.sqlite3-wal", 0) <= WAL_LIMIT_BYTES + 64 * 1024
    dropped = [tuple(e.evidence_dropped) for e in backlog]
    assert () in dropped and (EvidenceKind.FRAME,) in dropped  # downgraded, crops kept
    assert all(EvidenceKind.FRAME in d for d in dropped if EvidenceKind.CROP in d)
    print(f"[8 h outage] {BACKLOG} events, {outbox.depth().bytes} bytes, files {files}")

    clock.live = True
    telemetry = Telemetry()
    sender = Sender(
        config, outbox, telemetry, lambda: heartbeat_of(config.device.id, outbox), print
    )
    with AckReceiver(mosquitto) as receiver:
        sender.start()
        try:
            assert sender.link.connected.wait(5)
            started = time.monotonic()
            live = []
            for _ in range(LIVE):  # the bike rides on while the backlog drains
                time.sleep(0.15)
                live += [e.event_id for e in ride.store(1, 1.0)]
                sender.wake()
            receiver.wait_for("an empty outbox", lambda: outbox.depth().events == 0, 30)
            took = time.monotonic() - started
        finally:
            sender.stop()
    order = [e.event_id for e in receiver.events]
    seqs = {e.seq for e in receiver.events}
    assert len(order) == len(set(order)) == BACKLOG + LIVE
    assert seqs == set(range(1, BACKLOG + LIVE + 1))  # no seq gap: nothing lost
    last_backlog = order.index(backlog[-1].event_id)
    assert all(order.index(event_id) < last_backlog for event_id in live)  # live not starved
    assert took >= (BACKLOG - 2 * RATE) / RATE  # bounded by backlog_per_s
    print(
        f"[8 h outage] drained {BACKLOG} backlog + {LIVE} live in {took:.1f} s "
        f"({BACKLOG / took:.0f} events/s at backlog_per_s {RATE:g})"
    )
