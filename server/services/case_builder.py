"""Placing an admitted event into a case: same sighting, nearby open case, reopen, or new.

Runs inside the ingest transaction, after the worker holds the lock keys of every event in
the batch (:meth:`CaseBuilder.lock_keys`), so two workers never both open a case for one
place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from contracts import ViolationEvent
from server.domain.clustering import (
    Candidate,
    ClusterParams,
    NewCase,
    Observation,
    ReopenCase,
    cell_of,
    cells_of,
    decide,
    id_lock_key,
    lock_keys,
    search_horizon,
)
from server.domain.geo import GeoPoint, box_around, evidence_weight
from server.domain.lifecycle import Action, CaseStatus
from server.services.case_ops import (
    NewCaseSpec,
    TransitionRequest,
    centroid_of,
    lock_case,
    new_case,
    set_centroid,
    transition,
)
from server.services.context import ServerContext
from server.store.tables import CaseLinkRow, CaseRow, SightingRow

INGEST_ACTOR = "system:ingest"

CANDIDATES = (
    select(CaseRow)
    .where(
        CaseRow.code == bindparam("code"),
        CaseRow.status != CaseStatus.MERGED.value,
        CaseRow.lat.between(bindparam("min_lat"), bindparam("max_lat")),
        CaseRow.lon.between(bindparam("min_lon"), bindparam("max_lon")),
        or_(CaseRow.last_seen >= bindparam("since"), CaseRow.closed_at >= bindparam("since")),
    )
    .with_for_update()
)
"""Cases of a code in a box seen or closed since a time, locked (built once, bound per use).

Rows already in the session keep their in-memory state (no ``populate_existing``)."""
MAX_MERGE_HOPS = 32


@dataclass(frozen=True)
class Placement:
    """Where an event went.

    ``outcome`` is ``sighting`` (a known violation), ``joined``, ``reopened`` or ``opened``
    with its case, or ``quarantined`` with a reason and no case. A case opened in this batch
    has its id only after the session's next flush.
    """

    case: CaseRow | None
    outcome: str
    reason: str | None = None

    @property
    def case_id(self) -> int | None:
        """The case's id (flush the session first for a case opened in this batch)."""
        return None if self.case is None else self.case.id


def event_point(event: ViolationEvent) -> GeoPoint | None:
    """Return the event's position, or None without a fix."""
    where = event.location
    if where.lat is None or where.lon is None:
        return None
    return GeoPoint(where.lat, where.lon)


