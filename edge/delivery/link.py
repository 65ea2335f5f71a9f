"""The device's MQTT connection (paho-mqtt 2.x callback API).

MQTT 5 where the broker speaks it (``delivery.mqtt_version: auto`` falls back to 3.1.1 when
the broker refuses the protocol), a persistent session (MQTT 5: ``clean_start`` off and a
session expiry; 3.1.1: ``clean_session`` off), the retained ``Status`` ``offline`` as last
will and ``online`` on every connect, and subscriptions to the device's ``acks`` and
``config`` topics. paho reconnects by itself with backoff (1 s doubling to 30 s). A refused
connection (bad credentials, not authorised) and a publish the broker rejects (MQTT 5 PUBACK
reason >= 0x80) are logged and counted; they never count as delivered. A failed TLS handshake
(a certificate the CA file does not verify) is named as such in ``last_error``, not as an
unreachable broker; a CA file that cannot be read ends the start with one sentence.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from contracts import DeviceState, MessageKind, Status, Topics, encode
from contracts.topics import DELIVERY
from edge.config_sections import DeliverySettings
from streetwatch import __version__
from streetwatch.mqtt_settings import MqttSettings, check_ca_file, describe_tls_error

log = logging.getLogger(__name__)

UNSUPPORTED_PROTOCOL = (132, 1)
"""CONNACK codes of a broker that does not speak the requested MQTT version (v5, v3)."""
SILENT_CLOSES_BEFORE_DOWNGRADE = 2
CONNACK_TIMEOUT_S = 3.0
"""With ``auto``: an open connection without CONNACK this long means no MQTT 5 (amqtt)."""

OnMessage = Callable[[MessageKind, bytes], None]
OnPuback = Callable[[int, ReasonCode | None], None]


class MqttLink:
    """One device's connection to the broker.

    Args:
        mqtt: broker address, credentials, TLS, keepalive, prefix.
        delivery: MQTT version and session expiry.
        device_id: the device.
        client_id: the MQTT client id (the persistent session's key).
        on_message: called (in paho's thread) with each ack or config message.
        on_puback: called (in paho's thread) with each PUBACK's message id and reason code.

    Raises:
        streetwatch.errors.UserError: ``mqtt.ca_file`` is set but cannot be read.
    """

    def __init__(
        self,
        mqtt: MqttSettings,
        delivery: DeliverySettings,
        device_id: str,
        client_id: str,
        *,
        on_message: OnMessage,
        on_puback: OnPuback,
    ) -> None:
        check_ca_file(mqtt)
        self._mqtt = mqtt
        self._delivery = delivery
        self.device_id = device_id
        self._client_id = client_id
        self.topics = Topics(mqtt.prefix)
        self._on_message_cb = on_message
        self._on_puback_cb = on_puback
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self.connected_since = 0.0
        self.connects = 0
        self.refused = 0
        self.connect_failures = 0
        self.last_error: str | None = None
        self._version = (
            MQTTProtocolVersion.MQTTv311
            if delivery.mqtt_version == "3.1.1"
            else MQTTProtocolVersion.MQTTv5
        )
        self._downgrade = threading.Event()
        self._silent_closes = 0
        self._answered = False  # a CONNACK (accept or refusal) came on this connection
        self._started = time.monotonic()
        self.client = self._make_client()

    @property
    def where(self) -> str:
        """``host:port`` of the broker."""
        return f"{self._mqtt.host}:{self._mqtt.port}"

    @property
    def mqtt5(self) -> bool:
        """True while the link speaks MQTT 5."""
        return self._version is MQTTProtocolVersion.MQTTv5

    def _status(self, state: DeviceState) -> bytes:
        return encode(
            Status(
                device_id=self.device_id,
                state=state,
                since=datetime.now(timezone.utc),
                software_version=__version__,
            )
        )

    def _make_client(self) -> paho.Client:
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self._client_id,
            clean_session=None if self.mqtt5 else False,
            protocol=self._version,
        )
        if self._mqtt.username:
            password = self._mqtt.password.get_secret_value() if self._mqtt.password else None
            client.username_pw_set(self._mqtt.username, password)
        if self._mqtt.tls:
            client.tls_set(ca_certs=str(self._mqtt.ca_file) if self._mqtt.ca_file else None)
        status = DELIVERY[MessageKind.STATUS]
        will = self._status(DeviceState.OFFLINE)
        client.will_set(self.topics.status(self.device_id), will, status.qos, status.retain)
        client.reconnect_delay_set(1, 30)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        client.on_subscribe = lambda *_args: self.subscribed.set()
        return client

    def start(self) -> None:
        """Start connecting in the background (paho's network thread retries forever)."""
        properties = None
        if self.mqtt5:
            properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            properties.SessionExpiryInterval = self._delivery.session_expiry_s
        self._started = time.monotonic()
        self.client.connect_async(
            self._mqtt.host,
            self._mqtt.port,
            self._mqtt.keepalive_s,
            clean_start=False if self.mqtt5 else paho.MQTT_CLEAN_START_FIRST_ONLY,
            properties=properties,
        )
        self.client.loop_start()

    def maintain(self) -> None:
        """Switch to MQTT 3.1.1 if the broker refused MQTT 5 (call from one thread)."""
        if self._no_connack():
            self._downgrade.set()
        if not self._downgrade.is_set():
            return
        self._downgrade.clear()
        log.warning("broker %s does not speak MQTT 5; using MQTT 3.1.1", self.where)
        self.client.disconnect()
        self.client.loop_stop()
        self._version = MQTTProtocolVersion.MQTTv311
        self.client = self._make_client()
        self.start()

    def _no_connack(self) -> bool:
        """True if an MQTT 5 CONNECT has gone unanswered on an open socket (auto mode)."""
        waiting = not self.connected.is_set() and self.client.socket() is not None
        late = time.monotonic() - self._started > CONNACK_TIMEOUT_S
        auto = self._delivery.mqtt_version == "auto" and self.mqtt5 and self.connects == 0
        return auto and waiting and late

    def stop(self) -> None:
        """Publish ``offline`` (a clean disconnect discards the will) and disconnect."""
        if self.connected.is_set():
            info = self.publish(
                MessageKind.STATUS,
                self.topics.status(self.device_id),
                self._status(DeviceState.OFFLINE),
            )
            if info is not None:
                info.wait_for_publish(2.0)
            self.client.disconnect()
        self.client.loop_stop()

    def publish(self, kind: MessageKind, topic: str, payload: bytes) -> paho.MQTTMessageInfo | None:
        """Publish with the QoS and retain flag the contract gives ``kind``.

        Returns:
            paho's message info, or None if paho did not accept the message (not connected).
        """
        delivery = DELIVERY[kind]
        info = self.client.publish(topic, payload, qos=delivery.qos, retain=delivery.retain)
        if info.rc != paho.MQTT_ERR_SUCCESS:
            return None
        return info

    # -- paho callbacks (network thread) ----------------------------------------------------

    def _on_connect(
        self, client: paho.Client, _u: Any, flags: Any, code: ReasonCode, _p: Any
    ) -> None:
        self._answered = True
        if code.is_failure:
            self.refused += 1
            self.last_error = f"broker {self.where} refused the connection: {code}"
            if (
                self._delivery.mqtt_version == "auto"
                and self.mqtt5
                and code.value in UNSUPPORTED_PROTOCOL
            ):
                self._downgrade.set()
            log.error("%s (refusal %d)", self.last_error, self.refused)
            return
        self.connects += 1
        self._silent_closes = 0
        self.connected_since = time.time()
        self.last_error = None
        session = "resumed" if flags.session_present else "new"
        log.info(
            "connected to broker %s (MQTT %s, %s session)",
            self.where,
            "5" if self.mqtt5 else "3.1.1",
            session,
        )
        for kind in (MessageKind.ACKS, MessageKind.CONFIG):
            client.subscribe(self.topics.topic(kind, self.device_id), DELIVERY[kind].qos)
        status = self.topics.status(self.device_id)
        client.publish(status, self._status(DeviceState.ONLINE), qos=1, retain=True)
        self.connected.set()

    def _on_connect_fail(self, _c: Any, _u: Any) -> None:
        self.connect_failures += 1
        # paho calls this inside its ``except OSError`` block: the error is the one in hand.
        error = sys.exc_info()[1]
        tls = describe_tls_error(f"broker {self.where}", error) if error else None
        self.last_error = tls or f"broker {self.where} is unreachable"
        if self.connect_failures in (1, 10) or self.connect_failures % 100 == 0:
            log.warning("%s (attempt %d); retrying", self.last_error, self.connect_failures)

    def _on_disconnect(self, _c: Any, _u: Any, _f: Any, code: ReasonCode, _p: Any) -> None:
        if self.connected.is_set():
            log.warning("disconnected from broker %s: %s", self.where, code)
        elif not self._answered and self._delivery.mqtt_version == "auto" and self.mqtt5:
            # Closed before any CONNACK: a 3.1.1-only broker drops an MQTT 5 CONNECT.
            # (After a refused CONNACK the broker closes too: that is no silent close.)
            self._silent_closes += 1
            hint = "" if self._mqtt.tls else "; if it is a TLS port, set 'tls: true'"
            self.last_error = f"broker {self.where} closed the connection before answering{hint}"
            if self._silent_closes >= SILENT_CLOSES_BEFORE_DOWNGRADE:
                self._downgrade.set()
        self._answered = False
        self.connected.clear()

    def _on_message(self, _c: Any, _u: Any, message: paho.MQTTMessage) -> None:
        try:
            kind = self.topics.parse(message.topic).kind
        except ValueError:
            log.warning("ignoring a message on unexpected topic %s", message.topic)
            return
        self._on_message_cb(kind, bytes(message.payload))

    def _on_publish(self, _c: Any, _u: Any, mid: int, code: ReasonCode | None, _p: Any) -> None:
        self._on_puback_cb(mid, code)
