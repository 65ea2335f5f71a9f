"""Applying a tuned threshold: versioned ``ConfigPush`` rows, published retained to devices.

Each push to a device has the previous push's version plus one, and its overlay is the
previous overlay with the new class fields merged in, so pushes accumulate. The rows are
committed first, then published (QoS 1, retained) on ``<prefix>/devices/D/config`` through
a short-lived paho client built from the server's MQTT settings; ``published_at`` records
the broker's acknowledgement. A publish that fails leaves the row unpublished and raises.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import paho.mqtt.client as paho
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contracts import ClassOverlay, ConfigPush, MessageKind, Topics, TunableOverlay, encode
from contracts.topics import DELIVERY
from server.config import ServerMqttSettings
from server.ingest.mqtt_client import (
    BrokerUnavailableError,
    connect,
    default_client_id,
    make_client,
    note_refusal,
)
from server.services.context import ServerContext
from server.store.tables import ConfigPushRow, DeviceRow

PUBLISH_TIMEOUT_S = 10.0
Publisher = Callable[[Sequence[tuple[str, bytes]]], None]


@dataclass(frozen=True)
class ThresholdChange:
    """Set ``confirm_score`` of ``label`` on some devices (None: every enabled device)."""

    label: str
    confirm_score: float
    actor: str
    note: str = ""
    device_ids: tuple[str, ...] | None = None


def merged_overlay(previous: TunableOverlay | None, label: str, score: float) -> TunableOverlay:
    """Return ``previous`` with ``confirm_score`` of ``label`` set (other fields kept)."""
    base = previous or TunableOverlay()
    classes = dict(base.classes or {})
    old = classes.get(label) or ClassOverlay()
    classes[label] = old.model_copy(update={"confirm_score": score})
    return base.model_copy(update={"classes": classes})


def publish_retained(settings: ServerMqttSettings) -> Publisher:
    """Return a publisher that sends messages retained with QoS 1 over a new connection."""
    delivery = DELIVERY[MessageKind.CONFIG]

    def publish(messages: Sequence[tuple[str, bytes]]) -> None:
        client = make_client(settings, default_client_id() + "-push", manual_ack=False)
        connected = threading.Event()

        def on_connect(_c: paho.Client, _u: object, _f: object, code: object, _p: object) -> None:
            if getattr(code, "is_failure", False):
                note_refusal(client, code)
            else:
                connected.set()

        client.on_connect = on_connect
        connect(client, settings, connected)
        try:
            for topic, payload in messages:
                info = client.publish(topic, payload, qos=delivery.qos, retain=delivery.retain)
                info.wait_for_publish(PUBLISH_TIMEOUT_S)
                if not info.is_published():
                    raise BrokerUnavailableError(f"the broker did not acknowledge {topic}")
        finally:
            client.disconnect()
            client.loop_stop()

    return publish


class ConfigPushService:
    """Versioned config pushes: apply a threshold change, list the pushed versions."""

    def __init__(self, ctx: ServerContext, publisher: Publisher | None = None) -> None:
        self.ctx = ctx
        self.topics = Topics(ctx.config.mqtt.prefix)
        self.publisher = publisher or publish_retained(ctx.config.mqtt)

    def apply(self, change: ThresholdChange) -> list[ConfigPush]:
        """Store one new push per device, publish them and return them.

        Raises:
            BrokerUnavailableError: the broker could not be reached or did not acknowledge.
        """
        pushes = self.ctx.database.run(lambda session: self._store(session, change))
        self.publisher([(self.topics.config(p.device_id), encode(p)) for p in pushes])
        published = self.ctx.clock()

        def mark(session: Session) -> None:
            for push in pushes:
                row = session.scalars(
                    select(ConfigPushRow).where(
                        ConfigPushRow.device_id == push.device_id,
                        ConfigPushRow.version == push.version,
                    )
                ).one()
                row.published_at = published

        self.ctx.database.run(mark)
        return pushes

    def pushed_versions(self) -> dict[str, int]:
        """Return the newest pushed version of each device that has one."""
        query = select(ConfigPushRow.device_id, func.max(ConfigPushRow.version)).group_by(
            ConfigPushRow.device_id
        )
        rows = self.ctx.database.run(lambda session: session.execute(query).all())
        return {device_id: int(version) for device_id, version in rows}

    def _targets(self, session: Session, change: ThresholdChange) -> list[str]:
        if change.device_ids is not None:
            return sorted(set(change.device_ids))
        query = select(DeviceRow.device_id).where(DeviceRow.enabled.is_(True))
        return sorted(session.scalars(query))

    def _store(self, session: Session, change: ThresholdChange) -> list[ConfigPush]:
        now = self.ctx.clock()
        pushes = []
        for device_id in self._targets(session, change):
            previous = session.scalars(
                select(ConfigPushRow)
                .where(ConfigPushRow.device_id == device_id)
                .order_by(ConfigPushRow.version.desc())
                .limit(1)
                .with_for_update()
            ).first()
            before = TunableOverlay.model_validate_json(previous.overlay) if previous else None
            push = ConfigPush(
                device_id=device_id,
                version=(previous.version if previous else 0) + 1,
                issued_at=now,
                issued_by=change.actor[:128],
                note=change.note[:1000],
                overlay=merged_overlay(before, change.label, change.confirm_score),
            )
            session.add(
                ConfigPushRow(
                    device_id=device_id,
                    version=push.version,
                    overlay=push.overlay.model_dump_json(),
                    issued_at=now,
                    issued_by=push.issued_by,
                    note=push.note,
                    published_at=None,
                )
            )
            pushes.append(push)
        session.flush()
        return pushes
