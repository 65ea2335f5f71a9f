"""A test stand-in for the case-creator: receives events and evidence, checks, commit-acks.

It subscribes to every device's events and evidence, waits until an event and every evidence
item it lists have arrived, verifies each file's size and SHA-256 against the event
(``contracts.verify_evidence``) and then publishes an ``Ack`` naming the event as committed —
or as rejected, for the event ids in ``reject``, or with the reason when a hash is wrong.
With ``auto_ack`` off it only records. Evidence may arrive before its event, as on the wire.

    with AckReceiver(mosquitto) as server:
        ...
        events = server.wait_events(3)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from types import TracebackType
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from contracts import (
    Ack,
    ContractError,
    EvidenceKind,
    MessageKind,
    Rejection,
    Topics,
    ViolationEvent,
    decode,
    encode,
    verify_evidence,
)
from support.mqtt_client import DEFAULT_TIMEOUT_S, Endpoint, MqttTimeoutError, unique_client_id


class AckReceiver:
    """Records events of all devices and commit-acks the complete, valid ones.

    Args:
        endpoint: the broker.
        prefix: topic prefix.
        auto_ack: send commit-acks (else only record); may be switched on later, and the
            next retry of an event is then acknowledged.
        client: the unconnected paho client to use (e.g. one with TLS and credentials);
            default an anonymous one.

    Set ``reject`` (event ids) or ``reject_all`` to answer with rejections instead.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        prefix: str = "streetwatch/v1",
        *,
        auto_ack: bool = True,
        client: paho.Client | None = None,
    ) -> None:
        self.topics = Topics(prefix)
        self.auto_ack = auto_ack
        self.reject: set[str] = set()
        self.reject_all = False
        self.events: list[ViolationEvent] = []
        self.received: list[ViolationEvent] = []
        self.evidence: dict[str, dict[EvidenceKind, bytes]] = {}
        self.verified: dict[str, dict[EvidenceKind, bytes]] = {}
        self.acked: list[str] = []
        self.problems: list[str] = []
        self.other: list[tuple[str, bytes]] = []
        self._pending: dict[str, ViolationEvent] = {}
        self._cond = threading.Condition()
        self._endpoint = endpoint
        self._client = client or paho.Client(
            CallbackAPIVersion.VERSION2, client_id=unique_client_id("acker")
        )
        self._client.on_message = self._on_message
        self._ready = threading.Event()
        self._client.on_subscribe = lambda *_a: self._ready.set()

    def __enter__(self) -> AckReceiver:
        self._client.connect(self._endpoint.host, self._endpoint.port)
        self._client.loop_start()
        subs = [
            (self.topics.subscription(MessageKind.EVENTS), 1),
            (self.topics.subscription(MessageKind.EVIDENCE), 1),
            (self.topics.subscription(MessageKind.HEARTBEAT), 0),
            (self.topics.subscription(MessageKind.STATUS), 1),
        ]
        self._client.subscribe(subs)
        if not self._ready.wait(DEFAULT_TIMEOUT_S):
            raise MqttTimeoutError("the ack receiver got no SUBACK")
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    # -- waiting ----------------------------------------------------------------------------

    def wait_for(self, what: str, condition: Any, timeout_s: float = 20.0) -> None:
        """Wait until ``condition()`` is true (re-checked on every message)."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise MqttTimeoutError(f"ack receiver: no {what} within {timeout_s:g} s")
                self._cond.wait(left)

    def wait_events(self, count: int, timeout_s: float = 20.0) -> list[ViolationEvent]:
        """Return the first ``count`` complete events (event and evidence), waiting for them."""
        self.wait_for(f"{count} complete events", lambda: len(self.events) >= count, timeout_s)
        return list(self.events[:count])

    def heartbeats(self) -> Iterator[bytes]:
        """Yield the heartbeat payloads received so far."""
        with self._cond:
            items = list(self.other)
        for topic, payload in items:
            if topic.endswith("/heartbeat"):
                yield payload

    # -- receiving (paho thread) ------------------------------------------------------------

    def _on_message(self, _c: Any, _u: Any, message: paho.MQTTMessage) -> None:
        ref = self.topics.parse(message.topic)
        payload = bytes(message.payload)
        with self._cond:
            if ref.kind is MessageKind.EVIDENCE:
                assert ref.event_id is not None and ref.evidence_kind is not None
                self.evidence.setdefault(ref.event_id, {})[ref.evidence_kind] = payload
                event = self._pending.get(ref.event_id)
            elif ref.kind is MessageKind.EVENTS:
                event = decode(MessageKind.EVENTS, payload, ViolationEvent)
                self.received.append(event)
                self._pending[event.event_id] = event
            else:
                self.other.append((message.topic, payload))
                event = None
            if event is not None:
                self._try_commit(event)
            self._cond.notify_all()

    def _try_commit(self, event: ViolationEvent) -> None:
        files = self.evidence.get(event.event_id, {})
        if any(item.kind not in files for item in event.evidence):
            return
        del self._pending[event.event_id]
        rejection = self._check(event, files)
        if rejection is None:
            if event.event_id not in self.verified:
                self.events.append(event)
            self.verified[event.event_id] = dict(files)
        if self.auto_ack:
            self._ack(event, rejection)

    def _check(self, event: ViolationEvent, files: dict[EvidenceKind, bytes]) -> str | None:
        if self.reject_all or event.event_id in self.reject:
            return "rejected by the test"
        try:
            for item in event.evidence:
                verify_evidence(item, files[item.kind])
        except ContractError as exc:
            self.problems.append(f"{event.event_id}: {exc}")
            return str(exc)
        return None

    def _ack(self, event: ViolationEvent, rejection: str | None) -> None:
        ack = Ack(
            device_id=event.device_id,
            committed=[] if rejection else [event.event_id],
            rejected=[Rejection(event_id=event.event_id, reason=rejection)] if rejection else [],
            sent_at=datetime.now(timezone.utc),
        )
        self._client.publish(self.topics.acks(event.device_id), encode(ack), qos=1)
        self.acked.append(event.event_id)
