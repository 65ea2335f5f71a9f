"""A running ingest consumer in this process, and a test device that sends and awaits acks."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from contracts import Ack, EvidenceKind, MessageKind, ViolationEvent, decode, encode
from server.ingest.consumer import Consumer
from server.ingest.mqtt_client import default_client_id
from server.services.context import ServerContext
from support.messages import example_image
from support.mqtt_client import ClientPool, Endpoint, MqttClient, MqttTimeoutError, Received
from support.server_harness import TOPICS


@contextmanager
def running_consumer(ctx: ServerContext, client_id: str | None = None) -> Iterator[Consumer]:
    """Run the ingest consumer of ``ctx`` (its broker settings) for the block."""
    consumer = Consumer(ctx, client_id or default_client_id())
    consumer.start()
    try:
        yield consumer
    finally:
        consumer.stop()


class Device:
    """A fake edge device: publishes events and evidence, collects the server's acks."""

    def __init__(self, pool: ClientPool, broker: Endpoint, device_id: str) -> None:
        self.device_id = device_id
        self.client: MqttClient = pool(broker)
        self.client.subscribe(TOPICS.acks(device_id), 1)
        self.committed: set[str] = set()
        self.rejected: dict[str, str] = {}
        self.acks: list[Ack] = []

    def send_event(self, event: ViolationEvent) -> None:
        """Publish the event message."""
        self.client.publish_kind(MessageKind.EVENTS, TOPICS.events(event.device_id), encode(event))

    def send_evidence(
        self,
        event: ViolationEvent,
        kinds: Iterable[EvidenceKind] | None = None,
        data: bytes | None = None,
    ) -> None:
        """Publish evidence files of ``event`` (default every listed kind, real bytes)."""
        for kind in kinds if kinds is not None else [item.kind for item in event.evidence]:
            payload = example_image(kind) if data is None else data
            topic = TOPICS.evidence(event.device_id, event.event_id, kind)
            self.client.publish_kind(MessageKind.EVIDENCE, topic, payload)

    def send(self, event: ViolationEvent) -> None:
        """Publish the event and all its evidence."""
        self.send_event(event)
        self.send_evidence(event)

    def wait_committed(self, event_ids: Iterable[str], timeout_s: float = 15.0) -> None:
        """Wait until every id has been named in a commit-ack."""
        wanted = set(event_ids)
        deadline = time.monotonic() + timeout_s
        while not wanted <= self.committed:
            left = deadline - time.monotonic()
            try:
                self._take(self.client.wait_message(max(0.01, left)))
            except MqttTimeoutError:
                missing = sorted(wanted - self.committed)
                raise MqttTimeoutError(
                    f"no commit-ack within {timeout_s:g} s for {missing}"
                ) from None

    def wait_rejected(self, event_id: str, timeout_s: float = 15.0) -> str:
        """Wait until ``event_id`` is rejected; return the reason."""
        deadline = time.monotonic() + timeout_s
        while event_id not in self.rejected:
            self._take(self.client.wait_message(max(0.01, deadline - time.monotonic())))
        return self.rejected[event_id]

    def _take(self, message: Received) -> None:
        ack = decode(MessageKind.ACKS, message.payload, Ack)
        assert ack.device_id == self.device_id
        self.acks.append(ack)
        self.committed.update(ack.committed)
        self.rejected.update({item.event_id: item.reason for item in ack.rejected})
