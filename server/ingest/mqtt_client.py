"""A paho client for the server, connected with the config's settings or a clear error."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import ssl
import threading
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from server.config import ServerMqttSettings
from streetwatch.errors import UserError
from streetwatch.mqtt_settings import check_ca_file, describe_tls_error

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10.0


class BrokerUnavailableError(UserError):
    """The MQTT broker cannot be reached or refused the connection."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=4)


def default_client_id() -> str:
    """Return a client id unique to this worker process."""
    host = socket.gethostname().split(".")[0][:32] or "host"
    return f"streetwatch-server-{host}-{os.getpid()}-{secrets.token_hex(3)}"


def make_client(settings: ServerMqttSettings, client_id: str, *, manual_ack: bool) -> paho.Client:
    """Return an unconnected paho client: MQTT 5 when a shared group is set, else 3.1.1."""
    protocol = MQTTProtocolVersion.MQTTv5 if settings.shared_group else MQTTProtocolVersion.MQTTv311
    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=protocol,
        clean_session=True if protocol is MQTTProtocolVersion.MQTTv311 else None,
        manual_ack=manual_ack,
    )
    if settings.tls:
        check_ca_file(settings)
        client.tls_set(
            ca_certs=str(settings.ca_file) if settings.ca_file else None,
            tls_version=ssl.PROTOCOL_TLS_CLIENT,
        )
    if settings.username is not None:
        password = settings.password.get_secret_value() if settings.password else None
        client.username_pw_set(settings.username, password)
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    client.max_queued_messages_set(0)
    return client


def connect(client: paho.Client, settings: ServerMqttSettings, connected: threading.Event) -> None:
    """Connect, start the network thread and wait for a successful CONNACK.

    ``connected`` must be set by the client's ``on_connect`` on success.

    Raises:
        BrokerUnavailableError: unreachable, a failed TLS handshake, refused, or no answer
            in time.
    """
    where = f"{settings.host}:{settings.port}"
    try:
        client.connect(settings.host, settings.port, keepalive=settings.keepalive_s)
    except (OSError, ssl.SSLError) as exc:
        tls = describe_tls_error(f"the MQTT broker at {where}", exc)
        if tls:
            raise BrokerUnavailableError(tls) from None
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise BrokerUnavailableError(f"cannot reach the MQTT broker at {where}: {reason}") from None
    client.loop_start()
    if not connected.wait(CONNECT_TIMEOUT_S):
        client.loop_stop()
        failure = getattr(client, "_streetwatch_refusal", None)
        detail = f"it refused the connection: {failure}" if failure else "no answer"
        if not failure and not settings.tls:
            detail += "; if it is a TLS port, set 'tls: true'"
        raise BrokerUnavailableError(f"the MQTT broker at {where} did not accept us ({detail})")


def note_refusal(client: paho.Client, reason: Any) -> None:
    """Remember why the broker refused a connection (for :func:`connect`'s message)."""
    client._streetwatch_refusal = str(reason)  # type: ignore[attr-defined]
