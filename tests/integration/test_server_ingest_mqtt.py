"""Ingest through a real Mosquitto into SQLite and into PostgreSQL.

Duplicates and redelivery, evidence mismatch, evidence before its event, dead letters and
quarantine, heartbeats and statuses — every message crosses the broker, and a device waits
for the server's commit-acks as the edge outbox does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from support.messages import example_device_id, example_heartbeat, example_image, example_status
from support.mosquitto import MosquittoServer
from support.mqtt_client import ClientPool
from support.server_harness import (
    TOPICS,
    event_at,
    fresh_place,
    metres_north,
    ready_context,
    register,
    server_config,
)
from support.server_runtime import Device, running_consumer

from contracts import EvidenceKind, MessageKind, encode
from server.services.context import ServerContext
from server.services.devices import DeviceService
from server.store.tables import CaseRow, DeadLetterRow, EventEvidenceRow, EventRow, SightingRow

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def ctx(
    request: pytest.FixtureRequest, tmp_path: Path, mosquitto: MosquittoServer
) -> Iterator[ServerContext]:
    """A migrated store of each kind, with the server's broker settings on the Mosquitto."""
    url = request.getfixturevalue("pg_dsn") if request.param == "postgresql" else None
    mqtt = {"host": mosquitto.host, "port": mosquitto.port, "shared_group": "ingest"}
    context = ready_context(server_config(tmp_path, url, mqtt=mqtt))
    yield context
    context.database.dispose()


def cases_of(ctx: ServerContext, device_id: str) -> list[CaseRow]:
    with ctx.database.transaction() as session:
        ids = select(SightingRow.case_id).where(SightingRow.device_id == device_id)
        return list(
            session.scalars(select(CaseRow).where(CaseRow.id.in_(ids)).order_by(CaseRow.id))
        )


def test_duplicates_and_redelivery_create_one_case(
    ctx: ServerContext, mosquitto: MosquittoServer, mqtt_client: ClientPool
) -> None:
    device_id = example_device_id()
    register(ctx, device_id)
    lat, lon = fresh_place()
    events = [
        event_at(device_id, seq=i, lat=metres_north(lat, 3 * i), lon=lon) for i in range(1, 6)
    ]
    with running_consumer(ctx):
        device = Device(mqtt_client, mosquitto, device_id)
        for event in events:
            device.send(event)
        device.wait_committed(e.event_id for e in events)
        acks_before = len(device.acks)
        for event in events:  # the edge retries everything (no ack seen), twice over
            device.send(event)
            device.send_event(event)
        device.committed.clear()
        device.wait_committed(e.event_id for e in events)

    assert len(device.acks) > acks_before
    [case] = cases_of(ctx, device_id)
    assert (case.event_count, case.sighting_count, case.evidence_count) == (5, 5, 10)
    with ctx.database.transaction() as session:
        stored = session.scalars(select(EventRow.event_id).where(EventRow.device_id == device_id))
        assert sorted(stored) == sorted(e.event_id for e in events)


def test_evidence_mismatch_is_flagged_and_acked(
    ctx: ServerContext, mosquitto: MosquittoServer, mqtt_client: ClientPool
) -> None:
    device_id = example_device_id()
    register(ctx, device_id)
    event = event_at(device_id, place=fresh_place())
    with running_consumer(ctx):
        device = Device(mqtt_client, mosquitto, device_id)
        device.send_event(event)
        device.send_evidence(event, [EvidenceKind.FRAME], data=b"\xff\xd8\xff not the listed frame")
        device.send_evidence(event, [EvidenceKind.CROP])
        device.wait_committed([event.event_id])

    [case] = cases_of(ctx, device_id)
    assert (case.evidence_count, case.evidence_mismatches) == (1, 1)
    with ctx.database.transaction() as session:
        frame = session.get(EventEvidenceRow, (event.event_id, "frame"))
    assert frame is not None and frame.state == "mismatch"
    assert frame.problem and "the event lists" in frame.problem


