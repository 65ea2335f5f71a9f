"""A small synchronous wrapper around a paho-mqtt 2.x client for tests.

Every wait is bounded and driven by paho's callbacks (events and a queue), never by sleeping:
``connect`` waits for CONNACK, ``subscribe`` for SUBACK, ``publish`` for PUBACK (QoS 1),
``wait_messages`` for the messages themselves.
"""

from __future__ import annotations

import itertools
import os
import queue
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Protocol

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from contracts.topics import DELIVERY, MessageKind

DEFAULT_TIMEOUT_S = 5.0
"""Upper bound of every wait; a healthy loopback broker answers in milliseconds."""

MQTTv311 = MQTTProtocolVersion.MQTTv311
MQTTv5 = MQTTProtocolVersion.MQTTv5

_counter = itertools.count(1)


class Endpoint(Protocol):
    """Anything with the address of an MQTT broker."""

    @property
    def host(self) -> str:
        """Broker address."""

    @property
    def port(self) -> int:
        """Broker TCP port."""


class MqttTimeoutError(AssertionError):
    """An expected MQTT answer or message did not arrive in time."""


@dataclass(frozen=True)
class Received:
    """One message as the subscriber saw it."""

    topic: str
    payload: bytes
    qos: int
    retain: bool
    client_id: str


@dataclass(frozen=True)
class Will:
    """A last-will message, registered with the broker at connect."""

    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = False


def unique_client_id(prefix: str = "test") -> str:
    """Return a client id no other client of this test run uses."""
    return f"{prefix}-{os.getpid()}-{next(_counter)}"


