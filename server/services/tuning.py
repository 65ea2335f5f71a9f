"""The tuning report: precision and case volume by threshold, per class and per device.

Verdicts come from cases and from judged near-miss samples. A case counts as a true positive
once an operator filed it (filed, dispatched, handled, closed) and as a false positive when
rejected as ``false_positive``; other cases are undecided and left out. A case's score is the
highest confidence of its events (of one device, for the per-device rows). A ``sample`` event
an operator judged (:mod:`server.services.samples`) is one more verdict at its confidence.
Neither the sample nor the device's pushed config states the share of near misses the device
sampled, so samples count once each and the volume below the threshold is a lower bound (see
docs/server.md, *Tuning loop*). The current threshold is the one the newest event of the
class reported.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.domain.lifecycle import CaseStatus, RejectReason
from server.domain.tuning_math import DEFAULT_GRID, AtThreshold, Verdict, at_threshold, suggest
from server.domain.tuning_math import table as threshold_table
from server.services.context import ServerContext
from server.services.samples import judged_samples
from server.store.tables import CaseRow, EventRow

S = CaseStatus
TRUE_STATUSES = (S.FILED, S.DISPATCHED, S.HANDLED, S.CLOSED)
DEFAULT_TARGET = 0.9


@dataclass(frozen=True)
class Tuning:
    """The verdicts of one class (on one device, or all devices) and what they suggest."""

    label: str
    device_id: str | None
    verdicts: int
    samples: int
    current_threshold: float | None
    current: AtThreshold | None
    rows: list[AtThreshold]
    suggestion: AtThreshold | None


@dataclass(frozen=True)
class TuningReport:
    """Every class, its per-device breakdown, and the target precision used."""

    target: float
    classes: list[Tuning] = field(default_factory=list)
    devices: list[Tuning] = field(default_factory=list)


@dataclass
class _Scores:
    by_case: dict[int, float] = field(default_factory=dict)
    by_device_case: dict[tuple[str, int], float] = field(default_factory=dict)
    samples: list[tuple[str, Verdict]] = field(default_factory=list)


def verdict_of(status: str, reject_reason: str | None) -> bool | None:
    """Return True for a confirmed case, False for a false positive, None if undecided."""
    if status in {s.value for s in TRUE_STATUSES}:
        return True
    if status == S.REJECTED.value and reject_reason == RejectReason.FALSE_POSITIVE.value:
        return False
    return None


def _threshold_of(payload: str) -> float | None:
    try:
        value = json.loads(payload).get("threshold")
    except (ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, int | float) else None


def tuning_of(
    label: str,
    device_id: str | None,
    verdicts: list[Verdict],
    current: float | None,
    target: float,
) -> Tuning:
    """Return the table, the precision at ``current`` and the suggestion of some verdicts."""
    grid = set(DEFAULT_GRID) | ({current} if current is not None else set())
    return Tuning(
        label=label,
        device_id=device_id,
        verdicts=len(verdicts),
        samples=sum(1 for v in verdicts if v.sample),
        current_threshold=current,
        current=at_threshold(verdicts, current) if current is not None else None,
        rows=threshold_table(verdicts, grid),
        suggestion=suggest(verdicts, target),
    )


class TuningService:
    """Builds the tuning report from the database."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    def report(self, target: float = DEFAULT_TARGET) -> TuningReport:
        """Return the report of every class with verdicts, for ``target`` precision."""
        return self.ctx.database.run(lambda session: self._report(session, target))

    def _report(self, session: Session, target: float) -> TuningReport:
        truth = _truth(session)
        scores = _scores(session, truth)
        current = _current(session, sorted(scores))
        report = TuningReport(target=target)
        for label in sorted(scores):
            entry = scores[label]
            verdicts = [Verdict(s, truth[c]) for c, s in entry.by_case.items()]
            verdicts += [verdict for _, verdict in entry.samples]
            report.classes.append(
                tuning_of(label, None, verdicts, current.get((label, None)), target)
            )
            per_device: dict[str, list[Verdict]] = defaultdict(list)
            for (device_id, case_id), score in entry.by_device_case.items():
                per_device[device_id].append(Verdict(score, truth[case_id]))
            for device_id, verdict in entry.samples:
                per_device[device_id].append(verdict)
            for device_id in sorted(per_device):
                now = current.get((label, device_id))
                report.devices.append(
                    tuning_of(label, device_id, per_device[device_id], now, target)
                )
        return report


def _truth(session: Session) -> dict[int, bool]:
    decided = select(CaseRow.id, CaseRow.status, CaseRow.reject_reason).where(
        CaseRow.status.in_([*(v.value for v in TRUE_STATUSES), S.REJECTED.value])
    )
    truth = {}
    for case_id, status, reason in session.execute(decided):
        verdict = verdict_of(status, reason)
        if verdict is not None:
            truth[case_id] = verdict
    return truth


def _scores(session: Session, truth: dict[int, bool]) -> dict[str, _Scores]:
    scores: dict[str, _Scores] = defaultdict(_Scores)
    query = select(EventRow.label, EventRow.device_id, EventRow.case_id, EventRow.confidence).where(
        EventRow.case_id.is_not(None), EventRow.type != "sample"
    )
    for label, device_id, case_id, confidence in session.execute(query):
        if case_id is None or case_id not in truth:
            continue
        entry = scores[label]
        entry.by_case[case_id] = max(confidence, entry.by_case.get(case_id, 0.0))
        key = (device_id, case_id)
        entry.by_device_case[key] = max(confidence, entry.by_device_case.get(key, 0.0))
    for label, device_id, confidence, positive in judged_samples(session):
        scores[label].samples.append((device_id, Verdict(confidence, positive, sample=True)))
    return scores


def _current(session: Session, labels: list[str]) -> dict[tuple[str, str | None], float]:
    """Return the threshold of the newest event per (label, device) and per (label, None).

    Samples count too: they carry the confirmation threshold in force when they were drawn.
    """
    last = (
        select(EventRow.label, EventRow.device_id, func.max(EventRow.received_at).label("at"))
        .where(EventRow.label.in_(labels))
        .group_by(EventRow.label, EventRow.device_id)
        .subquery()
    )
    newest = (
        select(EventRow.label, EventRow.device_id, EventRow.payload)
        .join(
            last,
            (EventRow.label == last.c.label)
            & (EventRow.device_id == last.c.device_id)
            & (EventRow.received_at == last.c.at),
        )
        .order_by(EventRow.received_at)
    )
    current: dict[tuple[str, str | None], float] = {}
    for label, device_id, payload in session.execute(newest):
        threshold = _threshold_of(payload)
        if threshold is not None:
            current[(label, None)] = current[(label, device_id)] = threshold
    return current
