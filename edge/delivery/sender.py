"""The sender thread: publishes the outbox and applies the server's commit-acks.

Each round, while connected:

1. commit-acks: events the server ``committed`` (event row and every listed evidence item)
   or ``rejected`` for good are deleted from the outbox — the only way a row leaves it;
2. live events (created since the link came up) are published at once, in ``seq`` order;
3. the backlog (events stored while the link was down, from an earlier run, or published
   without a commit-ack for ``ack_timeout_s``) drains oldest first, at most
   ``backlog_per_s`` events per second and ``max_inflight`` awaiting their ack, so it never
   starves live events;
4. a heartbeat every ``heartbeat_s``.

An event is published as its evidence files first, then the event JSON, all at QoS 1 with the
same ``event_id`` on every retry.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from paho.mqtt.reasoncodes import ReasonCode

from contracts import Ack, ConfigPush, ContractError, Heartbeat, MessageKind, decode, encode
from edge.config import EdgeConfig
from edge.delivery.link import MqttLink
from edge.outbox import Entry, Outbox
from edge.telemetry import Telemetry

log = logging.getLogger(__name__)

ROUND_S = 0.05
LIVE_BATCH = 50


class Sender:
    """Owns the MQTT link and moves events from the outbox to the broker.

    Args:
        config: the edge config (broker, delivery settings, heartbeat period).
        outbox: the durable outbox.
        telemetry: receives ``publish`` timings and delivery counters.
        heartbeat: returns the current heartbeat.
        on_config: called (in the sender thread) with each valid config push for this device.
    """

    def __init__(
        self,
        config: EdgeConfig,
        outbox: Outbox,
        telemetry: Telemetry,
        heartbeat: Callable[[], Heartbeat],
        on_config: Callable[[ConfigPush], object],
    ) -> None:
        self._settings = config.delivery
        self._heartbeat_s = config.heartbeat_s
        self._outbox = outbox
        self._telemetry = telemetry
        self._heartbeat = heartbeat
        self._on_config = on_config
        self._inbox: queue.Queue[tuple[MessageKind, bytes]] = queue.Queue()
        self._pending: dict[int, float] = {}
        self._inflight: dict[str, float] = {}
        self._tokens = 1.0
        self._last_refill = time.monotonic()
        self._last_heartbeat = 0.0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.link = MqttLink(
            config.mqtt,
            config.delivery,
            config.device.id,
            config.client_id,
            on_message=lambda kind, payload: self._inbox.put((kind, payload)),
            on_puback=self._puback,
        )
        self._thread = threading.Thread(target=self._run, name="sender", daemon=True)

    def start(self) -> Sender:
        """Connect and start the sender thread; return self."""
        self.link.start()
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread and disconnect (publishing ``offline``)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10.0)
        self.link.stop()

    def wake(self) -> None:
        """Tell the sender a new event is in the outbox."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._round()
            except Exception:  # the sender must survive any single bad round
                log.exception("sender round failed")
            self._wake.wait(ROUND_S)
            self._wake.clear()

    def _round(self) -> None:
        self.link.maintain()
        self._apply_inbox()
        if not self.link.connected.is_set():
            return
        for entry in self._outbox.fresh(LIVE_BATCH, self.link.connected_since):
            if not self._send(entry):
                return
        self._drain_backlog()
        now = time.monotonic()
        if now - self._last_heartbeat >= self._heartbeat_s:
            self._last_heartbeat = now
            topic = self.link.topics.heartbeat(self.link.device_id)
            self.link.publish(MessageKind.HEARTBEAT, topic, encode(self._heartbeat()))

    def _drain_backlog(self) -> None:
        now = time.monotonic()
        rate = self._settings.backlog_per_s
        self._tokens = min(max(1.0, rate), self._tokens + (now - self._last_refill) * rate)
        self._last_refill = now
        wall = time.time()
        expiry = wall - self._settings.ack_timeout_s
        self._inflight = {e: t for e, t in self._inflight.items() if t >= expiry}
        room = min(int(self._tokens), self._settings.max_inflight - len(self._inflight))
        if room <= 0:
            return
        for entry in self._outbox.backlog(room, self.link.connected_since, expiry):
            if entry.event_id in self._inflight or not self._send(entry, backlog=True):
                return
            self._tokens -= 1.0

    def _send(self, entry: Entry, *, backlog: bool = False) -> bool:
        device, topics = self.link.device_id, self.link.topics
        for kind, data in entry.evidence.items():
            topic = topics.evidence(device, entry.event_id, kind)
            if self.link.publish(MessageKind.EVIDENCE, topic, data) is None:
                return False
        info = self.link.publish(MessageKind.EVENTS, topics.events(device), entry.payload)
        if info is None:
            return False
        sent = time.time()
        self._pending[info.mid] = time.perf_counter()
        if backlog:
            self._inflight[entry.event_id] = sent
        self._outbox.mark_attempt(entry.event_id, sent)
        if entry.attempts:
            self._telemetry.count("republished")
        return True

    def _puback(self, mid: int, code: ReasonCode | None) -> None:
        started = self._pending.pop(mid, None)
        if code is not None and code.is_failure:
            self._telemetry.count("publish_rejected")
            log.error("broker %s rejected a publish: %s", self.link.where, code)
        elif started is not None:
            self._telemetry.record("publish", time.perf_counter() - started)

    def _apply_inbox(self) -> None:
        while True:
            try:
                kind, payload = self._inbox.get_nowait()
            except queue.Empty:
                return
            try:
                if kind is MessageKind.ACKS:
                    self._apply_ack(decode(kind, payload, Ack))
                elif kind is MessageKind.CONFIG:
                    self._apply_config(decode(kind, payload, ConfigPush))
            except ContractError as exc:
                log.warning("ignoring a %s message that breaks the contract: %s", kind.value, exc)

    def _apply_ack(self, ack: Ack) -> None:
        if ack.device_id != self.link.device_id:
            log.warning("ignoring a commit-ack for device %s", ack.device_id)
            return
        committed = self._outbox.delete(ack.committed)
        self._telemetry.count("delivered", committed)
        for rejection in ack.rejected:
            log.error("server rejected event %s for good: %s", rejection.event_id, rejection.reason)
        rejected = self._outbox.delete(r.event_id for r in ack.rejected)
        self._telemetry.count("rejected", rejected)
        for event_id in [*ack.committed, *(r.event_id for r in ack.rejected)]:
            self._inflight.pop(event_id, None)

    def _apply_config(self, push: ConfigPush) -> None:
        if push.device_id != self.link.device_id:
            log.warning("ignoring a config push for device %s", push.device_id)
            return
        self._on_config(push)
