"""Decided cases and near-miss samples for the tuning loop: events of known confidence.

Each case is made by the real ingest service from one event with its evidence, then decided
through the real case service (立案 = true positive, 注销 as a false positive = false).
Samples are ``sample`` events ingested the same way; they make no case.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from sqlalchemy.orm import Session

from contracts import EventType, ViolationEvent, encode
from server.domain.lifecycle import Action, RejectReason
from server.services.case_ops import TransitionRequest
from server.services.cases import CaseService
from server.services.context import ServerContext
from server.services.ingest import IngestService
from server.store.tables import EventRow
from support.messages import example_heartbeat, example_status
from support.server_harness import TOPICS, event_at, fresh_place, inbound_raw, with_evidence

VerdictSpec = tuple[float, bool]
"""(confidence, true positive?) of one case."""


def scored_event(
    device_id: str,
    confidence: float,
    threshold: float,
    label: str,
    event_type: EventType = EventType.NEW,
) -> ViolationEvent:
    """Return a new event at a fresh place with ``confidence`` and the device's ``threshold``."""
    base = event_at(device_id, place=fresh_place(), label=label, event_type=event_type)
    data = {**base.model_dump(), "confidence": confidence, "threshold": threshold}
    return ViolationEvent.model_validate(data)


def case_of(session: Session, event_id: str) -> int:
    """Return the case an event joined."""
    row = session.get(EventRow, event_id)
    assert row is not None and row.case_id is not None, "the event made no case"
    return row.case_id


def decided_cases(
    ctx: ServerContext,
    device_id: str,
    verdicts: Iterable[VerdictSpec],
    *,
    threshold: float = 0.4,
    label: str = "garbage",
) -> list[int]:
    """Ingest one case per verdict, decide it, and return the case ids."""
    cases = CaseService(ctx)
    made = []
    for confidence, positive in verdicts:
        event = scored_event(device_id, confidence, threshold, label)
        IngestService(ctx).process(with_evidence(event))
        case_id = ctx.database.run(partial(case_of, event_id=event.event_id))
        if positive:
            request = TransitionRequest(Action.FILE, "user:tester")
        else:
            request = TransitionRequest(
                Action.REJECT, "user:tester", reason=RejectReason.FALSE_POSITIVE
            )
        cases.act(case_id, request)
        made.append(case_id)
    return made


def ingest_samples(
    ctx: ServerContext,
    device_id: str,
    confidences: Iterable[float],
    *,
    threshold: float = 0.6,
    label: str = "garbage",
) -> list[str]:
    """Ingest one near-miss ``sample`` event (with evidence) per confidence; return their ids."""
    made = []
    for confidence in confidences:
        event = scored_event(device_id, confidence, threshold, label, EventType.SAMPLE)
        IngestService(ctx).process(with_evidence(event))
        made.append(event.event_id)
    return made


def report_config_version(ctx: ServerContext, device_id: str, version: int) -> None:
    """Ingest a status and a heartbeat of ``device_id`` running config ``version``."""
    beat = example_heartbeat(device_id).model_copy(update={"config_version": version})
    IngestService(ctx).process(
        [
            inbound_raw(TOPICS.status(device_id), encode(example_status(device_id))),
            inbound_raw(TOPICS.heartbeat(device_id), encode(beat)),
        ]
    )
