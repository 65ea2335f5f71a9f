"""After a reconnect the backlog drains oldest first at a bounded rate, and live events go
first (a real Mosquitto, the real sender and outbox)."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from support.ack_receiver import AckReceiver
from support.edge_setup import Box, constant_model, edge_config, noise_video, store_event
from support.messages import example_device_id
from support.mosquitto import MosquittoServer

from contracts.messages import FrameCounters, Heartbeat, OutboxState
from edge.config import load_edge_config
from edge.delivery.sender import Sender
from edge.outbox import Outbox
from edge.telemetry import Telemetry

pytestmark = pytest.mark.integration

BACKLOG, RATE = 12, 8.0


def test_backlog_drains_oldest_first_at_its_rate_behind_live_events(
    tmp_path: Path, mosquitto: MosquittoServer
) -> None:
    device = example_device_id("drain")
    model = constant_model(tmp_path / "m.onnx", [Box(1, 1, 9, 9, 0.9, 1)])
    extra = f"delivery: {{backlog_per_s: {RATE}, max_inflight: 100, ack_timeout_s: 30}}\n"
    path = edge_config(
        tmp_path,
        port=mosquitto.port,
        model=model,
        video=noise_video(tmp_path / "v.avi", 0.2),
        device_id=device,
    )
    path.write_text(
        path.read_text().replace("delivery: {ack_timeout_s: 2, backlog_per_s: 50}\n", extra)
    )
    config = load_edge_config(path)
    outbox = Outbox(config.outbox.path, device, config.outbox.max_bytes)
    backlog = [store_event(outbox, device).event_id for _ in range(BACKLOG)]

    def heartbeat() -> Heartbeat:
        return Heartbeat(
            device_id=device,
            sent_at=datetime.now(timezone.utc),
            uptime_s=0.0,
            software_version="test",
            config_version=0,
            frames=FrameCounters(decoded=0, processed=0, dropped=0),
            outbox=OutboxState(depth=0, bytes=0),
        )

    with AckReceiver(mosquitto) as receiver:
        sender = Sender(config, outbox, Telemetry(), heartbeat, lambda _push: None)
        sender.start()
        try:
            assert sender.link.connected.wait(5)
            time.sleep(0.05)
            live = store_event(outbox, device).event_id
            sender.wake()
            started = time.monotonic()
            receiver.wait_events(BACKLOG + 1, timeout_s=15)
            took = time.monotonic() - started
            receiver.wait_for("an empty outbox", lambda: outbox.depth().events == 0, 5)
        finally:
            sender.stop()
    order = [e.event_id for e in receiver.events]
    assert order.index(live) <= 2  # live goes ahead of (almost) the whole backlog
    assert [e for e in order if e != live] == backlog  # oldest first
    assert took >= (BACKLOG - 2) / RATE  # bounded: about RATE events per second
