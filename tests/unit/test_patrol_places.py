"""Place-based dedup on the move (same class within R metres within the window is one
violation, across track losses and passes; a later pass confirms), restart, and geo-fences."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from support.edge_setup import T0, violation

from contracts.messages import EventType, FixMode, Location, LocationSource
from edge.config_patrol import PatrolSettings
from edge.config_sections import EventSettings
from edge.patrol.fences import FenceError, FenceFilter, load_fences
from edge.patrol.places import PlaceDeduper
from edge.position.fixes import moved_by
from edge.violations import Verdict, Violation

LAT0, LON0 = 31.2286, 121.4753
PATROL = PatrolSettings(radius_m={"garbage": 6.0}, min_passes=2, pass_gap_s=20.0, window_s=600.0)
ONCE = PATROL.model_copy(update={"min_passes": 1})


def placed(
    seconds: float, east: float, north: float, *, track: int = 1, label: str = "garbage"
) -> Violation:
    lat, lon = moved_by(LAT0, LON0, east, north)
    at = T0 + timedelta(seconds=seconds)
    where = Location(
        lat=lat, lon=lon, accuracy_m=3.0, fix=FixMode.FIX_3D, source=LocationSource.ESTIMATED
    )
    return replace(violation(at, track_id=track, label=label), location=where)


def ride(deduper: PlaceDeduper, *sightings: Violation) -> list[tuple[EventType, str]]:
    events = []
    for seen in sightings:
        step = deduper.update(seen.seen_at, (seen,))
        events += [(d.type, d.violation_id) for d in step.decisions]
    return events


def test_a_place_is_reported_when_seen_again_on_a_later_pass() -> None:
    deduper = PlaceDeduper(EventSettings(), PATROL)
    first_pass = [placed(t, 0.3 * t, 10.0, track=1) for t in range(5)]
    assert ride(deduper, *first_pass) == []  # one pass: a candidate, no event
    second = ride(deduper, placed(60, 1.0, 11.0, track=7), placed(61, 1.2, 10.5, track=7))
    assert [kind for kind, _ in second] == [EventType.NEW]
    third = ride(deduper, placed(200, 0.5, 9.0, track=12))
    assert third == [(EventType.UPDATE, second[0][1])]  # same violation, "seen again"


def near(seen: Violation) -> Violation:
    """The same sighting as a near miss (track median below confirm_score)."""
    return replace(seen, verdict=Verdict.NEAR_MISS, confidence=seen.threshold - 0.05)


@pytest.mark.parametrize(
    ("first_confirmed", "second_confirmed", "reported"),
    [(True, False, True), (False, True, True), (False, False, False)],
)
def test_a_near_miss_counts_as_a_pass_when_another_pass_confirms(
    first_confirmed: bool, second_confirmed: bool, reported: bool
) -> None:
    deduper = PlaceDeduper(EventSettings(), PATROL)
    first = [placed(t, 0.3 * t, 10.0, track=1) for t in range(3)]
    second = [placed(60 + t, 1.0, 10.5, track=7) for t in range(2)]
    first = first if first_confirmed else [near(v) for v in first]
    second = second if second_confirmed else [near(v) for v in second]
    assert ride(deduper, *first) == []
    # a near-miss track stays a sample candidate; a confirming one belongs to the place
    assert deduper.owns(1) is first_confirmed
    decisions = [d for seen in second for d in deduper.update(seen.seen_at, (seen,)).decisions]
    assert [d.type for d in decisions] == ([EventType.NEW] if reported else [])
    assert deduper.owns(7) is reported  # the track that opened the violation continues it
    if reported:  # first seen on the first pass, at the confidence a pass confirmed it at
        opened = decisions[0]
        assert opened.first_seen == first[0].first_seen
        confirmed = (first if first_confirmed else second)[0].confidence
        assert opened.sighting.confidence == round(confirmed, 4)
        assert opened.evidence is not None and opened.evidence.frame is second[0].frame


def test_a_near_miss_close_to_a_violation_raises_nothing() -> None:
    deduper = PlaceDeduper(EventSettings(), ONCE)
    opened = ride(deduper, placed(0, 0.0, 10.0, track=1))
    assert [kind for kind, _ in opened] == [EventType.NEW]
    assert ride(deduper, near(placed(100, 0.5, 10.0, track=2))) == []


def standing(
    seconds: float,
    *,
    track: int,
    box: tuple[float, float, float, float] = (100.0, 80.0, 160.0, 140.0),
    east: float | None = 0.0,
) -> Violation:
    """A sighting from a bike without a course (it stands): its location is the bike's."""
    at = T0 + timedelta(seconds=seconds)
    if east is None:  # no fix at all
        where = Location(fix=FixMode.NONE, source=LocationSource.GPX)
    else:
        lat, lon = moved_by(LAT0, LON0, east, 0.0)
        where = Location(lat=lat, lon=lon, fix=FixMode.FIX_3D, source=LocationSource.GPX)
    return replace(violation(at, track_id=track, box=box), location=where)


