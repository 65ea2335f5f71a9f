"""Fault tests of a patrol ride (real Mosquitto started and killed by the fixture, the real
edge stages after detection, SQLite outbox and sender, a hash-verifying commit-ack receiver).

Each asserts against the generated truth that every violation arrives exactly once (none
missing, none raised twice under different ids) and that no event is lost (no gap in ``seq``
after the drain), and prints the counts. Timings are short and set here: ``OUTAGE_S`` stands
for the broker or server being away (a minute in the issue).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.ack_receiver import AckReceiver
from support.edge_setup import edge_config
from support.mosquitto import MosquittoServer
from support.patrol_stream import PatrolProducer, Tally, places, tally

from contracts.messages import ViolationEvent
from edge.config import EdgeConfig, load_edge_config
from edge.outbox import Outbox

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PLACES = 12
RATE_HZ = 60.0
OUTAGE_S = float(os.environ.get("STREETWATCH_FAULT_OUTAGE_S", "3"))
DRAIN_S = 30.0
DELIVERY = "delivery: {ack_timeout_s: 1.5, backlog_per_s: 50, max_inflight: 100}\n"


def config(tmp_path: Path, port: int, device: str) -> Path:
    path = edge_config(
        tmp_path,
        port=port,
        model=tmp_path / "unused.onnx",
        video=tmp_path / "unused.avi",
        device_id=device,
    )
    text = path.read_text().replace("delivery: {ack_timeout_s: 2, backlog_per_s: 50}\n", DELIVERY)
    path.write_text(text)
    return path


@pytest.fixture
def producer(
    tmp_path: Path, mosquitto: MosquittoServer, request: pytest.FixtureRequest
) -> Iterator[PatrolProducer]:
    device = f"bike-{request.node.name[5:25].replace('_', '-')}"
    made = PatrolProducer(
        load_edge_config(config(tmp_path, mosquitto.port, device)), places(PLACES), RATE_HZ
    )
    made.sender.start()
    yield made
    made.sender.stop()
    made.outbox.close()


def finish(
    name: str, producer: PatrolProducer, receiver: AckReceiver, before: list[ViolationEvent]
) -> Tally:
    """Wait for the drain; print and return the counts of every event received (``before``:
    what an earlier receiver got)."""
    assert producer.wait_empty(DRAIN_S), f"outbox not drained: {producer.outbox.depth()}"
    counts = tally(producer.truth, before + receiver.events, producer.outbox.last_seq() or 0)
    print(counts.line(name))
    return counts


def assert_exactly_once(counts: Tally) -> None:
    assert counts.violations == counts.places
    assert counts.missing == 0 and counts.twice == 0
    assert counts.seq_gaps == 0 and counts.events == counts.last_seq


def start_ride(producer: PatrolProducer) -> threading.Thread:
    thread = threading.Thread(target=producer.run, daemon=True)
    thread.start()
    return thread


def wait_produced(producer: PatrolProducer, share: float) -> None:
    total = PLACES * 2 * 3
    while producer.produced < total * share and not producer.done.is_set():
        time.sleep(0.01)


def test_broker_restart_mid_stream(producer: PatrolProducer, mosquitto: MosquittoServer) -> None:
    with AckReceiver(mosquitto) as receiver:
        thread = start_ride(producer)
        wait_produced(producer, 0.6)
        mosquitto.restart()
    before = list(receiver.events)
    with AckReceiver(mosquitto) as back:  # a test subscriber has no persistent session
        thread.join()
        assert_exactly_once(finish("broker restart", producer, back, before))


def test_broker_unreachable_while_events_keep_coming(
    producer: PatrolProducer, mosquitto: MosquittoServer
) -> None:
    with AckReceiver(mosquitto) as receiver:
        thread = start_ride(producer)
        wait_produced(producer, 0.4)
        mosquitto.kill()
        wait_produced(producer, 0.9)  # the ride goes on into the outbox
        time.sleep(OUTAGE_S)
        mosquitto.start()
    before = list(receiver.events)
    with AckReceiver(mosquitto) as back:  # a test subscriber has no persistent session
        thread.join()
        assert_exactly_once(finish("broker unreachable", producer, back, before))


def test_server_down_for_a_while(producer: PatrolProducer, mosquitto: MosquittoServer) -> None:
    receiver = AckReceiver(mosquitto).__enter__()
    thread = start_ride(producer)
    wait_produced(producer, 0.5)
    receiver.__exit__(None, None, None)
    seen_before = list(receiver.events)
    time.sleep(OUTAGE_S)
    with AckReceiver(mosquitto) as back:
        thread.join()
        assert_exactly_once(finish("server down", producer, back, seen_before))


def test_edge_kill_9_mid_stream_then_restart(tmp_path: Path, mosquitto: MosquittoServer) -> None:
    path = config(tmp_path, mosquitto.port, "bike-kill-9")
    command = [
        sys.executable,
        "-m",
        "support.patrol_stream",
        str(path),
        "--places",
        str(PLACES),
        "--rate",
        str(RATE_HZ),
        "--wait",
        str(DRAIN_S),
    ]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")]
        ),
    }
    with AckReceiver(mosquitto) as receiver:
        first = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        receiver.wait_for("a third of the places", lambda: len(receiver.events) >= PLACES // 3, 30)
        os.kill(first.pid, signal.SIGKILL)
        assert first.wait(10) == -signal.SIGKILL  # killed mid-stream, not finished
        second = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=90, check=False
        )
        assert second.returncode == 0, second.stderr[-2000:]
        config_ = load_edge_config(path)
        producer_outbox = _outbox(config_)
        try:
            assert producer_outbox.depth().events == 0
            last = producer_outbox.last_seq() or 0
        finally:
            producer_outbox.close()
        counts = tally(places(PLACES), receiver.events, last)
        print(counts.line("edge kill -9"))
    assert_exactly_once(counts)


def _outbox(config_: EdgeConfig) -> Outbox:
    return Outbox(config_.outbox.path, config_.device.id, config_.outbox.max_bytes)
