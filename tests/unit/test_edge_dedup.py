"""Lifecycle and dedup: one violation, one id — new, update, end, rejoin, restart, samples."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from support.edge_setup import T0, seconds, violation

from contracts.messages import EventType
from edge.config_sections import EventSettings, SampleSettings
from edge.events.decisions import Decision
from edge.events.lifecycle import Deduper, LifecycleStep, region_iou
from edge.events.quality import quality
from edge.events.samples import SampleGate
from edge.violations import Verdict, Violation

SETTINGS = EventSettings(end_after_s=10, cooldown_s=60, region_iou=0.3, update_min_interval_s=5)
BOX = (100.0, 80.0, 160.0, 140.0)
SHIFTED = (110.0, 85.0, 170.0, 145.0)  # IoU with BOX ~ 0.6
ELSEWHERE = (200.0, 20.0, 260.0, 80.0)  # no overlap


def run(
    script: list[tuple[float, list[Violation]]], deduper: Deduper | None = None
) -> list[tuple[float, EventType, str]]:
    """Feed ``(second, violations)`` steps; return (second, type, violation id) per event."""
    deduper = deduper or Deduper(SETTINGS)
    out = []
    for second, found in script:
        step = deduper.update(T0 + seconds(second), tuple(found))
        out += [(second, d.type, d.violation_id) for d in step.decisions]
    return out


def at(second: float, **kwargs: object) -> Violation:
    return violation(T0 + seconds(second), **kwargs)  # type: ignore[arg-type]


def types(events: list[tuple[float, EventType, str]]) -> list[tuple[float, str]]:
    return [(s, t.value) for s, t, _ in events]


def ids(events: list[tuple[float, EventType, str]]) -> set[str]:
    return {v for _, _, v in events}


@pytest.mark.parametrize(
    ("name", "script", "expected"),
    [
        (
            "a track seen for a while is one new event",
            [(s, [at(s)]) for s in range(5)],
            [(0, "new")],
        ),
        (
            "gone for end_after_s: end",
            [(0, [at(0)]), (1, [at(1)]), (5, []), (11, [])],
            [(0, "new"), (11, "end")],
        ),
        (
            "track lost and found again within the cooldown (new track id): same violation",
            [(0, [at(0, track_id=1)]), (4, []), (6, [at(6, track_id=2, box=SHIFTED)])],
            [(0, "new")],
        ),
        (
            "found again after its end but within the cooldown: reopened with an update",
            [(0, [at(0, track_id=1)]), (10, []), (30, [at(30, track_id=2)])],
            [(0, "new"), (10, "end"), (30, "update")],
        ),
        (
            "found again after the cooldown: a new violation",
            [(0, [at(0, track_id=1)]), (10, []), (70, []), (71, [at(71, track_id=2)])],
            [(0, "new"), (10, "end"), (71, "new")],
        ),
        (
            "same class elsewhere: a second violation",
            [(0, [at(0, track_id=1), at(0, track_id=2, box=ELSEWHERE)])],
            [(0, "new"), (0, "new")],
        ),
        (
            "another class in the same place: a second violation",
            [(0, [at(0, track_id=1), at(0, track_id=2, label="street_vending")])],
            [(0, "new"), (0, "new")],
        ),
        (
            "near misses never open a violation",
            [(0, [at(0, verdict=Verdict.NEAR_MISS)]), (1, [at(1, verdict=Verdict.NEAR_MISS)])],
            [],
        ),
    ],
)
def test_lifecycle(
    name: str, script: list[tuple[float, list[Violation]]], expected: list[tuple[float, str]]
) -> None:
    events = run(script)
    assert types(events) == expected, name
    distinct = sum(1 for _, kind in expected if kind == "new")
    assert len(ids(events)) == distinct, name


def test_two_tracks_in_one_frame_never_share_a_violation() -> None:
    events = run([(0, [at(0, track_id=1), at(0, track_id=2, box=SHIFTED)])])
    assert types(events) == [(0, "new"), (0, "new")]


def sharp_pixels() -> np.ndarray:
    rng = np.random.default_rng(1)
    return rng.integers(0, 255, (180, 320, 3), dtype=np.uint8)


def test_better_evidence_gives_an_update_at_most_once_per_interval() -> None:
    blurry = at(0, score=0.5)
    sharp_big = dict(score=0.95, box=(90.0, 70.0, 170.0, 150.0), pixels=sharp_pixels())
    assert quality(at(1, **sharp_big)) > quality(blurry) + SETTINGS.update_min_gain
    events = run(
        [
            (0, [blurry]),
            (1, [at(1, **sharp_big)]),  # better, but only 1 s after 'new'
            (5, [at(5, **sharp_big)]),  # 5 s: update
            (6, [at(6, **sharp_big)]),  # no further gain
        ]
    )
    assert types(events) == [(0, "new"), (5, "update")]
    assert len(ids(events)) == 1


def test_quality_terms() -> None:
    small_dull = quality(at(0, score=0.5, box=(100, 80, 110, 90)))
    big_dull = quality(at(0, score=0.5, box=(40, 20, 200, 170)))
    big_sharp = quality(at(0, score=0.5, box=(40, 20, 200, 170), pixels=sharp_pixels()))
    assert 0.0 <= small_dull < big_dull < big_sharp <= 1.0
    assert big_dull == pytest.approx(0.5 * 0.5 + 0.3 * 1.0)


def test_restart_continues_remembered_violations() -> None:
    first = Deduper(SETTINGS)
    step = first.update(T0, (at(0, track_id=1),))
    remembered = list(step.remember)
    assert [d.type for d in step.decisions] == [EventType.NEW]
    again = Deduper(SETTINGS, remembered)  # a new process: the tracker restarts at id 1
    later = again.update(T0 + seconds(3), (at(3, track_id=1, box=SHIFTED),))
    assert later.decisions == ()
    assert later.remember == () or later.remember[0].violation_id == remembered[0].violation_id
    end = again.update(T0 + seconds(20), ())
    assert [(d.type, d.violation_id) for d in end.decisions] == [
        (EventType.END, remembered[0].violation_id)
    ]


def test_replayed_file_after_restart_does_not_raise_again() -> None:
    """A file replayed from the start has frame times before the stored last sighting."""
    first = Deduper(SETTINGS)
    first.update(T0 + seconds(30), (at(30),))
    remembered = list(first.update(T0 + seconds(40), (at(40),)).remember)
    replay = Deduper(SETTINGS, remembered).update(T0, (at(0, track_id=9),))
    assert replay.decisions == ()


def test_state_to_store_and_forget() -> None:
    deduper = Deduper(SETTINGS)
    steps: list[LifecycleStep] = [
        deduper.update(T0 + seconds(s), (at(s),) if s < 8 else ()) for s in range(0, 80)
    ]
    stored = [s for s, step in enumerate(steps) if step.remember]
    forgotten = [s for s, step in enumerate(steps) if step.forget]
    assert stored[0] == 0 and 5 in stored  # new, then every PERSIST_EVERY_S while seen
    assert 17 in stored  # the end (7 + 10 s)
    assert forgotten == [68]  # 7 + cooldown 60 s, then a little more


def test_region_iou() -> None:
    assert region_iou((0, 0, 1, 1), (0, 0, 1, 1)) == 1.0
    assert region_iou((0, 0, 0.5, 0.5), (0.5, 0.5, 1, 1)) == 0.0
    assert region_iou((0, 0, 0.5, 1), (0.25, 0, 0.75, 1)) == pytest.approx(1 / 3)


# ---------------------------------------------------------------- samples


def near(
    second: float, track_id: int, box: tuple[float, float, float, float] | None = None
) -> Violation:
    spot = box or (float(track_id % 30) * 10, float(track_id // 30) * 12, 0.0, 0.0)
    if box is None:
        spot = (spot[0], spot[1], spot[0] + 8, spot[1] + 10)
    return at(second, track_id=track_id, verdict=Verdict.NEAR_MISS, score=0.4, box=spot)


def sampling(**samples: float) -> EventSettings:
    return SETTINGS.model_copy(update={"samples": SampleSettings(**samples)})


@pytest.mark.parametrize(
    ("fraction", "max_per_hour", "tracks", "expected"),
    [
        (1.0, 100, 5, 5),  # every near-miss track, once
        (0.0, 100, 5, 0),  # samples off
        (1.0, 3, 5, 3),  # rate-limited
    ],
)
def test_samples(fraction: float, max_per_hour: int, tracks: int, expected: int) -> None:
    gate = SampleGate(sampling(fraction=fraction, max_per_hour=max_per_hour))
    sent: list[Decision] = []
    for second in range(3):  # each track is seen three times, each in its own place
        now = T0 + seconds(second)
        sent += gate.update(now, tuple(near(second, t) for t in range(tracks)))
    assert len(sent) == expected
    assert all(d.type is EventType.SAMPLE for d in sent)
    assert len({d.violation_id for d in sent}) == expected


def test_sample_fraction_is_about_right_and_reproducible() -> None:
    def draw() -> list[int]:
        gate = SampleGate(sampling(fraction=0.25, max_per_hour=3600, seed=4))
        return [d.sighting.track_id for d in gate.update(T0, tuple(near(0, t) for t in range(400)))]

    chosen = draw()
    assert chosen == draw()
    assert 70 <= len(chosen) <= 130


def test_sample_rate_limit_slides_over_the_hour() -> None:
    gate = SampleGate(sampling(fraction=1.0, max_per_hour=1))
    times: list[datetime] = [T0, T0 + seconds(1800), T0 + seconds(3600)]
    sent = [len(gate.update(t, (near(0, n),))) for n, t in enumerate(times)]
    assert sent == [1, 0, 1]


def test_a_flickering_near_miss_is_sampled_once_per_place() -> None:
    gate = SampleGate(sampling(fraction=1.0, max_per_hour=100))
    box = (100.0, 80.0, 160.0, 140.0)
    tracks = [(0, 1), (5, 2), (30, 3), (59, 4), (130, 5)]  # cooldown 60 s after the sample
    sent = [len(gate.update(T0 + seconds(s), (near(s, t, box),))) for s, t in tracks]
    assert sent == [1, 0, 0, 0, 1]


def test_sample_gate_forgets_tracks_gone_for_the_cooldown() -> None:
    gate = SampleGate(sampling(fraction=0.0, max_per_hour=100))
    for second in range(0, 3600, 10):  # a live camera: a new near-miss track every 10 s
        gate.update(T0 + seconds(second), (near(second, second // 10),))
    assert len(gate._drawn) <= SETTINGS.cooldown_s / 10 + 1


def test_a_near_miss_track_still_in_view_is_not_drawn_again() -> None:
    gate = SampleGate(sampling(fraction=1.0, max_per_hour=100))
    sent = [len(gate.update(T0 + seconds(s), (near(s, 7),))) for s in range(0, 600, 10)]
    assert sum(sent) == 1  # seen all along, long after the cooldown
