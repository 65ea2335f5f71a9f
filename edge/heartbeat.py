"""Builds the device heartbeat from the running parts' counters and timings.

A moving camera adds its GNSS state (``gps``) and the device clock's skew against GPS time
(``clock_skew_ms``). Delivery problems — connections the broker refused (bad credentials, not
authorised, wrong protocol) and publishes it answered with an error reason code — travel in
``delivery``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from contracts.messages import (
    DeliveryProblems,
    FrameCounters,
    Heartbeat,
    OutboxState,
    Reconnects,
)
from edge.delivery.link import MqttLink
from edge.outbox import Outbox
from edge.position.provider import Positioning
from edge.sources.reader import FrameReader
from edge.telemetry import Telemetry
from streetwatch import __version__


@dataclass
class HeartbeatSources:
    """Where the heartbeat's numbers come from."""

    device_id: str
    telemetry: Telemetry
    outbox: Outbox
    reader: FrameReader
    processed: Callable[[], int]
    config_version: Callable[[], int]
    link: Callable[[], MqttLink | None]
    started: float
    positioning: Positioning | None = None

    def build(self) -> Heartbeat:
        """Return the heartbeat now (and start a new timing interval)."""
        depth = self.outbox.depth()
        oldest = (
            None if depth.oldest_created is None else max(0.0, time.time() - depth.oldest_created)
        )
        stages = self.telemetry.take_timings()
        link = self.link()
        return Heartbeat(
            device_id=self.device_id,
            sent_at=datetime.now(timezone.utc),
            uptime_s=round(time.monotonic() - self.started, 3),
            software_version=__version__,
            config_version=self.config_version(),
            last_seq=self.outbox.last_seq(),
            stages=stages,
            frames=FrameCounters(
                decoded=self.reader.source.grabbed,
                processed=self.processed(),
                dropped=self.reader.dropped,
            ),
            gps=self.positioning.state() if self.positioning else None,
            clock_skew_ms=self.positioning.clock_skew_ms() if self.positioning else None,
            outbox=OutboxState(depth=depth.events, bytes=depth.bytes, oldest_age_s=oldest),
            reconnects=Reconnects(
                broker=max(0, link.connects - 1) if link else 0,
                source=self.reader.source.reconnects,
            ),
            delivery=DeliveryProblems(
                refused_connects=link.refused if link else 0,
                rejected_publishes=self.telemetry.counter("publish_rejected"),
                last_error=link.last_error[:300] if link and link.last_error else None,
            ),
        )