@pytest.mark.parametrize(
    ("second", "same"),
    [
        (standing(3, track=2), True),  # the track flickered while the bike waits
        (standing(3, track=2, box=(400.0, 80.0, 460.0, 140.0)), False),  # another region
        (standing(3, track=2, east=20.0), False),  # the bike moved on
        (standing(30, track=2), False),  # later than pass_gap_s
    ],
)
def test_a_standing_bike_keeps_one_violation_across_track_losses(
    second: Violation, same: bool
) -> None:
    deduper = PlaceDeduper(EventSettings(), PATROL)
    first = ride(deduper, standing(0, track=1))
    events = ride(deduper, second)
    assert [kind for kind, _ in first] == [EventType.NEW]
    if same:
        assert all(vid == first[0][1] for _, vid in events)
        assert not any(kind is EventType.NEW for kind, _ in events)
    else:
        assert [kind for kind, _ in events] == [EventType.NEW] and events[0][1] != first[0][1]


def test_without_a_fresh_fix_a_lost_track_is_reported_again() -> None:
    deduper = PlaceDeduper(EventSettings(), PATROL)
    events = ride(deduper, standing(0, track=1, east=None), standing(1, track=2, east=None))
    stale = standing(2, track=3)
    assert stale.location is not None
    stale = replace(stale, location=stale.location.model_copy(update={"stale": True}))
    events += ride(deduper, standing(1.5, track=4), stale)
    assert [kind for kind, _ in events] == [EventType.NEW] * 4


def test_track_losses_classes_and_distance_keep_places_apart() -> None:
    deduper = PlaceDeduper(EventSettings(), ONCE)
    events = ride(
        deduper,
        placed(0, 0.0, 10.0, track=1),
        placed(1, 0.5, 10.0, track=2),  # track lost and found: same place
        placed(2, 0.0, 10.0, track=3, label="street_vending"),  # another class
        placed(3, 0.0, 30.0, track=4),  # 20 m on: another place
        placed(4, 0.0, 15.5, track=5),  # 5.5 m from the first: within its 6 m
    )
    news = [vid for kind, vid in events if kind is EventType.NEW]
    assert len(news) == 3 and len(set(news)) == 3
    assert not any(kind is EventType.END for kind, _ in events)


def test_outside_the_window_a_place_is_new_again() -> None:
    deduper = PlaceDeduper(
        EventSettings(), PATROL.model_copy(update={"min_passes": 1, "window_s": 100.0})
    )
    events = ride(deduper, placed(0, 0.0, 10.0), placed(500, 0.0, 10.0, track=2))
    assert [kind for kind, _ in events] == [EventType.NEW, EventType.NEW]
    assert events[0][1] != events[1][1]


def test_a_restarted_node_continues_the_same_violation() -> None:
    first = PlaceDeduper(EventSettings(), ONCE)
    step = first.update(T0, (placed(0, 0.0, 10.0),))
    again = PlaceDeduper(EventSettings(), ONCE, list(step.remember))
    events = ride(again, placed(30, 1.0, 10.0, track=99))
    assert events == [(EventType.UPDATE, step.decisions[0].violation_id)]


