"""The shipped Mosquitto ACL on a real broker: a device publishes only under its own topics.

A private Mosquitto (no TLS: a test-only loopback listener) loads docs/deploy/mosquitto/acl
with a password file holding two devices and the server user. The server sees device A's
event on A's topic but not the one A publishes on B's topic, and A never gets B's acks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.auth_mosquitto import AuthMosquitto, find_mosquitto_passwd, write_password_file
from support.mosquitto import find_mosquitto
from support.mqtt_client import MqttClient, MQTTv5
from support.services import require_or_skip

from contracts.topics import MessageKind, Topics

pytestmark = pytest.mark.integration

ACL = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "mosquitto" / "acl"
USERS = {"pole-a": "secret-a", "pole-b": "secret-b", "streetwatch-server": "secret-s"}
TOPICS = Topics()


class AclMosquitto(AuthMosquitto):
    """An :class:`AuthMosquitto` that also enforces an ACL file."""

    def __init__(self, binary: Path, workdir: Path, password_file: Path, acl: Path) -> None:
        super().__init__(binary, workdir, password_file)
        self.acl = acl

    def config_text(self) -> str:
        """The parent's config plus ``acl_file``."""
        return super().config_text() + f"acl_file {self.acl}\n"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[AclMosquitto]:
    binary, passwd = find_mosquitto(), find_mosquitto_passwd()
    if binary is None or passwd is None:
        require_or_skip("needs mosquitto and mosquitto_passwd (apt install mosquitto)")
    users = write_password_file(passwd, tmp_path / "broker" / "passwd", USERS)
    server = AclMosquitto(binary, tmp_path / "broker", users, ACL)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def login(broker: AclMosquitto) -> Iterator[Callable[[str], MqttClient]]:
    """Connect as one of ``USERS`` over MQTT 5; every client is disconnected at teardown."""
    made: list[MqttClient] = []

    def connect(user: str) -> MqttClient:
        client = MqttClient(broker, client_id=user, protocol=MQTTv5)
        client.paho.username_pw_set(user, USERS[user])
        made.append(client)
        return client.connect()

    yield connect
    for client in made:
        client.disconnect()


def test_device_publishes_only_under_its_own_topics(login: Callable[[str], MqttClient]) -> None:
    server = login("streetwatch-server")
    server.subscribe(TOPICS.subscription(MessageKind.EVENTS))
    device = login("pole-a")

    device.publish(TOPICS.events("pole-b"), b"forged", qos=1)
    device.publish(TOPICS.events("pole-a"), b"own", qos=1)
    got = server.wait_message()
    assert (got.topic, got.payload) == (TOPICS.events("pole-a"), b"own")
    server.assert_no_message()

    device.subscribe(TOPICS.acks("pole-a"))
    device.subscribe(TOPICS.acks("pole-b"))  # Mosquitto grants it; the ACL filters delivery
    server.publish(TOPICS.acks("pole-b"), b"not yours", qos=1)
    server.publish(TOPICS.acks("pole-a"), b"ack", qos=1)
    got = device.wait_message()
    assert (got.topic, got.payload) == (TOPICS.acks("pole-a"), b"ack")
    device.assert_no_message()
