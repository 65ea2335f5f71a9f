"""Quarantined events of an unregistered or disabled device are released into cases later.

Runs on SQLite and PostgreSQL with real messages through :class:`IngestService`; the
PostgreSQL database is shared by the session, so each test uses its own devices and place.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from support.messages import example_device_id, example_image
from support.server_harness import (
    event_at,
    fresh_place,
    inbound_event,
    inbound_evidence,
    metres_north,
    ready_context,
    register,
    server_config,
    with_evidence,
)
from support.server_process import write_config

from contracts import EventType, EvidenceKind, ViolationEvent
from server.services.context import ServerContext
from server.services.devices import DeviceDisabledError, DeviceService, DeviceSpec
from server.services.ingest import IngestService
from server.store.tables import CaseRow, DeviceRow, EventRow, SightingRow
from streetwatch.cli import main

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def ctx(request: pytest.FixtureRequest, tmp_path: Path) -> ServerContext:
    url = request.getfixturevalue("pg_dsn") if request.param == "postgresql" else None
    return ready_context(server_config(tmp_path, url))


def events_of(ctx: ServerContext, device: str) -> dict[str, EventRow]:
    with ctx.database.transaction() as session:
        rows = session.scalars(select(EventRow).where(EventRow.device_id == device)).all()
    return {row.event_id: row for row in rows}


def case_of(ctx: ServerContext, case_id: int | None) -> CaseRow:
    assert case_id is not None
    with ctx.database.transaction() as session:
        case = session.get(CaseRow, case_id)
    assert case is not None
    return case


def test_registering_releases_quarantined_events_into_cases(ctx: ServerContext) -> None:
    ingest = IngestService(ctx, worker="test")
    device = example_device_id()
    lat, lon = fresh_place()
    first = event_at(device, lat=lat, lon=lon, seq=1)
    update = event_at(  # the same violation again, without a position: joins its sighting
        device,
        lat=lat,
        lon=lon,
        violation_id=first.violation_id,
        at=first.last_seen + timedelta(minutes=5),
        seq=2,
    )
    data = update.model_dump()
    data["location"] = {**data["location"], "lat": None, "lon": None, "fix": "none"}
    update = ViolationEvent.model_validate(data)
    far = event_at(device, lat=metres_north(lat, 500), lon=lon, seq=3)
    forged = example_image(EvidenceKind.FRAME)[:-1] + b"\x00"
    # Arrival order differs from seq order: the update (seq 2) comes first.
    ingest.process(with_evidence(update))
    ingest.process(
        [
            inbound_event(far),
            inbound_evidence(far, EvidenceKind.FRAME, forged),
            inbound_evidence(far, EvidenceKind.CROP),
        ]
    )
    ingest.process(with_evidence(first))
    assert {row.state for row in events_of(ctx, device).values()} == {"quarantined"}

    change = DeviceService(ctx).save(DeviceSpec(device_id=device, name="late pole"))

    release = change.release
    assert (release.cased, release.opened, release.samples, release.quarantined) == (3, 2, 0, 0)
    assert change.view.quarantined_events == 0
    rows = events_of(ctx, device)
    assert {row.state for row in rows.values()} == {"accepted"}
    assert all(row.quarantine_reason is None and row.code == "0102" for row in rows.values())
    assert rows[first.event_id].case_id == rows[update.event_id].case_id
    near = case_of(ctx, rows[first.event_id].case_id)
    assert (near.event_count, near.sighting_count, near.evidence_count) == (2, 1, 4)
    assert near.status == "reported"
    assert near.lat == pytest.approx(lat) and near.lon == pytest.approx(lon)
    other = case_of(ctx, rows[far.event_id].case_id)
    assert (other.evidence_count, other.evidence_mismatches) == (1, 1)

    again = DeviceService(ctx).save(DeviceSpec(device_id=device, name="late pole, renamed"))
    twice = DeviceService(ctx).release(device)

    assert again.release.released == twice.released == 0
    assert case_of(ctx, near.id).event_count == 2
    with ctx.database.transaction() as session:
        sightings = session.scalars(
            select(SightingRow).where(SightingRow.device_id == device)
        ).all()
    assert len(sightings) == 2


def test_released_event_joins_the_case_of_a_registered_neighbour(ctx: ServerContext) -> None:
    ingest = IngestService(ctx, worker="test")
    known, late = example_device_id(), example_device_id()
    register(ctx, known)
    place = fresh_place()
    ingest.process(with_evidence(event_at(known, place=place)))
    stray = event_at(late, lat=metres_north(place[0], 5), lon=place[1])
    ingest.process(with_evidence(stray))

    register(ctx, late)

    row = events_of(ctx, late)[stray.event_id]
    case = case_of(ctx, row.case_id)
    assert (case.event_count, case.sighting_count, case.evidence_count) == (2, 2, 4)


def test_disabled_device_is_released_on_enable(ctx: ServerContext) -> None:
    ingest = IngestService(ctx, worker="test")
    device = example_device_id()
    register(ctx, device, enabled=False)
    lat, lon = fresh_place()
    real = event_at(device, lat=lat, lon=lon, seq=1)
    sample = event_at(
        device, lat=metres_north(lat, 300), lon=lon, seq=2, event_type=EventType.SAMPLE
    )
    unknown = event_at(device, lat=metres_north(lat, 600), lon=lon, seq=3, label="unicorn")
    unknown = ViolationEvent.model_validate({**unknown.model_dump(), "taxonomy_code": "9999"})
    ingest.process([m for e in (real, sample, unknown) for m in with_evidence(e)])
    service = DeviceService(ctx)
    with pytest.raises(DeviceDisabledError):
        service.release(device)
    assert service.switch(device, False).release.released == 0  # disabling releases nothing
    assert {r.state for r in events_of(ctx, device).values()} == {"quarantined"}

    change = service.switch(device, True)

    assert (change.release.cased, change.release.samples, change.release.quarantined) == (1, 1, 1)
    rows = events_of(ctx, device)
    assert rows[real.event_id].state == "accepted" and rows[real.event_id].case_id is not None
    assert rows[sample.event_id].state == "sample" and rows[sample.event_id].case_id is None
    still = rows[unknown.event_id]
    assert still.state == "quarantined" and "'unicorn'" in (still.quarantine_reason or "")
    assert change.view.quarantined_events == 1
    assert service.switch(device, True).release.released == 0  # idempotent


def test_two_releases_at_once_place_each_event_once(ctx: ServerContext) -> None:
    ingest = IngestService(ctx, worker="test")
    device = example_device_id()
    place = fresh_place()
    events = [
        event_at(device, lat=metres_north(place[0], 3 * i), lon=place[1], seq=i + 1)
        for i in range(6)
    ]
    ingest.process([m for e in events for m in with_evidence(e)])
    with ctx.database.transaction() as session:
        session.add(DeviceRow(device_id=device, name="direct", enabled=True, **_stamps(ctx)))
    results: list[int] = []

    def release() -> None:
        results.append(DeviceService(ctx).release(device).cased)

    threads = [threading.Thread(target=release) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(results) == [0, 6]
    rows = events_of(ctx, device)
    [case_id] = {row.case_id for row in rows.values()}
    assert case_of(ctx, case_id).event_count == 6


def test_cli_release_prints_the_count_and_list_shows_quarantine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = server_config(tmp_path)
    path = write_config(tmp_path / "server.yaml", config.model_dump(mode="json", exclude_none=True))
    ctx = ready_context(config)
    ingest = IngestService(ctx, worker="test")
    device, other = example_device_id(), example_device_id()
    ingest.process(with_evidence(event_at(device, place=fresh_place())))
    ingest.process(with_evidence(event_at(other, place=fresh_place())))
    with ctx.database.transaction() as session:  # registered by an older server: not released
        session.add(DeviceRow(device_id=device, name="old", enabled=True, **_stamps(ctx)))

    assert main(["server", "device", "list", "-c", str(path)]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {d["device_id"]: d["quarantined_events"] for d in listed} == {device: 1, other: 1}

    assert main(["server", "device", "release", device, "-c", str(path)]) == 0
    assert capsys.readouterr().out == (
        f"released 1 quarantined events of {device} into cases (1 opened), 0 as samples; "
        "0 still quarantined\n"
    )
    assert main(["server", "device", "release", device, "-c", str(path)]) == 0
    assert capsys.readouterr().out.startswith(f"released 0 quarantined events of {device}")
    assert main(["server", "device", "release", "nobody", "-c", str(path)]) == 2
    assert "not in the registry" in capsys.readouterr().err

    add = ["server", "device", "add", other, "--name", "杆", "-c", str(path)]
    assert main(add) == 0
    assert capsys.readouterr().out == (
        f"registered {other} (杆)\n"
        f"released 1 quarantined events of {other} into cases (1 opened), 0 as samples; "
        "0 still quarantined\n"
    )


def _stamps(ctx: ServerContext) -> dict[str, object]:
    now = ctx.clock()
    return {"created_at": now, "updated_at": now}
