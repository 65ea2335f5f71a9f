"""The ByteTrack tracker: stable ids, low-score extension, re-finding lost tracks, classes."""

from __future__ import annotations

import numpy as np
import pytest
from support.edge_setup import T0, detections, seconds

from edge.config_sections import TrackingSettings
from edge.detections import NO_TRACK
from edge.tracking.bytetrack import ByteTracker, iou_matrix

SETTINGS = TrackingSettings(high_score=0.5, low_score=0.1, lost_s=1.0)


def ids(tracker: ByteTracker, second: float, *rows: tuple[float, ...]) -> list[int]:
    found = tracker.update(detections(*[(*r, -1) for r in rows]), T0 + seconds(second))  # type: ignore[arg-type]
    return [int(t) for t in found.track_id]


def test_a_track_is_confirmed_on_its_second_box_and_keeps_its_id() -> None:
    tracker = ByteTracker(SETTINGS)
    seen = [ids(tracker, n * 0.2, (10 + 2 * n, 10, 50 + 2 * n, 60, 0.9, 1)) for n in range(6)]
    assert seen[0] == [NO_TRACK]
    assert {s[0] for s in seen[1:]} == {1}


def test_low_scores_extend_but_never_start_tracks() -> None:
    tracker = ByteTracker(SETTINGS)
    ids(tracker, 0.0, (10, 10, 50, 60, 0.9, 1))
    assert ids(tracker, 0.2, (10, 10, 50, 60, 0.9, 1)) == [1]
    assert ids(tracker, 0.4, (11, 10, 51, 60, 0.2, 1)) == [1]  # low score extends track 1
    assert ids(tracker, 0.6, (200, 100, 240, 150, 0.2, 1)) == [NO_TRACK]
    assert ids(tracker, 0.8, (200, 100, 240, 150, 0.2, 1)) == [NO_TRACK]


@pytest.mark.parametrize(("gap_s", "same"), [(0.8, True), (1.4, False)])
def test_a_lost_track_is_found_again_within_lost_s(gap_s: float, same: bool) -> None:
    tracker = ByteTracker(SETTINGS)
    for n in range(3):
        ids(tracker, n * 0.2, (10, 10, 50, 60, 0.9, 1))
    ids(tracker, 0.6, (300, 100, 310, 110, 0.9, 2))  # the object is hidden
    back = 0.4 + gap_s
    found = [ids(tracker, back + n * 0.2, (10, 10, 50, 60, 0.9, 1))[0] for n in range(2)]
    assert (found[-1] == 1) is same
    assert found[-1] != NO_TRACK


def test_classes_are_tracked_apart() -> None:
    tracker = ByteTracker(SETTINGS)
    box = (10, 10, 50, 60, 0.9)
    for n in range(3):
        got = ids(tracker, n * 0.2, (*box, 0), (*box, 1))
    assert got[0] != got[1] and NO_TRACK not in got


def test_input_is_not_changed() -> None:
    tracker = ByteTracker(SETTINGS)
    given = detections((10, 10, 50, 60, 0.9, 1, -1))
    tracker.update(given, T0)
    tracker.update(given, T0 + seconds(0.2))
    assert given.track_id.tolist() == [NO_TRACK]


def test_iou_matrix() -> None:
    a = np.array([[0, 0, 10, 10], [0, 0, 10, 20]], np.float32)
    b = np.array([[0, 0, 10, 10], [20, 20, 30, 30]], np.float32)
    assert iou_matrix(a, b) == pytest.approx(np.array([[1.0, 0.0], [0.5, 0.0]]))
    assert iou_matrix(a[:0], b).shape == (0, 2)
