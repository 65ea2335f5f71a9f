"""The benchmark's clients: a publisher that sends pre-encoded messages and a receiver.

Both the bare MQTT round trip and the server run use the same publisher, so the ratio
compares only what happens between the broker and the acknowledgement.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

INFLIGHT = 1000


def connected_client(host: str, port: int, name: str) -> paho.Client:
    """Return a connected MQTT 3.1.1 client with its network thread running."""
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=name)
    client.max_inflight_messages_set(INFLIGHT)
    client.max_queued_messages_set(0)
    ready = threading.Event()
    client.on_connect = lambda *_args: ready.set()
    client.connect(host, port)
    client.loop_start()
    if not ready.wait(10):
        raise RuntimeError(f"no CONNACK from {host}:{port}")
    return client


def subscribe(client: paho.Client, topic: str, on_message: Callable[[Any], None]) -> None:
    """Subscribe at QoS 1 and wait for the SUBACK."""
    done = threading.Event()
    client.on_subscribe = lambda *_args: done.set()
    client.on_message = lambda _c, _u, message: on_message(message)
    client.subscribe(topic, 1)
    if not done.wait(10):
        raise RuntimeError(f"no SUBACK for {topic}")


def publish_all(
    client: paho.Client, messages: Sequence[tuple[str, bytes]], rate: float | None
) -> list[float]:
    """Publish at QoS 1 as fast as possible (or at ``rate``/s); return each send time."""
    sent: list[float] = []
    start = time.perf_counter()
    for index, (topic, payload) in enumerate(messages):
        if rate is not None:
            due = start + index / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
        sent.append(time.perf_counter())
        client.publish(topic, payload, qos=1)
    return sent
