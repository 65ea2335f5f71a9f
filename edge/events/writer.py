"""Writes decisions into the outbox: evidence, event payload and violation state together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

from contracts.messages import EvidenceKind, ViolationEvent
from edge.events.decisions import Decision
from edge.events.factory import EventFactory
from edge.events.lifecycle import LifecycleStep, Remembered
from edge.evidence import EvidenceMaker
from edge.outbox import Outbox
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
        """Store the events of one frame (and the violation state that changed)."""
        decisions = (*step.decisions, *samples)
        if not decisions:
            if step.remember or step.forget:
                self._outbox.save_state(step.remember, step.forget)
            return ()
        events = []
        for n, decision in enumerate(decisions):
            if n == 0:
                events.append(self._store(decision, step.remember, step.forget))
            else:
                events.append(self._store(decision, (), ()))
        return tuple(events)

    def _store(
        self, decision: Decision, remember: tuple[Remembered, ...], forget: tuple[str, ...]
    ) -> ViolationEvent:
        with self._telemetry.timed("evidence"):
            files = self._evidence.make(decision.evidence) if decision.evidence else ()
        version = self._config_version()

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

        with self._telemetry.timed("outbox"):
            event = self._outbox.add(make, files, remember, forget)
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
        return event
