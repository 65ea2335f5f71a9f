"""Writes decisions into the outbox: one frame's evidence, events and violation state together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

from contracts.messages import EvidenceKind, ViolationEvent
from edge.events.decisions import Decision
from edge.events.factory import EventFactory
from edge.events.lifecycle import LifecycleStep
from edge.evidence import EvidenceMaker
from edge.outbox import NewEvent, Outbox
from edge.telemetry import Telemetry

log = logging.getLogger(__name__)


class EventWriter:
    """Turns a frame's decisions into stored events.

    Args:
        factory: builds the payloads.
        evidence: cuts and encodes evidence images.
        outbox: where events wait for their commit-ack.
        telemetry: receives ``evidence`` and ``outbox`` timings.
        config_version: returns the config push version in force.
    """

    def __init__(
        self,
        factory: EventFactory,
        evidence: EvidenceMaker,
        outbox: Outbox,
        telemetry: Telemetry,
        config_version: Callable[[], int],
    ) -> None:
        self._factory = factory
        self._evidence = evidence
        self._outbox = outbox
        self._telemetry = telemetry
        self._config_version = config_version

    def write(
        self, step: LifecycleStep, samples: tuple[Decision, ...]
    ) -> tuple[ViolationEvent, ...]:
        """Store the events of one frame, the violation state they imply and the frame time.

        All of it is one outbox transaction: a crash mid-frame stores all or nothing, so no
        violation is ever remembered as raised without its event.
        """
        decisions = (*step.decisions, *samples)
        if not (decisions or step.remember or step.forget or step.last_frame_at):
            return ()
        version = self._config_version()
        pending = tuple(self._pending(decision, version) for decision in decisions)
        with self._telemetry.timed("outbox"):
            events = self._outbox.write(pending, step.remember, step.forget, step.last_frame_at)
        for decision, event in zip(decisions, events, strict=True):
            if decision.evidence is not None:
                self._evidence.annotate(decision.evidence, event.event_id)
            log.info(
                "%s %s %s (%s) violation %s seq %d",
                event.type.value,
                event.label,
                event.event_id,
                decision.reason,
                event.violation_id,
                event.seq,
            )
        return events

    def _pending(self, decision: Decision, version: int) -> NewEvent:
        with self._telemetry.timed("evidence"):
            files = self._evidence.make(decision.evidence) if decision.evidence else ()

        def make(event_id: str, seq: int, dropped: tuple[EvidenceKind, ...]) -> ViolationEvent:
            return self._factory.build(
                decision,
                files,
                event_id=event_id,
                seq=seq,
                created_at=datetime.now(timezone.utc),
                config_version=version,
                dropped=dropped,
            )

        return NewEvent(make, files)
