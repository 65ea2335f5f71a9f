"""The ingest consumer: MQTT in, group commits through the service, commit-acks out.

The paho network thread only queues messages (blocking when the queue is full, which slows
the broker down instead of losing messages). One worker thread takes up to ``batch_max``
messages, waiting at most ``batch_wait_ms`` after the first, and hands them to
:class:`~server.services.ingest.IngestService` as one transaction. After the commit it
publishes the commit-acks, so a device never forgets a message before it is in the database.
With ``ingest.puback_after_commit`` the MQTT PUBACKs also wait for the commit
(``manual_ack``), so the broker keeps redelivering what a crashed worker held.

Bad messages never stop it: they become dead letters. A database outage makes the worker
retry the same batch with back-off; an unexpected error in one message dead-letters that
message alone.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from contracts import Ack, MessageKind, Topics, encode
from contracts.topics import DELIVERY
from server.ingest.mqtt_client import connect, make_client, note_refusal
from server.services.context import ServerContext, utc_now
from server.services.inbound import Inbound, Refused
from server.services.ingest import AckPlan, IngestService
from server.services.ingest_records import record_dead_letters

logger = logging.getLogger(__name__)

ACK_CHUNK = 1000
OUTAGE_BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0)


def is_outage(error: DBAPIError) -> bool:
    """Return True for errors of a database that is down or unreachable (worth waiting for)."""
    return error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError))


class Consumer:
    """Subscribes to the events, evidence, heartbeats and statuses of every device.

    Args:
        ctx: the server context.
        client_id: MQTT client id and worker name.
    """

    def __init__(self, ctx: ServerContext, client_id: str) -> None:
        self.ctx = ctx
        self.settings = ctx.config.ingest
        self.topics = Topics(ctx.config.mqtt.prefix)
        self.service = IngestService(ctx, worker=client_id)
        self.client = make_client(
            ctx.config.mqtt, client_id, manual_ack=self.settings.puback_after_commit
        )
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.inbox: queue.Queue[Inbound] = queue.Queue(self.settings.queue_max)
        self._connected = threading.Event()
        self._stopping = threading.Event()
        self._worker: threading.Thread | None = None

    def subscriptions(self) -> list[tuple[str, int]]:
        """Return the topic filters and QoS: shared when a group is set, except statuses.

        Statuses are retained; a shared subscription gets no retained messages, so every
        worker subscribes to them directly (the newest one wins in the database).
        """
        group = self.ctx.config.mqtt.shared_group
        shared = [MessageKind.EVENTS, MessageKind.EVIDENCE, MessageKind.HEARTBEAT]
        filters = []
        for kind in shared:
            topic = self.topics.subscription(kind)
            filters.append((Topics.shared(group, topic) if group else topic, DELIVERY[kind].qos))
        status = MessageKind.STATUS
        filters.append((self.topics.subscription(status), DELIVERY[status].qos))
        return filters

    def start(self) -> None:
        """Start the worker, connect and subscribe.

        Raises:
            server.ingest.mqtt_client.BrokerUnavailableError: the broker cannot be used.
        """
        self._worker = threading.Thread(target=self._work, name="ingest-worker", daemon=True)
        self._worker.start()
        try:
            connect(self.client, self.ctx.config.mqtt, self._connected)
        except BaseException:
            self._stopping.set()
            raise
        logger.info("ingest consumer %s subscribed", self.service.worker)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Finish the batch in hand, then disconnect (unacked messages are redelivered)."""
        self._stopping.set()
        if self._worker is not None:
            self._worker.join(timeout_s)
        self.client.disconnect()
        self.client.loop_stop()

    # -- paho network thread ----------------------------------------------------------------

    def _on_connect(self, client: paho.Client, _u: Any, _f: Any, code: ReasonCode, _p: Any) -> None:
        if code.is_failure:
            note_refusal(client, code)
            logger.error("the MQTT broker refused the connection: %s", code)
            return
        for topic, qos in self.subscriptions():
            client.subscribe(topic, qos)
        self._connected.set()

    def _on_message(self, _c: paho.Client, _u: Any, message: paho.MQTTMessage) -> None:
        token = message.mid if message.qos > 0 else 0
        item = Inbound(message.topic, bytes(message.payload), utc_now(), token)
        self.inbox.put(item)  # blocks when full: back-pressure on the broker

    # -- worker thread ------------------------------------------------------------------------

    def _work(self) -> None:
        while not self._stopping.is_set():
            batch = self._next_batch()
            if batch:
                self._handle(batch)

    def _next_batch(self) -> list[Inbound]:
        try:
            first = self.inbox.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.settings.batch_wait_ms / 1000.0
        while len(batch) < self.settings.batch_max:
            try:
                batch.append(self.inbox.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        self.ctx.metrics.queue_depth.set(self.inbox.qsize())
        return batch

    def _handle(self, batch: list[Inbound]) -> None:
        attempt = 0
        while True:
            try:
                started = time.perf_counter()
                result = self.service.process(batch)
            except DBAPIError as exc:
                if not is_outage(exc):
                    self._one_by_one(batch, exc)
                    return
                delay = OUTAGE_BACKOFF_S[min(attempt, len(OUTAGE_BACKOFF_S) - 1)]
                attempt += 1
                logger.error("database unavailable (%s); retrying in %.1fs", exc.orig, delay)
                if self._stopping.wait(delay):
                    return  # not acked: the broker and the devices send it again
                continue
            except Exception as exc:
                self._one_by_one(batch, exc)
                return
            self.ctx.metrics.batch_seconds.observe(time.perf_counter() - started)
            self.ctx.metrics.batch_size.observe(len(batch))
            self._send_acks(result.acks)
            self._puback(batch)
            return

    def _one_by_one(self, batch: list[Inbound], error: Exception) -> None:
        logger.error("unexpected error in a batch (%r); one message at a time", error)
        for message in batch:
            self._handle_alone(message)

    def _handle_alone(self, message: Inbound) -> None:
        try:
            result = self.service.process([message])
            self._send_acks(result.acks)
        except DBAPIError as exc:
            if is_outage(exc):
                return  # leave it unacked for redelivery
            self._dead_letter(message, exc)
        except Exception as exc:
            self._dead_letter(message, exc)
        self._puback([message])

    def _dead_letter(self, message: Inbound, exc: Exception) -> None:
        logger.exception("message on %s dead-lettered after an internal error", message.topic)
        reason = f"internal error: {exc!r}"[:1000]
        refused = Refused(message.topic, None, None, reason, message.payload, message.received_at)
        limit = self.settings.dead_letter_max_bytes
        try:
            self.ctx.database.run(lambda s: record_dead_letters(s, [refused], limit))
        except DBAPIError:
            logger.exception("could not store the dead letter of %s", message.topic)

    def _send_acks(self, plans: Sequence[AckPlan]) -> None:
        qos = DELIVERY[MessageKind.ACKS].qos
        for plan in plans:
            committed = list(plan.committed)
            rejected = list(plan.rejected)
            while committed or rejected:
                ack = Ack(
                    device_id=plan.device_id,
                    committed=committed[:ACK_CHUNK],
                    rejected=rejected[:ACK_CHUNK],
                    sent_at=utc_now(),
                )
                committed, rejected = committed[ACK_CHUNK:], rejected[ACK_CHUNK:]
                self.client.publish(self.topics.acks(plan.device_id), encode(ack), qos=qos)

    def _puback(self, batch: Sequence[Inbound]) -> None:
        if not self.settings.puback_after_commit:
            return  # paho acknowledged each delivery on receipt
        for message in batch:
            if message.token:
                self.client.ack(message.token, 1)
