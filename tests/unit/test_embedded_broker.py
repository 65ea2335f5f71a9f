"""The embedded broker's lifecycle: free port, clear error on a taken port, stop, restart.

Message delivery (QoS 1, retained, will, persistent sessions) is covered against both brokers
in ``tests/integration/test_broker_roundtrip.py``.
"""

from __future__ import annotations

import socket

import pytest
from support.mqtt_client import MqttClient, MQTTv5
from support.services import LOOPBACK, port_accepts

from streetwatch.embedded_broker import EmbeddedBroker, EmbeddedBrokerError, broker_config
from streetwatch.errors import UserError


def test_port_zero_picks_a_free_port_that_accepts_connections() -> None:
    with EmbeddedBroker() as broker:
        assert broker.running
        assert broker.port > 0
        assert broker.url == f"mqtt://{LOOPBACK}:{broker.port}"
        assert port_accepts(broker.host, broker.port)
        client = MqttClient(broker).connect()
        client.disconnect()
    assert not broker.running
    assert not port_accepts(broker.host, broker.port)


def test_a_taken_port_gives_one_clear_user_error() -> None:
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        port = taken.getsockname()[1]
        broker = EmbeddedBroker(port=port)

        with pytest.raises(EmbeddedBrokerError, match=rf"cannot listen on .*:{port}.*in use"):
            broker.start()
    assert isinstance(EmbeddedBrokerError("x"), UserError)
    assert not broker.running


def test_start_twice_is_refused_and_stop_is_idempotent() -> None:
    broker = EmbeddedBroker().start()
    try:
        with pytest.raises(RuntimeError, match="already running"):
            broker.start()
    finally:
        broker.stop()
    broker.stop()
    assert not broker.running


def test_a_restart_reuses_the_port_and_starts_with_no_retained_messages() -> None:
    broker = EmbeddedBroker().start()
    port = broker.port
    try:
        MqttClient(broker).connect().publish("t/retained", b"x", qos=1, retain=True)
        broker.stop()
        broker.start()
        assert broker.port == port
        client = MqttClient(broker).connect()
        client.subscribe("t/#", 1)
        client.assert_no_message(within_s=0.2)
        client.disconnect()
    finally:
        broker.stop()


def test_an_mqtt5_client_is_refused(embedded_broker: EmbeddedBroker) -> None:
    client = MqttClient(embedded_broker, protocol=MQTTv5)
    with pytest.raises(ConnectionError, match="protocol"):
        client.connect()


def test_config_admits_clients_without_marking_them_anonymous() -> None:
    config = broker_config(LOOPBACK, 1883, session_expiry_s=None)
    assert list(config["plugins"]) == ["streetwatch.embedded_broker.OpenAuthPlugin"]
    assert config["listeners"]["default"]["type"] == "external"
