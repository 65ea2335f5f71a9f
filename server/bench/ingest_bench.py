"""Run the server benchmark: bare MQTT QoS 1 rate, server ingest rate, latency at a set rate.

The server runs as its own process (``streetwatch server run --no-api``) against a private
Mosquitto, exactly as deployed; the benchmark process only publishes pre-encoded events and
times the commit-acks that come back.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts import MessageKind, Topics, ViolationEvent, encode
from server.bench.fleet import connected_client, publish_all, subscribe
from server.bench.workload import Workload, build_events, device_ids
from server.config import ServerConfig
from server.services.context import build_context
from server.services.devices import DeviceService, DeviceSpec
from server.store.migrate import upgrade
from streetwatch.errors import UserError

READY = "streetwatch server ready:"
TOPICS = Topics()


@dataclass(frozen=True)
class ServerRun:
    """One server measurement."""

    events_per_s: float
    latency_p50_ms: float
    latency_p99_ms: float
    latency_rate: float


def bare_rate(host: str, port: int, payloads: Sequence[bytes]) -> float:
    """Return messages/s of paho → Mosquitto → paho at QoS 1 for ``payloads``."""
    done = threading.Event()
    received = [0]
    last = [0.0]

    def on_message(_message: Any) -> None:
        received[0] += 1
        if received[0] == len(payloads):
            last[0] = time.perf_counter()
            done.set()

    tag = secrets.token_hex(3)
    receiver = connected_client(host, port, f"bench-bare-rx-{tag}")
    subscribe(receiver, f"bench/{tag}/#", on_message)
    sender = connected_client(host, port, f"bench-bare-tx-{tag}")
    messages = [(f"bench/{tag}/{i % 20}", payload) for i, payload in enumerate(payloads)]
    sent = publish_all(sender, messages, None)
    if not done.wait(120):
        raise UserError("the bare MQTT round trip did not finish in 120 s")
    for client in (sender, receiver):
        client.disconnect()
        client.loop_stop()
    return len(payloads) / (last[0] - sent[0])


@contextmanager
def server_process(config: ServerConfig, folder: Path) -> Iterator[None]:
    """Run ``streetwatch server run --no-api`` on ``config`` for the block."""
    path = folder / "server.yaml"
    path.write_text(json.dumps(config.model_dump(mode="json", exclude_none=True)))
    process = subprocess.Popen(
        [sys.executable, "-m", "streetwatch", "server", "run", "-c", str(path), "--no-api"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    output: list[str] = []
    for line in process.stdout:
        output.append(line)
        if line.startswith(READY):
            break
    else:
        raise UserError("the server did not start: " + "".join(output[-5:]))
    threading.Thread(target=process.stdout.read, daemon=True).start()
    try:
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


class AckClock:
    """Notes when each event id is first named in a commit-ack."""

    def __init__(self) -> None:
        self.acked: dict[str, float] = {}
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)

    def on_message(self, message: Any) -> None:
        """Record the ids of one commit-ack (paho callback)."""
        now = time.perf_counter()
        committed = json.loads(message.payload)["committed"]
        with self.changed:
            for event_id in committed:
                self.acked.setdefault(event_id, now)
            self.changed.notify_all()

    def wait_for(self, ids: Sequence[str], timeout_s: float) -> None:
        """Wait until every id is acknowledged.

        Raises:
            UserError: some were not acknowledged in time.
        """
        deadline = time.monotonic() + timeout_s
        with self.changed:
            while not all(event_id in self.acked for event_id in ids):
                left = deadline - time.monotonic()
                if left <= 0:
                    missing = sum(event_id not in self.acked for event_id in ids)
                    raise UserError(f"{missing} events not acknowledged within {timeout_s:g} s")
                self.changed.wait(min(left, 0.5))


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _messages(events: Sequence[ViolationEvent]) -> list[tuple[str, bytes]]:
    return [(TOPICS.events(event.device_id), encode(event)) for event in events]


def _throughput(
    sender: Any, clock: AckClock, warm: Sequence[ViolationEvent], main: Sequence[ViolationEvent]
) -> float:
    publish_all(sender, _messages(warm), None)
    clock.wait_for([e.event_id for e in warm], 120)  # warm-up: not measured
    sent = publish_all(sender, _messages(main), None)
    clock.wait_for([e.event_id for e in main], 600)
    done = max(clock.acked[e.event_id] for e in main)
    return len(main) / (done - sent[0])


def _latencies(
    sender: Any, clock: AckClock, paced: Sequence[ViolationEvent], rate: float
) -> list[float]:
    sent = publish_all(sender, _messages(paced), rate)
    clock.wait_for([e.event_id for e in paced], 120)
    return [(clock.acked[e.event_id] - t) * 1000 for e, t in zip(paced, sent, strict=True)]


def measure_server(
    config: ServerConfig, workload: Workload, latency_rate: float, latency_s: float
) -> ServerRun:
    """Start a server on ``config`` and measure throughput and latency."""
    run = secrets.token_hex(3)
    devices = device_ids(workload.devices, run)
    context = build_context(config)
    upgrade(context.database)
    registry = DeviceService(context)
    for device in devices:
        registry.register(DeviceSpec(device_id=device, name=f"bench {device}"))
    context.database.dispose()
    warm = build_events(Workload(300, workload.devices, 50, seed=workload.seed + 7), devices)
    main = build_events(workload, devices)
    paced_count = int(latency_rate * latency_s)
    paced = build_events(
        Workload(paced_count, workload.devices, workload.places, seed=workload.seed + 13), devices
    )
    with (
        tempfile.TemporaryDirectory(prefix="streetwatch-bench-server-") as folder,
        server_process(config, Path(folder)),
    ):
        clock = AckClock()
        receiver = connected_client(config.mqtt.host, config.mqtt.port, f"bench-acks-{run}")
        subscribe(receiver, TOPICS.subscription(MessageKind.ACKS), clock.on_message)
        sender = connected_client(config.mqtt.host, config.mqtt.port, f"bench-fleet-{run}")
        rate = _throughput(sender, clock, warm, main)
        latencies = _latencies(sender, clock, paced, latency_rate)
        for client in (sender, receiver):
            client.disconnect()
            client.loop_stop()
    return ServerRun(rate, statistics.median(latencies), _percentile(latencies, 0.99), latency_rate)
