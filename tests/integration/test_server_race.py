"""Two worker processes on PostgreSQL, fed a burst about one place, make exactly one case.

The workers share the events through a ``$share/`` subscription on a real Mosquitto; only
the database locks (not timing) keep them from opening a case each.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support.messages import example_device_id
from support.mosquitto import MosquittoServer
from support.mqtt_client import ClientPool
from support.server_harness import (
    ROOT,
    TOPICS,
    event_at,
    fresh_place,
    metres_north,
    ready_context,
    register,
    server_config,
)
from support.server_process import ServerProcess, write_config
from support.server_runtime import Device

from contracts import encode
from server.services.context import ServerContext
from server.store.tables import CaseRow, EventRow, SightingRow

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PLACES = 5
DEVICES = 4
EVENTS_PER_DEVICE = 4
"""Five places, each seen by four devices four times: 80 events in five waves, five races."""


@pytest.fixture
def workers(
    tmp_path: Path, pg_dsn: str, mosquitto: MosquittoServer
) -> Iterator[tuple[ServerContext, list[ServerProcess]]]:
    mqtt = {"host": mosquitto.host, "port": mosquitto.port, "shared_group": "race"}
    config = server_config(tmp_path, pg_dsn, mqtt=mqtt, ingest={"batch_max": 4, "batch_wait_ms": 2})
    ctx = ready_context(config)
    data = config.model_dump(mode="json", exclude_none=True)
    data["taxonomy"] = str(ROOT / "models" / "taxonomy.yaml")
    path = write_config(tmp_path / "server.json.yaml", data)
    processes = [ServerProcess(path, "--no-api") for _ in range(2)]
    try:
        for process in processes:
            process.start()
        yield ctx, processes
    finally:
        codes = [process.stop() for process in processes]
        ctx.database.dispose()
    assert codes == [0, 0], [p.output for p in processes]


def test_two_workers_make_exactly_one_case_per_place(
    workers: tuple[ServerContext, list[ServerProcess]],
    mosquitto: MosquittoServer,
    mqtt_client: ClientPool,
) -> None:
    ctx, _ = workers
    ids = [example_device_id("race") for _ in range(DEVICES)]
    register(ctx, *ids)
    devices = [Device(mqtt_client, mosquitto, device_id) for device_id in ids]
    for _ in range(PLACES):  # one wave per place, each starting with both workers idle
        lat, lon = fresh_place()
        wave = [
            (device, event_at(device.device_id, lat=metres_north(lat, i), lon=lon, seq=i, kinds=()))
            for i in range(EVENTS_PER_DEVICE)
            for device in devices
        ]
        for device, event in wave:  # near-simultaneous at the broker, shared round-robin
            device.client.paho.publish(TOPICS.events(event.device_id), encode(event), qos=1)
        for device in devices:
            device.wait_committed(event.event_id for owner, event in wave if owner is device)

    with ctx.database.transaction() as session:
        case_ids = select(SightingRow.case_id).where(SightingRow.device_id.in_(ids))
        cases = session.scalars(select(CaseRow).where(CaseRow.id.in_(case_ids))).all()
        workers_used = session.scalar(
            select(func.count(func.distinct(EventRow.worker))).where(EventRow.device_id.in_(ids))
        )
    assert len(cases) == PLACES, sorted((round(c.lat, 5), c.sighting_count) for c in cases)
    assert {c.sighting_count for c in cases} == {DEVICES * EVENTS_PER_DEVICE}
    assert workers_used == 2  # both workers took part