class CaseBuilder:
    """Puts events into cases following :mod:`server.domain.clustering`."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self.settings = ctx.config.cases
        self.policy = ctx.config.cases.recurrence()

    def lock_keys(self, event: ViolationEvent, code: str) -> frozenset[int]:
        """Return the lock keys to hold while placing ``event`` as a case of ``code``."""
        point = event_point(event)
        own = frozenset({id_lock_key("violation", event.violation_id)})
        if point is None:
            return own
        radius = self.settings.cluster_params(event.label).radius_m
        return own | lock_keys(code, point, radius)

    def placer(self, session: Session, violation_ids: Iterable[str]) -> BatchPlacer:
        """Return a placer for one batch (it prefetches the batch's known sightings)."""
        return BatchPlacer(self, session, violation_ids)


class BatchPlacer:
    """Places the events of one batch; keeps the cases and sightings it touched in memory.

    The batch runs without autoflush and new cases are inserted at the batch's one flush, so
    cases opened or changed earlier in the batch are found in memory (by lock-grid cell),
    where they are current, as well as in the database.
    """

    def __init__(self, builder: CaseBuilder, session: Session, violation_ids: Iterable[str]):
        self.builder, self.ctx, self.session = builder, builder.ctx, session
        ids = sorted(set(violation_ids))
        found = session.scalars(select(SightingRow).where(SightingRow.violation_id.in_(ids)))
        self.sightings: dict[str, SightingRow] = {row.violation_id: row for row in found}
        self.cases: dict[int, CaseRow] = {}
        self.new_cases: list[CaseRow] = []
        self.by_cell: dict[tuple[str, int, int], list[CaseRow]] = {}
        self.changed: dict[int, CaseRow] = {}

    def finish(self) -> None:
        """Stamp ``updated_at`` on every case the batch changed (once per case)."""
        now = self.ctx.clock()
        for case in self.changed.values():
            case.updated_at = now

    def place(self, event: ViolationEvent, code: str) -> Placement:
        """Attach ``event`` to its case (creating or reopening one as the rules say)."""
        sighting = self.sightings.get(event.violation_id)
        if sighting is not None:
            case = sighting.case if sighting.case_id is None else self._case(sighting.case_id)
            self._attach(case, event, sighting)
            return Placement(case, "sighting")
        point = event_point(event)
        if point is None:
            reason = "the event has no position (fix none) and no earlier message of its violation"
            return Placement(None, "quarantined", reason)
        obs = Observation(code, point, event.first_seen, event.last_seen)
        params = self.builder.settings.cluster_params(event.label)
        decision = decide(obs, self._candidates(obs, params), params, self.builder.policy)
        if isinstance(decision, NewCase):
            case = self._open(event, obs, decision.linked_to)
            outcome = "opened"
        else:
            case = self._handle(decision.case_id)
            outcome = "joined"
            if isinstance(decision, ReopenCase) and case.status == CaseStatus.CLOSED.value:
                self._reopen(case, event)
                outcome = "reopened"
        self._attach(case, event, None)
        return Placement(case, outcome)

    def _handle(self, candidate_id: int) -> CaseRow:
        """Return the case of a candidate id (negative: a case opened in this batch)."""
        if candidate_id < 0:
            return self.new_cases[-candidate_id - 1]
        return self._case(candidate_id)

    def _case(self, case_id: int) -> CaseRow:
        """Return the case (locked), following ``merged_into`` to the case that holds it now."""
        case = self.cases.get(case_id) or self._remember(lock_case(self.session, case_id))
        for _ in range(MAX_MERGE_HOPS):
            if case.merged_into is None:
                break
            target = case.merged_into
            case = self.cases.get(target) or self._remember(lock_case(self.session, target))
        return case

    def _remember(self, case: CaseRow) -> CaseRow:
        if case.id is not None:
            self.cases[case.id] = case
        self._index(case)
        return case

    def _index(self, case: CaseRow) -> None:
        row, col = cell_of(GeoPoint(case.lat, case.lon))
        cell = self.by_cell.setdefault((case.code, row, col), [])
        if not any(other is case for other in cell):
            cell.append(case)

    def _candidates(self, obs: Observation, params: ClusterParams) -> list[Candidate]:
        box = box_around(obs.point, params.radius_m)
        since = obs.first_seen - search_horizon(params, self.builder.policy)
        bounds = {
            "code": obs.code,
            "min_lat": box.min_lat,
            "max_lat": box.max_lat,
            "min_lon": box.min_lon,
            "max_lon": box.max_lon,
            "since": since,
        }
        for case in self.session.scalars(CANDIDATES, bounds):
            if case.id not in self.cases:
                self._remember(case)
        near: dict[int, CaseRow] = {}
        for row, col in cells_of(box):
            for case in self.by_cell.get((obs.code, row, col), ()):
                near[id(case)] = case
        return [
            Candidate(
                case_id=self._candidate_id(case),
                status=CaseStatus(case.status),
                point=GeoPoint(case.lat, case.lon),
                first_seen=case.first_seen,
                last_seen=case.last_seen,
                closed_at=case.closed_at,
            )
            for case in near.values()
            if case.status != CaseStatus.MERGED.value and box.contains(GeoPoint(case.lat, case.lon))
        ]

    def _candidate_id(self, case: CaseRow) -> int:
        if case.id is not None:
            return case.id
        return -1 - next(i for i, new in enumerate(self.new_cases) if new is case)

    def _open(self, event: ViolationEvent, obs: Observation, linked_to: int | None) -> CaseRow:
        grid = self.ctx.grids.locate(obs.point)
        spec = NewCaseSpec(
            code=obs.code,
            label=event.label,
            taxonomy=self.ctx.taxonomy.tag,
            point=obs.point,
            first_seen=event.first_seen,
            last_seen=event.last_seen,
            grid_id=grid.grid_id if grid else None,
        )
        now = self.ctx.clock()
        note = f"first seen by {event.device_id} (event {event.event_id})"
        case = new_case(self.session, spec, INGEST_ACTOR, now, note)
        self.new_cases.append(case)
        self._index(case)
        if linked_to is not None:
            self.session.add(
                CaseLinkRow(
                    case=case, other_case_id=linked_to, kind="recurrence_of", created_at=now
                )
            )
        return case

    def _reopen(self, case: CaseRow, event: ViolationEvent) -> None:
        note = f"seen again by {event.device_id} (event {event.event_id})"
        request = TransitionRequest(Action.REOPEN, INGEST_ACTOR, note)
        transition(self.session, case, request, self.ctx.clock())
        case.cycle_started_at = event.first_seen

    def _attach(self, case: CaseRow, event: ViolationEvent, sighting: SightingRow | None) -> None:
        if sighting is None:
            sighting = SightingRow(
                violation_id=event.violation_id,
                case=case,
                device_id=event.device_id,
                label=event.label,
                first_seen=event.first_seen,
                last_seen=event.last_seen,
                event_count=0,
            )
            self.session.add(sighting)
            self.sightings[event.violation_id] = sighting
            case.sighting_count += 1
        sighting.event_count += 1
        _widen(sighting, event)
        case.event_count += 1
        _widen(case, event)
        self.changed[id(case)] = case
        point = event_point(event)
        if point is not None:
            weight = evidence_weight(
                event.confidence, len(event.evidence), event.location.accuracy_m
            )
            before = cell_of(GeoPoint(case.lat, case.lon))
            set_centroid(case, centroid_of(case).add(point, weight))
            if cell_of(GeoPoint(case.lat, case.lon)) != before:
                self._index(case)  # found in memory by its new cell too


def _widen(row: CaseRow | SightingRow, event: ViolationEvent) -> None:
    """Widen ``row``'s seen-interval to cover the event (assigning only on a change)."""
    if event.first_seen < row.first_seen or event.last_seen > row.last_seen:
        row.first_seen = min(row.first_seen, event.first_seen)
        row.last_seen = max(row.last_seen, event.last_seen)