def test_a_sighting_without_own_position_is_reported_at_once_by_track() -> None:
    deduper = PlaceDeduper(EventSettings(), PATROL)
    blind = replace(violation(T0), location=Location(fix=FixMode.NONE, source=LocationSource.GPSD))
    events = ride(deduper, blind, replace(blind, frame=violation(T0 + timedelta(seconds=1)).frame))
    assert [kind for kind, _ in events] == [EventType.NEW]


def test_near_misses_are_not_places() -> None:
    deduper = PlaceDeduper(EventSettings(), ONCE)
    near = replace(placed(0, 0.0, 10.0), verdict=Verdict.NEAR_MISS)
    assert ride(deduper, near) == [] and not deduper.owns(near.track_id)


def square(east: float, north: float, half: float) -> list[list[float]]:
    corners = [(-half, -half), (half, -half), (half, half), (-half, half), (-half, -half)]
    return [list(moved_by(LAT0, LON0, east + e, north + n))[::-1] for e, n in corners]


def fences_file(tmp_path: Path) -> Path:
    features = [
        {
            "properties": {
                "name": "no-vending-st",
                "kind": "include",
                "classes": ["street_vending"],
            },
            "geometry": {"type": "Polygon", "coordinates": [square(0, 0, 50)]},
        },
        {
            "properties": {"name": "market", "kind": "exclude", "classes": ["street_vending"]},
            "geometry": {"type": "Polygon", "coordinates": [square(20, 20, 5)]},
        },
    ]
    path = tmp_path / "fences.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.mark.parametrize(
    ("east", "north", "label", "zone"),
    [
        (0.0, 10.0, "street_vending", "no-vending-st"),  # on the no-vending street
        (20.0, 20.0, "street_vending", None),  # in the allowed market: dropped
        (80.0, 0.0, "street_vending", None),  # off the street: dropped
        (80.0, 0.0, "garbage", ""),  # fences for vending only: garbage kept, no zone
    ],
)
def test_geo_fences_admit_by_position(
    tmp_path: Path, east: float, north: float, label: str, zone: str | None
) -> None:
    fence = FenceFilter(load_fences(fences_file(tmp_path)))
    kept = fence.filter(T0, (placed(0, east, north, label=label),))
    if zone is None:
        assert kept == ()
    else:
        assert len(kept) == 1 and (kept[0].zone or "") == zone


def timed_fences_file(tmp_path: Path) -> Path:
    """A street where vending is enforced 07:00-20:00 and a licensed night market in it."""
    features = [
        {
            "properties": {
                "name": "no-vending-st",
                "kind": "include",
                "classes": ["street_vending"],
                "windows": [{"start": "07:00", "end": "20:00"}],
            },
            "geometry": {"type": "Polygon", "coordinates": [square(0, 0, 50)]},
        },
        {
            "properties": {
                "name": "night-market",
                "kind": "exclude",
                "classes": ["street_vending"],
                "windows": [{"days": ["fri", "sat"], "start": "17:00", "end": "01:00"}],
                "valid_from": "2024-05-01",
                "valid_until": "2024-12-31",
            },
            "geometry": {"type": "Polygon", "coordinates": [square(20, 20, 5)]},
        },
    ]
    path = tmp_path / "timed.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


