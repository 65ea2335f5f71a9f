"""The bureau's KPIs over the cases reported in a period.

Definitions (cases merged into others are left out; a case counts in its report period):

- 立案率 filing rate = cases filed / cases reported
- 处置率 handling rate = cases handled / cases dispatched
- 结案率 closing rate = cases closed / cases filed
- median time to dispatch: first event of the cycle to dispatch; to close: to 核查结案
- false-positive rate = cases rejected as ``false_positive`` / cases decided (filed or
  rejected), by class and by device (a case counts for every device that saw it)
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.lifecycle import CaseStatus, RejectReason
from server.services.views import View
from server.store.tables import CaseRow, SightingRow

S = CaseStatus
DEFAULT_PERIOD = timedelta(days=30)


class KpiQuery(BaseModel):
    """The report period (default: the last 30 days)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    since: datetime | None = Field(None, description="Reported at or after (ISO 8601).")
    until: datetime | None = Field(None, description="Reported at or before (ISO 8601).")


class DayCount(View):
    """Cases reported on one local day, of one class in one grid."""

    day: str
    label: str
    grid_id: str | None
    cases: int


class FalsePositives(View):
    """False positives of one class or one device."""

    key: str
    decided: int
    false_positives: int
    rate: float | None


class Kpis(View):
    """The KPIs of one period."""

    since: datetime
    until: datetime
    reported: int
    filed: int
    rejected: int
    dispatched: int
    handled: int
    closed: int
    open_now: int
    overdue_now: int
    escalated: int
    filing_rate: float | None = Field(description="立案率")
    handling_rate: float | None = Field(description="处置率")
    closing_rate: float | None = Field(description="结案率")
    median_time_to_dispatch_s: float | None
    median_time_to_close_s: float | None
    per_day: list[DayCount]
    false_positives_by_class: list[FalsePositives]
    false_positives_by_device: list[FalsePositives]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def _false_positives(pairs: Iterable[tuple[str, CaseRow]]) -> list[FalsePositives]:
    decided: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for key, case in pairs:
        if case.filed_at is not None or case.rejected_at is not None:
            decided[key] += 1
            wrong[key] += case.reject_reason == RejectReason.FALSE_POSITIVE.value
    return [
        FalsePositives(key=key, decided=n, false_positives=wrong[key], rate=_rate(wrong[key], n))
        for key, n in sorted(decided.items())
    ]


def _per_day(cases: Iterable[CaseRow], zone: ZoneInfo) -> list[DayCount]:
    days = Counter(
        (case.reported_at.astimezone(zone).date().isoformat(), case.label, case.grid_id or "")
        for case in cases
    )
    return [
        DayCount(day=day, label=label, grid_id=grid or None, cases=count)
        for (day, label, grid), count in sorted(days.items())
    ]


def _counts(cases: list[CaseRow], now: datetime) -> dict[str, int]:
    status = Counter(case.status for case in cases)
    open_statuses = (S.REPORTED, S.FILED, S.DISPATCHED, S.HANDLED, S.REOPENED)
    return {
        "reported": len(cases),
        "filed": sum(case.filed_at is not None for case in cases),
        "rejected": status[S.REJECTED.value],
        "dispatched": sum(case.dispatched_at is not None for case in cases),
        "handled": sum(case.handled_at is not None for case in cases),
        "closed": status[S.CLOSED.value],
        "open_now": sum(status[value.value] for value in open_statuses),
        "overdue_now": sum(
            case.status == S.DISPATCHED.value
            and case.deadline_at is not None
            and case.deadline_at < now
            for case in cases
        ),
        "escalated": sum(case.escalations > 0 for case in cases),
    }


def kpis(session: Session, query: KpiQuery, now: datetime, zone: ZoneInfo) -> Kpis:
    """Return the KPIs of the cases reported in the query's period."""
    until = query.until or now
    since = query.since or until - DEFAULT_PERIOD
    cases = list(
        session.scalars(
            select(CaseRow).where(
                CaseRow.reported_at >= since,
                CaseRow.reported_at <= until,
                CaseRow.status != S.MERGED.value,
            )
        ).all()
    )
    by_id = {case.id: case for case in cases}
    seen_by = session.execute(
        select(SightingRow.case_id, SightingRow.device_id)
        .where(SightingRow.case_id.in_(list(by_id)))
        .distinct()
    ).all()
    counts = _counts(cases, now)
    return Kpis(
        since=since,
        until=until,
        **counts,
        filing_rate=_rate(counts["filed"], counts["reported"]),
        handling_rate=_rate(counts["handled"], counts["dispatched"]),
        closing_rate=_rate(counts["closed"], counts["filed"]),
        median_time_to_dispatch_s=_median(case.time_to_dispatch_s for case in cases),
        median_time_to_close_s=_median(case.time_to_close_s for case in cases),
        per_day=_per_day(cases, zone),
        false_positives_by_class=_false_positives((case.label, case) for case in cases),
        false_positives_by_device=_false_positives(
            (row.device_id, by_id[row.case_id]) for row in seen_by
        ),
    )
