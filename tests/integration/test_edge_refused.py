"""A broker that refuses the edge: the heartbeat shows it and nothing counts as delivered.

A private Mosquitto with ``allow_anonymous false`` and a password file (``mosquitto_passwd
-b``) refuses the edge's MQTT link, which offers a wrong password. The edge's real sender,
outbox (one stored event) and heartbeat builder run against it; a second client with the
right password proves the broker itself admits its users.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from pydantic import SecretStr
from support.auth_mosquitto import AuthMosquitto, find_mosquitto_passwd, write_password_file
from support.edge_setup import Box, constant_model, edge_config, noise_video, store_event
from support.mosquitto import find_mosquitto
from support.services import require_or_skip, wait_until

from contracts import Heartbeat
from edge.config import EdgeConfig, load_edge_config
from edge.delivery.sender import Sender
from edge.heartbeat import HeartbeatSources
from edge.outbox import Outbox
from edge.sources import RateGate, open_source
from edge.sources.reader import FrameReader
from edge.telemetry import Telemetry

pytestmark = pytest.mark.integration

USER, PASSWORD = "edge-pole", "right-secret"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[AuthMosquitto]:
    binary, passwd = find_mosquitto(), find_mosquitto_passwd()
    if binary is None or passwd is None:
        require_or_skip("needs mosquitto and mosquitto_passwd (apt install mosquitto)")
    users = write_password_file(passwd, tmp_path / "broker" / "passwd", {USER: PASSWORD})
    server = AuthMosquitto(binary, tmp_path / "broker", users)
    server.start()
    yield server
    server.stop()


def _config(tmp_path: Path, port: int, password: str) -> EdgeConfig:
    model = constant_model(tmp_path / "const.onnx", [Box(20, 100, 80, 160, 0.8, 1)])
    path = edge_config(tmp_path, port=port, model=model, video=noise_video(tmp_path / "c.avi"))
    config = load_edge_config(path)
    mqtt = config.mqtt.model_copy(update={"username": USER, "password": SecretStr(password)})
    return config.model_copy(update={"mqtt": mqtt})


def _refused_heartbeat(tmp_path: Path, broker: AuthMosquitto) -> tuple[Heartbeat, Outbox, str]:
    """Run the edge's sender against ``broker`` with a wrong password until it is refused.

    Returns:
        the heartbeat built then, the (open) outbox and the stored event's id.
    """
    config = _config(tmp_path, broker.port, "wrong-secret")
    telemetry = Telemetry()
    outbox = Outbox(config.outbox.path, config.device.id, config.outbox.max_bytes)
    stored = store_event(outbox, config.device.id)
    reader = FrameReader(open_source(config.source, RateGate(5.0)), 4, telemetry)
    holder: list[Sender] = []
    sources = HeartbeatSources(
        device_id=config.device.id,
        telemetry=telemetry,
        outbox=outbox,
        reader=reader,
        processed=lambda: 0,
        config_version=lambda: 0,
        link=lambda: holder[0].link if holder else None,
        started=0.0,
    )
    sender = Sender(config, outbox, telemetry, sources.build, lambda _push: None)
    holder.append(sender.start())
    try:
        assert wait_until(lambda: sender.link.refused >= 1, 10.0), broker.log_tail()
        sender.wake()
        heartbeat = sources.build()
        assert not sender.link.connected.is_set()
        assert telemetry.counter("delivered") == 0
    finally:
        sender.stop()
    return heartbeat, outbox, str(stored.event_id)


def test_refused_connection_is_in_the_heartbeat_and_nothing_is_delivered(
    tmp_path: Path, broker: AuthMosquitto
) -> None:
    heartbeat, outbox, event_id = _refused_heartbeat(tmp_path, broker)
    try:
        assert heartbeat.delivery.refused_connects >= 1
        assert heartbeat.delivery.last_error is not None
        assert f"127.0.0.1:{broker.port}" in heartbeat.delivery.last_error
        assert heartbeat.reconnects.broker == 0
        assert heartbeat.outbox.depth == 1 == outbox.depth().events
        assert [e.event_id for e in outbox.fresh(10, 0.0)] == [event_id]
    finally:
        outbox.close()
    assert "not authorised" in broker.log_tail().lower()


def test_last_error_says_the_connection_was_refused(tmp_path: Path, broker: AuthMosquitto) -> None:
    heartbeat, outbox, _ = _refused_heartbeat(tmp_path, broker)
    outbox.close()
    assert heartbeat.delivery.last_error is not None
    assert "refused the connection" in heartbeat.delivery.last_error


def test_the_same_broker_admits_the_right_password(broker: AuthMosquitto) -> None:
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="control-client")
    client.username_pw_set(USER, PASSWORD)
    client.connect(broker.host, broker.port, 5)
    client.loop_start()
    try:
        assert wait_until(client.is_connected, 5.0), broker.log_tail()
    finally:
        client.disconnect()
        client.loop_stop()
