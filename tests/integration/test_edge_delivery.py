"""The edge node end to end through a real Mosquitto, with a test receiver that verifies
evidence hashes and sends commit-acks.

The detector is a real ONNX file (run by ONNX Runtime) that reports the same boxes on every
frame of a 3-second clip: a garbage pile (0.8), a vending stall (0.7) and a sign (0.4, a near
miss), so the expected events follow from the rules alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from support.ack_receiver import AckReceiver
from support.edge_setup import Box, constant_model, edge_config, noise_video
from support.messages import example_device_id
from support.mosquitto import MosquittoServer
from support.mqtt_client import ClientPool

from contracts import (
    ClassOverlay,
    ConfigPush,
    EventType,
    Heartbeat,
    MessageKind,
    Status,
    TunableOverlay,
    decode,
    encode,
)
from edge.outbox import Outbox
from streetwatch.cli import main

if TYPE_CHECKING:
    from streetwatch.embedded_broker import EmbeddedBroker

pytestmark = pytest.mark.integration

BOXES = [
    Box(20, 100, 80, 160, 0.8, 1),  # garbage
    Box(150, 60, 230, 170, 0.7, 0),  # street_vending
    Box(260, 20, 300, 60, 0.4, 2),  # illegal_signage, below confirm_score 0.5
]


@dataclass
class Node:
    """The files of one edge node under test."""

    device_id: str
    config: Path
    outbox: Path

    def run(self, *extra: str) -> int:
        return main(["edge", "run", "-c", str(self.config), "--once", *extra])


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("edge-media")
    return constant_model(folder / "const.onnx", BOXES), noise_video(folder / "clip.avi")


@pytest.fixture
def node(tmp_path: Path, mosquitto: MosquittoServer, media: tuple[Path, Path]) -> Node:
    device = example_device_id("edge")
    extra = "events: {samples: {fraction: 1.0}}\n"
    config = edge_config(
        tmp_path, port=mosquitto.port, model=media[0], video=media[1], device_id=device, extra=extra
    )
    return Node(device, config, tmp_path / "outbox.sqlite3")


@pytest.fixture
def receiver(mosquitto: MosquittoServer) -> Iterator[AckReceiver]:
    with AckReceiver(mosquitto) as server:
        yield server


def kinds(receiver: AckReceiver) -> list[tuple[str, str]]:
    return sorted((e.type.value, e.label) for e in receiver.events)


EXPECTED = [("new", "garbage"), ("new", "street_vending"), ("sample", "illegal_signage")]


def test_events_are_delivered_verified_and_acknowledged(node: Node, receiver: AckReceiver) -> None:
    assert node.run() == 0
    assert kinds(receiver) == EXPECTED
    assert receiver.problems == [] and set(receiver.verified) == {
        e.event_id for e in receiver.events
    }
    assert sorted(e.seq for e in receiver.events) == [1, 2, 3]
    garbage = next(e for e in receiver.events if e.label == "garbage")
    assert garbage.first_seen == datetime(2024, 5, 20, 0, 0, 0, 200000, tzinfo=timezone.utc)
    assert (garbage.last_seen - garbage.first_seen).total_seconds() >= 1.0  # dwell_s 1
    assert garbage.location.source.value == "static" and garbage.location.accuracy_m is None
    assert garbage.camera.box.x1 == pytest.approx(20) and garbage.taxonomy_code == "0102"
    assert Outbox(node.outbox, node.device_id, 10**9).depth().events == 0
    statuses = [  # the broker is shared: other devices' retained statuses arrive too
        decode(MessageKind.STATUS, p, Status).state.value
        for t, p in receiver.other
        if t == receiver.topics.status(node.device_id)
    ]
    assert statuses[0] == "online" and statuses[-1] == "offline"
    beat = decode(MessageKind.HEARTBEAT, next(iter(receiver.heartbeats())), Heartbeat)
    assert beat.device_id == node.device_id and beat.config_version == 0


def test_a_broker_without_mqtt_5_gets_mqtt_3_1_1(
    tmp_path: Path, media: tuple[Path, Path], embedded_broker: EmbeddedBroker
) -> None:
    config = edge_config(
        tmp_path,
        port=embedded_broker.port,
        model=media[0],
        video=media[1],
        device_id=example_device_id("edge"),
    )
    node = Node("x", config, tmp_path / "outbox.sqlite3")
    with AckReceiver(embedded_broker) as receiver:
        assert node.run("--wait", "15") == 0
    assert kinds(receiver) == EXPECTED[:2]


def test_dead_broker_keeps_events_and_the_next_run_delivers_them_once(
    node: Node, mosquitto: MosquittoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mosquitto.stop()
    try:
        assert node.run("--wait", "0.5") == 3
    finally:
        mosquitto.start()
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err == (
        f"streetwatch: 3 event(s) wait in the outbox {node.outbox} for the server's commit-ack "
        f"(broker 127.0.0.1:{mosquitto.port} is unreachable); they are sent on the next run"
    )
    outbox = Outbox(node.outbox, node.device_id, 10**9)
    stored = {e.event_id for e in outbox.backlog(10, created_before=1e12, retry_before=0)}
    outbox.close()
    with AckReceiver(mosquitto) as receiver:
        assert node.run() == 0  # the same file again: the same violations, no new ones
    delivered = {e.event_id for e in receiver.events}
    assert stored <= delivered
    again = [e for e in receiver.events if e.event_id not in stored]
    assert [e.type for e in again] in ([], [EventType.SAMPLE])  # samples are not remembered
    assert sorted(kinds(receiver))[:2] == EXPECTED[:2]
    assert sorted(e.seq for e in receiver.events)[:3] == [1, 2, 3]


def test_events_the_server_rejects_leave_the_outbox(
    node: Node, receiver: AckReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.reject_all = True
    with caplog.at_level(logging.ERROR):
        assert node.run() == 0
    assert receiver.events == []
    assert caplog.text.count("for good: rejected by the test") == 3


def test_retained_config_push_applies_from_the_first_frame(
    node: Node, receiver: AckReceiver, mqtt_client: ClientPool, mosquitto: MosquittoServer
) -> None:
    push = ConfigPush(
        device_id=node.device_id,
        version=5,
        issued_at=datetime.now(timezone.utc),
        issued_by="test",
        overlay=TunableOverlay(classes={"garbage": ClassOverlay(confirm_score=0.9)}),
    )
    admin = mqtt_client(mosquitto)
    admin.publish(receiver.topics.config(node.device_id), encode(push), qos=1, retain=True)
    try:
        assert node.run() == 0
    finally:
        admin.publish(receiver.topics.config(node.device_id), b"", qos=1, retain=True)
    assert kinds(receiver) == [
        ("new", "street_vending"),
        ("sample", "garbage"),  # 0.8 is now a near miss
        ("sample", "illegal_signage"),
    ]
    assert {e.config_version for e in receiver.events} == {5}

    def versions() -> list[int]:
        beats = [decode(MessageKind.HEARTBEAT, p, Heartbeat) for p in receiver.heartbeats()]
        return [beat.config_version for beat in beats]

    # the node's last heartbeat (sent as it stops) reports the pushed version; it may reach
    # the receiver a moment after the run returns
    receiver.wait_for("heartbeat reporting config version 5", lambda: 5 in versions())
    assert versions()[-1] == 5


def test_unacknowledged_events_are_retried_with_their_ids_and_bad_reloads_are_reported(
    node: Node, receiver: AckReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.auto_ack = False
    codes: list[int] = []
    with caplog.at_level(logging.INFO):
        worker = threading.Thread(target=lambda: codes.append(node.run("--wait", "15")))
        worker.start()
        first = receiver.wait_events(3)
        node.config.write_text(node.config.read_text().replace("rules:", "rules:\n  bogus: 1"))
        receiver.wait_for("a report of the invalid config", lambda: "is invalid" in caplog.text)
        receiver.auto_ack = True  # the next retry (ack_timeout_s 2) is acknowledged
        worker.join(30)
    assert codes == [0]
    assert [e.event_id for e in receiver.events] == [e.event_id for e in first]
    retried = [e.event_id for e in receiver.received]
    assert len(retried) > 3 and set(retried) == {e.event_id for e in first}
    assert f"config file {node.config} is invalid, keeping the running config" in caplog.text
    assert "rules.bogus: unknown key" in caplog.text


def test_damaged_video_delivers_what_decoded_then_says_so(
    node: Node, receiver: AckReceiver, media: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    whole = media[1].read_bytes()
    cut = node.config.parent / "cut.avi"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    node.config.write_text(node.config.read_text().replace(str(media[1]), str(cut)))
    assert node.run() == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith(
        f"streetwatch: video file {cut} is damaged or truncated: decoding stopped after frame "
    )
    assert err.endswith(" of 30; the frames before it were processed")
    assert kinds(receiver) == EXPECTED  # the first two seconds decode: enough for dwell 1 s