SHANGHAI = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("local", "east", "north", "zone"),
    [
        (datetime(2024, 5, 24, 10, 0), 20.0, 20.0, "no-vending-st"),  # Fri: market not open
        (datetime(2024, 5, 24, 18, 0), 20.0, 20.0, None),  # Fri 18:00: the market is open
        (datetime(2024, 5, 26, 0, 30), 20.0, 20.0, None),  # Sat's window runs past midnight
        (datetime(2024, 5, 22, 18, 0), 20.0, 20.0, "no-vending-st"),  # Wed: not a market day
        (datetime(2024, 5, 24, 21, 0), 0.0, 10.0, None),  # after 20:00 the street admits none
        (datetime(2024, 5, 24, 6, 59), 0.0, 10.0, None),  # nor before 07:00
        (datetime(2024, 4, 26, 18, 0), 20.0, 20.0, "no-vending-st"),  # before the licence
        (datetime(2025, 1, 3, 18, 0), 20.0, 20.0, "no-vending-st"),  # licence expired
    ],
)
def test_geo_fences_hold_in_their_hours_and_days(
    tmp_path: Path, local: datetime, east: float, north: float, zone: str | None
) -> None:
    fence = FenceFilter(load_fences(timed_fences_file(tmp_path)), "Asia/Shanghai")
    at = local.replace(tzinfo=SHANGHAI).astimezone(timezone.utc)
    kept = fence.filter(at, (placed(0, east, north, label="street_vending"),))
    assert [v.zone for v in kept] == ([] if zone is None else [zone])


@pytest.mark.parametrize(
    ("local", "kept"),
    [
        (datetime(2024, 4, 27, 18, 0), True),  # the Saturday before the licence
        (datetime(2024, 5, 4, 0, 30), True),  # its first day, before its first window
        (datetime(2024, 5, 4, 17, 30), False),  # its first night
        (datetime(2024, 12, 28, 23, 0), False),  # its last night ...
        (datetime(2024, 12, 29, 0, 30), False),  # ... runs on to Sunday 01:00
        (datetime(2024, 12, 29, 1, 0), True),
        (datetime(2025, 1, 4, 18, 0), True),  # expired
    ],
)
def test_a_window_belongs_to_the_day_it_starts_on(
    tmp_path: Path, local: datetime, kept: bool
) -> None:
    feature = {
        "properties": {
            "name": "saturday-market",
            "kind": "exclude",
            "windows": [{"days": ["sat"], "start": "17:00", "end": "01:00"}],
            "valid_from": "2024-05-04",
            "valid_until": "2024-12-28",
        },
        "geometry": {"type": "Polygon", "coordinates": [square(0, 0, 50)]},
    }
    path = tmp_path / "market.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    fence = FenceFilter(load_fences(path), "Asia/Shanghai")
    stall = placed(0, 5.0, 5.0, label="street_vending")
    at = local.replace(tzinfo=SHANGHAI).astimezone(timezone.utc)
    assert fence.filter(at, (stall,)) == ((stall,) if kept else ())


def test_an_include_fence_outside_its_dates_is_as_if_absent(tmp_path: Path) -> None:
    feature = {
        "properties": {"name": "new-street", "kind": "include", "valid_from": "2024-06-01"},
        "geometry": {"type": "Polygon", "coordinates": [square(0, 0, 50)]},
    }
    path = tmp_path / "planned.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    fence = FenceFilter(load_fences(path), "Asia/Shanghai")
    far = placed(0, 80.0, 0.0, label="garbage")
    assert fence.filter(T0, (far,)) == (far,)  # May: the planned street restricts nothing yet
    june = T0 + timedelta(days=12)
    assert fence.filter(june, (far,)) == ()  # from June on, only inside it
    assert [v.zone for v in fence.filter(june, (placed(0, 5.0, 5.0, label="garbage"),))] == [
        "new-street"
    ]


def test_geo_fences_keep_what_cannot_be_placed_and_reject_bad_files(tmp_path: Path) -> None:
    fence = FenceFilter(load_fences(fences_file(tmp_path)))
    blind = replace(
        violation(T0, label="street_vending"),
        location=Location(fix=FixMode.NONE, source=LocationSource.GPSD),
    )
    assert fence.filter(T0, (blind,)) == (blind,)
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        json.dumps(
            {
                "features": [
                    {
                        "properties": {"name": "x", "kind": "maybe"},
                        "geometry": {"type": "Point", "coordinates": [0, 0]},
                    }
                ]
            }
        )
    )
    with pytest.raises(FenceError, match="'kind' must be"):
        load_fences(bad)
