"""A flood of malformed messages through Mosquitto, on SQLite and PostgreSQL.

The consumer stays up and every distinct message lands in the dead-letter table with a reason.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from support.messages import example_device_id
from support.mosquitto import MosquittoServer
from support.mqtt_client import ClientPool
from support.server_harness import (
    TOPICS,
    event_at,
    fresh_place,
    ready_context,
    register,
    server_config,
)
from support.server_runtime import Device, running_consumer

from contracts import EvidenceKind, encode, new_ulid
from server.services.context import ServerContext
from server.store.tables import DeadLetterRow, EventRow

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EXAMPLES = 2500

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

# (key, bad value): each makes a valid event invalid. None deletes the key.
MUTATIONS: list[tuple[str, Any]] = [
    ("confidence", 1.5),
    ("confidence", "high"),
    ("seq", -1),
    ("event_id", "not-a-ulid"),
    ("violation_id", 42),
    ("label", "Not A Label"),
    ("taxonomy_code", "bad code!"),
    ("schema_version", 2),
    ("schema_version", None),
    ("first_seen", "yesterday"),
    ("location", {"fix": "none", "source": "static", "lat": 1.0}),
    ("location", {"fix": "3d", "source": "gpsd", "lat": 91.0, "lon": 0.0}),
    ("camera", {"source_id": "", "frame_width": 0, "frame_height": 1, "box": {}}),
    ("evidence", [{"kind": "frame"}]),
    ("type", "created"),
    ("unexpected_key", 1),
    ("model", None),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def ctx(
    request: pytest.FixtureRequest, tmp_path: Path, mosquitto: MosquittoServer
) -> Iterator[ServerContext]:
    url = request.getfixturevalue("pg_dsn") if request.param == "postgresql" else None
    mqtt = {"host": mosquitto.host, "port": mosquitto.port, "shared_group": "fuzz"}
    context = ready_context(server_config(tmp_path, url, mqtt=mqtt))
    yield context
    context.database.dispose()


def _messages(device_id: str) -> st.SearchStrategy[tuple[str, bytes]]:
    events = TOPICS.events(device_id)
    evidence_topics = st.sampled_from(
        [
            f"{TOPICS.prefix}/devices/{device_id}/evidence/not-a-ulid/frame",
            f"{TOPICS.prefix}/devices/{device_id}/evidence/{new_ulid()}/video",
        ]
    )
    base = json.loads(encode(event_at(device_id)))

    def mutated(change: tuple[str, Any], event_id: str) -> bytes:
        key, value = change
        data = {**base, "event_id": event_id}
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
        return json.dumps(data).encode()

    other = event_at(example_device_id("other"))
    return st.one_of(
        st.tuples(st.just(events), st.binary(max_size=200)),
        st.tuples(st.just(events), JSON.map(lambda v: json.dumps(v).encode())),
        st.tuples(
            st.just(events),
            st.builds(mutated, st.sampled_from(MUTATIONS), st.builds(new_ulid)),
        ),
        st.tuples(st.just(events), st.just(encode(other))),  # topic and payload devices differ
        st.tuples(evidence_topics, st.binary(min_size=1, max_size=64)),
        st.tuples(
            st.just(TOPICS.evidence(device_id, new_ulid(), EvidenceKind.FRAME)), st.just(b"")
        ),
    )


def _dead_letters(ctx: ServerContext, device_id: str) -> int:
    with ctx.database.transaction() as session:
        where = DeadLetterRow.topic.like(f"%/devices/{device_id}/%")
        return int(session.scalar(select(func.count(DeadLetterRow.id)).where(where)) or 0)


def test_a_flood_of_malformed_messages(
    ctx: ServerContext, mosquitto: MosquittoServer, mqtt_client: ClientPool
) -> None:
    device_id = example_device_id("fuzz")
    register(ctx, device_id)
    sent: set[tuple[str, bytes]] = set()
    with running_consumer(ctx):
        publisher = mqtt_client(mosquitto)
        pending: list[paho.MQTTMessageInfo] = []

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(_messages(device_id))
        def publish(message: tuple[str, bytes]) -> None:
            sent.add(message)
            pending.append(publisher.paho.publish(message[0], message[1], qos=1))

        publish()
        for info in pending:
            info.wait_for_publish(10.0)
        deadline = time.monotonic() + 60.0
        while _dead_letters(ctx, device_id) < len(sent) and time.monotonic() < deadline:
            time.sleep(0.1)
        stored = _dead_letters(ctx, device_id)

        device = Device(mqtt_client, mosquitto, device_id)
        lat, lon = fresh_place()
        good = event_at(device_id, lat=lat, lon=lon)
        device.send(good)  # still up after the flood
        device.wait_committed([good.event_id])

    assert len(sent) >= EXAMPLES * 0.8
    assert stored == len(sent)
    with ctx.database.transaction() as session:
        where = DeadLetterRow.topic.like(f"%/devices/{device_id}/%")
        reasons = session.scalars(select(DeadLetterRow.reason).where(where)).all()
        assert all(reason.strip() for reason in reasons)
        assert (
            session.scalar(
                select(func.count(EventRow.event_id)).where(EventRow.device_id == device_id)
            )
            == 1
        )
        row = session.get(EventRow, good.event_id)
        assert row is not None and row.case_id is not None
    kinds = {r.split(":")[0].split(" payload")[0] for r in reasons}
    assert len(kinds) >= 4, kinds