def test_evidence_before_its_event_is_joined(
    ctx: ServerContext, mosquitto: MosquittoServer, mqtt_client: ClientPool
) -> None:
    device_id = example_device_id()
    register(ctx, device_id)
    event = event_at(device_id, place=fresh_place())
    with running_consumer(ctx):
        device = Device(mqtt_client, mosquitto, device_id)
        device.send_evidence(event)  # both files first
        device.client.assert_no_message(within_s=0.3)  # nothing to ack without the event
        device.send_event(event)
        device.wait_committed([event.event_id])

    [case] = cases_of(ctx, device_id)
    assert case.evidence_count == 2
    assert ctx.evidence.read(example_sha(EvidenceKind.CROP)) == example_image(EvidenceKind.CROP)


def example_sha(kind: EvidenceKind) -> str:
    return hashlib.sha256(example_image(kind)).hexdigest()


def test_bad_payloads_are_dead_lettered_and_rejected(
    ctx: ServerContext, mosquitto: MosquittoServer, mqtt_client: ClientPool
) -> None:
    device_id = example_device_id()
    register(ctx, device_id)
    good = event_at(device_id, place=fresh_place())
    broken = encode(good).replace(b'"confidence":0.71', b'"confidence":7.1')
    with running_consumer(ctx):
        device = Device(mqtt_client, mosquitto, device_id)
        device.client.publish(TOPICS.events(device_id), broken)
        reason = device.wait_rejected(good.event_id)
        device.send(good)  # the consumer is still up; the fixed event goes through
        device.wait_committed([good.event_id])

    assert reason.startswith("invalid events payload: confidence")
    with ctx.database.transaction() as session:
        letter = session.scalars(
            select(DeadLetterRow).where(DeadLetterRow.device_id == device_id)
        ).one()
    assert letter.payload == broken and letter.event_id == good.event_id


def test_unregistered_device_is_quarantined(
    ctx: ServerContext, mosquitto: MosquittoServer, mqtt_client: ClientPool
) -> None:
    device_id = example_device_id()
    event = event_at(device_id, place=fresh_place())
    with running_consumer(ctx):
        device = Device(mqtt_client, mosquitto, device_id)
        device.send(event)
        device.wait_committed([event.event_id])

    assert cases_of(ctx, device_id) == []
    with ctx.database.transaction() as session:
        row = session.get(EventRow, event.event_id)
    assert row is not None and row.state == "quarantined"


def test_heartbeat_and_status_update_the_device(
    ctx: ServerContext, mosquitto: MosquittoServer, mqtt_client: ClientPool
) -> None:
    device_id = example_device_id()
    register(ctx, device_id)
    heartbeat = example_heartbeat(device_id, last_seq=41)
    event = event_at(device_id, place=fresh_place())
    with running_consumer(ctx):
        device = Device(mqtt_client, mosquitto, device_id)
        device.client.publish_kind(
            MessageKind.STATUS, TOPICS.status(device_id), encode(example_status(device_id))
        )
        device.client.publish_kind(
            MessageKind.HEARTBEAT, TOPICS.heartbeat(device_id), encode(heartbeat)
        )
        device.send(event)  # acked after the heartbeat and status (one worker, in order)
        device.wait_committed([event.event_id])

    view = DeviceService(ctx).get(device_id)
    assert view is not None and view.registered and view.online
    assert (view.last_seq, view.outbox_depth) == (41, heartbeat.outbox.depth)
    assert view.config_version == heartbeat.config_version
    assert view.last_event_at is not None


def test_puback_after_commit_still_commits_everything(
    tmp_path: Path, mosquitto: MosquittoServer, mqtt_client: ClientPool
) -> None:
    mqtt = {"host": mosquitto.host, "port": mosquitto.port, "shared_group": "strict"}
    ingest = {"puback_after_commit": True, "batch_wait_ms": 2.0}
    ctx = ready_context(server_config(tmp_path / "strict", mqtt=mqtt, ingest=ingest))
    device_id = example_device_id()
    register(ctx, device_id)
    lat, lon = fresh_place()
    events = [  # more than Mosquitto's in-flight window of 20 unacknowledged deliveries
        event_at(device_id, seq=i, lat=metres_north(lat, i % 4), lon=lon) for i in range(60)
    ]
    with running_consumer(ctx):
        device = Device(mqtt_client, mosquitto, device_id)
        for event in events:
            device.send(event)
        device.wait_committed(e.event_id for e in events)

    [case] = cases_of(ctx, device_id)
    assert (case.event_count, case.evidence_count) == (60, 120)
    ctx.database.dispose()
