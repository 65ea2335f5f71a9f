"""The ingest service on a real SQLite file: idempotency, evidence, quarantine, cases.

These call :class:`server.services.ingest.IngestService` with messages as the MQTT consumer
would receive them; ``test_server_ingest_mqtt.py`` runs the same path through Mosquitto.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support.messages import example_device_id, example_image, now_ms
from support.server_harness import (
    HUANGPU,
    TOPICS,
    event_at,
    inbound_event,
    inbound_evidence,
    inbound_raw,
    metres_north,
    ready_context,
    register,
    server_config,
    with_evidence,
)

from contracts import EvidenceKind
from server.domain.lifecycle import Action, CaseStatus, RejectReason
from server.services.case_ops import TransitionRequest
from server.services.cases import CaseService
from server.services.context import ServerContext
from server.services.ingest import BatchResult, IngestService
from server.store.tables import (
    CaseLinkRow,
    CaseRow,
    DeadLetterRow,
    EventEvidenceRow,
    EventRow,
    SightingRow,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def ctx(tmp_path: Path) -> ServerContext:
    return ready_context(server_config(tmp_path))


@pytest.fixture
def ingest(ctx: ServerContext) -> IngestService:
    return IngestService(ctx, worker="test")


def count(ctx: ServerContext, what: object) -> int:
    with ctx.database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(what)) or 0)  # type: ignore[arg-type]


def committed(result: BatchResult) -> dict[str, tuple[str, ...]]:
    return {plan.device_id: plan.committed for plan in result.acks if plan.committed}


def test_event_with_evidence_opens_one_case_and_is_acked(
    ctx: ServerContext, ingest: IngestService
) -> None:
    device = example_device_id()
    register(ctx, device)
    event = event_at(device)

    result = ingest.process(with_evidence(event))

    assert committed(result) == {device: (event.event_id,)}
    with ctx.database.transaction() as session:
        [case] = session.scalars(select(CaseRow)).all()
        assert (case.code, case.label, case.status) == ("0102", "garbage", "reported")
        assert (case.event_count, case.sighting_count, case.evidence_count) == (1, 1, 2)
        assert case.grid_id == "HP-NJ-01"
        assert case.lat == pytest.approx(HUANGPU[0]) and case.lon == pytest.approx(HUANGPU[1])
        states = session.scalars(select(EventEvidenceRow.state)).all()
        assert sorted(states) == ["verified", "verified"]
    for kind in (EvidenceKind.FRAME, EvidenceKind.CROP):
        assert ctx.evidence.read(event.evidence_item(kind).sha256) == example_image(kind)  # type: ignore[union-attr]


def test_redelivery_and_retries_create_nothing_twice(
    ctx: ServerContext, ingest: IngestService
) -> None:
    device = example_device_id()
    register(ctx, device)
    event = event_at(device)
    messages = with_evidence(event)

    first = ingest.process(messages + messages)  # a redelivery inside one batch
    again = ingest.process(messages)  # an edge retry later: acked again, nothing new

    assert committed(first) == committed(again) == {device: (event.event_id,)}
    assert again.outcomes.get("duplicate") == 1
    assert count(ctx, CaseRow) == count(ctx, EventRow) == count(ctx, SightingRow) == 1
    with ctx.database.transaction() as session:
        case = session.scalars(select(CaseRow)).one()
        assert (case.event_count, case.evidence_count) == (1, 2)


def test_messages_of_one_violation_update_one_sighting(
    ctx: ServerContext, ingest: IngestService
) -> None:
    device = example_device_id()
    register(ctx, device)
    first = event_at(device)
    update = event_at(
        device,
        violation_id=first.violation_id,
        lat=metres_north(HUANGPU[0], 500),  # moved far: still the same violation
        at=first.last_seen + timedelta(minutes=5),
        seq=2,
    )

    ingest.process(with_evidence(first))
    ingest.process(with_evidence(update))

    with ctx.database.transaction() as session:
        sighting = session.scalars(select(SightingRow)).one()
        case = session.scalars(select(CaseRow)).one()
    assert sighting.event_count == 2 and sighting.last_seen == update.last_seen
    assert (case.event_count, case.sighting_count) == (2, 1)


def test_nearby_events_of_other_devices_join_one_case(
    ctx: ServerContext, ingest: IngestService
) -> None:
    devices = [example_device_id() for _ in range(3)]
    register(ctx, *devices)
    near = [event_at(d, lat=metres_north(HUANGPU[0], 6 * i)) for i, d in enumerate(devices)]
    far = event_at(devices[0], lat=metres_north(HUANGPU[0], 200))
    other_class = event_at(devices[1], label="street_vending")

    ingest.process([m for e in [*near, far, other_class] for m in with_evidence(e)])

    with ctx.database.transaction() as session:
        cases = session.scalars(select(CaseRow).order_by(CaseRow.id)).all()
    assert [(c.code, c.sighting_count) for c in cases] == [("0102", 3), ("0102", 1), ("0501", 1)]


def test_evidence_before_its_event_is_kept_and_joined(
    ctx: ServerContext, ingest: IngestService
) -> None:
    device = example_device_id()
    register(ctx, device)
    event = event_at(device)
    frame = inbound_evidence(event, EvidenceKind.FRAME)
    crop = inbound_evidence(event, EvidenceKind.CROP)

    early = ingest.process([frame])
    middle = ingest.process([inbound_event(event)])
    late = ingest.process([crop])

    assert early.outcomes.get("evidence_early") == 1
    assert committed(early) == committed(middle) == {}  # the crop is still missing
    assert committed(late) == {device: (event.event_id,)}
    with ctx.database.transaction() as session:
        assert session.scalars(select(CaseRow.evidence_count)).one() == 2


def test_evidence_mismatch_is_flagged_on_the_case(
    ctx: ServerContext, ingest: IngestService
) -> None:
    device = example_device_id()
    register(ctx, device)
    event = event_at(device)
    forged = example_image(EvidenceKind.FRAME)[:-1] + b"\x00"

    result = ingest.process(
        [
            inbound_event(event),
            inbound_evidence(event, EvidenceKind.FRAME, forged),
            inbound_evidence(event, EvidenceKind.CROP),
        ]
    )

    assert committed(result) == {device: (event.event_id,)}  # stored as sent, flagged
    with ctx.database.transaction() as session:
        case = session.scalars(select(CaseRow)).one()
        frame = session.get(EventEvidenceRow, (event.event_id, "frame"))
    assert (case.evidence_count, case.evidence_mismatches) == (1, 1)
    assert frame is not None and frame.state == "mismatch"
    assert frame.problem is not None and "does not match the event's" in frame.problem


@pytest.mark.parametrize(
    ("registered", "enabled", "reason"),
    [(False, True, "is not in the device registry"), (True, False, "is disabled")],
)
def test_unregistered_or_disabled_devices_are_quarantined(
    ctx: ServerContext, ingest: IngestService, registered: bool, enabled: bool, reason: str
) -> None:
    device = example_device_id()
    if registered:
        register(ctx, device, enabled=enabled)
    event = event_at(device)

    result = ingest.process(with_evidence(event))

    assert committed(result) == {device: (event.event_id,)}  # kept: the edge may forget it
    assert count(ctx, CaseRow) == 0
    with ctx.database.transaction() as session:
        row = session.get(EventRow, event.event_id)
    assert row is not None and row.state == "quarantined"
    assert row.quarantine_reason is not None and reason in row.quarantine_reason


def test_bad_messages_go_to_dead_letters_with_a_rejection(
    ctx: ServerContext, ingest: IngestService
) -> None:
    device = example_device_id()
    register(ctx, device)
    good = event_at(device)
    wrong_device = event_at(example_device_id())
    bad_version = good.model_dump_json().replace('"schema_version":1', '"schema_version":2')

    result = ingest.process(
        [
            inbound_raw(TOPICS.events(device), b"\xff not json"),
            inbound_raw(TOPICS.events(device), bad_version.encode()),
            inbound_raw(TOPICS.events(device), wrong_device.model_dump_json().encode()),
            inbound_raw("elsewhere/topic", b"{}"),
            *with_evidence(good),
        ]
    )

    with ctx.database.transaction() as session:
        reasons = sorted(session.scalars(select(DeadLetterRow.reason)).all())
    assert len(reasons) == 4
    assert any("not valid JSON" in r for r in reasons)
    assert any("schema_version 2" in r for r in reasons)
    assert any(f"topic names device {device!r} but the payload says" in r for r in reasons)
    assert any("is not under" in r for r in reasons)
    [plan] = result.acks
    assert plan.committed == (good.event_id,)
    assert {r.event_id for r in plan.rejected} == {good.event_id, wrong_device.event_id}


def _close(ctx: ServerContext, case_id: int) -> None:
    cases = CaseService(ctx)
    for action in (Action.FILE, Action.DISPATCH, Action.HANDLE, Action.CLOSE):
        detail = cases.act(case_id, TransitionRequest(action, "token:test", department=None))
    assert detail.case.status is CaseStatus.CLOSED


@pytest.mark.parametrize(
    ("hours_after_close", "expected_cases", "status", "linked"),
    [(1, 1, CaseStatus.REOPENED, False), (200, 2, CaseStatus.REPORTED, True)],
    ids=["within the reopen window", "after it"],
)
def test_closed_case_seen_again(
    ctx: ServerContext,
    ingest: IngestService,
    hours_after_close: int,
    expected_cases: int,
    status: CaseStatus,
    linked: bool,
) -> None:
    device = example_device_id()
    register(ctx, device)
    ingest.process(with_evidence(event_at(device)))
    with ctx.database.transaction() as session:
        case_id = session.scalars(select(CaseRow.id)).one()
    _close(ctx, case_id)

    again = event_at(device, at=now_ms() + timedelta(hours=hours_after_close))
    ingest.process(with_evidence(again))

    with ctx.database.transaction() as session:
        cases = session.scalars(select(CaseRow).order_by(CaseRow.id)).all()
        links = session.scalars(select(CaseLinkRow)).all()
    assert len(cases) == expected_cases
    assert cases[-1].status == status.value
    assert bool(links) is linked
    if linked:
        assert (links[0].case_id, links[0].other_case_id) == (cases[1].id, cases[0].id)


def test_reject_needs_a_reason(ctx: ServerContext, ingest: IngestService) -> None:
    device = example_device_id()
    register(ctx, device)
    ingest.process(with_evidence(event_at(device)))
    with ctx.database.transaction() as session:
        case_id = session.scalars(select(CaseRow.id)).one()
    cases = CaseService(ctx)
    with pytest.raises(ValueError, match="needs a reason"):
        cases.act(case_id, TransitionRequest(Action.REJECT, "token:t"))
    done = cases.act(
        case_id, TransitionRequest(Action.REJECT, "token:t", reason=RejectReason.PERMITTED)
    )
    assert done.case.status is CaseStatus.REJECTED
    assert [t.action for t in done.transitions] == ["report", "reject"]
