"""Case actions for operators and the system, each one audited.

Transitions, automatic dispatch on filing (智能派单), merging, escalation of overdue cases
(督办) and reports that do not come from an edge device (Open311).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.domain.dispatch import Assignment, route
from server.domain.lifecycle import OPEN_STATUSES, Action, CaseStatus
from server.services.case_ops import (
    NewCaseSpec,
    TransitionRequest,
    audit,
    centroid_of,
    lock_case,
    new_case,
    set_centroid,
    transition,
)
from server.services.case_queries import case_detail
from server.services.context import ServerContext
from server.services.views import CaseDetail
from server.store.tables import CaseLinkRow, CaseRow, EventRow, SightingRow

logger = logging.getLogger(__name__)

DISPATCH_ACTOR = "system:dispatch"
ESCALATION_ACTOR = "system:escalation"
DEFAULT_DEADLINE = timedelta(hours=72)
"""Deadline of a manual dispatch when no rule covers the case."""


class CaseService:
    """Operator and system actions on cases; every change is audited."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    def act(self, case_id: int, request: TransitionRequest) -> CaseDetail:
        """Apply ``request`` and return the case afterwards.

        Raises:
            server.services.case_ops.CaseNotFoundError: no such case.
            server.domain.lifecycle.IllegalTransitionError: not allowed from the status.
            ValueError: a missing reason, unknown department, bad merge target.
        """

        def work(session: Session) -> CaseDetail:
            case = lock_case(session, case_id)
            if request.action is Action.MERGE:
                self._merge(session, case, request)
            elif request.action is Action.DISPATCH:
                self._dispatch(session, case, request)
            else:
                transition(session, case, request, self.ctx.clock())
                if request.action is Action.FILE:
                    self._auto_dispatch(session, case)
            session.flush()
            detail = case_detail(session, case.id, self.ctx.clock())
            assert detail is not None
            return detail

        return self.ctx.database.run(work)

    def _assignment(self, case: CaseRow) -> Assignment | None:
        return route(self.ctx.config.dispatch, case.code, case.grid_id)

    def _dispatch(self, session: Session, case: CaseRow, request: TransitionRequest) -> None:
        assignment = self._assignment(case)
        department = request.department or (assignment.department if assignment else None)
        if department is None:
            raise ValueError(
                f"no dispatch rule covers code {case.code} in grid {case.grid_id or '(none)'}; "
                "name a department"
            )
        if department not in self.ctx.config.dispatch.departments:
            raise ValueError(f"unknown department {department!r}")
        deadline = assignment.deadline if assignment else DEFAULT_DEADLINE
        request = replace(request, department=department)
        detail = f"deadline {deadline.total_seconds() / 3600:g} h"
        transition(session, case, request, self.ctx.clock(), deadline=deadline, detail=detail)

    def _auto_dispatch(self, session: Session, case: CaseRow) -> None:
        assignment = self._assignment(case)
        if assignment is None:
            logger.info("case %d filed; no dispatch rule matches, left for an operator", case.id)
            return
        request = TransitionRequest(
            Action.DISPATCH,
            DISPATCH_ACTOR,
            note=f"智能派单 by dispatch {assignment.rule}",
            department=assignment.department,
        )
        detail = f"{assignment.rule}; deadline {assignment.deadline.total_seconds() / 3600:g} h"
        transition(
            session, case, request, self.ctx.clock(), deadline=assignment.deadline, detail=detail
        )

    def _merge(self, session: Session, source: CaseRow, request: TransitionRequest) -> None:
        target_id = request.merge_into
        if target_id is None or target_id == source.id:
            raise ValueError("merge needs another case's id in merge_into")
        # Lock both rows in id order so two opposite merges cannot deadlock.
        first, second = sorted((source.id, target_id))
        rows = {case_id: lock_case(session, case_id) for case_id in (first, second)}
        source, target = rows[source.id], rows[target_id]
        if CaseStatus(target.status) not in OPEN_STATUSES:
            raise ValueError(f"case {target.id} is {target.status}; merge only into an open case")
        if target.code != source.code:
            raise ValueError(f"case {source.id} is {source.code}, case {target.id} {target.code}")
        now = self.ctx.clock()
        transition(session, source, replace(request, merge_into=target.id), now)
        for table in (EventRow, SightingRow):
            session.execute(
                update(table).where(table.case_id == source.id).values(case_id=target.id)
            )
        session.execute(
            update(CaseRow).where(CaseRow.merged_into == source.id).values(merged_into=target.id)
        )
        _absorb(target, source)
        set_centroid(target, centroid_of(target).combine(centroid_of(source)))
        session.add(
            CaseLinkRow(case=source, other_case_id=target.id, kind="merged_into", created_at=now)
        )
        note = f"case {source.id} merged into this case"
        audit(
            session, target, "absorb", before=target.status, actor=request.actor, at=now, note=note
        )

    def escalate_overdue(self) -> list[int]:
        """Escalate (督办) dispatched cases past their deadline, once per deadline.

        Returns:
            The ids of the cases escalated now.
        """
        now = self.ctx.clock()

        def work(session: Session) -> list[int]:
            ids = session.scalars(
                select(CaseRow.id).where(
                    CaseRow.status == CaseStatus.DISPATCHED.value,
                    CaseRow.deadline_at < now,
                    CaseRow.escalated_at.is_(None),
                )
            ).all()
            done = []
            for case_id in ids:
                case = lock_case(session, case_id)
                if case.escalated_at is not None or case.status != CaseStatus.DISPATCHED.value:
                    continue
                case.escalated_at, case.escalations = now, case.escalations + 1
                note = f"overdue: deadline {case.deadline_at:%Y-%m-%d %H:%M} UTC passed"
                audit(
                    session,
                    case,
                    "escalate",
                    before=case.status,
                    actor=ESCALATION_ACTOR,
                    at=now,
                    note=note,
                )
                done.append(case_id)
            return done

        escalated = self.ctx.database.run(work)
        self.ctx.metrics.escalations.inc(len(escalated))
        return escalated

    def report(self, spec: NewCaseSpec, actor: str) -> int:
        """Open a case from a report that is not an edge event (e.g. Open311); return its id."""
        grid = self.ctx.grids.locate(spec.point)
        spec = replace(spec, grid_id=grid.grid_id if grid else None, taxonomy=self.ctx.taxonomy.tag)

        def work(session: Session) -> int:
            case = new_case(session, spec, actor, self.ctx.clock(), spec.description[:200])
            case.sighting_count = 1
            set_centroid(case, centroid_of(case).add(spec.point, 1.0))
            session.flush()
            return case.id

        return self.ctx.database.run(work)


def _absorb(target: CaseRow, source: CaseRow) -> None:
    target.event_count += source.event_count
    target.sighting_count += source.sighting_count
    target.evidence_count += source.evidence_count
    target.evidence_mismatches += source.evidence_mismatches
    target.first_seen = min(target.first_seen, source.first_seen)
    target.last_seen = max(target.last_seen, source.last_seen)
    target.updated_at = source.updated_at
