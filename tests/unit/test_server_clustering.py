"""Clustering: which case a sighting joins, reopens or opens; geometry; lock keys."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from server.domain.clustering import (
    Candidate,
    ClusterParams,
    Decision,
    JoinCase,
    NewCase,
    Observation,
    RecurrencePolicy,
    ReopenCase,
    decide,
    id_lock_key,
    lock_keys,
    time_gap,
)
from server.domain.geo import GeoPoint, WeightedCentroid, box_around, distance_m, evidence_weight
from server.domain.lifecycle import CaseStatus

T0 = datetime(2026, 5, 12, 1, 30, tzinfo=timezone.utc)
HERE = GeoPoint(31.19345, 121.43712)
PARAMS = ClusterParams(radius_m=25.0, window=timedelta(hours=24))
POLICY = RecurrencePolicy(reopen_window=timedelta(hours=72), link_lookback=timedelta(days=90))
H = timedelta(hours=1)


def north(metres: float, of: GeoPoint = HERE) -> GeoPoint:
    """The point ``metres`` due north of ``of``."""
    return GeoPoint(of.lat + metres / 111_195.0, of.lon)


def obs(at: datetime = T0, where: GeoPoint = HERE, code: str = "0102") -> Observation:
    return Observation(code, where, at - timedelta(minutes=1), at)


def case(
    case_id: int,
    status: CaseStatus = CaseStatus.REPORTED,
    metres: float = 0.0,
    last_seen: datetime = T0 - H,
    closed_at: datetime | None = None,
) -> Candidate:
    return Candidate(case_id, status, north(metres), last_seen - H, last_seen, closed_at)


S = CaseStatus
# (name, candidates, expected decision)
DECISIONS: list[tuple[str, list[Candidate], Decision]] = [
    ("nothing near: new case", [], NewCase()),
    ("open case in radius: join", [case(1, metres=10)], JoinCase(1)),
    ("just outside the radius: new", [case(1, metres=26)], NewCase()),
    ("nearest of two open cases", [case(1, metres=20), case(2, metres=5)], JoinCase(2)),
    ("dispatched counts as open", [case(3, S.DISPATCHED, 5)], JoinCase(3)),
    ("handled counts as open", [case(3, S.HANDLED, 5)], JoinCase(3)),
    ("reopened counts as open", [case(3, S.REOPENED, 5)], JoinCase(3)),
    ("rejected case absorbs more sightings", [case(4, S.REJECTED, 5)], JoinCase(4)),
    ("merged case never joins", [case(5, S.MERGED, 0)], NewCase()),
    ("outside the time window: new", [case(1, last_seen=T0 - 25 * H)], NewCase()),
    ("inside the time window", [case(1, last_seen=T0 - 23 * H)], JoinCase(1)),
    (
        "closed within the reopen window: reopen",
        [case(6, S.CLOSED, 3, last_seen=T0 - 30 * H, closed_at=T0 - 24 * H)],
        ReopenCase(6),
    ),
    (
        "closed after the sighting ended: a late message joins",
        [case(6, S.CLOSED, 3, last_seen=T0 - H, closed_at=T0 + H)],
        JoinCase(6),
    ),
    (
        "closed beyond the reopen window: new case linked to it",
        [case(7, S.CLOSED, 3, last_seen=T0 - 100 * H, closed_at=T0 - 80 * H)],
        NewCase(linked_to=7),
    ),
    (
        "closed beyond the look-back: new case, no link",
        [case(7, S.CLOSED, 3, last_seen=T0 - 3000 * H, closed_at=T0 - 2200 * H)],
        NewCase(),
    ),
    (
        "link to the most recently closed",
        [
            case(7, S.CLOSED, 3, last_seen=T0 - 300 * H, closed_at=T0 - 200 * H),
            case(8, S.CLOSED, 9, last_seen=T0 - 150 * H, closed_at=T0 - 100 * H),
        ],
        NewCase(linked_to=8),
    ),
    (
        "an open case wins over a closed one",
        [case(6, S.CLOSED, 1, closed_at=T0 - H), case(9, S.FILED, 15)],
        JoinCase(9),
    ),
]


@pytest.mark.parametrize(
    ("candidates", "expected"), [d[1:] for d in DECISIONS], ids=[d[0] for d in DECISIONS]
)
def test_decide(candidates: list[Candidate], expected: Decision) -> None:
    assert decide(obs(), candidates, PARAMS, POLICY) == expected


def test_a_later_pass_joins_within_the_window_across_devices() -> None:
    first = case(1, last_seen=T0)
    again = obs(at=T0 + 6 * H, where=north(12))
    assert decide(again, [first], PARAMS, POLICY) == JoinCase(1)


@pytest.mark.parametrize(
    ("obs_start", "obs_end", "case_start", "case_end", "gap_h"),
    [
        (10, 11, 0, 1, 9),  # after
        (0, 1, 10, 11, 9),  # before (an old message arriving late)
        (0, 5, 3, 8, 0),  # overlapping
    ],
)
def test_time_gap(obs_start: int, obs_end: int, case_start: int, case_end: int, gap_h: int) -> None:
    observation = Observation("0102", HERE, T0 + obs_start * H, T0 + obs_end * H)
    candidate = Candidate(1, S.REPORTED, HERE, T0 + case_start * H, T0 + case_end * H)
    assert time_gap(observation, candidate) == gap_h * H


@pytest.mark.parametrize(
    ("a", "b", "metres"),
    [
        (HERE, HERE, 0.0),
        (HERE, north(100), 100.0),
        (GeoPoint(0, 0), GeoPoint(0, 1), 111_195.0),
    ],
)
def test_distance(a: GeoPoint, b: GeoPoint, metres: float) -> None:
    assert distance_m(a, b) == pytest.approx(metres, abs=0.5)


@pytest.mark.parametrize("radius", [1.0, 25.0, 500.0])
@pytest.mark.parametrize("lat", [0.0, 31.2, 60.0, -45.0])
def test_box_contains_every_point_in_radius(radius: float, lat: float) -> None:
    centre = GeoPoint(lat, 121.4)
    box = box_around(centre, radius)
    for bearing_lat, bearing_lon in ((1, 0), (0, 1), (-1, 0), (0, -1), (0.7, 0.7)):
        lo, hi = 0.0, 1.0  # find the offset (degrees) that is exactly `radius` away
        for _ in range(60):
            mid = (lo + hi) / 2
            probe = GeoPoint(lat + bearing_lat * mid, 121.4 + bearing_lon * mid)
            lo, hi = (mid, hi) if distance_m(centre, probe) < radius else (lo, mid)
        edge = GeoPoint(lat + bearing_lat * lo, 121.4 + bearing_lon * lo)
        assert box.contains(edge)


@pytest.mark.parametrize("metres", [0.0, 5.0, 24.9])
@pytest.mark.parametrize("offset_deg", [0.0, 0.00999, 0.004999])
def test_points_within_radius_share_a_lock_key(metres: float, offset_deg: float) -> None:
    # Put the pair on either side of a lock-grid line (0.01 degree) and in the middle of a cell.
    a = GeoPoint(31.19 + offset_deg, 121.44 + offset_deg)
    b = north(metres, a)
    assert lock_keys("0102", a, 25.0) & lock_keys("0102", b, 25.0)


def test_lock_keys_differ_by_code_and_far_places() -> None:
    here = lock_keys("0102", HERE, 25.0)
    assert not here & lock_keys("0501", HERE, 25.0)
    assert not here & lock_keys("0102", north(5000), 25.0)


def test_id_lock_keys_are_stable_and_bucketed() -> None:
    keys = {id_lock_key("event", f"E{i}") for i in range(5000)}
    assert id_lock_key("event", "E1") == id_lock_key("event", "E1")
    assert len(keys) <= 1024


@pytest.mark.parametrize(
    ("confidence", "items", "accuracy", "weight"),
    [(0.5, 0, 10.0, 0.05), (0.5, 2, 10.0, 0.15), (1.0, 1, None, 0.2), (0.9, 1, 0.1, 1.8)],
)
def test_evidence_weight(
    confidence: float, items: int, accuracy: float | None, weight: float
) -> None:
    assert evidence_weight(confidence, items, accuracy) == pytest.approx(weight)


def test_weighted_centroid_leans_to_the_heavier_point() -> None:
    far = north(30)
    centroid = WeightedCentroid().add(HERE, 3.0).add(far, 1.0)
    assert centroid.point is not None
    assert distance_m(HERE, centroid.point) == pytest.approx(7.5, abs=0.1)
    assert WeightedCentroid().point is None
    both = centroid.combine(WeightedCentroid().add(far, 4.0))
    assert both.point is not None and distance_m(HERE, both.point) == pytest.approx(18.75, abs=0.1)
