"""The shipped TLS deployment on a real Mosquitto: README certificates, shipped config.

The CA and the broker's certificate come from the ``openssl`` block of docs/deploy/README.md
(its ``SAN`` set to ``DNS:localhost,IP:127.0.0.1``); Mosquitto runs
docs/deploy/mosquitto/mosquitto.conf with only its paths and listener rewritten, so the TLS
listener, the password file and the shipped ACL are the ones operators deploy. The edge's
sender delivers an event over TLS to a receiver on the server's ingest client, whose
commit-ack empties the outbox; clients without the CA, or without TLS, are turned away with
a one-sentence reason.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from support.ack_receiver import AckReceiver
from support.auth_mosquitto import find_mosquitto_passwd, write_password_file
from support.deploy_broker import ShippedMosquitto, make_certs
from support.edge_setup import edge_config, store_event
from support.messages import example_heartbeat
from support.mosquitto import find_mosquitto
from support.mqtt_client import MqttClient
from support.services import require_or_skip, wait_until

from edge.config import EdgeConfig, load_edge_config
from edge.config_sections import DeliverySettings
from edge.delivery.link import MqttLink
from edge.delivery.sender import Sender
from edge.outbox import Outbox
from edge.telemetry import Telemetry
from server.config import ServerMqttSettings
from server.ingest import mqtt_client
from server.ingest.mqtt_client import BrokerUnavailableError, default_client_id, make_client
from streetwatch.mqtt_settings import MqttSettings

pytestmark = pytest.mark.integration

DEVICE, SERVER = "edge-test-1", "streetwatch-server"
USERS = {DEVICE: "device-secret", SERVER: "server-secret"}
SAN = "DNS:localhost,IP:127.0.0.1"
UNVERIFIED = "presented a TLS certificate that cannot be verified ("
SET_CA_FILE = "); set mqtt.ca_file to the CA that signed it"


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShippedMosquitto]:
    binary, passwd = find_mosquitto(), find_mosquitto_passwd()
    if shutil.which("openssl") is None:
        require_or_skip("needs the openssl command line tool (apt install openssl)")
    if binary is None or passwd is None:
        require_or_skip("needs mosquitto and mosquitto_passwd (apt install mosquitto)")
    root = tmp_path_factory.mktemp("tls")
    certs = make_certs(root, SAN)
    users = write_password_file(passwd, root / "broker" / "passwd", USERS)
    server = ShippedMosquitto(binary, root / "broker", certs, users)
    server.start()
    yield server
    server.stop()


def device_mqtt(broker: ShippedMosquitto, **changes: object) -> MqttSettings:
    """The edge's ``mqtt:`` section as the deploy README sets it, with ``changes``."""
    values: dict[str, object] = {
        "host": broker.host,
        "port": broker.port,
        "tls": True,
        "ca_file": broker.certs.ca,
        "username": DEVICE,
        "password": SecretStr(USERS[DEVICE]),
        "keepalive_s": 5,
    }
    return MqttSettings.model_validate(values | changes)


def server_mqtt(broker: ShippedMosquitto, **changes: object) -> ServerMqttSettings:
    """The server's ``mqtt:`` section as docs/deploy/server.yaml sets it, with ``changes``."""
    values: dict[str, object] = {
        "host": broker.host,
        "port": broker.port,
        "tls": True,
        "ca_file": broker.certs.ca,
        "username": SERVER,
        "password": SecretStr(USERS[SERVER]),
    }
    return ServerMqttSettings.model_validate(values | changes)


def edge(tmp_path: Path, broker: ShippedMosquitto) -> EdgeConfig:
    """An edge config for ``broker`` (its model and video are never opened here)."""
    path = edge_config(
        tmp_path, port=broker.port, model=tmp_path / "m.onnx", video=tmp_path / "v.avi"
    )
    config = load_edge_config(path)
    return config.model_copy(update={"mqtt": device_mqtt(broker)})


