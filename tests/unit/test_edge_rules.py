"""Rule tables: instant score, area/aspect, zones and anchors, schedules, permits, dwell,
median confirmation, and the engine over hand-made tracked detections."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from support.edge_setup import T0, detections, frame, seconds, violation

from contracts.tuning import (
    ClassThresholds,
    GeoPoint,
    Permit,
    Schedule,
    ScheduleEffect,
    TimeWindow,
    Tunables,
    Zone,
    ZoneKind,
)
from edge.rules.confirm import TrackScores
from edge.rules.dwell import DwellClock
from edge.rules.engine import Rules
from edge.rules.permits import PermitFilter, distance_m, permit_covers
from edge.rules.schedules import ScheduleBook, open_since, window_open
from edge.rules.shape import passes_shape
from edge.rules.zones import ZoneMap, anchor_point
from edge.violations import Verdict

NAMES = ("street_vending", "garbage", "illegal_signage")
SHANGHAI = ZoneInfo("Asia/Shanghai")

# ---------------------------------------------------------------- instant score, area, aspect

GATES = ClassThresholds(
    min_score=0.3, confirm_score=0.5, min_area=0.01, max_area=0.5, min_aspect=0.5, max_aspect=2.0
)


@pytest.mark.parametrize(
    ("score", "box", "expected"),
    [
        (0.30, (0, 0, 40, 40), True),  # area 1600/57600 = 0.028, aspect 1
        (0.29, (0, 0, 40, 40), False),  # below min_score
        (0.90, (0, 0, 20, 20), False),  # area 0.0069 < min_area
        (0.90, (0, 0, 300, 170), False),  # area 0.885 > max_area
        (0.90, (0, 0, 100, 40), False),  # aspect 2.5 > max_aspect
        (0.90, (0, 0, 30, 70), False),  # aspect 0.43 < min_aspect
        (0.90, (0, 0, 80, 40), True),  # aspect 2.0 at the limit
        (0.90, (10, 10, 10, 50), False),  # zero width
    ],
)
def test_shape_gates(score: float, box: tuple[float, float, float, float], expected: bool) -> None:
    assert passes_shape(GATES, score, box, (320, 180)) is expected


# ---------------------------------------------------------------- zones and anchors


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("street_vending", (0.5, 1.0)),  # bottom centre
        ("garbage", (0.5, 1.0)),
        ("illegal_signage", (0.5, 0.5)),  # centre
    ],
)
def test_anchor_per_class(label: str, expected: tuple[float, float]) -> None:
    assert anchor_point(label, (100, 0, 220, 180), (320, 180)) == pytest.approx(expected)


LOWER_HALF = Zone(name="sidewalk", polygon=[(0, 0.5), (1, 0.5), (1, 1), (0, 1)])
VENDING_ONLY = Zone(
    name="corner", polygon=[(0.8, 0), (1, 0), (1, 1), (0.8, 1)], classes=["street_vending"]
)
ROAD = Zone(
    name="road",
    kind=ZoneKind.EXCLUDE,
    polygon=[(0, 0.6), (0.4, 0.6), (0.4, 0.8), (0, 0.8)],
    classes=["street_vending"],
)


@pytest.mark.parametrize(
    ("zones", "label", "anchor", "admitted", "zone"),
    [
        ([], "garbage", (0.5, 0.2), True, None),  # no zones: the whole frame
        ([LOWER_HALF], "garbage", (0.5, 0.7), True, "sidewalk"),
        ([LOWER_HALF], "garbage", (0.5, 0.2), False, None),  # outside the only include
        ([LOWER_HALF], "garbage", (0.5, 0.5), True, "sidewalk"),  # on the edge counts
        ([VENDING_ONLY], "garbage", (0.1, 0.1), True, None),  # include for another class
        ([VENDING_ONLY], "street_vending", (0.1, 0.1), False, None),
        ([VENDING_ONLY], "street_vending", (0.9, 0.1), True, "corner"),
        ([LOWER_HALF, ROAD], "street_vending", (0.2, 0.7), False, None),  # excluded
        ([LOWER_HALF, ROAD], "garbage", (0.2, 0.7), True, "sidewalk"),  # exclude not for it
    ],
)
def test_zone_placement(
    zones: list[Zone],
    label: str,
    anchor: tuple[float, float],
    admitted: bool,
    zone: str | None,
) -> None:
    placement = ZoneMap(zones).place(label, anchor)
    assert (placement.admitted, placement.zone) == (admitted, zone)


# ---------------------------------------------------------------- schedules


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """2024-05-20 is a Monday: day 0 = Monday."""
    return datetime(2024, 5, 20 + day, hour, minute, tzinfo=SHANGHAI)


WEEKDAY_MORNING = TimeWindow(days=["mon", "tue", "wed", "thu", "fri"], start=time(6), end=time(9))
FRIDAY_NIGHT = TimeWindow(days=["fri"], start=time(22), end=time(2))
ALL_DAY = TimeWindow(start=time(0), end=time(0))


@pytest.mark.parametrize(
    ("window", "when", "expected"),
    [
        (WEEKDAY_MORNING, local(0, 6), True),  # start is inside
        (WEEKDAY_MORNING, local(0, 8, 59), True),
        (WEEKDAY_MORNING, local(0, 9), False),  # end is outside
        (WEEKDAY_MORNING, local(0, 5, 59), False),
        (WEEKDAY_MORNING, local(5, 7), False),  # Saturday
        (FRIDAY_NIGHT, local(4, 21, 59), False),
        (FRIDAY_NIGHT, local(4, 22), True),  # Friday night
        (FRIDAY_NIGHT, local(4, 23, 59), True),
        (FRIDAY_NIGHT, local(5, 0, 30), True),  # after midnight: Saturday, started Friday
        (FRIDAY_NIGHT, local(5, 1, 59), True),
        (FRIDAY_NIGHT, local(5, 2), False),
        (FRIDAY_NIGHT, local(5, 22, 30), False),  # Saturday night: not a start day
        (FRIDAY_NIGHT, local(4, 1), False),  # Friday 01:00 belongs to Thursday's window
        (ALL_DAY, local(2, 13), True),  # end == start: 24 hours
    ],
)
def test_time_windows(window: TimeWindow, when: datetime, expected: bool) -> None:
    assert window_open(window, when) is expected


def test_an_open_window_names_the_day_it_started_on() -> None:
    assert open_since(FRIDAY_NIGHT, local(4, 23)) == local(4, 23).date()
    assert open_since(FRIDAY_NIGHT, local(5, 0, 30)) == local(4, 23).date()  # Friday's night
    assert open_since(FRIDAY_NIGHT, local(5, 2)) is None
    assert open_since(WEEKDAY_MORNING, local(0, 7)) == local(0, 7).date()


BREAKFAST = Schedule(
    name="breakfast",
    effect=ScheduleEffect.ALLOW,
    classes=["street_vending"],
    zones=["corner"],
    windows=[WEEKDAY_MORNING],
)
NIGHT_MARKET = Schedule(
    name="night",
    effect=ScheduleEffect.ENFORCE,
    classes=["garbage"],
    windows=[TimeWindow(start=time(18), end=time(2))],
)


@pytest.mark.parametrize(
    ("label", "zones", "when", "reportable"),
    [
        ("street_vending", ("corner",), local(0, 7), False),  # tolerated breakfast stall
        ("street_vending", ("corner",), local(0, 10), True),  # after breakfast
        ("street_vending", ("sidewalk",), local(0, 7), True),  # elsewhere
        ("street_vending", ("corner",), local(6, 7), True),  # Sunday
        ("garbage", (), local(0, 12), False),  # enforced only 18:00-02:00
        ("garbage", (), local(0, 19), True),
        ("garbage", (), local(1, 1, 30), True),  # past midnight
        ("illegal_signage", (), local(0, 12), True),  # no schedule names it
    ],
)
def test_schedule_book(
    label: str, zones: tuple[str, ...], when: datetime, reportable: bool
) -> None:
    assert ScheduleBook([BREAKFAST, NIGHT_MARKET]).reportable(label, zones, when) is reportable


# ---------------------------------------------------------------- permits

KIOSK = Permit(
    name="XH-1",
    classes=["street_vending"],
    zone="corner",
    valid_from=date(2024, 1, 1),
    valid_until=date(2024, 5, 20),
)
REPAIR = Permit(
    name="XH-2",
    classes=["garbage"],
    point=GeoPoint(lat=31.2, lon=121.4),
    radius_m=20.0,
    valid_until=date(2024, 12, 31),
)


def test_haversine_distance() -> None:
    assert distance_m(31.2, 121.4, 31.2009, 121.4) == pytest.approx(100.1, abs=0.2)


@pytest.mark.parametrize(
    ("permit", "label", "zones", "lat", "day", "covered"),
    [
        (KIOSK, "street_vending", ("corner",), 31.2, date(2024, 5, 20), True),  # last day
        (KIOSK, "street_vending", ("corner",), 31.2, date(2024, 5, 21), False),  # expired
        (KIOSK, "street_vending", ("corner",), 31.2, date(2023, 12, 31), False),  # not yet
        (KIOSK, "street_vending", ("sidewalk",), 31.2, date(2024, 5, 1), False),  # other zone
        (KIOSK, "garbage", ("corner",), 31.2, date(2024, 5, 1), False),  # other class
        (REPAIR, "garbage", (), 31.2001, date(2024, 5, 1), True),  # 11 m away
        (REPAIR, "garbage", (), 31.2003, date(2024, 5, 1), False),  # 33 m away
    ],
)
def test_permit_covers(
    permit: Permit, label: str, zones: tuple[str, ...], lat: float, day: date, covered: bool
) -> None:
    base = violation(label=label)
    assert base.location is not None
    seen = base.__class__(
        **{
            **base.__dict__,
            "zones": zones,
            "location": base.location.model_copy(update={"lat": lat}),
        }
    )
    assert permit_covers(permit, seen, day) is covered


def test_permit_days_are_local_days() -> None:
    """Shanghai is UTC+8: 2024-05-20T17:00Z is already the 21st there, after KIOSK expired."""
    permits = PermitFilter([KIOSK], "Asia/Shanghai")
    inside = violation(datetime(2024, 5, 20, 15, 59, tzinfo=timezone.utc), label="street_vending")
    after = violation(datetime(2024, 5, 20, 16, 0, tzinfo=timezone.utc), label="street_vending")
    with_zone = [v.__class__(**{**v.__dict__, "zones": ("corner",)}) for v in (inside, after)]
    assert permits.filter(tuple(with_zone)) == (with_zone[1],)


# ---------------------------------------------------------------- confirmation and dwell


def test_median_confirmation_ignores_one_lucky_frame() -> None:
    scores = TrackScores()
    medians = [scores.add(7, s, T0) for s in (0.35, 0.95, 0.4, 0.45)]
    assert medians == pytest.approx([0.35, 0.65, 0.4, 0.425])


@pytest.mark.parametrize(
    ("moves", "restarts"),
    [
        ([(0, 0)] * 4, 0),  # standing still
        ([(0, 0), (10, 0), (20, 0), (25, 0)], 0),  # jitter within half a diagonal (42 px)
        ([(0, 0), (50, 0), (100, 0)], 2),  # pushed along: restarts each step
    ],
)
def test_dwell_clock_restarts_when_the_object_moves(
    moves: list[tuple[int, int]], restarts: int
) -> None:
    clock = DwellClock(drift=0.5)
    starts = []
    for n, (dx, dy) in enumerate(moves):
        box = (100.0 + dx, 80.0 + dy, 160.0 + dx, 140.0 + dy)
        starts.append(clock.update(1, "garbage", box, T0 + seconds(n)))
    assert len(set(starts)) - 1 == restarts


STALL = (100.0, 80.0, 160.0, 140.0)  # 60 x 60 px: drift 0.5 reaches 42 px from its centre


def shifted(box: tuple[float, float, float, float], dx: float) -> tuple[float, float, float, float]:
    return (box[0] + dx, box[1], box[2] + dx, box[3])


@pytest.mark.parametrize(
    ("hidden_s", "dx", "label", "old_in_frame", "keeps_dwell"),
    [
        (20.0, 0.0, "street_vending", False, True),  # hidden shorter than the grace
        (29.0, 30.0, "street_vending", False, True),  # and back a little aside
        (31.0, 0.0, "street_vending", False, False),  # hidden longer: the dwell restarts
        (5.0, 100.0, "street_vending", False, False),  # another place: not the same stall
        (5.0, 0.0, "garbage", False, False),  # another class
        (5.0, 0.0, "street_vending", True, False),  # the old track is still there
    ],
)
def test_dwell_is_carried_over_a_track_loss(
    hidden_s: float, dx: float, label: str, old_in_frame: bool, keeps_dwell: bool
) -> None:
    clock = DwellClock(drift=0.5, grace_s=30.0)
    for t in range(11):  # track 1 stands 10 s, then a customer hides it
        assert clock.update(1, "street_vending", STALL, T0 + seconds(t)) == T0
    back = T0 + seconds(10 + hidden_s)
    present = {1, 2} if old_in_frame else {2}
    since = clock.update(2, label, shifted(STALL, dx), back, present)
    assert since == (T0 if keeps_dwell else back)
    if keeps_dwell:  # taken over, not shared: a third track beside it starts afresh
        assert clock.update(3, "street_vending", STALL, back, {2, 3}) == back


def test_engine_carries_dwell_and_first_seen_over_a_track_loss() -> None:
    engine = rules(street_vending=ClassThresholds(dwell_s=120.0))
    before = [
        engine.evaluate(frame(T0 + seconds(t)), detections((*STALL, 0.9, 0, 1)))
        for t in range(0, 61, 5)
    ]
    after = [  # hidden 15 s, longer than the tracker's memory: back as track 2
        engine.evaluate(frame(T0 + seconds(t)), detections((*STALL, 0.9, 0, 2)))
        for t in range(75, 126, 5)
    ]
    assert not any(before) and [len(v) for v in after] == [0] * 9 + [1, 1]  # 120 s, not 195 s
    reported = after[9][0]
    assert reported.track_id == 2 and reported.first_seen == T0


# ---------------------------------------------------------------- the engine


def rules(**classes: ClassThresholds) -> Rules:
    return Rules(Tunables(classes=classes), NAMES, "Asia/Shanghai", drift=0.5)


def test_engine_waits_for_dwell_on_frame_time() -> None:
    engine = rules(garbage=ClassThresholds(dwell_s=2.0))
    box = (100, 80, 160, 140, 0.9, 1, 5)
    seen = [engine.evaluate(frame(T0 + seconds(t)), detections(box)) for t in (0, 1, 1.99, 2.0, 3)]
    assert [len(v) for v in seen] == [0, 0, 0, 1, 1]
    assert seen[3][0].first_seen == T0 and seen[3][0].verdict is Verdict.CONFIRMED


def test_engine_ignores_untracked_unknown_and_unconfigured() -> None:
    engine = rules(garbage=ClassThresholds())
    found = engine.evaluate(
        frame(),
        detections(
            (100, 80, 160, 140, 0.9, 1, -1),  # no track
            (100, 80, 160, 140, 0.9, 0, 3),  # street_vending: not configured
            (100, 80, 160, 140, 0.9, 9, 4),  # class id the model does not have
            (100, 80, 160, 140, 0.9, 1, 5),
        ),
    )
    assert [v.track_id for v in found] == [5]


def test_engine_near_miss_and_confirmation() -> None:
    engine = rules(garbage=ClassThresholds(min_score=0.3, confirm_score=0.6))
    weak = engine.evaluate(frame(), detections((100, 80, 160, 140, 0.45, 1, 1)))
    assert weak[0].verdict is Verdict.NEAR_MISS and weak[0].confidence == pytest.approx(0.45)
    strong = engine.evaluate(frame(T0 + seconds(1)), detections((100, 80, 160, 140, 0.95, 1, 1)))
    assert strong[0].verdict is Verdict.CONFIRMED  # median of 0.45 and 0.95 = 0.70


def test_engine_schedule_uses_the_configured_time_zone() -> None:
    allow = Schedule(
        name="b",
        effect=ScheduleEffect.ALLOW,
        classes=["garbage"],
        windows=[TimeWindow(start=time(6), end=time(9))],
    )
    tunables = Tunables(classes={"garbage": ClassThresholds()}, schedules=[allow])
    box = detections((100, 80, 160, 140, 0.9, 1, 1))
    shanghai = Rules(tunables, NAMES, "Asia/Shanghai", 0.5)
    utc = Rules(tunables, NAMES, "UTC", 0.5)
    assert shanghai.evaluate(frame(T0), box) == ()  # 08:00 local: allowed breakfast hours
    assert len(utc.evaluate(frame(T0), box)) == 1  # 00:00 UTC


def test_retune_keeps_track_state() -> None:
    engine = rules(garbage=ClassThresholds(dwell_s=1.0))
    box = detections((100, 80, 160, 140, 0.9, 1, 1))
    assert engine.evaluate(frame(T0), box) == ()
    tuned = engine.retuned(Tunables(classes={"garbage": ClassThresholds(dwell_s=1.5)}))
    assert tuned.evaluate(frame(T0 + timedelta(seconds=1.2)), box) == ()
    assert len(tuned.evaluate(frame(T0 + timedelta(seconds=1.5)), box)) == 1


def test_an_area_zone_names_a_place_without_admitting_or_removing() -> None:
    square = [(0.0, 0.0), (0.5, 0.0), (0.5, 0.5), (0.0, 0.5)]
    area = Zone(name="kiosk", kind=ZoneKind.AREA, polygon=square, classes=["street_vending"])
    zones = ZoneMap([area])
    inside, outside = (
        zones.place("street_vending", (0.25, 0.25)),
        zones.place("street_vending", (0.75, 0.75)),
    )
    assert inside.admitted and inside.zone is None and inside.zones == ("kiosk",)
    assert outside.admitted and outside.zones == ()