class MqttClient:
    """A connected-on-demand paho client whose waits are bounded.

    Args:
        endpoint: the broker (anything with ``host`` and ``port``).
        client_id: MQTT client id; a persistent session is keyed by it.
        clean_session: False asks the broker to keep the session (MQTT 3.1.1
            ``clean_session``; MQTT 5 ``clean_start``) and the QoS 1 messages for it.
        protocol: :data:`MQTTv311` (both brokers) or :data:`MQTTv5` (Mosquitto only).
        session_expiry_s: MQTT 5 session expiry interval sent with CONNECT.
        will: last will, published by the broker if the client dies without DISCONNECT.
        reconnect: let paho reconnect by itself after losing the connection.
        inbox: queue to put received messages in; give several clients the same queue to
            wait for messages across them (e.g. a shared subscription).
        timeout_s: bound of every wait.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        client_id: str | None = None,
        *,
        clean_session: bool = True,
        protocol: MQTTProtocolVersion = MQTTv311,
        session_expiry_s: int | None = None,
        will: Will | None = None,
        reconnect: bool = False,
        inbox: queue.Queue[Received] | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.endpoint = endpoint
        self.client_id = client_id or unique_client_id()
        self.clean_session = clean_session
        self.protocol = protocol
        self.session_expiry_s = session_expiry_s
        self.timeout_s = timeout_s
        self.session_present: bool | None = None
        self.messages: queue.Queue[Received] = queue.Queue() if inbox is None else inbox
        self._connack = threading.Event()
        self._connack_code: ReasonCode | None = None
        self._gone = threading.Event()
        self._subacks: dict[int, tuple[threading.Event, list[ReasonCode]]] = {}
        self._lock = threading.Lock()
        self.paho = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            clean_session=clean_session if protocol != MQTTv5 else None,
            protocol=protocol,
            reconnect_on_failure=reconnect,
        )
        if will is not None:
            self.paho.will_set(will.topic, will.payload, will.qos, will.retain)
        self.paho.on_connect = self._on_connect
        self.paho.on_disconnect = self._on_disconnect
        self.paho.on_subscribe = self._on_subscribe
        self.paho.on_message = self._on_message

    # -- connection -------------------------------------------------------------------------

    def connect(self) -> MqttClient:
        """Connect and wait for a successful CONNACK; return self.

        Raises:
            MqttTimeoutError: no CONNACK in time.
            ConnectionError: the broker refused the connection.
        """
        self._connack.clear()
        self._gone.clear()
        if self.protocol == MQTTv5:
            self.paho.connect(
                self.endpoint.host,
                self.endpoint.port,
                clean_start=self.clean_session,
                properties=self._connect_properties(),
            )
        else:
            self.paho.connect(self.endpoint.host, self.endpoint.port)
        self.paho.loop_start()
        self._wait(self._connack, f"CONNACK from {self._where()}")
        if self._connack_code is not None and self._connack_code.is_failure:
            self.paho.loop_stop()
            raise ConnectionError(f"{self._where()} refused {self.client_id}: {self._connack_code}")
        return self

    def disconnect(self) -> None:
        """Send DISCONNECT (the will is discarded) and stop the network thread."""
        if self.paho.is_connected():
            self.paho.disconnect()
            self._gone.wait(self.timeout_s)
        self.paho.loop_stop()

    def kill(self) -> None:
        """Drop the TCP connection without DISCONNECT, like a crashed device or a cut cable.

        The broker then publishes the client's last will.
        """
        sock = self.paho.socket()
        if isinstance(sock, socket.socket):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._gone.wait(self.timeout_s)
        self.paho.loop_stop()

    def wait_disconnected(self) -> None:
        """Wait until the connection is gone (e.g. after the broker stopped)."""
        self._wait(self._gone, f"the connection to {self._where()} to close")

    # -- subscribe / publish ----------------------------------------------------------------

    def subscribe(self, topic_filter: str, qos: int = 1) -> int:
        """Subscribe and wait for SUBACK; return the granted QoS.

        Raises:
            AssertionError: the broker refused the subscription.
        """
        done = threading.Event()
        codes: list[ReasonCode] = []
        with self._lock:  # the SUBACK may arrive before subscribe() returns its mid
            result, mid = self.paho.subscribe(topic_filter, qos)
            assert result == paho.MQTT_ERR_SUCCESS and mid is not None, (
                f"subscribe {topic_filter!r} not sent: {paho.error_string(result)}"
            )
            self._subacks[mid] = (done, codes)
        self._wait(done, f"SUBACK for {topic_filter!r}")
        granted = codes[0]
        assert not granted.is_failure, f"{self._where()} refused {topic_filter!r}: {granted}"
        return int(granted.value)

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> None:
        """Publish and, for QoS 1 and 2, wait until the broker acknowledged it."""
        info = self.paho.publish(topic, payload, qos=qos, retain=retain)
        assert info.rc == paho.MQTT_ERR_SUCCESS, f"publish failed: {paho.error_string(info.rc)}"
        if qos > 0:
            try:
                info.wait_for_publish(self.timeout_s)
            except RuntimeError as exc:
                raise MqttTimeoutError(f"PUBACK for {topic!r}: {exc}") from exc
            if not info.is_published():
                raise MqttTimeoutError(f"no PUBACK for {topic!r} within {self.timeout_s:g} s")

    def publish_kind(self, kind: MessageKind, topic: str, payload: bytes) -> None:
        """Publish with the QoS and retain flag that ``contracts.DELIVERY`` gives ``kind``."""
        delivery = DELIVERY[kind]
        self.publish(topic, payload, delivery.qos, delivery.retain)

    # -- receiving --------------------------------------------------------------------------

    def wait_messages(self, count: int, timeout_s: float | None = None) -> list[Received]:
        """Return the next ``count`` messages in arrival order, waiting at most ``timeout_s``.

        Raises:
            MqttTimeoutError: fewer arrived in time; the message lists those that did.
        """
        limit = self.timeout_s if timeout_s is None else timeout_s
        got: list[Received] = []
        deadline = time.monotonic() + limit
        while len(got) < count:
            try:
                got.append(self.messages.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                raise MqttTimeoutError(
                    f"{self.client_id}: {len(got)} of {count} messages within {limit:g} s: "
                    f"{[m.topic for m in got]}"
                ) from None
        return got

    def wait_message(self, timeout_s: float | None = None) -> Received:
        """Return the next message, waiting at most ``timeout_s``."""
        return self.wait_messages(1, timeout_s)[0]

    def assert_no_message(self, within_s: float = 0.3) -> None:
        """Fail if any message arrives within ``within_s`` (a bounded negative check)."""
        try:
            extra = self.messages.get(timeout=within_s)
        except queue.Empty:
            return
        raise AssertionError(f"{self.client_id} got an unexpected message on {extra.topic!r}")

    def drain(self) -> list[Received]:
        """Return and forget the messages received so far, without waiting."""
        got: list[Received] = []
        with suppress(queue.Empty):
            while True:
                got.append(self.messages.get_nowait())
        return got

    # -- paho callbacks (network thread) ----------------------------------------------------

    def _on_connect(self, _c: Any, _u: Any, flags: Any, code: ReasonCode, _p: Any) -> None:
        self._connack_code = code
        self.session_present = bool(flags.session_present)
        self._connack.set()

    def _on_disconnect(self, _c: Any, _u: Any, _f: Any, _code: Any, _p: Any) -> None:
        self._gone.set()

    def _on_subscribe(self, _c: Any, _u: Any, mid: int, codes: list[ReasonCode], _p: Any) -> None:
        with self._lock:
            done, granted = self._subacks.pop(mid, (None, []))
        granted.extend(codes)
        if done is not None:
            done.set()

    def _on_message(self, _c: Any, _u: Any, message: paho.MQTTMessage) -> None:
        self.messages.put(
            Received(
                message.topic,
                bytes(message.payload),
                message.qos,
                bool(message.retain),
                self.client_id,
            )
        )

    # -- helpers ----------------------------------------------------------------------------

    def _connect_properties(self) -> Properties | None:
        if self.session_expiry_s is None:
            return None
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = self.session_expiry_s
        return properties

    def _wait(self, event: threading.Event, what: str) -> None:
        if not event.wait(self.timeout_s):
            raise MqttTimeoutError(f"{self.client_id}: no {what} within {self.timeout_s:g} s")

    def _where(self) -> str:
        return f"broker {self.endpoint.host}:{self.endpoint.port}"


class ClientPool:
    """Makes connected clients and disconnects every one of them at teardown."""

    def __init__(self) -> None:
        self._clients: list[MqttClient] = []

    def __call__(
        self, endpoint: Endpoint, client_id: str | None = None, **options: Any
    ) -> MqttClient:
        """Return a connected :class:`MqttClient` (see its arguments)."""
        client = MqttClient(endpoint, client_id, **options)
        self._clients.append(client)
        return client.connect()

    def __iter__(self) -> Iterator[MqttClient]:
        return iter(self._clients)

    def close(self) -> None:
        """Disconnect every client cleanly (a killed one just stops its thread)."""
        for client in self._clients:
            with suppress(Exception):
                client.disconnect()
        self._clients.clear()