def failing_link(mqtt: MqttSettings) -> MqttLink:
    """Start the edge's link with ``mqtt``, wait for its first failure and stop it."""
    link = MqttLink(
        mqtt,
        DeliverySettings(),
        DEVICE,
        DEVICE,
        on_message=lambda *_: None,
        on_puback=lambda *_: None,
    )
    link.start()
    try:
        assert wait_until(lambda: link.last_error is not None, 10.0)
        assert not link.connected.is_set()
    finally:
        link.stop()
    return link


def test_the_readme_certificates_pass_strict_verification(broker: ShippedMosquitto) -> None:
    context = ssl.create_default_context(cafile=str(broker.certs.ca))
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    for name in ("localhost", "127.0.0.1"):
        with (
            socket.create_connection((broker.host, broker.port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname=name) as tls,
        ):
            assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_an_edge_event_reaches_the_server_over_tls_and_is_committed(
    tmp_path: Path, broker: ShippedMosquitto
) -> None:
    config = edge(tmp_path, broker)
    outbox = Outbox(config.outbox.path, DEVICE, config.outbox.max_bytes)
    stored = store_event(outbox, DEVICE)
    telemetry = Telemetry()
    ingest = make_client(server_mqtt(broker), default_client_id(), manual_ack=False)
    sender = Sender(config, outbox, telemetry, lambda: example_heartbeat(DEVICE), lambda _: None)
    try:
        with AckReceiver(broker, client=ingest) as server:
            sender.start()
            events = server.wait_events(1, timeout_s=10.0)
            assert [e.event_id for e in events] == [stored.event_id]
            assert server.problems == []
            assert wait_until(lambda: telemetry.counter("delivered") == 1, 10.0)
            assert isinstance(ingest.socket(), ssl.SSLSocket)
            assert isinstance(sender.link.client.socket(), ssl.SSLSocket)
        assert outbox.depth().events == 0
        assert sender.link.refused == 0 and sender.link.last_error is None
    finally:
        sender.stop()
        outbox.close()


def test_a_client_without_the_ca_gets_a_certificate_error(broker: ShippedMosquitto) -> None:
    link = failing_link(device_mqtt(broker, ca_file=None))
    assert link.last_error is not None and link.connects == 0
    assert link.last_error.startswith(f"broker {link.where} {UNVERIFIED}")
    assert link.last_error.endswith(SET_CA_FILE)

    settings = server_mqtt(broker, ca_file=None)
    client = make_client(settings, default_client_id(), manual_ack=False)
    with pytest.raises(BrokerUnavailableError) as refused:
        mqtt_client.connect(client, settings, threading.Event())
    message = str(refused.value)
    assert message.startswith(f"the MQTT broker at {link.where} {UNVERIFIED}")
    assert message.endswith(SET_CA_FILE)


def test_a_plain_connection_to_the_tls_port_fails(
    broker: ShippedMosquitto, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = failing_link(device_mqtt(broker, tls=False, ca_file=None))
    assert link.connects == 0
    assert link.last_error == (
        f"broker {link.where} closed the connection before answering; "
        "if it is a TLS port, set 'tls: true'"
    )

    monkeypatch.setattr(mqtt_client, "CONNECT_TIMEOUT_S", 1.0)
    settings = server_mqtt(broker, tls=False, ca_file=None)
    client = make_client(settings, default_client_id(), manual_ack=False)
    with pytest.raises(BrokerUnavailableError) as refused:
        mqtt_client.connect(client, settings, threading.Event())
    assert str(refused.value) == (
        f"the MQTT broker at {link.where} did not accept us "
        "(no answer; if it is a TLS port, set 'tls: true')"
    )


def test_the_password_file_holds_over_tls(broker: ShippedMosquitto) -> None:
    client = MqttClient(broker, client_id=DEVICE)
    client.paho.tls_set(ca_certs=str(broker.certs.ca))
    client.paho.username_pw_set(DEVICE, "wrong-secret")
    with pytest.raises(ConnectionError, match="refused"):
        client.connect()
