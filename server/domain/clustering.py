"""Which case an observation joins: the nearest open case of its code in radius and time.

The rules, for one new sighting of a violation code at a point over [first_seen, last_seen]:

1. A case of the same code that is open (or rejected, which silently absorbs more sightings
   of a false positive) within the class radius whose seen-interval is within the class
   time window of the sighting's: **join** the nearest.
2. Otherwise a closed case within the radius, closed no longer than the reopen window before
   the sighting: **reopen** it (复发). A sighting that ended before the case was closed joins
   it without reopening (a late message).
3. Otherwise a **new** case, linked to the latest case closed within the radius and the link
   look-back, if any.

:func:`lock_keys` names the database locks that make this exactly-once under several workers.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.domain.geo import BoundingBox, GeoPoint, box_around, distance_m
from server.domain.lifecycle import OPEN_STATUSES, CaseStatus


@dataclass(frozen=True)
class ClusterParams:
    """How far in space and time one class's sightings still make the same case."""

    radius_m: float
    window: timedelta


@dataclass(frozen=True)
class RecurrencePolicy:
    """What happens when a closed case's violation is seen again."""

    reopen_window: timedelta
    link_lookback: timedelta


@dataclass(frozen=True)
class Observation:
    """A sighting to place: its code, position and seen-interval."""

    code: str
    point: GeoPoint
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True)
class Candidate:
    """A stored case near the observation (see :func:`decide`)."""

    case_id: int
    status: CaseStatus
    point: GeoPoint
    first_seen: datetime
    last_seen: datetime
    closed_at: datetime | None = None


@dataclass(frozen=True)
class JoinCase:
    """Attach the observation to this case."""

    case_id: int


@dataclass(frozen=True)
class ReopenCase:
    """Attach it to this closed case and reopen the case (复发)."""

    case_id: int


@dataclass(frozen=True)
class NewCase:
    """Open a new case, linked to ``linked_to`` (a case closed long ago) if not None."""

    linked_to: int | None = None


Decision = JoinCase | ReopenCase | NewCase


def time_gap(obs: Observation, candidate: Candidate) -> timedelta:
    """Return how far apart the two seen-intervals are (zero when they overlap)."""
    after = obs.first_seen - candidate.last_seen
    before = candidate.first_seen - obs.last_seen
    return max(after, before, timedelta(0))


def decide(
    obs: Observation,
    candidates: Iterable[Candidate],
    params: ClusterParams,
    policy: RecurrencePolicy,
) -> Decision:
    """Return where ``obs`` goes, following the rules in the module docstring.

    Args:
        obs: the sighting.
        candidates: cases of the same code near it (others are ignored).
        params: radius and window of the observation's class.
        policy: reopen window and link look-back.
    """
    near = [
        (distance_m(obs.point, c.point), c) for c in candidates if c.status is not CaseStatus.MERGED
    ]
    near = [(d, c) for d, c in near if d <= params.radius_m]
    joinable = [
        (d, time_gap(obs, c), c.case_id)
        for d, c in near
        if (c.status in OPEN_STATUSES or c.status is CaseStatus.REJECTED)
        and time_gap(obs, c) <= params.window
    ]
    if joinable:
        return JoinCase(min(joinable)[2])
    closed = [(d, c, c.closed_at) for d, c in near if c.closed_at is not None]
    closed = [(d, c, at) for d, c, at in closed if c.status is CaseStatus.CLOSED]
    late = [
        (d, c.case_id)
        for d, c, at in closed
        if obs.last_seen <= at and time_gap(obs, c) <= params.window
    ]
    if late:
        return JoinCase(min(late)[1])
    recent = [(d, c.case_id) for d, c, at in closed if obs.last_seen - at <= policy.reopen_window]
    if recent:
        return ReopenCase(min(recent)[1])
    older = [(at, c.case_id) for _, c, at in closed if obs.last_seen - at <= policy.link_lookback]
    return NewCase(max(older)[1] if older else None)


def search_horizon(params: ClusterParams, policy: RecurrencePolicy) -> timedelta:
    """Return how far back from a sighting a candidate case may have been seen or closed."""
    return max(params.window, policy.reopen_window, policy.link_lookback)


LOCK_CELL_DEG = 0.01
"""Size of the lock grid, degrees (about 1.1 km north-south)."""


def cell_of(point: GeoPoint) -> tuple[int, int]:
    """Return the lock-grid cell (row, column) of a point."""
    return _cell(point.lat), _cell(point.lon)


def cells_of(box: BoundingBox) -> list[tuple[int, int]]:
    """Return every lock-grid cell that ``box`` overlaps."""
    rows = range(_cell(box.min_lat), _cell(box.max_lat) + 1)
    cols = range(_cell(box.min_lon), _cell(box.max_lon) + 1)
    return [(row, col) for row in rows for col in cols]


def lock_keys(code: str, point: GeoPoint, radius_m: float) -> frozenset[int]:
    """Return the lock keys a worker holds while it places a sighting of ``code`` at ``point``.

    The keys name the cells of a fixed grid that the box of ``radius_m`` around the point
    overlaps. Two sightings within ``radius_m`` of each other always share a key (each one's
    own cell lies in the other's box), so their placements run one after the other and see
    each other's cases. Keys are signed 64-bit integers (PostgreSQL advisory lock keys).
    """
    cells = cells_of(box_around(point, radius_m))
    if len(cells) > 64:  # huge radius or near a pole: one lock for the code
        return frozenset({_key(f"{code}|*")})
    return frozenset(_key(f"{code}|{row}|{col}") for row, col in cells)


def _cell(degrees: float) -> int:
    return math.floor(degrees / LOCK_CELL_DEG)


def _key(text: str) -> int:
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


ID_LOCK_BUCKETS = 1024
"""Identifiers share this many lock keys, so a batch never holds more than that many."""


def id_lock_key(namespace: str, ident: str) -> int:
    """Return the lock key of one identifier (an event id, a violation id) in ``namespace``.

    Identifiers are hashed into :data:`ID_LOCK_BUCKETS` buckets per namespace: two workers
    handling the same identifier always meet on the same key.
    """
    bucket = _key(f"{namespace}|{ident}") % ID_LOCK_BUCKETS
    return _key(f"{namespace}#{bucket}")
